package io.jvmm.memory;

import static io.jvmm.memory.GuestMemoryTesting.PAGE;
import static io.jvmm.memory.GuestMemoryTesting.assertFails;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvmm.memory.GuestMemoryException.Kind;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every accessor of {@link GuestMemory} over a layout with adjacent regions, a gap and a region
 * above 2^63:
 * <pre>
 *   A [0x0, 0x4000)  B [0x4000, 0x6000)  gap  C [0x10_0000, 0x10_2000)  gap  D [0xffff_ffff_fff0_0000, +0x1000)
 * </pre>
 */
class GuestMemoryAccessTest {
    static final long A = 0x0;
    static final long B = 0x4000;
    static final long B_END = 0x6000;
    static final long C = 0x10_0000;
    static final long C_END = 0x10_2000;
    static final long D = 0xffff_ffff_fff0_0000L;
    static final long D_END = D + PAGE;

    private GuestMemory memory;

    @BeforeEach
    void create() {
        memory = GuestMemory.create(GuestRange.of(C, 0x2000), GuestRange.of(D, PAGE), GuestRange.of(B, 0x2000), GuestRange.of(A, 0x4000));
    }

    @AfterEach
    void close() {
        memory.close();
    }

    private static GuestAddress at(long address) {
        return GuestAddress.of(address);
    }

    // ---- layout queries ----

    @Test
    void endAddrAndMemorySizeDescribeTheLayout() {
        assertEquals(at(D_END), memory.endAddr());
        assertEquals(0x4000 + 0x2000 + 0x2000 + PAGE, memory.memorySize());
        assertEquals(4, memory.numRegions());
    }

    @Test
    void addressInRangeKnowsRegionEdgesAndGaps() {
        assertTrue(memory.addressInRange(at(A)));
        assertTrue(memory.addressInRange(at(B - 1)));
        assertTrue(memory.addressInRange(at(B)));
        assertTrue(memory.addressInRange(at(B_END - 1)));
        assertFalse(memory.addressInRange(at(B_END)));
        assertFalse(memory.addressInRange(at(C - 1)));
        assertTrue(memory.addressInRange(at(C)));
        assertFalse(memory.addressInRange(at(C_END)));
        assertFalse(memory.addressInRange(at(Long.MAX_VALUE)));
        assertFalse(memory.addressInRange(at(Long.MIN_VALUE)));
        assertTrue(memory.addressInRange(at(D)));
        assertTrue(memory.addressInRange(at(D_END - 1)));
        assertFalse(memory.addressInRange(at(D_END)));
        assertFalse(memory.addressInRange(at(-1)));
    }

    @Test
    void rangeOverlapTreatsTheEndAsExclusive() {
        assertTrue(memory.rangeOverlap(at(0), at(1)));
        assertTrue(memory.rangeOverlap(at(B_END - 1), at(C)));
        assertFalse(memory.rangeOverlap(at(B_END), at(C)), "[B_END, C) is exactly the gap");
        assertTrue(memory.rangeOverlap(at(B_END), at(C + 1)));
        assertTrue(memory.rangeOverlap(at(0x8000), at(-1)), "a range spanning C and D overlaps");
        assertFalse(memory.rangeOverlap(at(C_END), at(D)));
        assertTrue(memory.rangeOverlap(at(C_END), at(D + 1)));
        assertFalse(memory.rangeOverlap(at(D_END), at(-1)));
        assertFalse(memory.rangeOverlap(at(C + 8), at(C + 8)), "an empty range overlaps nothing");
        assertFalse(memory.rangeOverlap(at(C + 8), at(C)), "end before start overlaps nothing");
        assertTrue(memory.rangeOverlap(at(0), at(-1)));
    }

    @Test
    void checkedOffsetIsEmptyOnOverflowOrOutsideEveryRegion() {
        assertEquals(Optional.of(at(B + 0x10)), memory.checkedOffset(at(B), 0x10));
        assertEquals(Optional.of(at(C)), memory.checkedOffset(at(0), C));
        assertEquals(Optional.empty(), memory.checkedOffset(at(B), 0x2000), "lands in the gap");
        assertEquals(Optional.of(at(D + 8)), memory.checkedOffset(at(C), D + 8 - C));
        assertEquals(Optional.empty(), memory.checkedOffset(at(D), -1), "wraps past 2^64");
        assertEquals(Optional.empty(), memory.checkedOffset(at(D), Long.MIN_VALUE));
        assertEquals(Optional.of(at(0x100)), memory.checkedOffset(at(0x100), 0));
    }

    @Test
    void isValidRangeNeedsOneRegionAndAPositiveLength() {
        assertTrue(memory.isValidRange(at(0), 0x4000));
        assertTrue(memory.isValidRange(at(B_END - 1), 1));
        assertFalse(memory.isValidRange(at(B_END - 1), 2), "runs into the gap");
        assertFalse(memory.isValidRange(at(B - 8), 16), "crosses from A into adjacent B");
        assertFalse(memory.isValidRange(at(0), 0));
        assertFalse(memory.isValidRange(at(0), -1));
        assertFalse(memory.isValidRange(at(0x8000), 1));
        assertTrue(memory.isValidRange(at(D), PAGE));
        assertFalse(memory.isValidRange(at(D), Long.MAX_VALUE));
    }

    @Test
    void offsetFromBaseIsTheMemfdOffsetWithRegionsBackToBack() {
        assertEquals(0, memory.offsetFromBase(at(A)));
        assertEquals(0x4000 + 5, memory.offsetFromBase(at(B + 5)));
        assertEquals(0x6000, memory.offsetFromBase(at(C)));
        assertEquals(0x8000 + PAGE - 1, memory.offsetFromBase(at(D_END - 1)));
        GuestMemoryException e = assertFails(Kind.INVALID_GUEST_ADDRESS, () -> memory.offsetFromBase(at(C_END)));
        assertTrue(e.getMessage().contains("0x102000") && e.getMessage().contains("[0x100000, 0x102000)"), e.getMessage());
    }

    @Test
    void hostAddressesFollowTheRegionMappings() {
        for (GuestMemoryRegion region : memory.regions()) {
            assertEquals(region.hostAddress(), memory.getHostAddress(region.guestBase()));
            assertEquals(region.hostAddress() + region.size() - 1, memory.getHostAddress(region.endAddr().uncheckedAdd(-1)));
            assertEquals(region.hostAddress() + 8, memory.getHostAddressRange(region.guestBase().uncheckedAdd(8), region.size() - 8));
        }
        assertFails(Kind.INVALID_GUEST_ADDRESS, () -> memory.getHostAddress(at(B_END)));
        assertFails(Kind.INVALID_SIZE, () -> memory.getHostAddressRange(at(0), 0));
        assertFails(Kind.INVALID_SIZE, () -> memory.getHostAddressRange(at(0), -5));
        assertFails(Kind.INVALID_GUEST_RANGE, () -> memory.getHostAddressRange(at(B - 4), 8));
        assertFails(Kind.INVALID_GUEST_RANGE, () -> memory.getHostAddressRange(at(C), Long.MAX_VALUE));
        assertFails(Kind.INVALID_GUEST_ADDRESS, () -> memory.getHostAddressRange(at(B_END), 8));
    }

    // ---- bulk copies ----

    @Test
    void writeAndReadAtAddrStopAtTheRegionEnd() {
        byte[] data = pattern(64, 1);
        assertEquals(64, memory.writeAtAddr(data, at(C + 0x100)));
        byte[] back = new byte[64];
        assertEquals(64, memory.readAtAddr(back, at(C + 0x100)));
        assertArrayEquals(data, back);

        assertEquals(16, memory.writeAtAddr(data, at(C_END - 16)), "only 16 bytes remain in C");
        byte[] tail = new byte[64];
        assertEquals(16, memory.readAtAddr(tail, at(C_END - 16)));
        assertArrayEquals(Arrays.copyOf(data, 16), Arrays.copyOf(tail, 16));
        assertArrayEquals(new byte[48], Arrays.copyOfRange(tail, 16, 64), "bytes past the count are untouched");

        assertEquals(8, memory.writeAtAddr(data, at(B - 8)), "stops at A's end even though B follows");
        assertEquals(0, memory.readLongFromAddr(at(B)), "nothing spilled into B");
        assertEquals(0, memory.writeAtAddr(new byte[0], at(C)));
        assertEquals(0, memory.readAtAddr(new byte[0], at(C)));
    }

    @Test
    void writeAndReadAtAddrOutsideEveryRegionFail() {
        assertFails(Kind.INVALID_GUEST_ADDRESS, () -> memory.writeAtAddr(new byte[4], at(B_END)));
        assertFails(Kind.INVALID_GUEST_ADDRESS, () -> memory.readAtAddr(new byte[4], at(-1)));
        assertFails(Kind.INVALID_GUEST_ADDRESS, () -> memory.writeAtAddr(new byte[0], at(B_END)));
    }

    @Test
    void writeAllAndReadExactTransferEverythingOrNothing() {
        byte[] data = pattern(32, 7);
        memory.writeAllAtAddr(data, at(C_END - 32));
        byte[] back = new byte[32];
        memory.readExactAtAddr(back, at(C_END - 32));
        assertArrayEquals(data, back);

        GuestMemoryException write = assertFails(Kind.SHORT_WRITE, () -> memory.writeAllAtAddr(pattern(33, 9), at(C_END - 32)));
        assertTrue(write.getMessage().contains("33") && write.getMessage().contains("32"), write.getMessage());
        memory.readExactAtAddr(back, at(C_END - 32));
        assertArrayEquals(data, back, "a short write writes nothing");

        byte[] big = new byte[33];
        Arrays.fill(big, (byte) 0x55);
        assertFails(Kind.SHORT_READ, () -> memory.readExactAtAddr(big, at(C_END - 32)));
        assertEquals(0x55, big[0], "a short read reads nothing");
        assertFails(Kind.SHORT_WRITE, () -> memory.writeAllAtAddr(new byte[16], at(B - 8)));
        assertFails(Kind.INVALID_GUEST_ADDRESS, () -> memory.writeAllAtAddr(new byte[1], at(C_END)));
        assertFails(Kind.INVALID_GUEST_ADDRESS, () -> memory.readExactAtAddr(new byte[1], at(C_END)));
    }

    // ---- scalars ----

    @Test
    void scalarsAreLittleEndianAndMayBeUnaligned() {
        memory.writeLongAtAddr(0x0102_0304_0506_0708L, at(C + 3));
        byte[] bytes = new byte[8];
        memory.readExactAtAddr(bytes, at(C + 3));
        assertArrayEquals(new byte[] {8, 7, 6, 5, 4, 3, 2, 1}, bytes);
        assertEquals(0x0102_0304_0506_0708L, memory.readLongFromAddr(at(C + 3)));
        memory.writeIntAtAddr(0xdead_beef, at(C + 0x21));
        assertEquals(0xdead_beef, memory.readIntFromAddr(at(C + 0x21)));
        memory.writeShortAtAddr((short) 0xabcd, at(C + 0x31));
        assertEquals((short) 0xabcd, memory.readShortFromAddr(at(C + 0x31)));
        memory.writeByteAtAddr((byte) 0x9a, at(C + 0x41));
        assertEquals((byte) 0x9a, memory.readByteFromAddr(at(C + 0x41)));
        assertEquals((byte) 0xef, memory.readByteFromAddr(at(C + 0x21)));
    }

    @Test
    void scalarsReachTheLastBytesOfEveryRegion() {
        for (GuestMemoryRegion region : memory.regions()) {
            GuestAddress end = region.endAddr();
            memory.writeLongAtAddr(-2L, end.uncheckedAdd(-8));
            assertEquals(-2L, memory.readLongFromAddr(end.uncheckedAdd(-8)));
            memory.writeIntAtAddr(-3, end.uncheckedAdd(-4));
            assertEquals(-3, memory.readIntFromAddr(end.uncheckedAdd(-4)));
            memory.writeShortAtAddr((short) -4, end.uncheckedAdd(-2));
            assertEquals((short) -4, memory.readShortFromAddr(end.uncheckedAdd(-2)));
            memory.writeByteAtAddr((byte) -5, end.uncheckedAdd(-1));
            assertEquals((byte) -5, memory.readByteFromAddr(end.uncheckedAdd(-1)));
        }
    }

    @Test
    void scalarsMayNotStraddleARegionEndEvenIntoAnAdjacentRegion() {
        GuestMemoryException e = assertFails(Kind.INVALID_GUEST_RANGE, () -> memory.readLongFromAddr(at(B - 4)));
        assertTrue(e.getMessage().contains("0x3ffc") && e.getMessage().contains("[0x0, 0x4000)") && e.getMessage().contains("8 bytes"),
            e.getMessage());
        assertFails(Kind.INVALID_GUEST_RANGE, () -> memory.writeLongAtAddr(1, at(B - 1)));
        assertFails(Kind.INVALID_GUEST_RANGE, () -> memory.readIntFromAddr(at(C_END - 3)));
        assertFails(Kind.INVALID_GUEST_RANGE, () -> memory.writeIntAtAddr(1, at(C_END - 1)));
        assertFails(Kind.INVALID_GUEST_RANGE, () -> memory.readShortFromAddr(at(D_END - 1)));
        assertFails(Kind.INVALID_GUEST_RANGE, () -> memory.writeShortAtAddr((short) 1, at(B_END - 1)));
        assertEquals(0, memory.readLongFromAddr(at(B)), "the refused write left B alone");
    }

    /**
     * The scalar accessors try the region of the previous search first; that must never show: from
     * each region in turn, an access to every region, across the region's end, just past it (B
     * after A, a gap after the others) and just below its base (A below B, gaps below C and D).
     */
    @Test
    void theRegionOfThePreviousAccessNeverChangesWhereTheNextGoes() {
        long[] bases = {A, B, C, D};
        long[] ends = {B, B_END, C_END, D_END};
        for (int i = 0; i < bases.length; i++) {
            memory.writeLongAtAddr(0x100 + i, at(bases[i] + 16));
        }
        memory.writeLongAtAddr(0x1a57, at(B - 8));
        for (int hinted = 0; hinted < bases.length; hinted++) {
            long base = bases[hinted];
            long end = ends[hinted];
            for (int other = 0; other < bases.length; other++) {
                memory.readByteFromAddr(at(base));
                assertEquals(0x100 + other, memory.readLongFromAddr(at(bases[other] + 16)), "from " + hinted + " to " + other);
            }
            memory.readByteFromAddr(at(base));
            assertFails(Kind.INVALID_GUEST_RANGE, () -> memory.readLongFromAddr(at(end - 4)));
            memory.readByteFromAddr(at(base));
            if (end == B) {
                assertEquals(0x101, memory.readLongVolatileFromAddr(at(end + 16)));
            } else {
                assertFails(Kind.INVALID_GUEST_ADDRESS, () -> memory.readLongVolatileFromAddr(at(end)));
            }
            memory.readByteFromAddr(at(base));
            if (base == B) {
                assertEquals(0x1a57, memory.readLongFromAddr(at(base - 8)));
            } else if (base != A) {
                assertFails(Kind.INVALID_GUEST_ADDRESS, () -> memory.writeIntAtAddr(1, at(base - 4)));
            }
        }
    }

    @Test
    void scalarsOutsideEveryRegionAreInvalidGuestAddress() {
        for (long address : new long[] {B_END, C - 1, C_END, D - 8, D_END, -1, Long.MAX_VALUE, Long.MIN_VALUE}) {
            GuestAddress addr = at(address);
            GuestMemoryException e = assertFails(Kind.INVALID_GUEST_ADDRESS, () -> memory.readLongFromAddr(addr));
            assertTrue(e.getMessage().contains("0x" + Long.toHexString(address)), e.getMessage());
            assertFails(Kind.INVALID_GUEST_ADDRESS, () -> memory.writeLongAtAddr(1, addr));
            assertFails(Kind.INVALID_GUEST_ADDRESS, () -> memory.readIntFromAddr(addr));
            assertFails(Kind.INVALID_GUEST_ADDRESS, () -> memory.writeIntAtAddr(1, addr));
            assertFails(Kind.INVALID_GUEST_ADDRESS, () -> memory.readShortFromAddr(addr));
            assertFails(Kind.INVALID_GUEST_ADDRESS, () -> memory.writeShortAtAddr((short) 1, addr));
            assertFails(Kind.INVALID_GUEST_ADDRESS, () -> memory.readByteFromAddr(addr));
            assertFails(Kind.INVALID_GUEST_ADDRESS, () -> memory.writeByteAtAddr((byte) 1, addr));
            assertFails(Kind.INVALID_GUEST_ADDRESS, () -> memory.readLongVolatileFromAddr(addr));
            assertFails(Kind.INVALID_GUEST_ADDRESS, () -> memory.writeByteVolatileAtAddr((byte) 1, addr));
        }
    }

    @Test
    void volatileScalarsRoundTripWhenNaturallyAligned() {
        memory.writeLongVolatileAtAddr(0x1122_3344_5566_7788L, at(D + 8));
        assertEquals(0x1122_3344_5566_7788L, memory.readLongVolatileFromAddr(at(D + 8)));
        assertEquals(0x1122_3344_5566_7788L, memory.readLongFromAddr(at(D + 8)));
        memory.writeIntVolatileAtAddr(0x99aa_bbcc, at(C + 4));
        assertEquals(0x99aa_bbcc, memory.readIntVolatileFromAddr(at(C + 4)));
        memory.writeShortVolatileAtAddr((short) 0x1234, at(B_END - 4));
        assertEquals((short) 0x1234, memory.readShortVolatileFromAddr(at(B_END - 4)));
        assertEquals((byte) 0x12, memory.readByteFromAddr(at(B_END - 3)), "little-endian");
        memory.writeByteVolatileAtAddr((byte) 0x7f, at(B_END - 1));
        assertEquals((byte) 0x7f, memory.readByteVolatileFromAddr(at(B_END - 1)));
        assertEquals((short) 0x7f00, memory.readShortVolatileFromAddr(at(B_END - 2)));
    }

    @Test
    void misalignedVolatileScalarsAreInvalidAlignment() {
        GuestMemoryException e = assertFails(Kind.INVALID_ALIGNMENT, () -> memory.readLongVolatileFromAddr(at(C + 4)));
        assertTrue(e.getMessage().contains("0x100004"), e.getMessage());
        assertFails(Kind.INVALID_ALIGNMENT, () -> memory.writeLongVolatileAtAddr(1, at(C + 1)));
        assertFails(Kind.INVALID_ALIGNMENT, () -> memory.readIntVolatileFromAddr(at(C + 2)));
        assertFails(Kind.INVALID_ALIGNMENT, () -> memory.writeIntVolatileAtAddr(1, at(C + 6)));
        assertFails(Kind.INVALID_ALIGNMENT, () -> memory.readShortVolatileFromAddr(at(C + 1)));
        assertFails(Kind.INVALID_ALIGNMENT, () -> memory.writeShortVolatileAtAddr((short) 1, at(C + 3)));
        assertFails(Kind.INVALID_GUEST_RANGE, () -> memory.readLongVolatileFromAddr(at(B - 4)), "the range is checked first");
    }

    // ---- structures ----

    @Test
    void structuresRoundTripThroughGuestAddresses() {
        ByteBuffer params = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
        params.putLong(0, 0x5354_5255_4354_5552L).putInt(8, 0x1234).put(23, (byte) 0xee);
        params.position(0);
        memory.writeStructAtAddr(params, at(C + 0x200));
        assertEquals(0, params.position(), "the source position is unchanged");
        assertEquals(0x1234, memory.readIntFromAddr(at(C + 0x208)));
        ByteBuffer back = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
        memory.readStructFromAddr(at(C + 0x200), back);
        assertEquals(0, back.position());
        assertEquals(params, back);
        ByteBuffer fresh = memory.readStructFromAddr(at(C + 0x200), 24);
        assertEquals(ByteOrder.LITTLE_ENDIAN, fresh.order());
        assertEquals(0x5354_5255_4354_5552L, fresh.getLong(0));
    }

    @Test
    void structuresMustFitInOneRegion() {
        ByteBuffer block = ByteBuffer.allocate(16);
        assertFails(Kind.INVALID_GUEST_RANGE, () -> memory.writeStructAtAddr(block, at(B - 8)));
        assertFails(Kind.INVALID_GUEST_RANGE, () -> memory.readStructFromAddr(at(C_END - 15), block));
        assertFails(Kind.INVALID_GUEST_ADDRESS, () -> memory.writeStructAtAddr(block, at(C_END)));
        assertFails(Kind.INVALID_SIZE, () -> memory.readStructFromAddr(at(C), -1));
        assertEquals(0, memory.readStructFromAddr(at(C_END - 1), 0).capacity());
    }

    // ---- slices ----

    @Test
    void slicesAreWindowsIntoGuestMemory() {
        VolatileSlice slice = memory.getSliceAtAddr(at(C + 0x100), 0x40);
        assertEquals(0x40, slice.size());
        assertEquals(memory.getHostAddress(at(C + 0x100)), slice.asPtr());
        slice.copyFrom(pattern(0x40, 3));
        byte[] back = new byte[0x40];
        memory.readExactAtAddr(back, at(C + 0x100));
        assertArrayEquals(pattern(0x40, 3), back);
        memory.writeByteAtAddr((byte) 0, at(C + 0x100));
        byte[] viaSlice = new byte[1];
        slice.copyTo(viaSlice);
        assertEquals(0, viaSlice[0]);
        assertEquals(0, memory.getSliceAtAddr(at(C_END - 1), 0).size());
        assertEquals(0x2000, memory.getSliceAtAddr(at(C), 0x2000).size());
    }

    @Test
    void slicesMustFitInOneRegion() {
        assertFails(Kind.INVALID_SIZE, () -> memory.getSliceAtAddr(at(C), -1));
        assertFails(Kind.INVALID_GUEST_RANGE, () -> memory.getSliceAtAddr(at(C), 0x2001));
        assertFails(Kind.INVALID_GUEST_RANGE, () -> memory.getSliceAtAddr(at(B - 1), 2));
        assertFails(Kind.INVALID_GUEST_RANGE, () -> memory.getSliceAtAddr(at(C), Long.MAX_VALUE));
        assertFails(Kind.INVALID_GUEST_ADDRESS, () -> memory.getSliceAtAddr(at(B_END), 1));
    }

    // ---- removeRange ----

    @Test
    void removedRangeReadsBackAsZeros() {
        VolatileSlice region = memory.getSliceAtAddr(at(A), 0x4000);
        region.writeBytes((byte) 0x5a);
        memory.removeRange(at(PAGE), 2 * PAGE);
        assertTrue(memory.getSliceAtAddr(at(PAGE), 2 * PAGE).isAllZero());
        assertEquals((byte) 0x5a, memory.readByteFromAddr(at(PAGE - 1)), "the page before is kept");
        assertEquals((byte) 0x5a, memory.readByteFromAddr(at(3 * PAGE)), "the page after is kept");
        memory.writeLongAtAddr(7, at(PAGE));
        assertEquals(7, memory.readLongFromAddr(at(PAGE)), "a removed page can be used again");
    }

    @Test
    void removeRangeNeedsWholePagesInsideOneRegion() {
        assertFails(Kind.INVALID_SIZE, () -> memory.removeRange(at(0), 0));
        assertFails(Kind.INVALID_SIZE, () -> memory.removeRange(at(0), -PAGE));
        assertFails(Kind.MEMORY_NOT_ALIGNED, () -> memory.removeRange(at(8), PAGE - 8));
        assertFails(Kind.MEMORY_NOT_ALIGNED, () -> memory.removeRange(at(0), 100));
        assertFails(Kind.INVALID_GUEST_RANGE, () -> memory.removeRange(at(PAGE), 0x4000), "crosses from A into B");
        assertFails(Kind.INVALID_GUEST_ADDRESS, () -> memory.removeRange(at(B_END), PAGE));
    }

    static byte[] pattern(int length, int seed) {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) (seed * 31 + i * 7 + 1);
        }
        return bytes;
    }
}
