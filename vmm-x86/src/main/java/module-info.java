/** The x86 platform map, GDT, page tables, CPUID, MSRs, vCPU set-up and ACPI tables. */
module io.jvmm.x86 {
    requires transitive io.jvmm.kvm;
    requires transitive io.jvmm.loader;
    requires io.jvmm.devices;

    exports io.jvmm.x86;
    exports io.jvmm.x86.acpi;
}
