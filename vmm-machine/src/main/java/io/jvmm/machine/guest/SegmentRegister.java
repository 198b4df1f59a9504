package io.jvmm.machine.guest;

/** Segment registers with their ModR/M reg-field numbers (Intel SDM Vol. 2, 3.1.1.3 "Sreg"). */
public enum SegmentRegister {
    ES(0), CS(1), SS(2), DS(3), FS(4), GS(5);

    private final int number;

    SegmentRegister(int number) {
        this.number = number;
    }

    public int number() {
        return number;
    }
}
