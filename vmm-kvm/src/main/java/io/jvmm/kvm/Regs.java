package io.jvmm.kvm;

import io.jvmm.kvm.sys.KvmStructs.KvmRegs;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The general-purpose registers of an x86-64 vCPU ({@code struct kvm_regs}). A mutable value:
 * get it with {@link Vcpu#getRegs()}, change fields, hand it back with {@link Vcpu#setRegs(Regs)}
 * — the read-modify-write pattern the KVM API is built around. Setters return {@code this}.
 */
public final class Regs {
    private static final int COUNT = KvmRegs.SIZE / Long.BYTES;
    /** Indexed by field offset / 8, in struct kvm_regs order. */
    private final long[] values = new long[COUNT];

    /** All registers zero. Note that RFLAGS bit 1 is reserved and must be set before use. */
    public Regs() {
    }

    static Regs read(ByteBuffer struct) {
        Regs regs = new Regs();
        for (int i = 0; i < COUNT; i++) {
            regs.values[i] = struct.getLong(i * Long.BYTES);
        }
        return regs;
    }

    void write(ByteBuffer struct) {
        for (int i = 0; i < COUNT; i++) {
            struct.putLong(i * Long.BYTES, values[i]);
        }
    }

    private long get(int offset) {
        return values[offset / Long.BYTES];
    }

    private Regs set(int offset, long value) {
        values[offset / Long.BYTES] = value;
        return this;
    }

    /** {@return RAX} */
    public long rax() { return get(KvmRegs.RAX); }
    /** {@return RBX} */
    public long rbx() { return get(KvmRegs.RBX); }
    /** {@return RCX} */
    public long rcx() { return get(KvmRegs.RCX); }
    /** {@return RDX} */
    public long rdx() { return get(KvmRegs.RDX); }
    /** {@return RSI} */
    public long rsi() { return get(KvmRegs.RSI); }
    /** {@return RDI} */
    public long rdi() { return get(KvmRegs.RDI); }
    /** {@return RSP} */
    public long rsp() { return get(KvmRegs.RSP); }
    /** {@return RBP} */
    public long rbp() { return get(KvmRegs.RBP); }
    /** {@return R8} */
    public long r8() { return get(KvmRegs.R8); }
    /** {@return R9} */
    public long r9() { return get(KvmRegs.R9); }
    /** {@return R10} */
    public long r10() { return get(KvmRegs.R10); }
    /** {@return R11} */
    public long r11() { return get(KvmRegs.R11); }
    /** {@return R12} */
    public long r12() { return get(KvmRegs.R12); }
    /** {@return R13} */
    public long r13() { return get(KvmRegs.R13); }
    /** {@return R14} */
    public long r14() { return get(KvmRegs.R14); }
    /** {@return R15} */
    public long r15() { return get(KvmRegs.R15); }
    /** {@return the instruction pointer RIP} */
    public long rip() { return get(KvmRegs.RIP); }
    /** {@return RFLAGS} */
    public long rflags() { return get(KvmRegs.RFLAGS); }

    /**
     * Sets RAX.
     *
     * @param v the new 64-bit value
     * @return this
     */
    public Regs rax(long v) { return set(KvmRegs.RAX, v); }
    /**
     * Sets RBX.
     *
     * @param v the new 64-bit value
     * @return this
     */
    public Regs rbx(long v) { return set(KvmRegs.RBX, v); }
    /**
     * Sets RCX.
     *
     * @param v the new 64-bit value
     * @return this
     */
    public Regs rcx(long v) { return set(KvmRegs.RCX, v); }
    /**
     * Sets RDX.
     *
     * @param v the new 64-bit value
     * @return this
     */
    public Regs rdx(long v) { return set(KvmRegs.RDX, v); }
    /**
     * Sets RSI.
     *
     * @param v the new 64-bit value
     * @return this
     */
    public Regs rsi(long v) { return set(KvmRegs.RSI, v); }
    /**
     * Sets RDI.
     *
     * @param v the new 64-bit value
     * @return this
     */
    public Regs rdi(long v) { return set(KvmRegs.RDI, v); }
    /**
     * Sets RSP.
     *
     * @param v the new 64-bit value
     * @return this
     */
    public Regs rsp(long v) { return set(KvmRegs.RSP, v); }
    /**
     * Sets RBP.
     *
     * @param v the new 64-bit value
     * @return this
     */
    public Regs rbp(long v) { return set(KvmRegs.RBP, v); }
    /**
     * Sets R8.
     *
     * @param v the new 64-bit value
     * @return this
     */
    public Regs r8(long v) { return set(KvmRegs.R8, v); }
    /**
     * Sets R9.
     *
     * @param v the new 64-bit value
     * @return this
     */
    public Regs r9(long v) { return set(KvmRegs.R9, v); }
    /**
     * Sets R10.
     *
     * @param v the new 64-bit value
     * @return this
     */
    public Regs r10(long v) { return set(KvmRegs.R10, v); }
    /**
     * Sets R11.
     *
     * @param v the new 64-bit value
     * @return this
     */
    public Regs r11(long v) { return set(KvmRegs.R11, v); }
    /**
     * Sets R12.
     *
     * @param v the new 64-bit value
     * @return this
     */
    public Regs r12(long v) { return set(KvmRegs.R12, v); }
    /**
     * Sets R13.
     *
     * @param v the new 64-bit value
     * @return this
     */
    public Regs r13(long v) { return set(KvmRegs.R13, v); }
    /**
     * Sets R14.
     *
     * @param v the new 64-bit value
     * @return this
     */
    public Regs r14(long v) { return set(KvmRegs.R14, v); }
    /**
     * Sets R15.
     *
     * @param v the new 64-bit value
     * @return this
     */
    public Regs r15(long v) { return set(KvmRegs.R15, v); }
    /**
     * Sets RIP.
     *
     * @param v the new 64-bit value
     * @return this
     */
    public Regs rip(long v) { return set(KvmRegs.RIP, v); }
    /**
     * Sets RFLAGS (bit 1 is reserved and must be set).
     *
     * @param v the new 64-bit value
     * @return this
     */
    public Regs rflags(long v) { return set(KvmRegs.RFLAGS, v); }

    @Override
    public boolean equals(Object o) {
        return o instanceof Regs other && Arrays.equals(values, other.values);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(values);
    }

    @Override
    public String toString() {
        return String.format("Regs[rax=%x rbx=%x rcx=%x rdx=%x rsi=%x rdi=%x rsp=%x rbp=%x rip=%x rflags=%x]",
            rax(), rbx(), rcx(), rdx(), rsi(), rdi(), rsp(), rbp(), rip(), rflags());
    }
}
