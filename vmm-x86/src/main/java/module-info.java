/** The x86 platform map, GDT, page tables, CPUID, MSRs, vCPU set-up and ACPI tables. */
// "x86" is the architecture's name, digits and all (javac's module lint prefers names without
// terminal digits, to keep version numbers out of module names).
@SuppressWarnings("module")
module io.jvmm.x86 {
    requires transitive io.jvmm.kvm;
    requires transitive io.jvmm.loader;
    requires io.jvmm.devices;

    exports io.jvmm.x86;
    exports io.jvmm.x86.acpi;
}
