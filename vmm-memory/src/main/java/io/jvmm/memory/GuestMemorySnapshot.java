package io.jvmm.memory;

import io.jvmm.core.ClosedException;
import io.jvmm.core.Errno;
import io.jvmm.core.LibC;
import io.jvmm.core.SafeDescriptor;
import io.jvmm.memory.GuestMemoryException.Kind;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * The snapshot format of {@link GuestMemory} (version 1), and the code that writes and reads it.
 * All numbers are little-endian; offsets are offsets in the guest memory's memfd, where the regions
 * lie back to back in ascending guest order.
 *
 * <pre>
 * header   magic "JVMMGMEM" (8) | version u32 = 1 | region count N u32 | memory size u64
 *          N x (guest base u64 | size u64 | memfd offset u64)
 *          CRC32C u32 of all header bytes before it
 * extent*  memfd offset u64 | length u64 (> 0) | length bytes | CRC32C u32 of the 16 bytes before
 *          the data and the data; extents ascend and do not overlap; bytes not in any extent are zero
 * end      0xFFFF_FFFF_FFFF_FFFF u64 | extent count u64 | CRC32C u32 of those 16 bytes
 * </pre>
 *
 * The writer emits only data pages of the memfd ({@code SEEK_DATA}/{@code SEEK_HOLE}, see lseek(2))
 * and, within them, only pages that are not all zero; an extent holds at most {@value #CHUNK}
 * bytes (the copy buffer: {@code min(CHUNK, memory size)}). The end marker makes truncation detectable and lets a reader stop exactly at the end of
 * the snapshot.
 */
final class GuestMemorySnapshot {
    static final byte[] MAGIC = "JVMMGMEM".getBytes(StandardCharsets.US_ASCII);
    static final int VERSION = 1;
    static final int FIXED_HEADER_BYTES = 24;
    static final int REGION_ENTRY_BYTES = 24;
    static final int EXTENT_HEADER_BYTES = 16;
    static final int CRC_BYTES = 4;
    static final long END_MARKER = -1L;
    /** The largest extent the writer emits, and the copy buffer size of both directions. */
    static final int CHUNK = 1 << 20;

    private final GuestMemory memory;
    private final byte[] buffer;
    private final CRC32C crc = new CRC32C();

    GuestMemorySnapshot(GuestMemory memory) {
        this.memory = memory;
        this.buffer = new byte[(int) Math.min(CHUNK, memory.memorySize())];
    }

    // ---- writing ----

    void write(OutputStream out) {
        try {
            writeHeader(out);
            long extents = writeDataPages(out);
            ByteBuffer end = littleEndian(EXTENT_HEADER_BYTES + CRC_BYTES);
            end.putLong(END_MARKER).putLong(extents);
            crc.reset();
            crc.update(end.array(), 0, EXTENT_HEADER_BYTES);
            end.putInt((int) crc.getValue());
            out.write(end.array());
        } catch (IOException e) {
            throw new GuestMemoryException(Kind.SNAPSHOT_FAILED, "writing the snapshot failed: " + e.getMessage(), e);
        } catch (MmapException e) {
            throw snapshotAccessFailure(e);
        }
    }

    private void writeHeader(OutputStream out) throws IOException {
        byte[] header = header(memory);
        out.write(header);
    }

    /** This memory's header, CRC included. */
    static byte[] header(GuestMemory memory) {
        int n = memory.numRegions();
        ByteBuffer header = littleEndian(FIXED_HEADER_BYTES + n * REGION_ENTRY_BYTES + CRC_BYTES);
        header.put(MAGIC).putInt(VERSION).putInt(n).putLong(memory.memorySize());
        for (int i = 0; i < n; i++) {
            GuestMemoryRegion region = memory.region(i);
            header.putLong(region.guestBase().offset()).putLong(region.size()).putLong(region.shmOffset());
        }
        CRC32C headerCrc = new CRC32C();
        headerCrc.update(header.array(), 0, header.position());
        header.putInt((int) headerCrc.getValue());
        return header.array();
    }

    /** Walks the memfd's data ranges and writes their non-zero pages; returns the extent count. */
    private long writeDataPages(OutputStream out) throws IOException {
        try (SafeDescriptor own = memory.memfdCopy()) {
            return writeDataPages(out, own.asRawDescriptor());
        }
    }

    private long writeDataPages(OutputStream out, int fd) throws IOException {
        long total = memory.memorySize();
        long extents = 0;
        long pos = 0;
        while (pos < total) {
            long data = LibC.lseekErrno(fd, pos, LibC.SEEK_DATA);
            if (data == -Errno.ENXIO) {
                break; // no data at or after pos
            }
            checkSeek("SEEK_DATA", pos, data, pos, total);
            if (data >= total) {
                break;
            }
            long hole = LibC.lseekErrno(fd, data, LibC.SEEK_HOLE);
            checkSeek("SEEK_HOLE", data, hole, data + 1, Long.MAX_VALUE);
            hole = Math.min(hole, total);
            extents += writeRange(out, data, hole);
            pos = hole;
        }
        return extents;
    }

    /**
     * Refuses an lseek answer that is an error or outside {@code [min, max]}: the walk then cannot
     * loop forever or read outside the memory, whatever the kernel (or a descriptor number
     * recycled by a racing close) says.
     */
    private void checkSeek(String whence, long from, long result, long min, long max) {
        if (memory.isClosed()) {
            throw GuestMemory.closedException();
        }
        if (result < 0) {
            throw new GuestMemoryException(Kind.SNAPSHOT_FAILED,
                "lseek(" + whence + ", 0x" + Long.toHexString(from) + ") on the guest memfd failed: " + Errno.name((int) -result));
        }
        if (result < min || result > max) {
            throw new GuestMemoryException(Kind.SNAPSHOT_FAILED,
                "lseek(" + whence + ", 0x" + Long.toHexString(from) + ") answered 0x" + Long.toHexString(result)
                    + ", outside [0x" + Long.toHexString(min) + ", 0x" + Long.toHexString(max) + "]");
        }
    }

    /** Writes the non-zero pages of memfd range {@code [from, to)}; returns the extent count. */
    private long writeRange(OutputStream out, long from, long to) throws IOException {
        int page = (int) memory.pageSize();
        byte[] zeros = new byte[page];
        long extents = 0;
        long p = from;
        while (p < to) {
            int r = memory.regionOfShmOffset(p);
            GuestMemoryRegion region = memory.region(r);
            long regionEnd = region.shmOffset() + region.size();
            int n = (int) Math.min(buffer.length, Math.min(to, regionEnd) - p);
            region.memoryMapping().readStruct(p - region.shmOffset(), ByteBuffer.wrap(buffer, 0, n));
            int runStart = -1;
            for (int q = 0; q < n; q += page) {
                int len = Math.min(page, n - q);
                boolean zero = Arrays.mismatch(buffer, q, q + len, zeros, 0, len) < 0;
                if (!zero && runStart < 0) {
                    runStart = q;
                } else if (zero && runStart >= 0) {
                    writeExtent(out, p + runStart, runStart, q - runStart);
                    extents++;
                    runStart = -1;
                }
            }
            if (runStart >= 0) {
                writeExtent(out, p + runStart, runStart, n - runStart);
                extents++;
            }
            p += n;
        }
        return extents;
    }

    private void writeExtent(OutputStream out, long shmOffset, int from, int length) throws IOException {
        ByteBuffer head = littleEndian(EXTENT_HEADER_BYTES);
        head.putLong(shmOffset).putLong(length);
        crc.reset();
        crc.update(head.array());
        crc.update(buffer, from, length);
        out.write(head.array());
        out.write(buffer, from, length);
        out.write(littleEndian(CRC_BYTES).putInt((int) crc.getValue()).array());
    }

    private RuntimeException snapshotAccessFailure(MmapException e) {
        if (memory.isClosed()) {
            return GuestMemory.closedException();
        }
        return new GuestMemoryException(Kind.SNAPSHOT_FAILED, "reading guest memory failed: " + e.getMessage(), e);
    }

    // ---- reading ----

    void read(InputStream in) {
        checkHeader(in);
        // From here on memory changes; any failure leaves it all zero rather than half restored.
        try {
            zeroAll();
            readExtents(in);
        } catch (IOException | RuntimeException e) {
            if (memory.isClosed()) {
                ClosedException closed = GuestMemory.closedException();
                closed.initCause(e);
                throw closed;
            }
            String cleared;
            try {
                zeroAll();
                cleared = "guest memory was cleared to zeros";
            } catch (RuntimeException wipe) {
                e.addSuppressed(wipe);
                cleared = "clearing guest memory failed too; its contents are undefined";
            }
            throw new GuestMemoryException(Kind.RESTORE_FAILED,
                "restore failed after the header: " + e.getMessage() + "; " + cleared, e);
        }
    }

    /** Reads and checks the header against this memory's layout; memory is untouched on failure. */
    private void checkHeader(InputStream in) {
        byte[] expected = header(memory);
        byte[] actual = new byte[expected.length];
        try {
            int fixed = readFully(in, actual, 0, FIXED_HEADER_BYTES);
            if (fixed < FIXED_HEADER_BYTES) {
                throw restoreHeader("the stream ends after " + fixed + " bytes, inside the snapshot header");
            }
            if (!Arrays.equals(actual, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
                throw restoreHeader("not a guest memory snapshot (bad magic)");
            }
            ByteBuffer head = ByteBuffer.wrap(actual).order(ByteOrder.LITTLE_ENDIAN);
            int version = head.getInt(8);
            if (version != VERSION) {
                throw restoreHeader("unsupported snapshot version " + Integer.toUnsignedString(version) + " (this reader knows " + VERSION + ")");
            }
            int regions = head.getInt(12);
            long size = head.getLong(16);
            if (regions != memory.numRegions() || size != memory.memorySize()) {
                throw restoreHeader("the snapshot holds " + Integer.toUnsignedString(regions) + " regions of 0x" + Long.toHexString(size)
                    + " bytes in all; this guest memory has " + memory.numRegions() + " regions of 0x"
                    + Long.toHexString(memory.memorySize()) + " bytes");
            }
            int rest = expected.length - FIXED_HEADER_BYTES;
            int got = readFully(in, actual, FIXED_HEADER_BYTES, rest);
            if (got < rest) {
                throw restoreHeader("the stream ends inside the snapshot's region table");
            }
        } catch (IOException e) {
            throw new GuestMemoryException(Kind.RESTORE_FAILED,
                "reading the snapshot header failed: " + e.getMessage() + "; guest memory is unchanged", e);
        }
        int crcAt = expected.length - CRC_BYTES;
        crc.reset();
        crc.update(actual, 0, crcAt);
        if ((int) crc.getValue() != ByteBuffer.wrap(actual).order(ByteOrder.LITTLE_ENDIAN).getInt(crcAt)) {
            throw restoreHeader("header checksum mismatch (corrupt snapshot)");
        }
        if (!Arrays.equals(expected, actual)) {
            throw restoreHeader("the snapshot's region table " + describeTable(actual) + " differs from this memory's "
                + describeTable(expected));
        }
    }

    private static String describeTable(byte[] header) {
        ByteBuffer b = ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN);
        int n = b.getInt(12);
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < n; i++) {
            int at = FIXED_HEADER_BYTES + i * REGION_ENTRY_BYTES;
            text.append(i == 0 ? "" : ", ").append(GuestMemory.rangeText(b.getLong(at), b.getLong(at + 8)))
                .append("@0x").append(Long.toHexString(b.getLong(at + 16)));
        }
        return text.toString();
    }

    private static GuestMemoryException restoreHeader(String why) {
        return new GuestMemoryException(Kind.RESTORE_FAILED, why + "; guest memory is unchanged");
    }

    private void readExtents(InputStream in) throws IOException {
        long total = memory.memorySize();
        byte[] head = new byte[EXTENT_HEADER_BYTES];
        byte[] crcBytes = new byte[CRC_BYTES];
        ByteBuffer headView = ByteBuffer.wrap(head).order(ByteOrder.LITTLE_ENDIAN);
        long previousEnd = 0;
        long extents = 0;
        while (true) {
            requireBytes(in, head, EXTENT_HEADER_BYTES, "an extent header", previousEnd);
            long offset = headView.getLong(0);
            long length = headView.getLong(8);
            crc.reset();
            crc.update(head);
            if (offset == END_MARKER) {
                requireBytes(in, crcBytes, CRC_BYTES, "the end marker's checksum", previousEnd);
                checkCrc(crcBytes, "end marker");
                if (length != extents) {
                    throw new GuestMemoryException(Kind.RESTORE_FAILED,
                        "the end marker counts " + length + " extents but the stream held " + extents);
                }
                return;
            }
            if (offset < previousEnd || length <= 0 || length > total - offset) {
                throw new GuestMemoryException(Kind.RESTORE_FAILED,
                    "extent #" + extents + " [offset 0x" + Long.toHexString(offset) + ", length 0x" + Long.toHexString(length)
                        + "] is not inside [0x" + Long.toHexString(previousEnd) + ", 0x" + Long.toHexString(total)
                        + ") (extents must ascend without overlap inside the memory)");
            }
            long p = offset;
            long end = offset + length;
            while (p < end) {
                int r = memory.regionOfShmOffset(p);
                GuestMemoryRegion region = memory.region(r);
                int n = (int) Math.min(buffer.length, Math.min(end, region.shmOffset() + region.size()) - p);
                requireBytes(in, buffer, n, "extent data", p);
                crc.update(buffer, 0, n);
                region.memoryMapping().writeStruct(ByteBuffer.wrap(buffer, 0, n), p - region.shmOffset());
                p += n;
            }
            requireBytes(in, crcBytes, CRC_BYTES, "an extent checksum", end);
            checkCrc(crcBytes, "extent #" + extents + " at memfd offset 0x" + Long.toHexString(offset));
            previousEnd = end;
            extents++;
        }
    }

    private void checkCrc(byte[] stored, String what) {
        int expected = ByteBuffer.wrap(stored).order(ByteOrder.LITTLE_ENDIAN).getInt();
        if ((int) crc.getValue() != expected) {
            throw new GuestMemoryException(Kind.RESTORE_FAILED, "checksum mismatch in the " + what + " (corrupt snapshot)");
        }
    }

    private static void requireBytes(InputStream in, byte[] into, int count, String what, long near) throws IOException {
        int got = readFully(in, into, 0, count);
        if (got < count) {
            throw new GuestMemoryException(Kind.RESTORE_FAILED,
                "the stream ends inside " + what + " near memfd offset 0x" + Long.toHexString(near) + " (truncated snapshot)");
        }
    }

    /** Reads up to {@code count} bytes, stopping only at end of stream; returns how many arrived. */
    private static int readFully(InputStream in, byte[] into, int from, int count) throws IOException {
        return in.readNBytes(into, from, count);
    }

    private void zeroAll() {
        for (int i = 0; i < memory.numRegions(); i++) {
            GuestMemoryRegion region = memory.region(i);
            region.memoryMapping().removeRange(0, region.size());
        }
    }

    private static ByteBuffer littleEndian(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }
}
