package io.jvmm.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvmm.core.ClosedException;
import io.jvmm.core.ErrorDetails;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * One accessor family (issue 9): a {@link VolatileSlice} reads and writes scalars at offsets from
 * its own first byte with the checks and orderings of {@link MemoryMapping}'s, through the same code.
 */
class ScalarMemoryTest {
    private static final int PAGE = 4096;

    @Test
    void aSliceAddressesScalarsFromItsOwnStartAndStopsAtItsOwnEnd() {
        try (MemoryMapping m = MemoryMapping.builder(2 * PAGE).build()) {
            VolatileSlice s = m.getSlice(100, 64);
            s.writeLong(0x1122334455667788L, 3);
            assertEquals(0x1122334455667788L, m.readLong(103));
            assertEquals(0x55667788, s.readInt(3));
            s.writeShort((short) 0x7fee, 62);
            assertEquals((short) 0x7fee, m.readShort(162));

            m.writeLong(-1L, 160);
            MmapException e = assertThrows(MmapException.class, () -> s.writeLong(0, 57));
            assertEquals(MmapException.Kind.INVALID_ADDRESS, e.kind());
            assertEquals(ErrorDetails.ofAccess(57, 8, 64), e.details());
            assertEquals(-1L, m.readLong(160), "a refused write changes nothing, inside the slice or past it");
            assertThrows(MmapException.class, () -> s.readByte(64));
            assertThrows(MmapException.class, () -> s.readByte(-1));
            assertThrows(MmapException.class, () -> s.readByte(Long.MIN_VALUE));
        }
    }

    /**
     * Plain stores have their own form of the bounds check (ScalarAccess.checkStoreRange): the
     * same edges as the loads', the same error, and nothing written when refused.
     */
    @Test
    void aPlainStoreIsRefusedAtEveryEdgeALoadIsWithTheSameDetailsAndWritesNothing() {
        try (MemoryMapping m = MemoryMapping.builder(PAGE).build()) {
            m.getSlice(0, PAGE).writeBytes((byte) 0x5a);
            VolatileSlice narrow = m.getSlice(8, 4);
            List<Long> offsets = List.of(-1L, Long.MIN_VALUE, Long.MAX_VALUE, (long) PAGE, PAGE - 7L, 1L << 32);
            for (long offset : offsets) {
                MmapException load = assertThrows(MmapException.class, () -> m.readLong(offset));
                MmapException store = assertThrows(MmapException.class, () -> m.writeLong(7, offset));
                assertEquals(load.kind(), store.kind());
                assertEquals(load.details(), store.details());
                assertEquals(load.getMessage(), store.getMessage());
                long narrower = offset == PAGE - 7 ? PAGE : offset; // PAGE - 7 is outside for 8 bytes only
                assertThrows(MmapException.class, () -> m.writeInt(7, narrower));
                assertThrows(MmapException.class, () -> m.writeShort((short) 7, narrower));
                assertThrows(MmapException.class, () -> m.writeByte((byte) 7, narrower));
            }
            // A window narrower than the access: no offset fits, not even 0.
            MmapException e = assertThrows(MmapException.class, () -> narrow.writeLong(7, 0));
            assertEquals(ErrorDetails.ofAccess(0, 8, 4), e.details());
            narrow.writeInt(0x01020304, 0);
            assertThrows(MmapException.class, () -> narrow.writeInt(7, 1));
            m.writeLong(0x1122334455667788L, PAGE - 8);
            m.writeByte((byte) 1, PAGE - 1);

            byte[] all = new byte[PAGE];
            m.readSlice(all, 0);
            for (int i = 0; i < PAGE; i++) {
                byte expected = i >= 8 && i < 12 ? (byte) (4 - (i - 8)) // the narrow slice's int
                    : i >= PAGE - 8 && i < PAGE - 1 ? (byte) (0x88 - 0x11 * (i - (PAGE - 8)))
                    : i == PAGE - 1 ? 1 : (byte) 0x5a;
                assertEquals(expected, all[i], "byte " + i);
            }
        }
    }

    @Test
    void orderedAccessesAreAlignedInTheMappingNotInTheSlice() {
        try (MemoryMapping m = MemoryMapping.builder(PAGE).build()) {
            VolatileSlice s = m.getSlice(4, 64);
            s.writeLongVolatile(42, 4);
            assertEquals(42, m.readLongVolatile(8));
            s.writeIntRelease(7, 0);
            assertEquals(7, m.readIntAcquire(4));
            assertEquals(7, s.readIntAcquire(0));
            MmapException e = assertThrows(MmapException.class, () -> s.readLongVolatile(0));
            assertEquals(MmapException.Kind.INVALID_ALIGNMENT, e.kind());
            assertTrue(e.getMessage().contains("mapping offset 4"), e.getMessage());
            assertThrows(MmapException.class, () -> s.writeShortRelease((short) 1, 1));
        }
    }

    @Test
    void theMappingsAcquireAndReleaseFormsMatchItsVolatileOnes() {
        try (MemoryMapping m = MemoryMapping.builder(PAGE).build()) {
            m.writeLongRelease(0x0102030405060708L, 16);
            assertEquals(0x0102030405060708L, m.readLongVolatile(16));
            m.writeShortRelease((short) -2, 30);
            assertEquals((short) -2, m.readShortAcquire(30));
            assertEquals(0x05060708, m.readIntAcquire(16));
            assertThrows(MmapException.class, () -> m.readIntAcquire(18));
            assertThrows(MmapException.class, () -> m.writeLongRelease(1, PAGE - 4));
        }
    }

    @Test
    void scalarWritesThroughAGuestMemorySliceMarkTheirPageDirty() {
        try (GuestMemory g = GuestMemory.createWithDirtyTracking(GuestRange.of(0, 4L * PAGE))) {
            VolatileSlice s = g.getSliceAtAddr(GuestAddress.of(PAGE - 4), 16);
            s.readLong(8);
            assertFalse(g.isPageDirty(GuestAddress.of(PAGE)), "a read marks nothing");
            s.writeLong(5, 8);
            assertTrue(g.isPageDirty(GuestAddress.of(PAGE)));
            assertFalse(g.isPageDirty(GuestAddress.of(2L * PAGE)));
            assertEquals(5, g.readLongFromAddr(GuestAddress.of(PAGE + 4)));
        }
    }

    @Test
    void everyScalarAccessorOfAClosedMappingOrItsSlicesThrowsClosedWhateverItsArguments() {
        MemoryMapping m = MemoryMapping.builder(PAGE).build();
        VolatileSlice s = m.getSlice(0, 16);
        m.close();
        for (ScalarMemory memory : List.of(m, s)) {
            assertThrows(ClosedException.class, () -> memory.readLong(0));
            assertThrows(ClosedException.class, () -> memory.writeInt(1, -5));
            assertThrows(ClosedException.class, () -> memory.readShortAcquire(1));
            assertThrows(ClosedException.class, () -> memory.writeByteVolatile((byte) 1, Long.MAX_VALUE));
        }
    }
}
