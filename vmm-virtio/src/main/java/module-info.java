/** Virtqueues, the virtio-mmio transport and virtio devices over GuestMemory, without KVM. */
module io.jvmm.virtio {
    requires transitive io.jvmm.memory;
    requires org.slf4j;

    exports io.jvmm.virtio;
    exports io.jvmm.virtio.mmio;
    exports io.jvmm.virtio.block;
    exports io.jvmm.virtio.rng;
}
