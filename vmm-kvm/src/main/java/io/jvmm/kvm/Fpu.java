package io.jvmm.kvm;

import io.jvmm.kvm.sys.KvmStructs.KvmFpu;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The x87/SSE state of a vCPU ({@code struct kvm_fpu}, the legacy FXSAVE subset). A mutable value
 * for {@link Vcpu#getFpu()}/{@link Vcpu#setFpu(Fpu)}. A kernel entered without firmware needs the
 * power-on control words: {@link #X87_DEFAULT_FCW} and {@link #SSE_DEFAULT_MXCSR} (Intel SDM
 * Vol. 1, 8.1.5 and 10.2.3.1), which {@link #bootDefaults()} sets.
 *
 * <p>Note: the kernel's {@code KVM_GET_FPU}/{@code KVM_SET_FPU} (arch/x86/kvm/x86.c) copy every
 * field of {@code struct kvm_fpu} except {@code mxcsr}: reads report 0 and writes are ignored, and
 * a new vCPU's MXCSR already holds the reset value 0x1f80. {@link #mxcsr()} is carried for the
 * struct's sake; MXCSR itself is reachable only through {@code KVM_GET/SET_XSAVE}.
 */
public final class Fpu {
    /** FNINIT's control word: all exceptions masked, 64-bit precision, round to nearest. */
    public static final int X87_DEFAULT_FCW = 0x37f;
    /** MXCSR at reset: all SIMD exceptions masked, round to nearest. */
    public static final int SSE_DEFAULT_MXCSR = 0x1f80;

    private final byte[] fpr = new byte[KvmFpu.FPR_SIZE];
    private final byte[] xmm = new byte[KvmFpu.XMM_SIZE];
    private int fcw;
    private int fsw;
    private int ftwx;
    private int lastOpcode;
    private long lastIp;
    private long lastDp;
    private int mxcsr;

    /** Everything zero. */
    public Fpu() {
    }

    /** {@return a new state with zero registers and the power-on control words: FCW 0x37f, MXCSR 0x1f80} */
    public static Fpu bootDefaults() {
        return new Fpu().fcw(X87_DEFAULT_FCW).mxcsr(SSE_DEFAULT_MXCSR);
    }

    static Fpu read(ByteBuffer b) {
        Fpu f = new Fpu();
        b.get(KvmFpu.FPR, f.fpr);
        b.get(KvmFpu.XMM, f.xmm);
        f.fcw = b.getShort(KvmFpu.FCW) & 0xffff;
        f.fsw = b.getShort(KvmFpu.FSW) & 0xffff;
        f.ftwx = b.get(KvmFpu.FTWX) & 0xff;
        f.lastOpcode = b.getShort(KvmFpu.LAST_OPCODE) & 0xffff;
        f.lastIp = b.getLong(KvmFpu.LAST_IP);
        f.lastDp = b.getLong(KvmFpu.LAST_DP);
        f.mxcsr = b.getInt(KvmFpu.MXCSR);
        return f;
    }

    void write(ByteBuffer b) {
        b.put(KvmFpu.FPR, fpr);
        b.put(KvmFpu.XMM, xmm);
        b.putShort(KvmFpu.FCW, (short) fcw);
        b.putShort(KvmFpu.FSW, (short) fsw);
        b.put(KvmFpu.FTWX, (byte) ftwx);
        b.putShort(KvmFpu.LAST_OPCODE, (short) lastOpcode);
        b.putLong(KvmFpu.LAST_IP, lastIp);
        b.putLong(KvmFpu.LAST_DP, lastDp);
        b.putInt(KvmFpu.MXCSR, mxcsr);
    }

    /** {@return the x87 control word (FCW), 16 bits} */
    public int fcw() { return fcw; }
    /** {@return the x87 status word (FSW), 16 bits} */
    public int fsw() { return fsw; }
    /** {@return the abridged x87 tag word of FXSAVE, 8 bits: bit {@code i} set when register {@code i} is valid} */
    public int ftwx() { return ftwx; }
    /** {@return the opcode of the last x87 instruction (FOP), 16 bits} */
    public int lastOpcode() { return lastOpcode; }
    /** {@return the address of the last x87 instruction (FIP)} */
    public long lastIp() { return lastIp; }
    /** {@return the address of the last x87 memory operand (FDP)} */
    public long lastDp() { return lastDp; }
    /** {@return the MXCSR field; 0 when read from a vCPU, since the kernel does not transfer it (see the class comment)} */
    public int mxcsr() { return mxcsr; }

    /**
     * Sets the x87 control word.
     *
     * @param v the new FCW, 0..0xffff ({@link #X87_DEFAULT_FCW} after FNINIT)
     * @return this
     * @throws IllegalArgumentException if {@code v} does not fit 16 bits
     */
    public Fpu fcw(int v) { fcw = check16(v, "fcw"); return this; }
    /**
     * Sets the x87 status word.
     *
     * @param v the new FSW, 0..0xffff
     * @return this
     * @throws IllegalArgumentException if {@code v} does not fit 16 bits
     */
    public Fpu fsw(int v) { fsw = check16(v, "fsw"); return this; }
    /**
     * Sets the abridged tag word.
     *
     * @param v the new tag bits, 0..0xff, one per x87 register (0: empty)
     * @return this
     * @throws IllegalArgumentException if {@code v} does not fit 8 bits
     */
    public Fpu ftwx(int v) {
        if (v < 0 || v > 0xff) {
            throw new IllegalArgumentException("ftwx must fit 8 bits: " + v);
        }
        ftwx = v;
        return this;
    }
    /**
     * Sets the last x87 opcode.
     *
     * @param v the new FOP, 0..0xffff
     * @return this
     * @throws IllegalArgumentException if {@code v} does not fit 16 bits
     */
    public Fpu lastOpcode(int v) { lastOpcode = check16(v, "last_opcode"); return this; }
    /**
     * Sets the last x87 instruction pointer.
     *
     * @param v the new FIP
     * @return this
     */
    public Fpu lastIp(long v) { lastIp = v; return this; }
    /**
     * Sets the last x87 data pointer.
     *
     * @param v the new FDP
     * @return this
     */
    public Fpu lastDp(long v) { lastDp = v; return this; }
    /**
     * Sets the MXCSR field, which {@link Vcpu#setFpu} passes but the kernel ignores (see the class comment).
     *
     * @param v the new MXCSR, any 32-bit value (not checked)
     * @return this
     */
    public Fpu mxcsr(int v) { mxcsr = v; return this; }

    /**
     * A copy of x87 register {@code i} (0..7), 16 bytes of which the low 10 hold the value.
     *
     * @param i the register number in FXSAVE order (ST(i) relative to the stack top), 0..7
     * @return a new 16-byte array, little-endian
     * @throws IndexOutOfBoundsException if {@code i} is outside 0..7
     */
    public byte[] fpr(int i) {
        return Arrays.copyOfRange(fpr, checkIndex(i, 8) * 16, i * 16 + 16);
    }

    /**
     * A copy of XMM register {@code i} (0..15).
     *
     * @param i the register number, 0..15
     * @return a new 16-byte array, little-endian
     * @throws IndexOutOfBoundsException if {@code i} is outside 0..15
     */
    public byte[] xmm(int i) {
        return Arrays.copyOfRange(xmm, checkIndex(i, 16) * 16, i * 16 + 16);
    }

    /**
     * Sets XMM register {@code i} (0..15) from 16 bytes.
     *
     * @param i the register number, 0..15
     * @param value the 16 new bytes, little-endian; copied
     * @return this
     * @throws IllegalArgumentException if {@code value} is not 16 bytes long
     * @throws IndexOutOfBoundsException if {@code i} is outside 0..15
     */
    public Fpu xmm(int i, byte[] value) {
        if (value.length != 16) {
            throw new IllegalArgumentException("an XMM register is 16 bytes, got " + value.length);
        }
        System.arraycopy(value, 0, xmm, checkIndex(i, 16) * 16, 16);
        return this;
    }

    private static int checkIndex(int i, int count) {
        if (i < 0 || i >= count) {
            throw new IndexOutOfBoundsException("register index " + i + " outside 0.." + (count - 1));
        }
        return i;
    }

    private static int check16(int v, String name) {
        if (v < 0 || v > 0xffff) {
            throw new IllegalArgumentException(name + " must fit 16 bits: " + v);
        }
        return v;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Fpu f && Arrays.equals(fpr, f.fpr) && Arrays.equals(xmm, f.xmm) && fcw == f.fcw
            && fsw == f.fsw && ftwx == f.ftwx && lastOpcode == f.lastOpcode && lastIp == f.lastIp
            && lastDp == f.lastDp && mxcsr == f.mxcsr;
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(xmm) + fcw * 17 + mxcsr;
    }

    @Override
    public String toString() {
        return String.format("Fpu[fcw=%x fsw=%x ftwx=%x mxcsr=%x]", fcw, fsw, ftwx, mxcsr);
    }
}
