package io.jvmm.machine.guest;

/**
 * The general-purpose registers {@link X86Assembler} encodes, with their operand width in bits and
 * their 4-bit register number (Intel SDM Vol. 2, 2.1.5 "Addressing-Mode Encoding of ModR/M and SIB
 * Bytes"; numbers 8..15 need a REX prefix and exist only in 64-bit mode). The legacy high-byte
 * registers (AH..BH) and the REX-only byte registers (SPL, R8B, ...) are left out: the guests do not
 * need them and leaving them out keeps every byte register encodable without a REX prefix.
 */
public enum Register {
    /** The low byte of RAX: the 8-bit accumulator. */
    AL(8, 0),
    /** The low byte of RCX. */
    CL(8, 1),
    /** The low byte of RDX. */
    DL(8, 2),
    /** The low byte of RBX. */
    BL(8, 3),
    /** The low 16 bits of RAX: the 16-bit accumulator. */
    AX(16, 0),
    /** The low 16 bits of RCX. */
    CX(16, 1),
    /** The low 16 bits of RDX; the port register of {@code in} and {@code out}. */
    DX(16, 2),
    /** The low 16 bits of RBX; a real-mode memory base. */
    BX(16, 3),
    /** The low 16 bits of RSP: the real-mode stack pointer. */
    SP(16, 4),
    /** The low 16 bits of RBP; a real-mode memory base (default segment SS). */
    BP(16, 5),
    /** The low 16 bits of RSI; a real-mode memory base. */
    SI(16, 6),
    /** The low 16 bits of RDI; a real-mode memory base. */
    DI(16, 7),
    /** The low 32 bits of RAX: the 32-bit accumulator. Writing it in 64-bit code zeroes the upper half of RAX. */
    EAX(32, 0),
    /** The low 32 bits of RCX. */
    ECX(32, 1),
    /** The low 32 bits of RDX. */
    EDX(32, 2),
    /** The low 32 bits of RBX. */
    EBX(32, 3),
    /** The low 32 bits of RSP. */
    ESP(32, 4),
    /** The low 32 bits of RBP. */
    EBP(32, 5),
    /** The low 32 bits of RSI. */
    ESI(32, 6),
    /** The low 32 bits of RDI. */
    EDI(32, 7),
    /** The 64-bit accumulator; long mode only, as every 64-bit register. */
    RAX(64, 0),
    /** 64-bit register 1. */
    RCX(64, 1),
    /** 64-bit register 2. */
    RDX(64, 2),
    /** 64-bit register 3. */
    RBX(64, 3),
    /** The 64-bit stack pointer; as a memory base it needs a SIB byte. */
    RSP(64, 4),
    /** 64-bit register 5; as a memory base it needs a displacement byte, even for 0. */
    RBP(64, 5),
    /** 64-bit register 6, the source index. */
    RSI(64, 6),
    /** 64-bit register 7, the destination index. */
    RDI(64, 7),
    /** 64-bit register 8; it and R9..R15 need REX.R or REX.B. */
    R8(64, 8),
    /** 64-bit register 9. */
    R9(64, 9),
    /** 64-bit register 10. */
    R10(64, 10),
    /** 64-bit register 11. */
    R11(64, 11),
    /** 64-bit register 12; as a memory base it needs a SIB byte, as RSP. */
    R12(64, 12),
    /** 64-bit register 13; as a memory base it needs a displacement byte, as RBP. */
    R13(64, 13),
    /** 64-bit register 14. */
    R14(64, 14),
    /** 64-bit register 15. */
    R15(64, 15);

    private final int width;
    private final int number;

    Register(int width, int number) {
        this.width = width;
        this.number = number;
    }

    /** {@return the operand width in bits: 8, 16, 32 or 64} */
    public int width() {
        return width;
    }

    /**
     * {@return the register number, 0..15, as ModR/M, SIB and REX encode it: the low 3 bits in the byte, bit 3 in REX}
     */
    public int number() {
        return number;
    }

    /** {@return whether this is AL, AX, EAX or RAX, which have short accumulator encodings} */
    public boolean isAccumulator() {
        return number == 0;
    }
}
