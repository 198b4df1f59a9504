package io.jvmm.kvm;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Which KVM implementation the host runs, read from the loaded kernel modules. It decides what can
 * boot: hardware-assisted KVM runs stock kernels; PVM ({@code kvm_pvm}, a pagetable-based
 * software VMM without VMX/SVM) emulates guest kernel-mode instructions, cannot boot a stock Linux
 * kernel, and with an in-kernel irqchip a guest HLT waits in the kernel instead of exiting.
 */
public enum KvmBackend {
    /** Intel VT-x ({@code kvm_intel}): hardware-assisted. */
    INTEL_VMX("kvm_intel", true),
    /** AMD-V ({@code kvm_amd}): hardware-assisted. */
    AMD_SVM("kvm_amd", true),
    /** PVM ({@code kvm_pvm}): pagetable-based, no hardware virtualization; cannot boot a stock kernel. */
    PVM("kvm_pvm", false),
    /** None of the three modules is loaded (or {@code /sys/module} is unreadable); treated as not hardware-assisted. */
    UNKNOWN("", false);

    private final String module;
    private final boolean hardwareAssisted;

    KvmBackend(String module, boolean hardwareAssisted) {
        this.module = module;
        this.hardwareAssisted = hardwareAssisted;
    }

    /** {@return the kernel module name, e.g. {@code "kvm_pvm"}; empty for {@link #UNKNOWN}} */
    public String module() {
        return module;
    }

    /** {@return whether the backend uses VMX or SVM: true for {@link #INTEL_VMX} and {@link #AMD_SVM} only} */
    public boolean isHardwareAssisted() {
        return hardwareAssisted;
    }

    /**
     * Why a stock Linux kernel cannot boot on this backend, in one sentence, or empty when it can
     * (or when the backend is unknown and trying is the only way to find out). The one place that
     * decides it: {@code jvmm run --kernel} refuses with this sentence, and the test-kernel
     * integration tests skip with it.
     *
     * @return the reason for {@link #PVM}; empty for every other backend
     */
    public Optional<String> stockKernelUnsupportedReason() {
        if (this != PVM) {
            return Optional.empty();
        }
        return Optional.of("this host's KVM is PVM (kvm_pvm, no hardware virtualization): it emulates every guest"
            + " kernel-mode instruction (about 0.6 us each), so a stock Linux kernel does not even finish"
            + " decompressing itself in useful time; boot kernels on a host with kvm_intel or kvm_amd, or in the"
            + " nested KVM test host of docs/testing.md (scripts/kvm-host.sh)");
    }

    /**
     * The backend of this host, from which of {@code /sys/module/kvm_pvm}, {@code kvm_intel} and
     * {@code kvm_amd} exists as a directory; PVM wins if several are loaded.
     *
     * @return the first of {@link #PVM}, {@link #INTEL_VMX}, {@link #AMD_SVM} whose module is
     *     loaded, or {@link #UNKNOWN} if none is
     */
    public static KvmBackend detect() {
        return detect(Path.of("/sys/module"));
    }

    static KvmBackend detect(Path sysModule) {
        for (KvmBackend b : new KvmBackend[] {PVM, INTEL_VMX, AMD_SVM}) {
            if (Files.isDirectory(sysModule.resolve(b.module))) {
                return b;
            }
        }
        return UNKNOWN;
    }
}
