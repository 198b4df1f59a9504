package io.jvmm.machine.guest;

/**
 * Jcc conditions with their 4-bit condition codes (Intel SDM Vol. 1, Appendix B "EFLAGS Condition
 * Codes"): the short form is {@code 0x70 + code}, the near form {@code 0x0F 0x80 + code}.
 */
public enum Condition {
    /** Overflow. */ O(0x0),
    /** No overflow. */ NO(0x1),
    /** Below (unsigned), carry set. */ B(0x2),
    /** Above or equal (unsigned), carry clear. */ AE(0x3),
    /** Equal, zero set. */ E(0x4),
    /** Not equal, zero clear. */ NE(0x5),
    /** Below or equal (unsigned). */ BE(0x6),
    /** Above (unsigned). */ A(0x7),
    /** Sign set. */ S(0x8),
    /** Sign clear. */ NS(0x9),
    /** Parity even. */ P(0xa),
    /** Parity odd. */ NP(0xb),
    /** Less (signed). */ L(0xc),
    /** Greater or equal (signed). */ GE(0xd),
    /** Less or equal (signed). */ LE(0xe),
    /** Greater (signed). */ G(0xf);

    private final int code;

    Condition(int code) {
        this.code = code;
    }

    /** {@return the 4-bit condition code, 0..15, the cc of 70+cc (short Jcc) and 0F 80+cc (near Jcc)} */
    public int code() {
        return code;
    }
}
