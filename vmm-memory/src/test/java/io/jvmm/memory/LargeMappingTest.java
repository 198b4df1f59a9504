package io.jvmm.memory;

import static io.jvmm.memory.TestSupport.assertKind;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvmm.memory.MmapException.Kind;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Mappings past 2 GiB, which a single int-indexed {@link ByteBuffer} cannot view. Accesses near the
 * 1 GiB and 2 GiB boundaries of the internal buffers, including ones that straddle them, must
 * behave exactly like any other. The mapping is anonymous and {@code MAP_NORESERVE}: only the few
 * pages touched here cost memory.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LargeMappingTest {
    private static final long GIB = 1L << 30;
    private static final long SIZE = 3 * GIB;

    private MemoryMapping mapping;

    @BeforeAll
    void map() {
        mapping = MemoryMapping.builder(SIZE).build();
    }

    @AfterAll
    void unmap() {
        mapping.close();
    }

    private byte[] bytes(long offset, int length) {
        byte[] out = new byte[length];
        assertEquals(length, mapping.readSlice(out, offset));
        return out;
    }

    @ParameterizedTest
    @ValueSource(longs = {GIB, 2 * GIB})
    void longStraddlingABoundaryRoundTripsByteForByte(long boundary) {
        mapping.writeLong(0x0807060504030201L, boundary - 4);
        assertEquals(0x0807060504030201L, mapping.readLong(boundary - 4));
        assertArrayEquals(new byte[] {1, 2, 3, 4, 5, 6, 7, 8}, bytes(boundary - 4, 8));
        assertEquals(0x04030201, mapping.readInt(boundary - 4));
        assertEquals(0x08070605, mapping.readInt(boundary));
        assertEquals((byte) 4, mapping.readByte(boundary - 1));
        assertEquals((byte) 5, mapping.readByte(boundary));
    }

    @ParameterizedTest
    @ValueSource(longs = {GIB, 2 * GIB})
    void everyScalarWidthWorksOnBothSidesOfABoundary(long boundary) {
        for (long offset = boundary - 9; offset <= boundary + 1; offset++) {
            mapping.writeLong(offset, offset);
            assertEquals(offset, mapping.readLong(offset));
            mapping.writeInt((int) offset, offset);
            assertEquals((int) offset, mapping.readInt(offset));
            mapping.writeShort((short) offset, offset);
            assertEquals((short) offset, mapping.readShort(offset));
            mapping.writeByte((byte) offset, offset);
            assertEquals((byte) offset, mapping.readByte(offset));
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {GIB, 2 * GIB})
    void volatileAccessesNextToABoundaryWork(long boundary) {
        mapping.writeLongVolatile(-1L, boundary - 8);
        mapping.writeLongVolatile(-2L, boundary);
        assertEquals(-1L, mapping.readLongVolatile(boundary - 8));
        assertEquals(-2L, mapping.readLongVolatile(boundary));
        mapping.writeIntVolatile(-3, boundary - 4);
        assertEquals(-3, mapping.readIntVolatile(boundary - 4));
        mapping.writeShortVolatile((short) -4, boundary - 2);
        assertEquals((short) -4, mapping.readShortVolatile(boundary - 2));
        mapping.writeByteVolatile((byte) -5, boundary - 1);
        assertEquals((byte) -5, mapping.readByteVolatile(boundary - 1));
        assertEquals(-2L, mapping.readLong(boundary), "the other side is untouched");
    }

    @ParameterizedTest
    @ValueSource(longs = {GIB, 2 * GIB})
    void bulkCopyAcrossABoundaryRoundTrips(long boundary) {
        byte[] data = TestSupport.pattern(64 * 1024, (int) (boundary >>> 30));
        assertEquals(data.length, mapping.writeSlice(data, boundary - 32 * 1024 - 3));
        assertArrayEquals(data, bytes(boundary - 32 * 1024 - 3, data.length));
        byte[] viaSlice = new byte[data.length];
        assertEquals(data.length, mapping.getSlice(boundary - 32 * 1024 - 3, data.length).copyTo(viaSlice));
        assertArrayEquals(data, viaSlice);
    }

    @Test
    void structAcrossABoundaryRoundTrips() {
        ByteBuffer src = ByteBuffer.allocate(40).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 5; i++) {
            src.putLong(i * 8, 0x1111111111111111L * (i + 1));
        }
        mapping.writeStruct(src, 2 * GIB - 20);
        ByteBuffer back = mapping.readStruct(2 * GIB - 20, 40);
        assertArrayEquals(src.array(), back.array());
    }

    @Test
    void slicesAcrossBoundariesFillTestAndCopy() {
        VolatileSlice first = mapping.getSlice(GIB - 1000, 3000);
        VolatileSlice second = mapping.getSlice(2 * GIB - 2100, 3000);
        first.writeBytes((byte) 0x3C);
        assertFalse(first.isAllZero());
        assertEquals(3000, first.copyToVolatileSlice(second));
        byte[] expected = new byte[3000];
        Arrays.fill(expected, (byte) 0x3C);
        assertArrayEquals(expected, bytes(2 * GIB - 2100, 3000));
        second.writeBytes((byte) 0);
        assertTrue(second.isAllZero());
        assertEquals(mapping.asPtr() + 2 * GIB - 2100, second.asPtr());
        assertEquals(2 * GIB, second.offset(2100).asPtr() - mapping.asPtr());
    }

    @Test
    void overlappingMoveAcrossABoundaryActsLikeMemmove() {
        byte[] data = TestSupport.pattern(10_000, 21);
        long at = GIB - 5000;
        mapping.writeSlice(data, at);
        mapping.getSlice(at, data.length).copyToVolatileSlice(mapping.getSlice(at + 7, data.length));
        assertArrayEquals(data, bytes(at + 7, data.length), "forward");
        mapping.getSlice(at + 7, data.length).copyToVolatileSlice(mapping.getSlice(at - 3, data.length));
        assertArrayEquals(data, bytes(at - 3, data.length), "backward");
    }

    @Test
    void offsetsPastTwoGibDoNotWrapAround() {
        // An offset no other test of this class touches, nor its images 1 and 2 GiB lower.
        long high = 2 * GIB + 777_777;
        mapping.writeInt(0x600DF00D, high);
        assertEquals(0x600DF00D, mapping.readInt(high));
        assertEquals(0, mapping.readInt(high - 2 * GIB), "nothing landed 2 GiB lower");
        assertEquals(0, mapping.readInt(high - GIB), "nothing landed 1 GiB lower");
    }

    @Test
    void theEndOfAThreeGibMappingBehavesLikeAnyEnd() {
        mapping.writeLong(77, SIZE - 8);
        assertEquals(77, mapping.readLong(SIZE - 8));
        assertEquals(4, mapping.readSlice(new byte[100], SIZE - 4));
        assertEquals(0, mapping.readSlice(new byte[100], SIZE));
        assertKind(Kind.INVALID_ADDRESS, () -> mapping.readLong(SIZE - 7));
        assertKind(Kind.OUT_OF_BOUNDS, () -> mapping.getSlice(SIZE - 8, 9));
    }

    @Test
    void removeRangeAtABoundaryZeroesBothSides() {
        long page = MappingState.PAGE_SIZE;
        mapping.getSlice(2 * GIB - page, 2 * page).writeBytes((byte) 1);
        mapping.removeRange(2 * GIB - page, 2 * page);
        assertTrue(mapping.getSlice(2 * GIB - page, 2 * page).isAllZero());
    }

    @Test
    void mappingJustPastOneGibHasAShortLastBuffer() {
        try (MemoryMapping m = MemoryMapping.builder(GIB + 4).build()) {
            m.writeInt(0x01020304, GIB);
            assertEquals(0x01020304, m.readInt(GIB));
            m.writeLong(-1L, GIB - 4);
            assertEquals(-1L, m.readLong(GIB - 4));
            assertKind(Kind.INVALID_ADDRESS, () -> m.readLong(GIB - 3));
            assertEquals(4, m.writeSlice(new byte[] {9, 9, 9, 9, 9}, GIB));
        }
    }
}
