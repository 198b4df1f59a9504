package io.jvmm.machine.guest;

import java.util.Objects;

/**
 * A memory operand {@code [base + displacement]}. In 64-bit code the base is a 64-bit register; in
 * real-mode code it is one of BX, SI, DI or BP (the single-register forms of 16-bit addressing,
 * Intel SDM Vol. 2, Table 2-1), and the displacement must fit in 16 bits.
 * {@link X86Assembler} checks the base against its mode when the operand is used.
 *
 * @param base the base register: a 64-bit register for long-mode code, BX, SI, DI or BP for real-mode code
 * @param displacement the byte offset from the base: any {@code int} in long mode (encoded as a sign-extended disp8 or
 *     disp32), -0x8000 to 0xffff in real mode (a 16-bit offset, taken modulo 64 KiB)
 */
public record MemoryOperand(Register base, int displacement) {
    /**
     * An operand; the checks that depend on the mode are left to the assembler.
     *
     * @param base the base register, 16 or 64 bits wide
     * @param displacement the byte offset from the base
     * @throws NullPointerException when {@code base} is null
     * @throws IllegalArgumentException when {@code base} is an 8- or 32-bit register
     */
    public MemoryOperand {
        Objects.requireNonNull(base, "base");
        if (base.width() != 16 && base.width() != 64) {
            throw new IllegalArgumentException("memory base must be a 16-bit (real mode) or 64-bit register, not " + base);
        }
    }

    /**
     * {@code [base]}.
     *
     * @param base the base register, 16 or 64 bits wide
     * @return the operand with displacement 0
     * @throws IllegalArgumentException when {@code base} is an 8- or 32-bit register
     */
    public static MemoryOperand at(Register base) {
        return new MemoryOperand(base, 0);
    }

    /**
     * {@code [base + displacement]}.
     *
     * @param base the base register, 16 or 64 bits wide
     * @param displacement the byte offset from the base (negative for {@code [base - n]})
     * @return the operand
     * @throws IllegalArgumentException when {@code base} is an 8- or 32-bit register
     */
    public static MemoryOperand at(Register base, int displacement) {
        return new MemoryOperand(base, displacement);
    }
}
