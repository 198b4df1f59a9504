package io.jvmm.machine.guest;

/**
 * The control registers {@link X86Assembler} moves to and from general registers, with their
 * ModR/M reg-field numbers (Intel SDM Vol. 2, MOV "Move to/from Control Registers"; CR8 needs
 * REX.R and exists only in 64-bit mode).
 */
public enum ControlRegister {
    /** CR0: protection, paging and other system control flags (PE, PG, ...). */
    CR0(0),
    /** CR2: the linear address of the last page fault. */
    CR2(2),
    /** CR3: the physical address of the top-level paging structure (the PML4 in long mode). */
    CR3(3),
    /** CR4: architectural extension flags (PAE, PGE, ...). */
    CR4(4),
    /** CR8: the task-priority register (TPR); needs REX.R, long mode only. */
    CR8(8);

    private final int number;

    ControlRegister(int number) {
        this.number = number;
    }

    /**
     * {@return the control register number, 0..8: its low 3 bits go in the ModR/M reg field, bit 3 in REX.R}
     */
    public int number() {
        return number;
    }
}
