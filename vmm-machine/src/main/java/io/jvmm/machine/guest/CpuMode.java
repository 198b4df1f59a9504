package io.jvmm.machine.guest;

/**
 * The processor mode a guest program is written for and entered in. It decides how the assembler
 * encodes instructions (16-bit or 64-bit default operand and address size) and how the VMM sets up
 * the vCPU before the first {@code KVM_RUN}.
 */
public enum CpuMode {
    /** 16-bit real mode: CS = load address / 16, IP = entry - load address, paging and protection off. */
    REAL,
    /** 64-bit long mode: flat 64-bit code segment, identity-mapped low memory, paging on. */
    LONG
}
