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

    public long rax() { return get(KvmRegs.RAX); }
    public long rbx() { return get(KvmRegs.RBX); }
    public long rcx() { return get(KvmRegs.RCX); }
    public long rdx() { return get(KvmRegs.RDX); }
    public long rsi() { return get(KvmRegs.RSI); }
    public long rdi() { return get(KvmRegs.RDI); }
    public long rsp() { return get(KvmRegs.RSP); }
    public long rbp() { return get(KvmRegs.RBP); }
    public long r8() { return get(KvmRegs.R8); }
    public long r9() { return get(KvmRegs.R9); }
    public long r10() { return get(KvmRegs.R10); }
    public long r11() { return get(KvmRegs.R11); }
    public long r12() { return get(KvmRegs.R12); }
    public long r13() { return get(KvmRegs.R13); }
    public long r14() { return get(KvmRegs.R14); }
    public long r15() { return get(KvmRegs.R15); }
    public long rip() { return get(KvmRegs.RIP); }
    public long rflags() { return get(KvmRegs.RFLAGS); }

    public Regs rax(long v) { return set(KvmRegs.RAX, v); }
    public Regs rbx(long v) { return set(KvmRegs.RBX, v); }
    public Regs rcx(long v) { return set(KvmRegs.RCX, v); }
    public Regs rdx(long v) { return set(KvmRegs.RDX, v); }
    public Regs rsi(long v) { return set(KvmRegs.RSI, v); }
    public Regs rdi(long v) { return set(KvmRegs.RDI, v); }
    public Regs rsp(long v) { return set(KvmRegs.RSP, v); }
    public Regs rbp(long v) { return set(KvmRegs.RBP, v); }
    public Regs r8(long v) { return set(KvmRegs.R8, v); }
    public Regs r9(long v) { return set(KvmRegs.R9, v); }
    public Regs r10(long v) { return set(KvmRegs.R10, v); }
    public Regs r11(long v) { return set(KvmRegs.R11, v); }
    public Regs r12(long v) { return set(KvmRegs.R12, v); }
    public Regs r13(long v) { return set(KvmRegs.R13, v); }
    public Regs r14(long v) { return set(KvmRegs.R14, v); }
    public Regs r15(long v) { return set(KvmRegs.R15, v); }
    public Regs rip(long v) { return set(KvmRegs.RIP, v); }
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
