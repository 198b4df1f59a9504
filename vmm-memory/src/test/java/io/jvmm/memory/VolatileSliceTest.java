package io.jvmm.memory;

import static io.jvmm.memory.TestSupport.assertKind;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvmm.core.ClosedException;
import io.jvmm.memory.MmapException.Kind;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class VolatileSliceTest {
    private static final long PAGE = MappingState.PAGE_SIZE;

    private final MemoryMapping mapping = MemoryMapping.builder(2 * PAGE).build();

    @AfterEach
    void close() {
        mapping.close();
    }

    private byte[] bytes(long offset, int length) {
        byte[] out = new byte[length];
        mapping.readSlice(out, offset);
        return out;
    }

    @Test
    void sliceAddressAndSizeAreThoseOfItsWindow() {
        VolatileSlice slice = mapping.getSlice(100, 50);
        assertEquals(mapping.asPtr() + 100, slice.asPtr());
        assertEquals(50, slice.size());
        assertEquals("VolatileSlice[size=50]", slice.toString());
    }

    @Test
    void subSliceIsRelativeToItsParent() {
        VolatileSlice sub = mapping.getSlice(100, 50).subSlice(10, 20);
        assertEquals(mapping.asPtr() + 110, sub.asPtr());
        assertEquals(20, sub.size());
        sub.writeBytes((byte) 7);
        assertArrayEquals(new byte[] {0, 7}, bytes(109, 2));
        assertArrayEquals(new byte[] {7, 0}, bytes(129, 2));
    }

    @Test
    void subSliceChecksItsParentBounds() {
        VolatileSlice slice = mapping.getSlice(100, 50);
        assertEquals(0, slice.subSlice(50, 0).size());
        assertKind(Kind.OUT_OF_BOUNDS, () -> slice.subSlice(40, 11));
        assertKind(Kind.OUT_OF_BOUNDS, () -> slice.subSlice(51, 0));
        assertKind(Kind.OVERFLOW, () -> slice.subSlice(Long.MAX_VALUE, 1));
        assertKind(Kind.INVALID_ARGUMENT, () -> slice.subSlice(-1, 1));
        assertKind(Kind.INVALID_ARGUMENT, () -> slice.subSlice(1, -1));
    }

    @Test
    void offsetDropsTheFirstBytes() {
        VolatileSlice slice = mapping.getSlice(100, 50);
        VolatileSlice rest = slice.offset(30);
        assertEquals(mapping.asPtr() + 130, rest.asPtr());
        assertEquals(20, rest.size());
        assertEquals(0, slice.offset(50).size());
        assertEquals(slice.asPtr(), slice.offset(0).asPtr());
    }

    @Test
    void offsetPastTheEndIsOutOfBoundsAndNegativeIsInvalidArgument() {
        VolatileSlice slice = mapping.getSlice(100, 50);
        assertKind(Kind.OUT_OF_BOUNDS, () -> slice.offset(51));
        assertKind(Kind.OUT_OF_BOUNDS, () -> slice.offset(Long.MAX_VALUE));
        assertKind(Kind.INVALID_ARGUMENT, () -> slice.offset(-1));
        assertKind(Kind.INVALID_ARGUMENT, () -> slice.offset(Long.MIN_VALUE));
    }

    @Test
    void writeBytesFillsExactlyTheSlice() {
        mapping.getSlice(8, 16).writeBytes((byte) 0xEE);
        byte[] around = bytes(0, 32);
        byte[] expected = new byte[32];
        Arrays.fill(expected, 8, 24, (byte) 0xEE);
        assertArrayEquals(expected, around);
        mapping.getSlice(0, 0).writeBytes((byte) 1);
        assertEquals(0, mapping.readByte(0));
    }

    @Test
    void writeBytesLongerThanItsPatternFillsExactlyTheSlice() {
        int length = 2 * MappingState.FILL_PATTERN_SIZE + 1234;
        try (MemoryMapping big = MemoryMapping.builder(length + 2 * PAGE).build()) {
            big.getSlice(0, big.size()).writeBytes((byte) 0x11);
            big.getSlice(3, length).writeBytes((byte) 0xA5);
            byte[] all = new byte[(int) big.size()];
            big.readSlice(all, 0);
            byte[] expected = new byte[all.length];
            Arrays.fill(expected, (byte) 0x11);
            Arrays.fill(expected, 3, 3 + length, (byte) 0xA5);
            assertArrayEquals(expected, all);
            big.getSlice(5, length - 10).writeBytes((byte) 0);
            assertTrue(big.getSlice(5, length - 10).isAllZero());
            assertEquals((byte) 0xA5, big.readByte(4));
            assertEquals((byte) 0xA5, big.readByte(5 + length - 10));
        }
    }

    /**
     * A memfd (or file) truncated by someone else while mapped makes its lost pages raise SIGBUS,
     * which the JVM reports late (an InternalError somewhere later in the thread) or, in native
     * code, not at all. The mapping checks the file's length first (FileGuard) and throws at once.
     */
    @Test
    void writeBytesOnPagesTruncatedAwayThrowsInsteadOfKillingTheJvm() throws Exception {
        try (SharedMemory shm = SharedMemory.create("truncated", 4 * PAGE);
             MemoryMapping m = MemoryMapping.builder(4 * PAGE).fromSharedMemory(shm).build()) {
            io.jvmm.core.LibC.ftruncateChecked(shm.asRawDescriptor(), PAGE);
            MmapException e = assertThrows(MmapException.class, () -> m.getSlice(0, 4 * PAGE).writeBytes((byte) 1));
            assertEquals(MmapException.Kind.INVALID_RANGE, e.kind());
            assertEquals(0, m.readLong(0), "the fill is whole or nothing: the page still in the memfd was not written");
            m.getSlice(0, PAGE).writeBytes((byte) 1);
            assertEquals(0x0101010101010101L, m.readLong(0), "the page still in the memfd can be filled");
        }
    }

    @Test
    void copyToAndCopyFromCopyTheSmallerSize() {
        VolatileSlice slice = mapping.getSlice(64, 10);
        byte[] big = TestSupport.pattern(16, 1);
        assertEquals(10, slice.copyFrom(big));
        assertArrayEquals(Arrays.copyOf(big, 10), bytes(64, 10));
        assertEquals(0, mapping.readByte(74), "nothing past the slice is written");

        byte[] small = new byte[4];
        assertEquals(4, slice.copyTo(small));
        assertArrayEquals(Arrays.copyOf(big, 4), small);
        byte[] large = new byte[20];
        assertEquals(10, slice.copyTo(large));
        assertArrayEquals(Arrays.copyOf(big, 10), Arrays.copyOf(large, 10));
        assertEquals(3, slice.copyFrom(new byte[] {9, 9, 9}));
        assertArrayEquals(new byte[] {9, 9, 9, big[3]}, bytes(64, 4));
    }

    @Test
    void copyToVolatileSliceCopiesTheSmallerSizeBetweenMappings() {
        try (MemoryMapping other = MemoryMapping.builder(PAGE).build()) {
            byte[] data = TestSupport.pattern(100, 4);
            mapping.writeSlice(data, 0);
            assertEquals(60, mapping.getSlice(0, 100).copyToVolatileSlice(other.getSlice(8, 60)));
            byte[] back = new byte[62];
            other.readSlice(back, 7);
            assertEquals(0, back[0]);
            assertArrayEquals(Arrays.copyOf(data, 60), Arrays.copyOfRange(back, 1, 61));
            assertEquals(0, back[61]);
            assertEquals(5, other.getSlice(8, 5).copyToVolatileSlice(mapping.getSlice(1000, 100)));
            assertArrayEquals(Arrays.copyOf(data, 5), bytes(1000, 5));
        }
    }

    @Test
    void copyToVolatileSliceMovesOverlappingRangesLikeMemmove() {
        byte[] data = TestSupport.pattern(3000, 6);
        mapping.writeSlice(data, 100);
        mapping.getSlice(100, 3000).copyToVolatileSlice(mapping.getSlice(101, 3000));
        assertArrayEquals(data, bytes(101, 3000), "forward overlapping move");
        mapping.getSlice(101, 3000).copyToVolatileSlice(mapping.getSlice(50, 3000));
        assertArrayEquals(data, bytes(50, 3000), "backward overlapping move");
    }

    @Test
    void isAllZeroSeesAnyNonZeroByte() {
        VolatileSlice slice = mapping.getSlice(3, 37);
        assertTrue(slice.isAllZero());
        for (int i = 0; i < 37; i++) {
            mapping.writeByte((byte) 1, 3 + i);
            assertFalse(slice.isAllZero(), "non-zero byte at " + i);
            mapping.writeByte((byte) 0, 3 + i);
        }
        mapping.writeByte((byte) 1, 2);
        mapping.writeByte((byte) 1, 40);
        assertTrue(slice.isAllZero(), "bytes just outside do not count");
        assertTrue(mapping.getSlice(0, 0).isAllZero());
    }

    @Test
    void slicesShareTheirMappingLifetime() {
        VolatileSlice slice = mapping.getSlice(0, 16);
        VolatileSlice sub = slice.subSlice(4, 4);
        mapping.close();
        assertEquals(16, slice.size(), "size is a plain value");
        assertThrows(ClosedException.class, sub::isAllZero);
        assertThrows(ClosedException.class, slice::asPtr);
        assertThrows(ClosedException.class, () -> slice.offset(100), "closed wins over bad arguments");
    }

    @Test
    void nullArraysAreNullPointerExceptions() {
        VolatileSlice slice = mapping.getSlice(0, 16);
        assertThrows(NullPointerException.class, () -> slice.copyTo(null));
        assertThrows(NullPointerException.class, () -> slice.copyFrom(null));
        assertThrows(NullPointerException.class, () -> slice.copyToVolatileSlice(null));
    }
}
