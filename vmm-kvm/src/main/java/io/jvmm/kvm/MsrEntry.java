package io.jvmm.kvm;

/**
 * One model-specific register: its index (e.g. 0x10 for IA32_TSC) and 64-bit value
 * ({@code struct kvm_msr_entry}, for {@link Vcpu#getMsrs}/{@link Vcpu#setMsrs}).
 *
 * @param index the MSR number as RDMSR/WRMSR take it in ECX (Intel SDM Vol. 4)
 * @param data the register's 64-bit value
 */
public record MsrEntry(int index, long data) {
    @Override
    public String toString() {
        return String.format("MsrEntry[0x%x=0x%x]", index, data);
    }
}
