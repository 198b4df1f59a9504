package io.jvmm.memory;

import static io.jvmm.memory.GuestMemoryTesting.GIB;
import static io.jvmm.memory.GuestMemoryTesting.MIB;
import static io.jvmm.memory.GuestMemoryTesting.PAGE;
import static io.jvmm.memory.GuestMemoryTesting.assertFails;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvmm.memory.GuestMemoryException.Kind;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;

class GuestMemorySnapshotTest {
    private static GuestAddress at(long address) {
        return GuestAddress.of(address);
    }

    private static byte[] snapshotOf(GuestMemory memory) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        memory.snapshot(out);
        return out.toByteArray();
    }

    private static int headerBytes(GuestMemory memory) {
        return GuestMemorySnapshot.FIXED_HEADER_BYTES + memory.numRegions() * GuestMemorySnapshot.REGION_ENTRY_BYTES
            + GuestMemorySnapshot.CRC_BYTES;
    }

    /** The size of a snapshot without extents: header and end marker. */
    private static int emptySnapshotBytes(GuestMemory memory) {
        return headerBytes(memory) + GuestMemorySnapshot.EXTENT_HEADER_BYTES + GuestMemorySnapshot.CRC_BYTES;
    }

    /** All memory is zero exactly when its snapshot holds no extent (zero pages are never written). */
    private static void assertAllZero(GuestMemory memory, String why) {
        assertEquals(emptySnapshotBytes(memory), snapshotOf(memory).length, why + ": memory is not all zero");
    }

    private static byte[] random(int length, long seed) {
        byte[] bytes = new byte[length];
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) random.nextInt(256);
        }
        return bytes;
    }

    private static byte[] read(GuestMemory memory, long address, int length) {
        byte[] bytes = new byte[length];
        memory.readExactAtAddr(bytes, at(address));
        return bytes;
    }

    @Test
    void aSnapshotRacingCloseNeverSeeksOnTheFileThatReusedTheMemfdNumber(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws IOException {
        // The snapshot walks the memfd with lseek(SEEK_DATA/SEEK_HOLE), which moves a file offset.
        // Here the memory is closed while the first extent is written, and the kernel gives the
        // freed number to the next open: a file of real data. Seeking on that number would move
        // that file's offset; the snapshot seeks on its own copy of the memfd instead.
        java.nio.file.Path victimPath = java.nio.file.Files.write(dir.resolve("victim"), new byte[(int) (16 * PAGE)]);
        java.io.RandomAccessFile[] victim = new java.io.RandomAccessFile[1];
        boolean[] reused = new boolean[1];
        try (GuestMemory memory = GuestMemory.create(GuestRange.of(0, 16 * PAGE))) {
            memory.writeLongAtAddr(7, at(3 * PAGE));
            memory.writeLongAtAddr(8, at(9 * PAGE));
            int number = memory.memfd();
            OutputStream out = new OutputStream() {
                private int writes;

                @Override
                public void write(int b) {
                    write(new byte[] {(byte) b}, 0, 1);
                }

                @Override
                public void write(byte[] b, int off, int len) {
                    // Writes: the header, then the first extent's head and its data.
                    if (++writes == 3) {
                        memory.close();
                        try {
                            victim[0] = new java.io.RandomAccessFile(victimPath.toFile(), "r");
                            reused[0] = java.nio.file.Files.readSymbolicLink(java.nio.file.Path.of("/proc/self/fd/" + number))
                                .equals(victimPath);
                        } catch (IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    }
                }
            };
            assertThrows(io.jvmm.core.ClosedException.class, () -> memory.snapshot(out));
        }
        try (java.io.RandomAccessFile file = victim[0]) {
            org.junit.jupiter.api.Assumptions.assumeTrue(reused[0], "the kernel gave the memfd's number to another open");
            assertEquals(0, file.getFilePointer(), "the snapshot moved the offset of the file that reused the number");
        }
    }

    @Test
    void snapshotThenRestoreBringsBackWrittenDataAndZeroesEverythingElse() throws IOException {
        try (GuestMemory memory = GuestMemory.create(GuestRange.of(4 * GIB, GIB), GuestRange.of(0, 3 * GIB))) {
            byte[] block = random((int) (3 * MIB + 123), 1);
            long blockAt = 0x123_4000L - 17; // unaligned, spans several 1 MiB copy chunks
            memory.writeAllAtAddr(block, at(blockAt));
            byte[] lowTop = random((int) PAGE, 2);
            memory.writeAllAtAddr(lowTop, at(3 * GIB - PAGE));
            byte[] highBottom = random((int) PAGE, 3);
            memory.writeAllAtAddr(highBottom, at(4 * GIB));
            memory.writeLongAtAddr(0x0123_4567_89ab_cdefL, at(5 * GIB - 8));
            memory.writeLongAtAddr(-1L, at(0));

            byte[] snapshot = snapshotOf(memory);
            assertTrue(snapshot.length < block.length + 8 * PAGE + 4096,
                "sparse memory gives a small snapshot: " + snapshot.length + " bytes for " + memory.memorySize());
            assertTrue(snapshot.length < memory.memorySize() / 1000);

            memory.writeAllAtAddr(random(block.length, 9), at(blockAt));
            memory.writeLongAtAddr(42, at(2 * GIB));
            memory.writeLongAtAddr(43, at(4 * GIB + 512 * MIB));
            memory.removeRange(at(3 * GIB - PAGE), PAGE);

            byte[] trailer = {'N', 'E', 'X', 'T'};
            InputStream in = new ByteArrayInputStream(concat(snapshot, trailer));
            memory.restore(in);
            assertArrayEquals(trailer, in.readAllBytes(), "restore reads exactly the snapshot, no more");

            assertArrayEquals(block, read(memory, blockAt, block.length));
            assertArrayEquals(lowTop, read(memory, 3 * GIB - PAGE, (int) PAGE));
            assertArrayEquals(highBottom, read(memory, 4 * GIB, (int) PAGE));
            assertEquals(0x0123_4567_89ab_cdefL, memory.readLongFromAddr(at(5 * GIB - 8)));
            assertEquals(-1L, memory.readLongFromAddr(at(0)));
            assertEquals(0, memory.readLongFromAddr(at(2 * GIB)), "written after the snapshot: zero again");
            assertEquals(0, memory.readLongFromAddr(at(4 * GIB + 512 * MIB)));
            assertArrayEquals(snapshot, snapshotOf(memory), "the restored memory snapshots to the same bytes");
        }
    }

    @Test
    void aSnapshotRestoresIntoAnotherMemoryOfTheSameLayout() {
        GuestRange[] layout = {GuestRange.of(0, MIB), GuestRange.of(16 * MIB, 2 * MIB)};
        try (GuestMemory source = GuestMemory.create(layout); GuestMemory target = GuestMemory.create(layout)) {
            source.writeAllAtAddr(random(100_000, 5), at(16 * MIB + 77));
            source.writeIntAtAddr(0x600d, at(MIB - 4));
            target.writeLongAtAddr(99, at(8));
            byte[] snapshot = snapshotOf(source);
            target.restore(new ByteArrayInputStream(snapshot));
            assertArrayEquals(snapshot, snapshotOf(target));
            assertEquals(0x600d, target.readIntFromAddr(at(MIB - 4)));
            assertEquals(0, target.readLongFromAddr(at(8)));
        }
    }

    @Test
    void onlyNonZeroDataPagesAreWritten() {
        try (GuestMemory memory = GuestMemory.create(GuestRange.of(0, 4 * MIB), GuestRange.of(GIB, MIB))) {
            int empty = emptySnapshotBytes(memory);
            assertEquals(empty, snapshotOf(memory).length, "fresh memory has no data pages");

            memory.readAtAddr(new byte[(int) MIB], at(0));
            memory.writeAllAtAddr(new byte[(int) MIB], at(GIB));
            assertEquals(empty, snapshotOf(memory).length, "pages read or written with zeros hold no data");

            memory.writeByteAtAddr((byte) 1, at(2 * MIB + 5));
            int onePage = GuestMemorySnapshot.EXTENT_HEADER_BYTES + (int) PAGE + GuestMemorySnapshot.CRC_BYTES;
            assertEquals(empty + onePage, snapshotOf(memory).length, "one dirty byte costs one page");

            memory.writeByteAtAddr((byte) 1, at(GIB + MIB - 1));
            assertEquals(empty + 2 * onePage, snapshotOf(memory).length);

            memory.removeRange(at(2 * MIB), PAGE);
            memory.writeByteAtAddr((byte) 0, at(GIB + MIB - 1));
            assertEquals(empty, snapshotOf(memory).length, "removed and re-zeroed pages are gone from the snapshot");
        }
    }

    @Test
    void aLayoutMismatchIsRefusedAndLeavesMemoryUnchanged() {
        byte[] snapshot;
        try (GuestMemory source = GuestMemory.create(GuestRange.of(0, MIB), GuestRange.of(4 * MIB, MIB))) {
            source.writeLongAtAddr(1, at(0));
            snapshot = snapshotOf(source);
        }
        GuestRange[][] others = {
            {GuestRange.of(0, MIB)},
            {GuestRange.of(0, MIB), GuestRange.of(8 * MIB, MIB)},
            {GuestRange.of(0, 2 * MIB), GuestRange.of(4 * MIB, MIB)},
            {GuestRange.of(0, MIB), GuestRange.of(4 * MIB, MIB), GuestRange.of(16 * MIB, MIB)},
            {GuestRange.of(0, 1536 * 1024), GuestRange.of(4 * MIB, 512 * 1024)},
        };
        for (GuestRange[] layout : others) {
            try (GuestMemory other = GuestMemory.create(layout)) {
                other.writeLongAtAddr(7, at(8));
                GuestMemoryException e = assertFails(Kind.RESTORE_FAILED, () -> other.restore(new ByteArrayInputStream(snapshot)));
                assertTrue(e.getMessage().contains("unchanged"), e.getMessage());
                assertEquals(7, other.readLongFromAddr(at(8)), "memory unchanged after " + e.getMessage());
            }
        }
    }

    @Test
    void aBadHeaderIsRefusedAndLeavesMemoryUnchanged() {
        try (GuestMemory memory = GuestMemory.create(GuestRange.of(0, MIB))) {
            memory.writeLongAtAddr(5, at(0));
            byte[] snapshot = snapshotOf(memory);
            memory.writeLongAtAddr(6, at(0));

            byte[] magic = snapshot.clone();
            magic[0] = 'X';
            assertTrue(assertFails(Kind.RESTORE_FAILED, () -> memory.restore(new ByteArrayInputStream(magic))).getMessage().contains("magic"));
            byte[] version = snapshot.clone();
            version[8] = 2;
            assertTrue(assertFails(Kind.RESTORE_FAILED, () -> memory.restore(new ByteArrayInputStream(version))).getMessage().contains("version"));
            byte[] crc = snapshot.clone();
            crc[headerBytes(memory) - 1] ^= 1;
            assertTrue(assertFails(Kind.RESTORE_FAILED, () -> memory.restore(new ByteArrayInputStream(crc))).getMessage().contains("checksum"));
            assertFails(Kind.RESTORE_FAILED, () -> memory.restore(new ByteArrayInputStream(new byte[0])));
            assertEquals(6, memory.readLongFromAddr(at(0)));
        }
    }

    /**
     * Cuts a snapshot at every length and flips one bit at every position (every byte of headers,
     * checksums and the end marker; every 31st byte of extent data, all alike for the reader).
     * Each must fail with RESTORE_FAILED: in the header, memory is unchanged; later, it is all zero.
     */
    @Test
    void everyTruncationAndEveryFlippedBitFailsCleanly() {
        try (GuestMemory memory = GuestMemory.create(GuestRange.of(0, 64 * 1024), GuestRange.of(MIB, 16 * 1024))) {
            memory.writeAllAtAddr(random(100, 1), at(0x1000 - 50)); // two pages, one extent
            memory.writeAllAtAddr(random(10, 2), at(0x8000));
            memory.writeAllAtAddr(random(16, 3), at(MIB + 0x3ff0));
            byte[] snapshot = snapshotOf(memory);
            int header = headerBytes(memory);
            assertEquals(header + 3 * 20 + 4 * PAGE + 20, snapshot.length, "three extents of 2 + 1 + 1 pages");

            long marker = 0x4d41_524b_4552_2121L;
            boolean[] data = extentDataBytes(snapshot, header);
            for (int length = 0; length < snapshot.length; length++) {
                if (data[length] && length % 31 != 0) {
                    continue;
                }
                byte[] cut = Arrays.copyOf(snapshot, length);
                checkFailure(memory, cut, length < header, marker, "cut at " + length);
            }
            for (int position = 0; position < snapshot.length; position++) {
                if (data[position] && position % 31 != 0) {
                    continue;
                }
                byte[] corrupt = snapshot.clone();
                corrupt[position] ^= (byte) (1 << (position % 8));
                checkFailure(memory, corrupt, position < header, marker, "bit flipped at " + position);
            }
            memory.restore(new ByteArrayInputStream(snapshot));
            assertArrayEquals(snapshot, snapshotOf(memory), "the intact snapshot still restores");
        }
    }

    /** Marks the bytes of {@code snapshot} that are extent data (not headers, checksums or markers). */
    private static boolean[] extentDataBytes(byte[] snapshot, int header) {
        boolean[] data = new boolean[snapshot.length];
        ByteBuffer b = ByteBuffer.wrap(snapshot).order(ByteOrder.LITTLE_ENDIAN);
        int at = header;
        while (b.getLong(at) != -1L) {
            int length = (int) b.getLong(at + 8);
            Arrays.fill(data, at + 16, at + 16 + length, true);
            at += 16 + length + 4;
        }
        return data;
    }

    private static void checkFailure(GuestMemory memory, byte[] stream, boolean inHeader, long marker, String what) {
        memory.writeLongAtAddr(marker, at(0x2000));
        GuestMemoryException e = assertFails(Kind.RESTORE_FAILED, () -> memory.restore(new ByteArrayInputStream(stream)), what);
        if (inHeader) {
            assertEquals(marker, memory.readLongFromAddr(at(0x2000)), what + ": a header failure leaves memory unchanged");
            assertTrue(e.getMessage().contains("unchanged"), e.getMessage());
        } else {
            assertTrue(e.getMessage().contains("cleared to zeros"), e.getMessage());
            assertAllZero(memory, what);
        }
    }

    @Test
    void handMadeExtentsMayCrossFromOneRegionIntoTheNext() {
        try (GuestMemory memory = GuestMemory.create(GuestRange.of(0, 2 * PAGE), GuestRange.of(MIB, 2 * PAGE))) {
            byte[] data = random((int) (2 * PAGE), 7);
            byte[] stream = new SnapshotStream(memory).extent(PAGE, data).end(1).bytes();
            memory.restore(new ByteArrayInputStream(stream));
            assertArrayEquals(Arrays.copyOf(data, (int) PAGE), read(memory, PAGE, (int) PAGE), "tail of region 0");
            assertArrayEquals(Arrays.copyOfRange(data, (int) PAGE, data.length), read(memory, MIB, (int) PAGE), "head of region 1");
        }
    }

    @Test
    void extentsOutOfOrderOverlappingOrOutsideMemoryAreRefused() {
        try (GuestMemory memory = GuestMemory.create(GuestRange.of(0, 4 * PAGE))) {
            byte[] page = random((int) PAGE, 1);
            byte[][] streams = {
                new SnapshotStream(memory).extent(4 * PAGE, page).end(1).bytes(),
                new SnapshotStream(memory).extent(3 * PAGE + 1, page).end(1).bytes(),
                new SnapshotStream(memory).extent(PAGE, page).extent(PAGE + 8, page).end(2).bytes(),
                new SnapshotStream(memory).extent(2 * PAGE, page).extent(0, page).end(2).bytes(),
                new SnapshotStream(memory).extent(0, new byte[0]).end(1).bytes(),
                new SnapshotStream(memory).rawExtentHeader(-2, 8).end(0).bytes(),
                new SnapshotStream(memory).rawExtentHeader(PAGE, Long.MAX_VALUE).end(0).bytes(),
                new SnapshotStream(memory).extent(0, page).end(2).bytes(),
                new SnapshotStream(memory).extent(0, page).end(0).bytes(),
            };
            for (int i = 0; i < streams.length; i++) {
                byte[] stream = streams[i];
                memory.writeLongAtAddr(1, at(3 * PAGE));
                GuestMemoryException e = assertFails(Kind.RESTORE_FAILED, () -> memory.restore(new ByteArrayInputStream(stream)),
                    "stream " + i);
                assertTrue(e.getMessage().contains("cleared to zeros"), e.getMessage());
                assertAllZero(memory, "stream " + i);
            }
            memory.restore(new ByteArrayInputStream(new SnapshotStream(memory).extent(0, page).extent(PAGE, page).end(2).bytes()));
            assertArrayEquals(page, read(memory, PAGE, (int) PAGE), "adjacent ascending extents are fine");
        }
    }

    @Test
    void aFailingOutputStreamIsSnapshotFailed() {
        try (GuestMemory memory = GuestMemory.create(GuestRange.of(0, MIB))) {
            memory.writeAllAtAddr(random(3 * (int) PAGE, 1), at(0));
            for (int limit : new int[] {0, 10, 60, 5000}) {
                IOException broken = new IOException("disk full");
                OutputStream out = new OutputStream() {
                    private int written;

                    @Override
                    public void write(int b) throws IOException {
                        write(new byte[] {(byte) b}, 0, 1);
                    }

                    @Override
                    public void write(byte[] b, int off, int len) throws IOException {
                        if (written + len > limit) {
                            throw broken;
                        }
                        written += len;
                    }
                };
                GuestMemoryException e = assertFails(Kind.SNAPSHOT_FAILED, () -> memory.snapshot(out));
                assertSame(broken, e.getCause());
            }
        }
    }

    @Test
    void aFailingInputStreamAfterTheHeaderClearsMemory() {
        try (GuestMemory memory = GuestMemory.create(GuestRange.of(0, MIB))) {
            memory.writeAllAtAddr(random((int) PAGE, 1), at(0));
            byte[] snapshot = snapshotOf(memory);
            int fails = headerBytes(memory) + 30;
            InputStream in = new InputStream() {
                private int position;

                @Override
                public int read() throws IOException {
                    if (position == fails) {
                        throw new IOException("connection reset");
                    }
                    return snapshot[position++] & 0xff;
                }
            };
            GuestMemoryException e = assertFails(Kind.RESTORE_FAILED, () -> memory.restore(in));
            assertTrue(e.getCause() instanceof IOException, "cause " + e.getCause());
            assertAllZero(memory, "after an I/O error");
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] both = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        return both;
    }

    /** Builds snapshot streams by hand, with correct checksums, to test the reader's validation. */
    private static final class SnapshotStream {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        SnapshotStream(GuestMemory memory) {
            out.writeBytes(GuestMemorySnapshot.header(memory));
        }

        SnapshotStream extent(long offset, byte[] data) {
            ByteBuffer head = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(offset).putLong(data.length);
            CRC32C crc = new CRC32C();
            crc.update(head.array());
            crc.update(data);
            out.writeBytes(head.array());
            out.writeBytes(data);
            out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt((int) crc.getValue()).array());
            return this;
        }

        SnapshotStream rawExtentHeader(long offset, long length) {
            out.writeBytes(ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(offset).putLong(length).array());
            return this;
        }

        SnapshotStream end(long count) {
            ByteBuffer end = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(-1L).putLong(count);
            CRC32C crc = new CRC32C();
            crc.update(end.array());
            out.writeBytes(end.array());
            out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt((int) crc.getValue()).array());
            return this;
        }

        byte[] bytes() {
            return out.toByteArray();
        }
    }
}
