package io.jvmm.machine.guest;

/** Segment registers with their ModR/M reg-field numbers (Intel SDM Vol. 2, 3.1.1.3 "Sreg"). */
public enum SegmentRegister {
    /** ES, the extra segment; Sreg 0. */
    ES(0),
    /** CS, the code segment; Sreg 1. {@code mov} can read it but not load it. */
    CS(1),
    /** SS, the stack segment, the default for BP- and SP-based addresses; Sreg 2. */
    SS(2),
    /** DS, the data segment, the default for other memory operands; Sreg 3. */
    DS(3),
    /** FS, an extra segment with no default use; Sreg 4. */
    FS(4),
    /** GS, an extra segment with no default use; Sreg 5. */
    GS(5);

    private final int number;

    SegmentRegister(int number) {
        this.number = number;
    }

    /** {@return the 3-bit Sreg number, 0..5, that the ModR/M reg field of 8C and 8E holds} */
    public int number() {
        return number;
    }
}
