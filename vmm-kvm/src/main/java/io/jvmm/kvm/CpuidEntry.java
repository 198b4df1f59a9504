package io.jvmm.kvm;

/**
 * One CPUID leaf as KVM describes it ({@code struct kvm_cpuid_entry2}): the leaf
 * ({@code function}), sub-leaf ({@code index}), KVM's flags (bit 0
 * {@code KVM_CPUID_FLAG_SIGNIFCANT_INDEX}: the sub-leaf matters) and the four result registers.
 * Read from {@link Kvm#supportedCpuid()} or {@link Vcpu#getCpuid2()}, adjusted with the
 * {@code with*} copies, and handed to {@link Vcpu#setCpuid2}.
 *
 * @param function the CPUID leaf, the EAX input of the instruction
 * @param index the sub-leaf, the ECX input; ignored by KVM unless {@code flags} has {@link #FLAG_SIGNIFICANT_INDEX}
 * @param flags KVM's {@code KVM_CPUID_FLAG_*} bits for the entry
 * @param eax the EAX the guest's CPUID returns for this leaf
 * @param ebx the EBX the guest's CPUID returns
 * @param ecx the ECX the guest's CPUID returns
 * @param edx the EDX the guest's CPUID returns
 */
public record CpuidEntry(int function, int index, int flags, int eax, int ebx, int ecx, int edx) {
    /** {@code KVM_CPUID_FLAG_SIGNIFCANT_INDEX} (sic, as spelled in the header). */
    public static final int FLAG_SIGNIFICANT_INDEX = 1;

    /**
     * {@return a copy with EAX replaced, the rest kept}
     *
     * @param v the new EAX value
     */
    public CpuidEntry withEax(int v) { return new CpuidEntry(function, index, flags, v, ebx, ecx, edx); }
    /**
     * {@return a copy with EBX replaced, the rest kept}
     *
     * @param v the new EBX value
     */
    public CpuidEntry withEbx(int v) { return new CpuidEntry(function, index, flags, eax, v, ecx, edx); }
    /**
     * {@return a copy with ECX replaced, the rest kept}
     *
     * @param v the new ECX value
     */
    public CpuidEntry withEcx(int v) { return new CpuidEntry(function, index, flags, eax, ebx, v, edx); }
    /**
     * {@return a copy with EDX replaced, the rest kept}
     *
     * @param v the new EDX value
     */
    public CpuidEntry withEdx(int v) { return new CpuidEntry(function, index, flags, eax, ebx, ecx, v); }

    @Override
    public String toString() {
        return String.format("CpuidEntry[0x%x.%d flags=%x eax=%08x ebx=%08x ecx=%08x edx=%08x]",
            function, index, flags, eax, ebx, ecx, edx);
    }
}
