package io.jvmm.memory;

import static io.jvmm.memory.TestSupport.assertKind;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.jna.Pointer;
import io.jvmm.core.CacheFlush;
import io.jvmm.core.ClosedException;
import io.jvmm.memory.MmapException.Kind;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class MemoryMappingTest {
    private static final long PAGE = MappingState.PAGE_SIZE;

    private final MemoryMapping mapping = MemoryMapping.builder(4 * PAGE).build();

    @AfterEach
    void close() {
        mapping.close();
    }

    @Test
    void newAnonymousMappingIsPageAlignedZeroedAndOpen() {
        assertEquals(4 * PAGE, mapping.size());
        assertEquals(0, mapping.asPtr() % PAGE);
        assertTrue(mapping.isOpen());
        assertTrue(mapping.getSlice(0, mapping.size()).isAllZero());
    }

    @Test
    void asPtrIsTheHostAddressOfByteZero() {
        mapping.writeLong(0x0102030405060708L, 16);
        assertEquals(0x0102030405060708L, new Pointer(mapping.asPtr()).getLong(16));
    }

    @Test
    void scalarsAreStoredLittleEndian() {
        mapping.writeLong(0x0102030405060708L, 0);
        mapping.writeInt(0x0A0B0C0D, 8);
        mapping.writeShort((short) 0x1122, 12);
        mapping.writeByte((byte) 0x33, 14);
        byte[] bytes = new byte[15];
        mapping.readSlice(bytes, 0);
        assertArrayEquals(new byte[] {8, 7, 6, 5, 4, 3, 2, 1, 0x0D, 0x0C, 0x0B, 0x0A, 0x22, 0x11, 0x33}, bytes);
    }

    @Test
    void volatileScalarsAreStoredLittleEndian() {
        mapping.writeLongVolatile(0x0102030405060708L, 0);
        mapping.writeIntVolatile(0x0A0B0C0D, 8);
        mapping.writeShortVolatile((short) 0x1122, 12);
        mapping.writeByteVolatile((byte) 0x33, 14);
        byte[] bytes = new byte[15];
        mapping.readSlice(bytes, 0);
        assertArrayEquals(new byte[] {8, 7, 6, 5, 4, 3, 2, 1, 0x0D, 0x0C, 0x0B, 0x0A, 0x22, 0x11, 0x33}, bytes);
    }

    @Test
    void plainScalarsRoundTripAtUnalignedOffsets() {
        mapping.writeLong(-2L, 3);
        assertEquals(-2L, mapping.readLong(3));
        mapping.writeInt(-3, 101);
        assertEquals(-3, mapping.readInt(101));
        mapping.writeShort((short) -4, 201);
        assertEquals((short) -4, mapping.readShort(201));
        mapping.writeByte((byte) -5, 301);
        assertEquals((byte) -5, mapping.readByte(301));
    }

    @Test
    void volatileScalarsRoundTripAtNaturallyAlignedOffsets() {
        mapping.writeLongVolatile(Long.MIN_VALUE, 8);
        assertEquals(Long.MIN_VALUE, mapping.readLongVolatile(8));
        assertEquals(Long.MIN_VALUE, mapping.readLong(8));
        mapping.writeIntVolatile(Integer.MIN_VALUE, 20);
        assertEquals(Integer.MIN_VALUE, mapping.readIntVolatile(20));
        mapping.writeShortVolatile(Short.MIN_VALUE, 26);
        assertEquals(Short.MIN_VALUE, mapping.readShortVolatile(26));
        mapping.writeByteVolatile(Byte.MIN_VALUE, 29);
        assertEquals(Byte.MIN_VALUE, mapping.readByteVolatile(29));
    }

    @Test
    void scalarAtTheVeryEndFitsAndOneBytePastIsInvalidAddress() {
        long size = mapping.size();
        mapping.writeLong(42, size - 8);
        assertEquals(42, mapping.readLong(size - 8));
        assertKind(Kind.INVALID_ADDRESS, () -> mapping.writeLong(1, size - 7));
        assertKind(Kind.INVALID_ADDRESS, () -> mapping.readLong(size - 7));
        assertKind(Kind.INVALID_ADDRESS, () -> mapping.readInt(size - 3));
        assertKind(Kind.INVALID_ADDRESS, () -> mapping.writeInt(1, size - 3));
        assertKind(Kind.INVALID_ADDRESS, () -> mapping.readShort(size - 1));
        assertKind(Kind.INVALID_ADDRESS, () -> mapping.writeShort((short) 1, size - 1));
        assertKind(Kind.INVALID_ADDRESS, () -> mapping.readByte(size));
        assertKind(Kind.INVALID_ADDRESS, () -> mapping.writeByte((byte) 1, size));
        assertKind(Kind.INVALID_ADDRESS, () -> mapping.readByte(-1));
        assertKind(Kind.INVALID_ADDRESS, () -> mapping.readLong(Long.MAX_VALUE));
        assertKind(Kind.INVALID_ADDRESS, () -> mapping.readLong(Long.MIN_VALUE));
    }

    /** A mapping smaller than a long: no offset fits a long, and the smaller scalars fit where they end inside. */
    @Test
    void mappingSmallerThanAScalarRefusesItAtEveryOffset() {
        try (MemoryMapping tiny = MemoryMapping.builder(5).build()) {
            for (long offset : new long[] {0, 1, 4, 5, -1, Long.MIN_VALUE, Long.MAX_VALUE}) {
                assertKind(Kind.INVALID_ADDRESS, () -> tiny.readLong(offset));
                assertKind(Kind.INVALID_ADDRESS, () -> tiny.writeLong(1, offset));
                assertKind(Kind.INVALID_ADDRESS, () -> tiny.readLongVolatile(offset));
            }
            tiny.writeInt(0x0a0b0c0d, 1);
            assertEquals(0x0a0b0c0d, tiny.readInt(1));
            assertKind(Kind.INVALID_ADDRESS, () -> tiny.readInt(2));
            assertEquals(0x0b0c0d00, tiny.readIntVolatile(0));
            assertKind(Kind.INVALID_ADDRESS, () -> tiny.readIntVolatile(4));
            assertEquals((byte) 0x0a, tiny.readByte(4));
            assertKind(Kind.INVALID_ADDRESS, () -> tiny.readByte(5));
        }
    }

    @Test
    void failedWriteChangesNothing() {
        long size = mapping.size();
        assertKind(Kind.INVALID_ADDRESS, () -> mapping.writeLong(-1L, size - 4));
        assertTrue(mapping.getSlice(size - 16, 16).isAllZero());
    }

    @Test
    void misalignedVolatileAccessIsInvalidAlignment() {
        assertKind(Kind.INVALID_ALIGNMENT, () -> mapping.writeLongVolatile(1, 4));
        assertKind(Kind.INVALID_ALIGNMENT, () -> mapping.readLongVolatile(1));
        assertKind(Kind.INVALID_ALIGNMENT, () -> mapping.writeIntVolatile(1, 2));
        assertKind(Kind.INVALID_ALIGNMENT, () -> mapping.readIntVolatile(6));
        assertKind(Kind.INVALID_ALIGNMENT, () -> mapping.writeShortVolatile((short) 1, 1));
        assertKind(Kind.INVALID_ALIGNMENT, () -> mapping.readShortVolatile(3));
    }

    @Test
    void volatileAccessPastTheEndIsInvalidAddress() {
        long size = mapping.size();
        assertKind(Kind.INVALID_ADDRESS, () -> mapping.readLongVolatile(size));
        assertKind(Kind.INVALID_ADDRESS, () -> mapping.writeIntVolatile(1, size));
        assertKind(Kind.INVALID_ADDRESS, () -> mapping.readShortVolatile(-2));
        assertKind(Kind.INVALID_ADDRESS, () -> mapping.writeByteVolatile((byte) 1, size));
        assertKind(Kind.INVALID_ADDRESS, () -> mapping.readByteVolatile(size));
    }

    @Test
    void writeSliceAndReadSliceCopyWholeBuffersInside() {
        byte[] data = TestSupport.pattern(3000, 7);
        assertEquals(3000, mapping.writeSlice(data, 1234));
        byte[] back = new byte[3000];
        assertEquals(3000, mapping.readSlice(back, 1234));
        assertArrayEquals(data, back);
    }

    @Test
    void writeSliceNearTheEndCopiesOnlyWhatFits() {
        long size = mapping.size();
        byte[] data = TestSupport.pattern(100, 1);
        assertEquals(40, mapping.writeSlice(data, size - 40));
        byte[] back = new byte[100];
        assertEquals(40, mapping.readSlice(back, size - 40));
        assertArrayEquals(Arrays.copyOf(data, 40), Arrays.copyOf(back, 40));
        assertTrue(Arrays.equals(new byte[60], 0, 60, back, 40, 100), "bytes not copied stay untouched");
    }

    @Test
    void sliceCopiesAtTheEndReturnZero() {
        assertEquals(0, mapping.writeSlice(new byte[10], mapping.size()));
        assertEquals(0, mapping.readSlice(new byte[10], mapping.size()));
        assertEquals(0, mapping.readSlice(new byte[0], 5));
    }

    @Test
    void sliceCopiesPastTheEndOrNegativeAreInvalidAddress() {
        assertKind(Kind.INVALID_ADDRESS, () -> mapping.writeSlice(new byte[1], mapping.size() + 1));
        assertKind(Kind.INVALID_ADDRESS, () -> mapping.readSlice(new byte[1], -1));
        assertKind(Kind.INVALID_ADDRESS, () -> mapping.readSlice(new byte[1], Long.MAX_VALUE));
    }

    @Test
    void writeStructPutsTheBufferRemainingBytesAndLeavesItsPosition() {
        ByteBuffer header = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
        header.putInt(0, 0x53726448).putShort(4, (short) 0x020F).putLong(8, 0x1000);
        header.position(4);
        mapping.writeStruct(header, 100);
        assertEquals(4, header.position());
        assertEquals((short) 0x020F, mapping.readShort(100));
        assertEquals(0x1000L, mapping.readLong(104));
        assertEquals(0, mapping.readInt(96), "bytes before the buffer's position are not written");
    }

    @Test
    void writeStructAcceptsDirectBuffers() {
        ByteBuffer direct = ByteBuffer.allocateDirect(24).order(ByteOrder.LITTLE_ENDIAN);
        direct.putLong(0, 1).putLong(8, 2).putLong(16, 3);
        mapping.writeStruct(direct, 8);
        assertEquals(2, mapping.readLong(16));
        assertEquals(3, mapping.readLong(24));
    }

    @Test
    void readStructFillsTheBufferRemainingBytes() {
        mapping.writeLong(0x1122334455667788L, 40);
        ByteBuffer dst = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
        dst.position(4);
        mapping.readStruct(40, dst);
        assertEquals(4, dst.position());
        assertEquals(0, dst.getInt(0));
        assertEquals(0x1122334455667788L, dst.getLong(4));
    }

    @Test
    void readStructOfLengthReturnsALittleEndianBuffer() {
        mapping.writeInt(0xCAFEBABE, 64);
        ByteBuffer read = mapping.readStruct(64, 4);
        assertEquals(ByteOrder.LITTLE_ENDIAN, read.order());
        assertEquals(4, read.remaining());
        assertEquals(0xCAFEBABE, read.getInt(0));
    }

    @Test
    void structsThatDoNotFitAreInvalidAddress() {
        long size = mapping.size();
        assertKind(Kind.INVALID_ADDRESS, () -> mapping.writeStruct(ByteBuffer.allocate(16), size - 15));
        assertKind(Kind.INVALID_ADDRESS, () -> mapping.readStruct(size - 15, ByteBuffer.allocate(16)));
        assertKind(Kind.INVALID_ADDRESS, () -> mapping.readStruct(-1, 1));
        assertKind(Kind.INVALID_ADDRESS, () -> mapping.readStruct(Long.MAX_VALUE, 8));
        assertKind(Kind.INVALID_ARGUMENT, () -> mapping.readStruct(0, -1));
        assertKind(Kind.INVALID_ARGUMENT, () -> mapping.readStruct(0, ByteBuffer.allocate(4).asReadOnlyBuffer()));
        assertEquals(0, mapping.readStruct(size, 0).remaining(), "an empty structure at the end fits");
    }

    @Test
    void getSliceChecksOverflowBoundsAndSign() {
        assertEquals(10, mapping.getSlice(5, 10).size());
        assertEquals(0, mapping.getSlice(mapping.size(), 0).size());
        assertKind(Kind.OVERFLOW, () -> mapping.getSlice(Long.MAX_VALUE, 3));
        assertKind(Kind.OUT_OF_BOUNDS, () -> mapping.getSlice(mapping.size() - 2, 3));
        assertKind(Kind.INVALID_ARGUMENT, () -> mapping.getSlice(-1, 3));
        assertKind(Kind.INVALID_ARGUMENT, () -> mapping.getSlice(0, -3));
    }

    @Test
    void readOnlyMappingRefusesWritesButReads() {
        try (MemoryMapping readOnly = MemoryMapping.builder(PAGE).protection(Protection.read()).build()) {
            assertEquals(0, readOnly.readLong(0));
            assertKind(Kind.INVALID_ARGUMENT, () -> readOnly.writeLong(1, 0));
            assertKind(Kind.INVALID_ARGUMENT, () -> readOnly.writeByteVolatile((byte) 1, 0));
            assertKind(Kind.INVALID_ARGUMENT, () -> readOnly.writeSlice(new byte[1], 0));
            assertKind(Kind.INVALID_ARGUMENT, () -> readOnly.getSlice(0, 8).writeBytes((byte) 1));
            assertKind(Kind.INVALID_ARGUMENT, () -> readOnly.getSlice(0, 8).copyFrom(new byte[8]));
            assertKind(Kind.INVALID_ARGUMENT,
                () -> mapping.getSlice(0, 8).copyToVolatileSlice(readOnly.getSlice(0, 8)));
        }
    }

    @Test
    void noAccessMappingRefusesEveryAccessInsteadOfFaulting() {
        try (MemoryMapping none = MemoryMapping.builder(PAGE).protection(Protection.none()).build()) {
            assertKind(Kind.INVALID_ARGUMENT, () -> none.readLong(0));
            assertKind(Kind.INVALID_ARGUMENT, () -> none.readByteVolatile(0));
            assertKind(Kind.INVALID_ARGUMENT, () -> none.readSlice(new byte[1], 0));
            assertKind(Kind.INVALID_ARGUMENT, () -> none.readStruct(0, 4));
            assertKind(Kind.INVALID_ARGUMENT, () -> none.writeInt(1, 0));
            assertKind(Kind.INVALID_ARGUMENT, () -> none.getSlice(0, 4).isAllZero());
            assertKind(Kind.INVALID_ARGUMENT, () -> none.flushAll());
        }
    }

    @Test
    void writeOnlyMappingRefusesReads() {
        try (MemoryMapping writeOnly = MemoryMapping.builder(PAGE).protection(Protection.write()).build()) {
            writeOnly.writeLong(7, 0);
            assertKind(Kind.INVALID_ARGUMENT, () -> writeOnly.readLong(0));
            assertKind(Kind.INVALID_ARGUMENT, () -> writeOnly.getSlice(0, 1).copyTo(new byte[1]));
        }
    }

    @Test
    void fdMappingsCannotBeAddedToOrRemovedFromAPlainMapping() {
        try (SharedMemory shm = SharedMemory.create("fd", PAGE)) {
            assertKind(Kind.ADD_FD_MAPPING_UNSUPPORTED,
                () -> mapping.addFdMapping(0, PAGE, shm, 0, Protection.readWrite()));
        }
        assertKind(Kind.REMOVE_MAPPING_UNSUPPORTED, () -> mapping.removeMapping(0, PAGE));
    }

    @Test
    void msyncOfAnonymousMemorySucceedsAndKeepsData() {
        mapping.writeLong(99, 0);
        mapping.msync();
        assertEquals(99, mapping.readLong(0));
    }

    @Test
    void cacheFlushesKeepTheData() {
        assumeTrue(CacheFlush.isSupported(), "clflush exists on x86-64 only");
        byte[] data = TestSupport.pattern((int) mapping.size(), 3);
        mapping.writeSlice(data, 0);
        mapping.flushRegion(5, 3 * PAGE);
        mapping.flushRegion(0, 0);
        mapping.flushAll();
        mapping.flushUncachedGuestMapping(mapping.size() - 1);
        mapping.flushUncachedGuestMapping(0);
        byte[] back = new byte[data.length];
        mapping.readSlice(back, 0);
        assertArrayEquals(data, back);
    }

    @Test
    void cacheFlushOutsideTheMappingIsInvalidRange() {
        assumeTrue(CacheFlush.isSupported(), "clflush exists on x86-64 only");
        long size = mapping.size();
        assertKind(Kind.INVALID_RANGE, () -> mapping.flushRegion(size - 8, 9));
        assertKind(Kind.INVALID_RANGE, () -> mapping.flushRegion(-1, 1));
        assertKind(Kind.INVALID_RANGE, () -> mapping.flushRegion(0, -1));
        assertKind(Kind.INVALID_RANGE, () -> mapping.flushRegion(Long.MAX_VALUE, Long.MAX_VALUE));
        assertKind(Kind.INVALID_RANGE, () -> mapping.flushUncachedGuestMapping(size));
        assertKind(Kind.INVALID_RANGE, () -> mapping.flushUncachedGuestMapping(-1));
    }

    @Test
    void cacheFlushIsNotImplementedOffX86() {
        assumeFalse(CacheFlush.isSupported(), "this host is x86-64, where cache flushes are implemented");
        assertKind(Kind.NOT_IMPLEMENTED, () -> mapping.flushAll());
        assertKind(Kind.NOT_IMPLEMENTED, () -> mapping.flushUncachedGuestMapping(0));
    }

    @Test
    void toStringNamesSizeAndState() {
        assertEquals("MemoryMapping[size=" + 4 * PAGE + "]", mapping.toString());
        mapping.close();
        assertTrue(mapping.toString().contains("closed"));
    }

    @Test
    void mappingsHaveDistinctAddresses() {
        try (MemoryMapping other = MemoryMapping.builder(PAGE).build()) {
            assertNotEquals(other.asPtr(), mapping.asPtr());
        }
    }

    @Test
    void closeIsIdempotentAndSizeStaysReadable() {
        mapping.close();
        mapping.close();
        assertFalse(mapping.isOpen());
        assertEquals(4 * PAGE, mapping.size());
    }

    @Test
    void closingReleasesTheMemfdSoItCanBeWriteSealed() {
        try (SharedMemory shm = SharedMemory.create("seal-after-close", PAGE)) {
            MemoryMapping shared = MemoryMapping.builder(PAGE).fromSharedMemory(shm).build();
            MmapException busy = assertThrows(MmapException.class, () -> shm.addSeals(io.jvmm.core.LibC.F_SEAL_WRITE));
            assertEquals(io.jvmm.core.Errno.EBUSY, busy.errno());
            shared.close();
            shm.addSeals(io.jvmm.core.LibC.F_SEAL_WRITE);
            assertEquals(io.jvmm.core.LibC.F_SEAL_WRITE, shm.getSeals() & io.jvmm.core.LibC.F_SEAL_WRITE);
        }
    }

    @Test
    void everyAccessAfterCloseIsIllegalState() {
        VolatileSlice slice = mapping.getSlice(8, 64);
        VolatileSlice otherSlice;
        try (MemoryMapping other = MemoryMapping.builder(PAGE).build()) {
            otherSlice = other.getSlice(0, 64);
            mapping.close();
            for (TestSupport.NamedCall call : TestSupport.everyAccess(mapping, slice, otherSlice)) {
                assertThrows(ClosedException.class, call.body()::run, call.name());
            }
            // An open slice cannot copy into a closed one either.
            assertThrows(ClosedException.class, () -> otherSlice.copyToVolatileSlice(slice));
        }
    }

    @Test
    void accessesWithBadArgumentsAfterCloseAreStillIllegalState() {
        mapping.close();
        assertThrows(ClosedException.class, () -> mapping.readLong(-1));
        assertThrows(ClosedException.class, () -> mapping.writeLongVolatile(1, 3));
        assertThrows(ClosedException.class, () -> mapping.getSlice(-1, 1));
        assertThrows(ClosedException.class, () -> mapping.removeRange(1, 1));
    }
}
