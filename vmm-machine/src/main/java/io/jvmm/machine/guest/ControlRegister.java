package io.jvmm.machine.guest;

/**
 * The control registers {@link X86Assembler} moves to and from general registers, with their
 * ModR/M reg-field numbers (Intel SDM Vol. 2, MOV "Move to/from Control Registers"; CR8 needs
 * REX.R and exists only in 64-bit mode).
 */
public enum ControlRegister {
    CR0(0), CR2(2), CR3(3), CR4(4), CR8(8);

    private final int number;

    ControlRegister(int number) {
        this.number = number;
    }

    public int number() {
        return number;
    }
}
