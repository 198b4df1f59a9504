package io.jvmm.machine.guest;

/**
 * The general-purpose registers {@link X86Assembler} encodes, with their operand width in bits and
 * their 4-bit register number (Intel SDM Vol. 2, 2.1.5 "Addressing-Mode Encoding of ModR/M and SIB
 * Bytes"; numbers 8..15 need a REX prefix and exist only in 64-bit mode). The legacy high-byte
 * registers (AH..BH) and the REX-only byte registers (SPL, R8B, ...) are left out: the guests do not
 * need them and leaving them out keeps every byte register encodable without a REX prefix.
 */
public enum Register {
    AL(8, 0), CL(8, 1), DL(8, 2), BL(8, 3),
    AX(16, 0), CX(16, 1), DX(16, 2), BX(16, 3), SP(16, 4), BP(16, 5), SI(16, 6), DI(16, 7),
    EAX(32, 0), ECX(32, 1), EDX(32, 2), EBX(32, 3), ESP(32, 4), EBP(32, 5), ESI(32, 6), EDI(32, 7),
    RAX(64, 0), RCX(64, 1), RDX(64, 2), RBX(64, 3), RSP(64, 4), RBP(64, 5), RSI(64, 6), RDI(64, 7),
    R8(64, 8), R9(64, 9), R10(64, 10), R11(64, 11), R12(64, 12), R13(64, 13), R14(64, 14), R15(64, 15);

    private final int width;
    private final int number;

    Register(int width, int number) {
        this.width = width;
        this.number = number;
    }

    /** Operand width in bits: 8, 16, 32 or 64. */
    public int width() {
        return width;
    }

    /** Register number 0..15 as ModR/M, SIB and REX encode it. */
    public int number() {
        return number;
    }

    /** Whether this is AL, AX, EAX or RAX, which have short accumulator encodings. */
    public boolean isAccumulator() {
        return number == 0;
    }
}
