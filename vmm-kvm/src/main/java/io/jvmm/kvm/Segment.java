package io.jvmm.kvm;

import io.jvmm.kvm.sys.KvmStructs.KvmSegment;
import java.nio.ByteBuffer;

/**
 * A segment register's hidden descriptor cache as KVM exposes it ({@code struct kvm_segment}).
 * {@code type} is the 4-bit descriptor type, {@code dpl} the privilege level; the booleans are the
 * descriptor's P, D/B, S, L, G and AVL bits, and {@code unusable} is VMX's "segment unusable".
 * Intel SDM Vol. 3A, 3.4.5 "Segment Descriptors".
 *
 * @param base the segment's linear base address
 * @param limit the limit in bytes, already scaled when {@code g} is set (0xffffffff for a flat
 *     4 GiB segment), as {@code KVM_SET_SREGS} expects
 * @param selector the selector value, 0..0xffff
 * @param type the 4-bit descriptor type, 0..0xf
 * @param present the P bit: the segment is present
 * @param dpl the descriptor privilege level, 0..3
 * @param db the D/B bit: 32-bit default operand size (or stack pointer) when set
 * @param s the S bit: a code or data segment when set, a system segment (TSS, LDT) when clear
 * @param l the L bit: a 64-bit code segment
 * @param g the G bit: the descriptor's limit counts 4 KiB units
 * @param avl the AVL bit, free for software
 * @param unusable VMX's "segment unusable" flag (e.g. a null selector loaded in a data register)
 */
public record Segment(long base, int limit, int selector, int type, boolean present, int dpl,
                      boolean db, boolean s, boolean l, boolean g, boolean avl, boolean unusable) {
    /**
     * Checks the field ranges; {@code limit} and the flags take any value.
     *
     * @param base the segment's linear base address
     * @param limit the limit in bytes, already scaled when {@code g} is set
     * @param selector the selector value, 0..0xffff
     * @param type the 4-bit descriptor type, 0..0xf
     * @param present the P bit
     * @param dpl the descriptor privilege level, 0..3
     * @param db the D/B bit
     * @param s the S bit
     * @param l the L bit
     * @param g the G bit
     * @param avl the AVL bit
     * @param unusable VMX's "segment unusable" flag
     * @throws IllegalArgumentException if {@code selector}, {@code type} or {@code dpl} is out of range
     */
    public Segment {
        if (selector < 0 || selector > 0xffff) {
            throw new IllegalArgumentException("selector must fit 16 bits: " + selector);
        }
        if (type < 0 || type > 0xf) {
            throw new IllegalArgumentException("type must fit 4 bits: " + type);
        }
        if (dpl < 0 || dpl > 3) {
            throw new IllegalArgumentException("dpl must be 0..3: " + dpl);
        }
    }

    static Segment read(ByteBuffer b, int at) {
        return new Segment(
            b.getLong(at + KvmSegment.BASE),
            b.getInt(at + KvmSegment.LIMIT),
            b.getShort(at + KvmSegment.SELECTOR) & 0xffff,
            b.get(at + KvmSegment.TYPE) & 0xf,
            b.get(at + KvmSegment.PRESENT) != 0,
            b.get(at + KvmSegment.DPL) & 0x3,
            b.get(at + KvmSegment.DB) != 0,
            b.get(at + KvmSegment.S) != 0,
            b.get(at + KvmSegment.L) != 0,
            b.get(at + KvmSegment.G) != 0,
            b.get(at + KvmSegment.AVL) != 0,
            b.get(at + KvmSegment.UNUSABLE) != 0);
    }

    void write(ByteBuffer b, int at) {
        b.putLong(at + KvmSegment.BASE, base);
        b.putInt(at + KvmSegment.LIMIT, limit);
        b.putShort(at + KvmSegment.SELECTOR, (short) selector);
        b.put(at + KvmSegment.TYPE, (byte) type);
        b.put(at + KvmSegment.PRESENT, flag(present));
        b.put(at + KvmSegment.DPL, (byte) dpl);
        b.put(at + KvmSegment.DB, flag(db));
        b.put(at + KvmSegment.S, flag(s));
        b.put(at + KvmSegment.L, flag(l));
        b.put(at + KvmSegment.G, flag(g));
        b.put(at + KvmSegment.AVL, flag(avl));
        b.put(at + KvmSegment.UNUSABLE, flag(unusable));
        b.put(at + KvmSegment.PADDING, (byte) 0);
    }

    private static byte flag(boolean value) {
        return value ? (byte) 1 : (byte) 0;
    }

    /**
     * A copy with another base, limit and selector (the rest kept).
     *
     * @param newBase the new linear base address
     * @param newLimit the new limit in bytes, scaled as {@link #limit()} is
     * @param newSelector the new selector, 0..0xffff
     * @return the new segment
     * @throws IllegalArgumentException if {@code newSelector} does not fit 16 bits
     */
    public Segment withBaseLimitSelector(long newBase, int newLimit, int newSelector) {
        return new Segment(newBase, newLimit, newSelector, type, present, dpl, db, s, l, g, avl, unusable);
    }

    @Override
    public String toString() {
        return String.format("Segment[sel=%x base=%x limit=%x type=%x p=%b dpl=%d db=%b s=%b l=%b g=%b]",
            selector, base, limit, type, present, dpl, db, s, l, g);
    }
}
