package io.jvmm.x86;

import io.jvmm.kvm.Segment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Segment descriptors for the boot GDT (Intel SDM Vol. 3A, 3.4.5 "Segment Descriptors"), and their
 * translation into the hidden-cache form {@link Segment} that {@code KVM_SET_SREGS} takes. The GDT
 * at {@link X86Layout#GDT_ADDR} holds, in Firecracker's order: null, flat 64-bit code, flat data,
 * and a busy 64-bit TSS.
 *
 * <p>A descriptor is built from a 16-bit "flags" value that packs the access byte (bits 0..7:
 * type, S, DPL, P) and the upper flags nibble (bits 12..15: AVL, L, D/B, G) — the layout of
 * descriptor bits 40..55.
 */
public final class Gdt {
    /** Flags of a present, ring-0, execute/read, accessed, 64-bit (L=1), 4 KiB-granular code segment. */
    public static final int CODE64_FLAGS = 0xa09b;
    /** Flags of a present, ring-0, read/write, accessed, 32-bit (D/B=1), 4 KiB-granular data segment. */
    public static final int DATA_FLAGS = 0xc093;
    /** Flags of a present, busy 64-bit TSS (system segment type 0xb). */
    public static final int TSS_FLAGS = 0x808b;

    /** Boot GDT index of the null descriptor, which the processor does not use (SDM Vol. 3A, 3.5.1). */
    public static final int NULL_INDEX = 0;
    /** Boot GDT index of the flat 64-bit code segment ({@link #CODE64_FLAGS}), the one boot.rst calls __BOOT_CS. */
    public static final int CODE64_INDEX = 1;
    /** Boot GDT index of the flat data segment ({@link #DATA_FLAGS}), the one boot.rst calls __BOOT_DS. */
    public static final int DATA_INDEX = 2;
    /** Boot GDT index of the busy TSS ({@link #TSS_FLAGS}). */
    public static final int TSS_INDEX = 3;

    /** Selector of the boot code segment, 0x08 (selectors are index * 8, TI = 0, RPL = 0): CS at entry. */
    public static final int CODE64_SELECTOR = CODE64_INDEX * 8;
    /** Selector of the boot data segment, 0x10: DS, ES, FS, GS and SS at entry. */
    public static final int DATA_SELECTOR = DATA_INDEX * 8;
    /** Selector of the boot TSS, 0x18: TR at entry. */
    public static final int TSS_SELECTOR = TSS_INDEX * 8;

    /** The 20-bit limit of a flat segment (with G = 1: 4 GiB). */
    public static final int FLAT_LIMIT = 0xfffff;

    private Gdt() {
    }

    /**
     * Encodes one 8-byte descriptor: base in bits 16..39 and 56..63, limit in bits 0..15 and 48..51,
     * {@code flags} in bits 40..55.
     *
     * @param flags access byte in bits 0..7 and AVL, L, D/B, G in bits 12..15; bits 8..11 must be 0
     * @param base  segment base, 0..0xFFFF_FFFF
     * @param limit raw 20-bit limit, 0..0xFFFFF (in 4 KiB units when G is set)
     * @return the descriptor as a little-endian quadword value
     * @throws IllegalArgumentException when {@code flags} uses bits 8..11 or above 15, or {@code base} or
     *     {@code limit} does not fit its field
     */
    public static long entry(int flags, long base, int limit) {
        if ((flags & ~0xf0ff) != 0) {
            throw new IllegalArgumentException("descriptor flags 0x" + Integer.toHexString(flags) + " use bits 8..11, which hold the limit");
        }
        if (base < 0 || base > 0xffff_ffffL) {
            throw new IllegalArgumentException("descriptor base 0x" + Long.toHexString(base) + " does not fit 32 bits");
        }
        if (limit < 0 || limit > 0xfffff) {
            throw new IllegalArgumentException("descriptor limit 0x" + Integer.toHexString(limit) + " does not fit 20 bits");
        }
        return ((base & 0xff00_0000L) << 32)
            | ((long) (flags & 0xf0ff) << 40)
            | ((long) (limit & 0xf0000) << 32)
            | ((base & 0x00ff_ffffL) << 16)
            | (limit & 0xffffL);
    }

    /**
     * {@return the four boot descriptors, in table order: null, flat code64, flat data, busy TSS (all with
     * base 0 and limit {@link #FLAT_LIMIT}); a fresh array}
     */
    public static long[] bootEntries() {
        return new long[] {
            0,
            entry(CODE64_FLAGS, 0, FLAT_LIMIT),
            entry(DATA_FLAGS, 0, FLAT_LIMIT),
            entry(TSS_FLAGS, 0, FLAT_LIMIT),
        };
    }

    /**
     * {@return the boot GDT as little-endian bytes, to be written at {@link X86Layout#GDT_ADDR}: 32 bytes,
     * position 0, a fresh buffer}
     */
    public static ByteBuffer bootTable() {
        long[] entries = bootEntries();
        ByteBuffer b = ByteBuffer.allocate(entries.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < entries.length; i++) {
            b.putLong(i * 8, entries[i]);
        }
        return b;
    }

    /** {@return the GDTR limit of the boot GDT (size in bytes - 1): 31 for its {@link X86Layout#GDT_ENTRIES} entries} */
    public static int bootTableLimit() {
        return X86Layout.GDT_ENTRIES * 8 - 1;
    }

    /**
     * The hidden-cache form of descriptor {@code entry} loaded through table index {@code index},
     * as the CPU would cache it after loading the selector. The limit is expanded to bytes when
     * G is set, as {@code KVM_SET_SREGS} expects.
     *
     * @param entry an 8-byte descriptor, as {@link #entry(int, long, int)} encodes it
     * @param index its GDT index; the selector is {@code index * 8} (TI = 0, RPL = 0)
     * @return the segment, with {@code unusable} set exactly when the descriptor is not present
     */
    public static Segment segment(long entry, int index) {
        long base = ((entry >>> 16) & 0xff_ffffL) | (((entry >>> 56) & 0xff) << 24);
        int rawLimit = (int) ((entry & 0xffff) | ((entry >>> 32) & 0xf0000));
        int type = (int) ((entry >>> 40) & 0xf);
        boolean s = ((entry >>> 44) & 1) != 0;
        int dpl = (int) ((entry >>> 45) & 3);
        boolean present = ((entry >>> 47) & 1) != 0;
        boolean avl = ((entry >>> 52) & 1) != 0;
        boolean l = ((entry >>> 53) & 1) != 0;
        boolean db = ((entry >>> 54) & 1) != 0;
        boolean g = ((entry >>> 55) & 1) != 0;
        int limit = g ? (rawLimit << 12) | 0xfff : rawLimit;
        return new Segment(base, limit, index * 8, type, present, dpl, db, s, l, g, avl, !present);
    }
}
