/** A VM assembled from KVM, guest memory, devices, virtio, the loader and x86 set-up; the built-in guests. */
module io.jvmm.machine {
    requires transitive io.jvmm.kvm;
    requires transitive io.jvmm.x86;
    requires transitive io.jvmm.devices;
    requires transitive io.jvmm.virtio;
    requires io.jvmm.loader;
    requires org.slf4j;

    exports io.jvmm.machine;
    exports io.jvmm.machine.guest;
}
