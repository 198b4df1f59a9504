package io.jvmm.machine.guest;

import java.util.Objects;

/**
 * A memory operand {@code [base + displacement]}. In 64-bit code the base is a 64-bit register; in
 * real-mode code it is one of BX, SI, DI or BP (the single-register forms of 16-bit addressing,
 * Intel SDM Vol. 2, Table 2-1), and the displacement must fit in 16 bits.
 */
public record MemoryOperand(Register base, int displacement) {
    public MemoryOperand {
        Objects.requireNonNull(base, "base");
        if (base.width() != 16 && base.width() != 64) {
            throw new IllegalArgumentException("memory base must be a 16-bit (real mode) or 64-bit register, not " + base);
        }
    }

    /** {@code [base]}. */
    public static MemoryOperand at(Register base) {
        return new MemoryOperand(base, 0);
    }

    /** {@code [base + displacement]}. */
    public static MemoryOperand at(Register base, int displacement) {
        return new MemoryOperand(base, displacement);
    }
}
