package io.jvmm.memory;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Array copies take one of two paths by size and mapping kind (MappingState.NATIVE_COPY_IN and
 * NATIVE_COPY_OUT: JNI from those sizes on, for mappings that cannot shrink, the JDK's bulk
 * ByteBuffer copy below them and for every truncatable mapping). Both must move exactly the bytes
 * asked for and not one more, on either side of each threshold.
 */
class ArrayCopyPathsTest {
    private static final int PAGE = 4096;
    private static final int MAPPING = 64 * 1024 + 4 * PAGE;
    private static final int AT = 4093;

    @ParameterizedTest
    @ValueSource(ints = {1, 2047, 2048, 2049, 32 * 1024 - 1, 32 * 1024, 32 * 1024 + 1, 64 * 1024})
    void anonymousMemoryCopiesExactlyTheBytesAskedFor(int length) {
        try (MemoryMapping m = MemoryMapping.builder(MAPPING).build()) {
            roundTrips(m, length);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {2048, 32 * 1024, 64 * 1024})
    void aTruncatableMemfdCopiesExactlyTheBytesAskedForToo(int length) {
        try (SharedMemory shm = SharedMemory.create("copy-paths", MAPPING);
             MemoryMapping m = MemoryMapping.builder(MAPPING).fromSharedMemory(shm).build()) {
            roundTrips(m, length);
        }
    }

    private static void roundTrips(MemoryMapping m, int length) {
        m.writeSlice(TestSupport.pattern(MAPPING, 7), 0);
        byte[] data = TestSupport.pattern(length, length);
        assertEquals(length, m.writeSlice(data, AT));
        byte[] back = new byte[length];
        assertEquals(length, m.readSlice(back, AT));
        assertArrayEquals(data, back);
        byte[] viaSlice = new byte[length];
        assertEquals(length, m.getSlice(AT, length).copyTo(viaSlice));
        assertArrayEquals(data, viaSlice);

        byte[] around = TestSupport.pattern(MAPPING, 7);
        assertEquals(around[AT - 1], m.readByte(AT - 1), "the byte before is untouched");
        assertEquals(around[AT + length], m.readByte(AT + length), "the byte after is untouched");

        byte[] again = TestSupport.pattern(length, length + 1);
        assertEquals(length, m.getSlice(AT, length).copyFrom(again));
        assertEquals(length, m.readSlice(back, AT));
        assertArrayEquals(again, back);
        assertEquals(around[AT + length], m.readByte(AT + length));
    }
}
