package io.jvmm.kvm;

/** A GDTR or IDTR value: base address and limit (size - 1) ({@code struct kvm_dtable}). */
public record DescriptorTable(long base, int limit) {
    public DescriptorTable {
        if (limit < 0 || limit > 0xffff) {
            throw new IllegalArgumentException("descriptor table limit must fit 16 bits: " + limit);
        }
    }
}
