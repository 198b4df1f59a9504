/**
 * KVM, VMs and vCPUs: the ioctl wrappers, register records and exits. io.jvmm.kvm.sys (ioctl numbers, struct layouts)
 * is internal.
 */
module io.jvmm.kvm {
    requires transitive io.jvmm.memory;

    exports io.jvmm.kvm;
    // io.jvmm.kvm.sys (ioctl numbers, struct layouts, the kick signal) is not exported.
}
