package io.jvmm.x86.acpi;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Little-endian reads of table bytes, and a MADT entry walker, for the tests. */
final class TableBytes {
    private TableBytes() {
    }

    static int u8(byte[] b, int off) {
        return b[off] & 0xff;
    }

    static int u16(byte[] b, int off) {
        return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getShort(off) & 0xffff;
    }

    static long u32(byte[] b, int off) {
        return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getInt(off) & 0xffff_ffffL;
    }

    static long u64(byte[] b, int off) {
        return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getLong(off);
    }

    static String ascii(byte[] b, int off, int len) {
        return new String(b, off, len, StandardCharsets.US_ASCII);
    }

    /** One interrupt controller structure of a MADT: its type and its bytes (type and length included). */
    record MadtEntry(int type, byte[] bytes) {
    }

    static List<MadtEntry> madtEntries(byte[] madt) {
        List<MadtEntry> out = new ArrayList<>();
        int off = Madt.ENTRIES_OFFSET;
        int end = (int) u32(madt, Sdt.LENGTH_OFFSET);
        while (off < end) {
            int len = u8(madt, off + 1);
            if (len < 2 || off + len > end) {
                throw new AssertionError("MADT entry at " + off + " has bad length " + len);
            }
            byte[] e = new byte[len];
            System.arraycopy(madt, off, e, 0, len);
            out.add(new MadtEntry(u8(madt, off), e));
            off += len;
        }
        return out;
    }

    /** Decodes the PkgLength at {@code off}: {value, number of bytes}. */
    static int[] pkgLength(byte[] b, int off) {
        int lead = u8(b, off);
        int extra = lead >>> 6;
        if (extra == 0) {
            return new int[] {lead & 0x3f, 1};
        }
        int v = lead & 0x0f;
        for (int i = 0; i < extra; i++) {
            v |= u8(b, off + 1 + i) << (4 + 8 * i);
        }
        return new int[] {v, 1 + extra};
    }
}
