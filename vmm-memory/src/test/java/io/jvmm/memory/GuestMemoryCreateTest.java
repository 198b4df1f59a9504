package io.jvmm.memory;

import static io.jvmm.memory.GuestMemoryTesting.GIB;
import static io.jvmm.memory.GuestMemoryTesting.PAGE;
import static io.jvmm.memory.GuestMemoryTesting.assertFails;
import static io.jvmm.memory.GuestMemoryTesting.guestMemfds;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvmm.core.Errno;
import io.jvmm.core.LibC;
import io.jvmm.core.SyscallException;
import io.jvmm.memory.GuestMemoryException.Kind;
import java.util.List;
import org.junit.jupiter.api.Test;

class GuestMemoryCreateTest {

    @Test
    void noRangesIsRefused() {
        GuestMemoryException e = assertFails(Kind.INVALID_GUEST_RANGE, () -> GuestMemory.create());
        assertTrue(e.getMessage().contains("at least one range"), e.getMessage());
        assertFails(Kind.INVALID_GUEST_RANGE, () -> GuestMemory.create((GuestRange[]) null));
        assertFails(Kind.INVALID_GUEST_RANGE, () -> GuestMemory.create(GuestRange.of(0, PAGE), null));
    }

    @Test
    void zeroAndNegativeSizesAreInvalidSize() {
        assertFails(Kind.INVALID_SIZE, () -> GuestMemory.create(GuestRange.of(0, 0)));
        assertFails(Kind.INVALID_SIZE, () -> GuestMemory.create(GuestRange.of(0, -PAGE)));
    }

    @Test
    void unalignedStartOrSizeIsMemoryNotAligned() {
        GuestMemoryException size = assertFails(Kind.MEMORY_NOT_ALIGNED, () -> GuestMemory.create(GuestRange.of(0, PAGE + 1)));
        assertTrue(size.getMessage().contains("0x1001"), size.getMessage());
        GuestMemoryException start = assertFails(Kind.MEMORY_NOT_ALIGNED, () -> GuestMemory.create(GuestRange.of(0x800, PAGE)));
        assertTrue(start.getMessage().contains("0x800"), start.getMessage());
    }

    @Test
    void overlappingRangesAreRefusedWhateverTheirOrder() {
        GuestMemoryException e = assertFails(Kind.MEMORY_REGION_OVERLAP,
            () -> GuestMemory.create(GuestRange.of(0x10000, 0x4000), GuestRange.of(0, 0x2000), GuestRange.of(0xf000, 0x2000)));
        assertTrue(e.getMessage().contains("[0xf000, 0x11000)") && e.getMessage().contains("[0x10000, 0x14000)"), e.getMessage());
        assertFails(Kind.MEMORY_REGION_OVERLAP, () -> GuestMemory.create(GuestRange.of(0, PAGE), GuestRange.of(0, PAGE)));
    }

    @Test
    void rangesReachingPastTwoToTheSixtyFourAreInvalidGuestRange() {
        assertFails(Kind.INVALID_GUEST_RANGE, () -> GuestMemory.create(GuestRange.of(-PAGE, 2 * PAGE)));
        // Ending exactly at 2^64 is refused too: the end would not be a 64-bit address.
        assertFails(Kind.INVALID_GUEST_RANGE, () -> GuestMemory.create(GuestRange.of(-PAGE, PAGE)));
    }

    @Test
    void sizesAddingUpPastLongMaxAreTooLarge() {
        long huge = 0x7fff_ffff_ffff_f000L;
        assertFails(Kind.MEMORY_REGION_TOO_LARGE,
            () -> GuestMemory.create(GuestRange.of(0, huge), GuestRange.of(0x8000_0000_0000_0000L, huge)));
    }

    @Test
    void aRegionTheHostCannotMapFailsCleanlyWithoutLeakingDescriptors() {
        int before = guestMemfds();
        GuestMemoryException e = assertThrows(GuestMemoryException.class, () -> GuestMemory.create(GuestRange.of(0, 1L << 62)));
        assertTrue(e.kind() == Kind.MEMORY_MAPPING_FAILED || e.kind() == Kind.MEMORY_CREATION_FAILED, e.getMessage());
        assertTrue(e.getCause() instanceof MmapException, "cause " + e.getCause());
        assertEquals(before, guestMemfds());
    }

    @Test
    void unsortedRangesBecomeRegionsInAscendingGuestOrderBackToBackInTheMemfd() {
        try (GuestMemory memory = GuestMemory.create(
                GuestRange.of(4 * GIB, GIB), GuestRange.of(0, 3 * GIB), GuestRange.of(0xfee0_0000L, 0x10_0000))) {
            List<GuestMemoryRegion> regions = memory.regions();
            assertEquals(3, memory.numRegions());
            assertEquals(3, regions.size());
            long[] bases = {0, 0xfee0_0000L, 4 * GIB};
            long[] sizes = {3 * GIB, 0x10_0000, GIB};
            long shm = 0;
            for (int i = 0; i < 3; i++) {
                GuestMemoryRegion r = regions.get(i);
                assertEquals(i, r.index());
                assertEquals(GuestAddress.of(bases[i]), r.guestBase());
                assertEquals(sizes[i], r.size());
                assertEquals(GuestAddress.of(bases[i] + sizes[i]), r.endAddr());
                assertEquals(shm, r.shmOffset());
                shm += sizes[i];
            }
            assertEquals(shm, memory.memorySize());
            assertEquals(shm, memory.sharedMemory().size());
            assertEquals(GuestAddress.of(5 * GIB), memory.endAddr());
        }
    }

    @Test
    void rangesAboveTwoToTheSixtyThreeSortUnsigned() {
        try (GuestMemory memory = GuestMemory.create(GuestRange.of(0x8000_0000_0000_0000L, PAGE), GuestRange.of(0x1000, PAGE))) {
            assertEquals(GuestAddress.of(0x1000), memory.regions().get(0).guestBase());
            assertEquals(GuestAddress.of(0x8000_0000_0000_0000L), memory.regions().get(1).guestBase());
            assertEquals(GuestAddress.of(0x8000_0000_0000_1000L), memory.endAddr());
        }
    }

    @Test
    void adjacentRangesAreSeparateRegions() {
        try (GuestMemory memory = GuestMemory.create(GuestRange.of(PAGE, PAGE), GuestRange.of(0, PAGE))) {
            assertEquals(2, memory.numRegions());
            assertEquals(2 * PAGE, memory.memorySize());
        }
    }

    @Test
    void theMemfdIsSealedAgainstShrinkingAndGrowing() {
        try (GuestMemory memory = GuestMemory.create(GuestRange.of(0, PAGE))) {
            int seals = memory.sharedMemory().getSeals();
            assertEquals(LibC.F_SEAL_SHRINK | LibC.F_SEAL_GROW, seals & (LibC.F_SEAL_SHRINK | LibC.F_SEAL_GROW));
            assertEquals(0, seals & LibC.F_SEAL_WRITE, "a write seal would forbid the shared mappings");
            int fd = memory.sharedMemory().asRawDescriptor();
            assertEquals(Errno.EPERM, assertThrows(SyscallException.class, () -> LibC.ftruncateChecked(fd, 2 * PAGE)).errno());
            assertEquals(Errno.EPERM, assertThrows(SyscallException.class, () -> LibC.ftruncateChecked(fd, 0)).errno());
            assertEquals(Errno.EPERM, assertThrows(MmapException.class,
                () -> memory.sharedMemory().addSeals(LibC.F_SEAL_WRITE)).errno(), "F_SEAL_SEAL keeps the seals as they are");
        }
    }

    @Test
    void regionListIsImmutable() {
        try (GuestMemory memory = GuestMemory.create(GuestRange.of(0, PAGE))) {
            List<GuestMemoryRegion> regions = memory.regions();
            assertThrows(UnsupportedOperationException.class, () -> regions.add(regions.get(0)));
            assertThrows(UnsupportedOperationException.class, () -> regions.remove(0));
        }
    }

    @Test
    void regionMappingGivesTheHostAddressButCannotBeClosed() {
        try (GuestMemory memory = GuestMemory.create(GuestRange.of(0, 2 * PAGE), GuestRange.of(0x10_0000, PAGE))) {
            for (GuestMemoryRegion region : memory.regions()) {
                MappedRegion mapping = region.mapping();
                assertEquals(region.hostAddress(), mapping.asPtr());
                assertEquals(region.size(), mapping.size());
                assertFalse(mapping instanceof AutoCloseable, "the region view must not expose close()");
                assertEquals(0, region.hostAddress() % PAGE);
                assertFails(MmapException.Kind.ADD_FD_MAPPING_UNSUPPORTED,
                    () -> mapping.addFdMapping(0, PAGE, memory.sharedMemory(), 0, Protection.readWrite()));
                assertFails(MmapException.Kind.REMOVE_MAPPING_UNSUPPORTED, () -> mapping.removeMapping(0, PAGE));
            }
            assertNotEquals(memory.regions().get(0).hostAddress(), memory.regions().get(1).hostAddress());
        }
    }

    @Test
    void everyRegionIsTheMemfdAtItsShmOffset() {
        try (GuestMemory memory = GuestMemory.create(GuestRange.of(0x20_0000, 2 * PAGE), GuestRange.of(0, PAGE))) {
            memory.writeLongAtAddr(0x1122_3344_5566_7788L, GuestAddress.of(0x20_1008));
            long shmOffset = memory.offsetFromBase(GuestAddress.of(0x20_1008));
            assertEquals(PAGE + PAGE + 8, shmOffset);
            try (MemoryMapping alias = MemoryMapping.builder(memory.memorySize()).fromSharedMemory(memory.sharedMemory()).build()) {
                assertEquals(0x1122_3344_5566_7788L, alias.readLong(shmOffset));
                alias.writeInt(0xcafe, 16);
                assertEquals(0xcafe, memory.readIntFromAddr(GuestAddress.of(16)));
            }
        }
    }

    @Test
    void largeSparseLayoutWithAHoleBelowFourGibIsCheapAndUsable() {
        try (GuestMemory memory = GuestMemory.create(GuestRange.of(0, 3 * GIB), GuestRange.of(4 * GIB, 2 * GIB))) {
            memory.writeLongAtAddr(1, GuestAddress.of(3 * GIB - 8));
            memory.writeLongAtAddr(2, GuestAddress.of(4 * GIB));
            memory.writeLongAtAddr(3, GuestAddress.of(6 * GIB - 8));
            assertEquals(1, memory.readLongFromAddr(GuestAddress.of(3 * GIB - 8)));
            assertEquals(2, memory.readLongFromAddr(GuestAddress.of(4 * GIB)));
            assertEquals(3, memory.readLongFromAddr(GuestAddress.of(6 * GIB - 8)));
            assertFails(Kind.INVALID_GUEST_ADDRESS, () -> memory.readLongFromAddr(GuestAddress.of(3 * GIB)));
            assertEquals(3 * GIB + PAGE, memory.offsetFromBase(GuestAddress.of(4 * GIB + PAGE)));
        }
    }
}
