package io.jvmm.memory;

import static io.jvmm.memory.TestSupport.assertKind;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvmm.core.Errno;
import io.jvmm.core.LibC;
import io.jvmm.memory.MmapException.Kind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MemoryMappingUnixTest {
    private static final long PAGE = MappingState.PAGE_SIZE;

    private final MemoryMapping mapping = MemoryMapping.builder(8 * PAGE).build();

    @AfterEach
    void close() {
        mapping.close();
    }

    private void fill() {
        mapping.getSlice(0, mapping.size()).writeBytes((byte) 0x5A);
    }

    @Test
    void removedRangeReadsBackAsZeros() {
        fill();
        mapping.removeRange(2 * PAGE, 3 * PAGE);
        assertTrue(mapping.getSlice(2 * PAGE, 3 * PAGE).isAllZero());
        assertEquals((byte) 0x5A, mapping.readByte(2 * PAGE - 1), "the page before keeps its data");
        assertEquals((byte) 0x5A, mapping.readByte(5 * PAGE), "the page after keeps its data");
    }

    @Test
    void removedRangeOfAMemfdIsFreedInTheMemfdToo() {
        try (SharedMemory shm = SharedMemory.create("remove", 4 * PAGE);
             MemoryMapping first = MemoryMapping.builder(4 * PAGE).fromSharedMemory(shm).build();
             MemoryMapping second = MemoryMapping.builder(4 * PAGE).fromSharedMemory(shm).build()) {
            first.writeLong(7, PAGE);
            assertEquals(7, second.readLong(PAGE));
            first.removeRange(PAGE, PAGE);
            assertEquals(0, second.readLong(PAGE));
        }
    }

    @Test
    void removeRangeMayEndUnalignedAtTheEndOfTheMapping() {
        try (MemoryMapping odd = MemoryMapping.builder(PAGE + 100).build()) {
            odd.getSlice(0, odd.size()).writeBytes((byte) 1);
            odd.removeRange(PAGE, 100);
            assertTrue(odd.getSlice(PAGE, 100).isAllZero());
            assertEquals(1, odd.readByte(PAGE - 1));
        }
    }

    @Test
    void removeRangeToAnUnalignedEndLeavesTheFileBeyondTheMappingAlone() {
        // A 100-byte view of a two-page memfd: MADV_REMOVE of those 100 bytes would punch the
        // whole first page out of the memfd, bytes 100..4095 included, which another holder sees.
        try (SharedMemory shm = SharedMemory.create("tail", 2 * PAGE);
             MemoryMapping whole = MemoryMapping.builder(2 * PAGE).fromSharedMemory(shm).build();
             MemoryMapping view = MemoryMapping.builder(100).fromSharedMemory(shm).build()) {
            whole.getSlice(0, whole.size()).writeBytes((byte) 0xAA);
            view.removeRange(0, 100);
            assertTrue(whole.getSlice(0, 100).isAllZero(), "the range itself reads as zeros");
            for (long at : new long[] {100, PAGE - 1, PAGE, 2 * PAGE - 1}) {
                assertEquals((byte) 0xAA, whole.readByte(at), "memfd byte " + at + " lies outside the range");
            }
        }
    }

    @Test
    void removeRangeOfPartialPagesIsRefusedRatherThanZeroingNeighbours() {
        fill();
        assertKind(Kind.NOT_PAGE_ALIGNED, () -> mapping.removeRange(1, PAGE));
        assertKind(Kind.NOT_PAGE_ALIGNED, () -> mapping.removeRange(0, PAGE + 1));
        assertKind(Kind.NOT_PAGE_ALIGNED, () -> mapping.dropPageCache(PAGE / 2, PAGE));
        assertEquals((byte) 0x5A, mapping.readByte(PAGE), "nothing was removed");
    }

    @Test
    void unixCallsOutsideTheMappingAreInvalidRange() {
        long size = mapping.size();
        List<TestSupport.NamedCall> calls = List.of(
            new TestSupport.NamedCall("removeRange", () -> mapping.removeRange(size, PAGE)),
            new TestSupport.NamedCall("asyncPrefetch", () -> mapping.asyncPrefetch(-1, 1)),
            new TestSupport.NamedCall("dropPageCache", () -> mapping.dropPageCache(0, size + PAGE)),
            new TestSupport.NamedCall("lockOnFault", () -> mapping.lockOnFault(0, -1)),
            new TestSupport.NamedCall("unlock", () -> mapping.unlock(Long.MAX_VALUE, Long.MAX_VALUE)),
            new TestSupport.NamedCall("removeRange overflow", () -> mapping.removeRange(PAGE, Long.MAX_VALUE)));
        for (TestSupport.NamedCall call : calls) {
            MmapException e = assertKind(Kind.INVALID_RANGE, call.body()::run);
            assertTrue(e.getMessage().contains("size " + size), e.getMessage());
        }
    }

    @Test
    void emptyRangesAreAccepted() {
        mapping.removeRange(mapping.size(), 0);
        mapping.asyncPrefetch(0, 0);
        mapping.lockOnFault(PAGE, 0);
        mapping.unlock(PAGE, 0);
    }

    @Test
    void removeRangeOfAPrivateMappingFailsWithEacces(@TempDir Path dir) throws IOException {
        // A write-sealed memfd is mapped private; MADV_REMOVE needs a shared writable mapping.
        try (SharedMemory shm = SharedMemory.create("sealed", PAGE)) {
            shm.addSeals(LibC.F_SEAL_WRITE);
            try (MemoryMapping sealed = MemoryMapping.builder(PAGE).fromSharedMemory(shm).build()) {
                MmapException e = assertKind(Kind.SYSTEM_CALL_FAILED, () -> sealed.removeRange(0, PAGE));
                assertEquals(Errno.EACCES, e.errno());
                assertTrue(e.getMessage().contains("EACCES"), e.getMessage());
            }
        }
    }

    @Test
    void removeRangeOfALockedRangeFailsWithEinval() {
        mapping.lockOnFault(0, PAGE);
        try {
            MmapException e = assertKind(Kind.SYSTEM_CALL_FAILED, () -> mapping.removeRange(0, PAGE));
            assertEquals(Errno.EINVAL, e.errno());
        } finally {
            mapping.unlock(0, PAGE);
        }
        mapping.removeRange(0, PAGE);
    }

    @Test
    void lockOnFaultLocksPagesOnlyOnceTouched() throws IOException {
        mapping.lockOnFault(0, mapping.size());
        Smaps.Area locked = Smaps.area(mapping.asPtr());
        assertTrue(locked.flags().containsAll(List.of("lo", "lf")), "VmFlags " + locked.flags());
        assertEquals(0, locked.lockedKib(), "MLOCK_ONFAULT locks nothing that was not faulted in");
        mapping.writeLong(1, 0);
        mapping.writeLong(1, 3 * PAGE);
        assertEquals(2 * PAGE / 1024, Smaps.area(mapping.asPtr()).lockedKib());
        mapping.unlock(0, mapping.size());
        Smaps.Area unlocked = Smaps.area(mapping.asPtr());
        assertFalse(unlocked.flags().contains("lo"), "VmFlags " + unlocked.flags());
        assertEquals(0, unlocked.lockedKib());
        assertEquals(1, mapping.readLong(3 * PAGE), "unlocking keeps the data");
    }

    @Test
    void lockAllLocksTheWholeMappingOnFault() throws IOException {
        mapping.lockAll();
        mapping.getSlice(0, mapping.size()).writeBytes((byte) 1);
        Smaps.Area vma = Smaps.area(mapping.asPtr());
        assertEquals(mapping.asPtr(), vma.start(), "the whole mapping is one locked area");
        assertEquals(mapping.asPtr() + mapping.size(), vma.end());
        assertEquals(mapping.size() / 1024, vma.lockedKib());
        mapping.unlock(0, mapping.size());
        assertEquals(0, Smaps.area(mapping.asPtr()).lockedKib());
    }

    @Test
    void asyncPrefetchAcceptsAnyInsideRangeAndKeepsData() {
        fill();
        mapping.asyncPrefetch(PAGE + 3, 10);
        mapping.asyncPrefetch(0, mapping.size());
        assertEquals((byte) 0x5A, mapping.readByte(PAGE + 3));
    }

    @Test
    void dropPageCacheOfASharedMappingKeepsTheData() {
        fill();
        mapping.dropPageCache(0, mapping.size());
        assertEquals((byte) 0x5A, mapping.readByte(mapping.size() - 1));
        assertFalse(mapping.getSlice(0, PAGE).isAllZero());
    }

    @Test
    void dropPageCacheOfAPrivateMappingDiscardsPrivateWrites() {
        try (SharedMemory shm = SharedMemory.create("sealed-drop", PAGE)) {
            try (MemoryMapping writer = MemoryMapping.builder(PAGE).fromSharedMemory(shm).build()) {
                writer.writeLong(11, 0);
            }
            shm.addSeals(LibC.F_SEAL_WRITE);
            try (MemoryMapping sealed = MemoryMapping.builder(PAGE).fromSharedMemory(shm).build()) {
                sealed.writeLong(22, 0);
                assertEquals(22, sealed.readLong(0));
                sealed.dropPageCache(0, PAGE);
                assertEquals(11, sealed.readLong(0), "the sealed memfd's contents come back");
            }
        }
    }

    @Test
    void unixCallsOnAFileMappingWork(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("data");
        Files.write(file, TestSupport.pattern((int) (2 * PAGE), 9));
        try (io.jvmm.core.SafeDescriptor fd = io.jvmm.core.SafeDescriptor.open(file.toString(), LibC.O_RDWR);
             MemoryMapping fileMapping = MemoryMapping.builder(2 * PAGE).fromDescriptor(fd).build()) {
            fileMapping.asyncPrefetch(0, 2 * PAGE);
            fileMapping.dropPageCache(0, 2 * PAGE);
            byte[] back = new byte[(int) (2 * PAGE)];
            fileMapping.readSlice(back, 0);
            assertArrayEquals(TestSupport.pattern((int) (2 * PAGE), 9), back);
            fileMapping.removeRange(PAGE, PAGE);
            assertTrue(fileMapping.getSlice(PAGE, PAGE).isAllZero());
        }
        byte[] onDisk = Files.readAllBytes(file);
        assertEquals(2 * PAGE, onDisk.length, "punching a hole keeps the file's length");
        assertTrue(java.util.Arrays.equals(new byte[(int) PAGE], 0, (int) PAGE, onDisk, (int) PAGE, onDisk.length));
    }
}
