package io.jvmm.memory;

import static io.jvmm.memory.GuestMemoryTesting.PAGE;
import static io.jvmm.memory.GuestMemoryTesting.assertFails;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvmm.core.ClosedException;
import io.jvmm.memory.GuestMemoryException.Kind;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.BitSet;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What devices need from guest memory (issue 11): ordered accesses, scatter-gather slices across
 * region boundaries, channel transfers and the dirty bitmap. Layout: A and B adjacent, a gap, C.
 * <pre>
 *   A [0x0, 0x4000)  B [0x4000, 0x6000)  gap  C [0x10_0000, 0x10_2000)
 * </pre>
 */
class GuestMemoryDeviceAccessTest {
    static final long B = 0x4000;
    static final long B_END = 0x6000;
    static final long C = 0x10_0000;
    static final long C_END = 0x10_2000;

    @TempDir
    Path dir;

    private GuestMemory memory;

    @BeforeEach
    void create() {
        memory = GuestMemory.createWithDirtyTracking(GuestRange.of(0, 0x4000), GuestRange.of(B, 0x2000), GuestRange.of(C, 0x2000));
    }

    @AfterEach
    void close() {
        memory.close();
    }

    private static GuestAddress at(long address) {
        return GuestAddress.of(address);
    }

    // ---- ordered accesses ----

    @Test
    void acquireLoadsSeeReleaseStoresAndPlainOnes() {
        memory.writeShortReleaseAtAddr((short) 0xbeef, at(0x100));
        memory.writeIntReleaseAtAddr(0xcafe_f00d, at(0x104));
        memory.writeLongReleaseAtAddr(0x0123_4567_89ab_cdefL, at(0x108));
        assertEquals((short) 0xbeef, memory.readShortAcquireFromAddr(at(0x100)));
        assertEquals(0xcafe_f00d, memory.readIntAcquireFromAddr(at(0x104)));
        assertEquals(0x0123_4567_89ab_cdefL, memory.readLongAcquireFromAddr(at(0x108)));
        // little-endian, as the plain accessors
        assertEquals((byte) 0xef, memory.readByteFromAddr(at(0x100)));
        memory.writeIntAtAddr(7, at(C_END - 4));
        assertEquals(7, memory.readIntAcquireFromAddr(at(C_END - 4)));
        GuestMemory.fullFence();
    }

    @Test
    void orderedAccessesRefuseMisalignmentGapsAndClose() {
        assertFails(Kind.INVALID_ALIGNMENT, () -> memory.readShortAcquireFromAddr(at(1)));
        assertFails(Kind.INVALID_ALIGNMENT, () -> memory.writeIntReleaseAtAddr(1, at(2)));
        assertFails(Kind.INVALID_ALIGNMENT, () -> memory.readLongAcquireFromAddr(at(4)));
        assertFails(Kind.INVALID_GUEST_ADDRESS, () -> memory.readIntAcquireFromAddr(at(B_END)));
        assertFails(Kind.INVALID_GUEST_ADDRESS, () -> memory.writeLongReleaseAtAddr(1, at(-8)));
        memory.close();
        assertThrows(ClosedException.class, () -> memory.readIntAcquireFromAddr(at(0)));
        assertThrows(ClosedException.class, () -> memory.writeShortReleaseAtAddr((short) 1, at(0)));
    }

    // ---- getSlices ----

    @Test
    void slicesFollowARangeAcrossAdjacentRegions() {
        byte[] data = new byte[0x100];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) i;
        }
        List<VolatileSlice> slices = memory.getSlices(at(B - 0x80), data.length);
        assertEquals(2, slices.size());
        assertEquals(0x80, slices.get(0).size());
        assertEquals(0x80, slices.get(1).size());
        assertEquals(memory.getHostAddress(at(B)), slices.get(1).asPtr());
        slices.get(0).copyFrom(data);
        byte[] second = new byte[0x80];
        System.arraycopy(data, 0x80, second, 0, 0x80);
        slices.get(1).copyFrom(second);
        byte[] back = new byte[0x100];
        memory.readExactAtAddr(new byte[0], at(0));
        for (int i = 0; i < back.length; i++) {
            back[i] = memory.readByteFromAddr(at(B - 0x80 + i));
        }
        assertArrayEquals(data, back);
        assertEquals(List.of(), memory.getSlices(at(C), 0));
        assertEquals(1, memory.getSlices(at(C), 0x2000).size());
    }

    @Test
    void slicesRefuseGapsTheEndAndOverflowNamingTheRange() {
        GuestMemoryException gap = assertFails(Kind.INVALID_GUEST_RANGE, () -> memory.getSlices(at(B_END - 0x10), 0x20));
        assertTrue(gap.getMessage().contains("0x5ff0") && gap.getMessage().contains("[0x4000, 0x6000)")
            && gap.getMessage().contains("32 bytes"), gap.getMessage());
        GuestMemoryException end = assertFails(Kind.INVALID_GUEST_RANGE, () -> memory.getSlices(at(C_END - 1), 2));
        assertTrue(end.getMessage().contains("end of guest memory"), end.getMessage());
        assertFails(Kind.INVALID_GUEST_ADDRESS, () -> memory.getSlices(at(B_END), 1));
        assertFails(Kind.INVALID_GUEST_RANGE, () -> memory.getSlices(at(C), Long.MAX_VALUE));
        assertFails(Kind.INVALID_SIZE, () -> memory.getSlices(at(C), -1));
    }

    // ---- channels ----

    @Test
    void channelRoundTripAcrossARegionBoundary() throws IOException {
        Path file = dir.resolve("image");
        byte[] content = new byte[0x3000];
        for (int i = 0; i < content.length; i++) {
            content[i] = (byte) (i * 31 + 7);
        }
        Files.write(file, content);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            assertEquals(0x1000, memory.readFromChannel(ch, 0x800, at(B - 0x800), 0x1000));
            byte[] back = new byte[0x800];
            memory.readExactAtAddr(back, at(B));
            for (int i = 0; i < back.length; i++) {
                assertEquals(content[0x1000 + i], back[i], "byte " + i);
            }
            assertEquals(0x1000, memory.writeToChannel(at(B - 0x800), 0x1000, ch, 0x5000));
            ByteBuffer written = ByteBuffer.allocate(0x1000);
            ch.read(written, 0x5000);
            for (int i = 0; i < 0x1000; i++) {
                assertEquals(content[0x800 + i], written.get(i));
            }
            assertEquals(0, ch.position(), "the channel's own position is not used");
        }
    }

    @Test
    void readFromChannelReportsAShortReadAtEndOfFileAndWritesNoMore() throws IOException {
        Path file = dir.resolve("short");
        Files.write(file, new byte[] {1, 2, 3, 4, 5});
        memory.writeIntAtAddr(0x5a5a_5a5a, at(0x203));
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            assertEquals(3, memory.readFromChannel(ch, 2, at(0x200), 100));
            assertEquals(0, memory.readFromChannel(ch, 5, at(0x200), 100));
            assertEquals(0, memory.readFromChannel(ch, 1000, at(0x200), 100));
        }
        assertEquals(3, memory.readByteFromAddr(at(0x200)));
        assertEquals(5, memory.readByteFromAddr(at(0x202)));
        assertEquals((byte) 0x5a, memory.readByteFromAddr(at(0x203)), "bytes past the file's end are untouched");
    }

    @Test
    void channelTransfersNeverWriteOutsideTheCheckedRange() throws IOException {
        Path file = dir.resolve("big");
        byte[] ones = new byte[0x4000];
        java.util.Arrays.fill(ones, (byte) 1);
        Files.write(file, ones);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            assertEquals(10, memory.readFromChannel(ch, 0, at(C + 0x10), 10));
            assertFails(Kind.INVALID_GUEST_RANGE, () -> memory.readFromChannel(ch, 0, at(C_END - 0x10), 0x20));
            assertFails(Kind.INVALID_GUEST_ADDRESS, () -> memory.readFromChannel(ch, 0, at(C_END), 1));
            assertFails(Kind.INVALID_SIZE, () -> memory.readFromChannel(ch, 0, at(C), -1));
            assertThrows(IllegalArgumentException.class, () -> memory.readFromChannel(ch, -1, at(C), 1));
        }
        assertEquals(0, memory.readByteFromAddr(at(C + 0xf)));
        assertEquals(1, memory.readByteFromAddr(at(C + 0x10)));
        assertEquals(1, memory.readByteFromAddr(at(C + 0x19)));
        assertEquals(0, memory.readByteFromAddr(at(C + 0x1a)));
        assertEquals(0, memory.readByteFromAddr(at(C_END - 1)), "a refused range transferred nothing");
    }

    @Test
    void scatteredChannelTransfersFillAndDrainRangesInOrderAcrossRegions() throws IOException {
        Path file = dir.resolve("scatter");
        byte[] content = new byte[0x4000];
        for (int i = 0; i < content.length; i++) {
            content[i] = (byte) (i * 13 + 5);
        }
        Files.write(file, content);
        // a range that straddles A|B, one inside C, one of a single byte
        List<GuestRange> ranges = List.of(GuestRange.of(B - 0x100, 0x200), GuestRange.of(C + 0x40, 0x30), GuestRange.of(0x10, 1));
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            memory.drainDirtyPages(memory.regions().get(2));
            assertEquals(0x231, memory.readFromChannel(ch, 0x1000, ranges));
            assertEquals(content[0x1000], memory.readByteFromAddr(at(B - 0x100)));
            assertEquals(content[0x11ff], memory.readByteFromAddr(at(B + 0xff)));
            assertEquals(content[0x1200], memory.readByteFromAddr(at(C + 0x40)));
            assertEquals(content[0x1230], memory.readByteFromAddr(at(0x10)));
            assertEquals(0, memory.readByteFromAddr(at(C + 0x70)), "nothing after the range");
            assertTrue(memory.isPageDirty(at(C + 0x40)), "scattered reads mark the pages they wrote");
            assertEquals(0x231, memory.writeToChannel(ranges, ch, 0x3000));
            ByteBuffer back = ByteBuffer.allocate(0x231);
            ch.read(back, 0x3000);
            assertArrayEquals(java.util.Arrays.copyOfRange(content, 0x1000, 0x1231), back.array());
            // past the file's end the read is short
            assertEquals(0x10, memory.readFromChannel(ch, 0x4000 - 0x10, List.of(GuestRange.of(C, 0x100))));
        }
    }

    @Test
    void aScatteredTransferWithOneBadRangeTransfersNothing() throws IOException {
        Path file = dir.resolve("ones");
        byte[] ones = new byte[0x100];
        java.util.Arrays.fill(ones, (byte) 1);
        Files.write(file, ones);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            assertFails(Kind.INVALID_GUEST_RANGE,
                () -> memory.readFromChannel(ch, 0, List.of(GuestRange.of(C, 0x10), GuestRange.of(C_END - 0x8, 0x10))));
            assertThrows(IllegalArgumentException.class, () -> memory.readFromChannel(ch, -1, List.of(GuestRange.of(C, 1))));
        }
        assertEquals(0, memory.readByteFromAddr(at(C)), "the good range before the bad one was not written either");
    }

    @Test
    void channelTransfersAfterCloseThrowIllegalState() throws IOException {
        Path file = dir.resolve("f");
        Files.write(file, new byte[16]);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            memory.close();
            assertThrows(ClosedException.class, () -> memory.readFromChannel(ch, 0, at(0), 16));
            assertThrows(ClosedException.class, () -> memory.writeToChannel(at(0), 16, ch, 0));
            assertThrows(ClosedException.class, () -> memory.getSlices(at(0), 16));
        }
    }

    // ---- dirty pages ----

    @Test
    void everyWritePathMarksItsPagesAndReadsDoNot() throws IOException {
        GuestMemoryRegion a = memory.regions().get(0);
        memory.readLongFromAddr(at(0));
        memory.readStructFromAddr(at(0), 64);
        memory.getSlices(at(0), 0x4000).get(0).copyTo(new byte[0x4000]);
        assertTrue(memory.drainDirtyPages(a).isEmpty(), "reads mark nothing");

        memory.writeByteAtAddr((byte) 1, at(0));
        memory.writeLongVolatileAtAddr(1, at(PAGE + 8));
        memory.writeIntReleaseAtAddr(1, at(2 * PAGE + 4));
        memory.writeStructAtAddr(ByteBuffer.allocate(2), at(3 * PAGE - 1));
        assertEquals(bits(0, 1, 2, 3), memory.drainDirtyPages(a), "the struct straddles pages 2 and 3");
        assertTrue(memory.drainDirtyPages(a).isEmpty(), "a drain clears");

        memory.writeAllAtAddr(new byte[1], at(3 * PAGE));
        assertTrue(memory.isPageDirty(at(3 * PAGE)));
        assertFalse(memory.isPageDirty(at(2 * PAGE)));
        memory.drainDirtyPages(a);

        memory.getSliceAtAddr(at(PAGE), 16).writeBytes((byte) 9);
        memory.getSlices(at(2 * PAGE), 16).get(0).subSlice(8, 8).copyFrom(new byte[8]);
        assertEquals(bits(1, 2), memory.drainDirtyPages(a));

        Path file = dir.resolve("d");
        Files.write(file, new byte[2 * (int) PAGE]);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            memory.writeToChannel(at(0), 100, ch, 0);
            assertTrue(memory.drainDirtyPages(a).isEmpty(), "writing guest memory out marks nothing");
            memory.readFromChannel(ch, 0, at(PAGE - 1), 2);
        }
        assertEquals(bits(0, 1), memory.drainDirtyPages(a));
    }

    @Test
    void aWriteAcrossRegionsMarksBothAndScalarsAtARegionEndStayInBounds() {
        GuestMemoryRegion a = memory.regions().get(0);
        GuestMemoryRegion b = memory.regions().get(1);
        for (VolatileSlice s : memory.getSlices(at(B - 1), 2)) {
            s.copyFrom(new byte[] {1});
        }
        assertEquals(bits(3), memory.drainDirtyPages(a));
        assertEquals(bits(0), memory.drainDirtyPages(b));
        memory.writeLongAtAddr(-1, at(B_END - 8));
        assertEquals(bits(1), memory.drainDirtyPages(b));
    }

    @Test
    void untrackedMemoryRefusesDirtyQueries() {
        try (GuestMemory plain = GuestMemory.create(GuestRange.of(0, PAGE))) {
            assertFalse(plain.tracksDirtyPages());
            plain.writeIntAtAddr(1, at(0));
            assertThrows(IllegalStateException.class, () -> plain.isPageDirty(at(0)));
            assertThrows(IllegalStateException.class, () -> plain.drainDirtyPages(plain.regions().get(0)));
            assertThrows(IllegalArgumentException.class, () -> memory.drainDirtyPages(plain.regions().get(0)));
        }
        assertTrue(memory.tracksDirtyPages());
    }

    private static BitSet bits(int... pages) {
        BitSet set = new BitSet();
        for (int p : pages) {
            set.set(p);
        }
        return set;
    }
}
