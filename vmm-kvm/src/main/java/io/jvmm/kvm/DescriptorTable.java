package io.jvmm.kvm;

/**
 * A GDTR or IDTR value: base address and limit (size - 1) ({@code struct kvm_dtable}).
 *
 * @param base the guest linear address of the table's first byte
 * @param limit the table's size in bytes minus one, 0..0xffff (e.g. 0x27 for a five-entry GDT)
 */
public record DescriptorTable(long base, int limit) {
    /**
     * Checks the limit.
     *
     * @param base the guest linear address of the table's first byte
     * @param limit the table's size in bytes minus one
     * @throws IllegalArgumentException if {@code limit} is outside 0..0xffff
     */
    public DescriptorTable {
        if (limit < 0 || limit > 0xffff) {
            throw new IllegalArgumentException("descriptor table limit must fit 16 bits: " + limit);
        }
    }
}
