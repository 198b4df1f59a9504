package io.jvmm.memory;

import static io.jvmm.memory.TestSupport.assertKind;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.jna.Pointer;
import io.jvmm.core.ClosedException;
import io.jvmm.core.Errno;
import io.jvmm.core.LibC;
import io.jvmm.core.SafeDescriptor;
import io.jvmm.memory.MmapException.Kind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The arena has no accessors, so these tests look at its pages through JNA at {@code asPtr()}, and
 * only at ranges they made readable (or writable) first.
 */
class MemoryMappingArenaTest {
    private static final long PAGE = MappingState.PAGE_SIZE;

    private final MemoryMappingArena arena = new MemoryMappingArena(8 * PAGE);

    @AfterEach
    void close() {
        arena.close();
    }

    private Pointer at(long offset) {
        return new Pointer(arena.asPtr() + offset);
    }

    private String perms(long offset) throws IOException {
        return Smaps.area(arena.asPtr() + offset).perms();
    }

    @Test
    void newArenaReservesInaccessibleAddressSpaceWithoutMemory() throws IOException {
        assertEquals(8 * PAGE, arena.size());
        assertEquals(0, arena.asPtr() % PAGE);
        Smaps.Area area = Smaps.area(arena.asPtr());
        assertEquals("---p", area.perms());
        assertEquals(0, area.rssKib());
        assertTrue(area.end() - arena.asPtr() >= 8 * PAGE);
        assertTrue(area.flags().contains("nr"), "MAP_NORESERVE: VmFlags " + area.flags());
    }

    @Test
    void arenaSizeThatIsNotPositiveIsInvalidArgument() {
        assertKind(Kind.INVALID_ARGUMENT, () -> new MemoryMappingArena(0));
        assertKind(Kind.INVALID_ARGUMENT, () -> new MemoryMappingArena(-PAGE));
    }

    @Test
    void arenaSizeThatOverflowsOrCannotBeReservedFails() {
        assertKind(Kind.OVERFLOW, () -> new MemoryMappingArena(Long.MAX_VALUE));
        MmapException e = assertKind(Kind.SYSTEM_CALL_FAILED, () -> new MemoryMappingArena(1L << 62));
        assertEquals(Errno.ENOMEM, e.errno());
    }

    @Test
    void addAnonMapsReadWriteZeros() throws IOException {
        arena.addAnon(2 * PAGE, 2 * PAGE);
        assertEquals("rw-s", perms(2 * PAGE));
        assertEquals(0, at(2 * PAGE).getLong(0));
        at(2 * PAGE).setLong(PAGE, 42);
        assertEquals(42, at(3 * PAGE).getLong(0));
        assertEquals("---p", perms(PAGE), "the rest of the arena stays reserved");
        assertEquals("---p", perms(4 * PAGE));
    }

    @Test
    void addAnonProtectionAppliesTheProtection() throws IOException {
        arena.addAnonProtection(0, PAGE, Protection.read());
        assertEquals("r--s", perms(0));
        assertEquals(0, at(0).getLong(8));
        arena.addAnonProtection(PAGE, PAGE, Protection.none());
        assertEquals("---s", perms(PAGE));
    }

    @Test
    void sizesRoundUpToWholePages() throws IOException {
        arena.addAnon(PAGE, 1);
        Smaps.Area area = Smaps.area(arena.asPtr() + PAGE);
        assertEquals(arena.asPtr() + PAGE, area.start());
        assertEquals(arena.asPtr() + 2 * PAGE, area.end());
        at(PAGE).setByte(PAGE - 1, (byte) 1);
    }

    @Test
    void addFdMapsTheMemfdFromItsStart() throws IOException {
        try (SharedMemory shm = SharedMemory.create("arena-fd", 2 * PAGE);
             MemoryMapping view = MemoryMapping.builder(2 * PAGE).fromSharedMemory(shm).build()) {
            view.writeLong(0xABCDL, 8);
            arena.addFd(PAGE, 2 * PAGE, shm);
            assertEquals("rw-s", perms(PAGE));
            assertEquals(0xABCDL, at(PAGE).getLong(8));
            at(PAGE).setLong(PAGE, 0x1234L);
            assertEquals(0x1234L, view.readLong(PAGE), "writes through the arena reach the memfd");
        }
    }

    @Test
    void addFdOffsetMapsFromTheDescriptorOffset() {
        try (SharedMemory shm = SharedMemory.create("arena-fd-offset", 4 * PAGE);
             MemoryMapping view = MemoryMapping.builder(4 * PAGE).fromSharedMemory(shm).build()) {
            view.writeLong(3, 3 * PAGE);
            arena.addFdOffset(0, PAGE, shm, 3 * PAGE);
            assertEquals(3, at(0).getLong(0));
        }
    }

    @Test
    void addFdOffsetProtectionAndAddFdMappingApplyTheProtection() throws IOException {
        try (SharedMemory shm = SharedMemory.create("arena-fd-prot", 2 * PAGE)) {
            arena.addFdOffsetProtection(0, PAGE, shm, PAGE, Protection.read());
            assertEquals("r--s", perms(0));
            arena.addFdMapping(4 * PAGE, PAGE, shm, 0, Protection.readWrite());
            assertEquals("rw-s", perms(4 * PAGE));
        }
    }

    @Test
    void writeSealedMemfdIsMappedPrivately() throws IOException {
        try (SharedMemory shm = SharedMemory.create("arena-sealed", PAGE)) {
            shm.addSeals(LibC.F_SEAL_WRITE);
            arena.addFd(0, PAGE, shm);
            assertEquals("rw-p", perms(0));
            at(0).setLong(0, 5);
            try (MemoryMapping reader = MemoryMapping.builder(PAGE).fromSharedMemory(shm).protection(Protection.read()).build()) {
                assertEquals(0, reader.readLong(0));
            }
        }
    }

    @Test
    void fileMappedIntoTheArenaIsWrittenBackByMsync(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("arena-file");
        Files.write(file, new byte[(int) (2 * PAGE)]);
        try (SafeDescriptor fd = SafeDescriptor.open(file.toString(), LibC.O_RDWR)) {
            arena.addFd(2 * PAGE, 2 * PAGE, fd);
            at(2 * PAGE).setLong(PAGE + 16, 0x0102030405060708L);
            arena.msync(2 * PAGE, 2 * PAGE);
        }
        byte[] onDisk = Files.readAllBytes(file);
        assertEquals(8, onDisk[(int) PAGE + 16]);
        assertEquals(1, onDisk[(int) PAGE + 23]);
    }

    @Test
    void removeReplacesTheRangeWithReadOnlyZerosAndLeavesTheFileAlone() throws IOException {
        try (SharedMemory shm = SharedMemory.create("arena-remove", 2 * PAGE);
             MemoryMapping view = MemoryMapping.builder(2 * PAGE).fromSharedMemory(shm).build()) {
            view.writeLong(77, 0);
            view.writeLong(78, PAGE);
            arena.addFd(0, 2 * PAGE, shm);
            arena.remove(0, PAGE);
            assertEquals("r--p", perms(0));
            assertEquals(0, at(0).getLong(0));
            assertEquals(78, at(PAGE).getLong(0), "the page after the removed range still maps the memfd");
            assertEquals(77, view.readLong(0), "the memfd's pages are untouched");
            arena.removeMapping(PAGE, PAGE);
            assertEquals(0, at(PAGE).getLong(0));
        }
    }

    @Test
    void overlappingAddsReplaceWhatWasThere() throws IOException {
        try (SharedMemory shm = SharedMemory.create("arena-overlap", PAGE)) {
            arena.addAnon(0, 4 * PAGE);
            at(0).setLong(PAGE, 1);
            at(0).setLong(2 * PAGE, 2);
            arena.addFd(PAGE, PAGE, shm);
            assertEquals(0, at(PAGE).getLong(0), "the memfd's page replaced the anonymous one");
            assertEquals(2, at(2 * PAGE).getLong(0), "the neighbour is untouched");
            arena.addAnon(0, 4 * PAGE);
            assertEquals("rw-s", perms(PAGE));
            assertEquals(0, at(2 * PAGE).getLong(0));
        }
    }

    @Test
    void offsetsMustBePageAligned() {
        try (SharedMemory shm = SharedMemory.create("arena-align", PAGE)) {
            List<TestSupport.NamedCall> calls = List.of(
                new TestSupport.NamedCall("addAnon", () -> arena.addAnon(1, PAGE)),
                new TestSupport.NamedCall("addAnonProtection", () -> arena.addAnonProtection(PAGE + 8, PAGE, Protection.read())),
                new TestSupport.NamedCall("addFd", () -> arena.addFd(PAGE / 2, PAGE, shm)),
                new TestSupport.NamedCall("addFdOffset", () -> arena.addFdOffset(3, PAGE, shm, 0)),
                new TestSupport.NamedCall("addFdOffsetProtection", () -> arena.addFdOffsetProtection(-1, PAGE, shm, 0, Protection.read())),
                new TestSupport.NamedCall("addFdMapping", () -> arena.addFdMapping(Long.MAX_VALUE, PAGE, shm, 0, Protection.read())),
                new TestSupport.NamedCall("remove", () -> arena.remove(5, PAGE)),
                new TestSupport.NamedCall("removeMapping", () -> arena.removeMapping(5, PAGE)),
                new TestSupport.NamedCall("msync", () -> arena.msync(5, PAGE)),
                new TestSupport.NamedCall("fd offset", () -> arena.addFdOffset(0, PAGE, shm, 100)));
            for (TestSupport.NamedCall call : calls) {
                assertKind(Kind.NOT_PAGE_ALIGNED, call.body()::run);
            }
        }
    }

    @Test
    void rangesOutsideTheArenaAreInvalidAddress() {
        long size = arena.size();
        assertKind(Kind.INVALID_ADDRESS, () -> arena.addAnon(size, PAGE));
        assertKind(Kind.INVALID_ADDRESS, () -> arena.addAnon(size - PAGE, PAGE + 1));
        assertKind(Kind.INVALID_ADDRESS, () -> arena.addAnon(-PAGE, PAGE));
        assertKind(Kind.INVALID_ADDRESS, () -> arena.addAnon(PAGE, Long.MAX_VALUE));
        assertKind(Kind.INVALID_ADDRESS, () -> arena.remove(0, size + 1));
        assertKind(Kind.INVALID_ADDRESS, () -> arena.msync(size, PAGE));
        MmapException e = assertKind(Kind.INVALID_ADDRESS, () -> arena.addAnon(8 * PAGE, PAGE));
        assertTrue(e.getMessage().contains("arena of size " + size), e.getMessage());
    }

    @Test
    void sizesThatAreNotPositiveAreInvalidArgument() {
        assertKind(Kind.INVALID_ARGUMENT, () -> arena.addAnon(0, 0));
        assertKind(Kind.INVALID_ARGUMENT, () -> arena.remove(0, -PAGE));
        assertKind(Kind.INVALID_ARGUMENT, () -> arena.msync(0, 0));
    }

    @Test
    void badFdOffsetsAreRefused() {
        try (SharedMemory shm = SharedMemory.create("arena-fd-bad", PAGE)) {
            assertKind(Kind.INVALID_OFFSET, () -> arena.addFdOffset(0, PAGE, shm, -PAGE));
            assertKind(Kind.OVERFLOW, () -> arena.addFdOffset(0, PAGE, shm, Long.MAX_VALUE - (Long.MAX_VALUE % PAGE)));
        }
    }

    @Test
    void descriptorFailuresCarryTheErrnoAndLeaveTheRangeAlone(@TempDir Path dir) throws IOException {
        arena.addAnon(0, PAGE);
        at(0).setLong(0, 9);
        MmapException badFd = assertKind(Kind.SYSTEM_CALL_FAILED, () -> arena.addFd(0, PAGE, () -> 987654));
        assertEquals(Errno.EBADF, badFd.errno());
        Path file = dir.resolve("ro");
        Files.write(file, new byte[(int) PAGE]);
        try (SafeDescriptor readOnly = SafeDescriptor.open(file.toString(), LibC.O_RDONLY)) {
            MmapException denied = assertKind(Kind.SYSTEM_CALL_FAILED, () -> arena.addFd(0, PAGE, readOnly));
            assertEquals(Errno.EACCES, denied.errno());
            arena.addFdOffsetProtection(PAGE, PAGE, readOnly, 0, Protection.read());
        }
        assertEquals(9, at(0).getLong(0), "failed calls did not replace the page");
        SharedMemory closed = SharedMemory.create("closed", PAGE);
        closed.close();
        assertKind(Kind.INVALID_ARGUMENT, () -> arena.addFd(0, PAGE, closed));
    }

    @Test
    void fromTakesTheMappingPagesAndClosesItForItsOldHolder() throws IOException {
        MemoryMapping mapping = MemoryMapping.builder(4 * PAGE).build();
        VolatileSlice slice = mapping.getSlice(0, 64);
        long oldAddress = mapping.asPtr();
        mapping.writeLong(0x77, 3 * PAGE + 8);
        try (MemoryMappingArena taken = MemoryMappingArena.from(mapping)) {
            assertFalse(mapping.isOpen());
            assertThrows(ClosedException.class, () -> mapping.readLong(0));
            assertThrows(ClosedException.class, () -> mapping.writeLong(1, 0));
            assertThrows(ClosedException.class, slice::isAllZero);
            assertThrows(ClosedException.class, mapping::asPtr);
            assertEquals(4 * PAGE, taken.size());
            assertNotEquals(oldAddress, taken.asPtr(), "the pages moved to the arena's own range");
            assertEquals(0x77, new Pointer(taken.asPtr()).getLong(3 * PAGE + 8));
            assertEquals("rw-s", Smaps.area(taken.asPtr()).perms());
            assertEquals("rw-p", Smaps.area(oldAddress).perms(), "the old range holds scratch memory");
            taken.remove(0, PAGE);
            assertEquals("r--p", Smaps.area(taken.asPtr()).perms());
            taken.addAnonProtection(PAGE, PAGE, Protection.none());
            assertEquals(0x77, new Pointer(taken.asPtr()).getLong(3 * PAGE + 8));
        }
        mapping.close();
    }

    @Test
    void fromKeepsAMemfdMappingConnectedToItsMemfd() {
        try (SharedMemory shm = SharedMemory.create("arena-from-memfd", 2 * PAGE);
             MemoryMapping view = MemoryMapping.builder(2 * PAGE).fromSharedMemory(shm).build();
             MemoryMappingArena taken = MemoryMappingArena.from(MemoryMapping.builder(2 * PAGE).fromSharedMemory(shm).build())) {
            new Pointer(taken.asPtr()).setLong(PAGE, 31);
            assertEquals(31, view.readLong(PAGE));
        }
    }

    @Test
    void fromMovesAPrivateSealedMappingWithItsPrivateWrites() {
        try (SharedMemory shm = SharedMemory.create("arena-from-sealed", PAGE)) {
            shm.addSeals(LibC.F_SEAL_WRITE);
            MemoryMapping sealed = MemoryMapping.builder(PAGE).fromSharedMemory(shm).build();
            sealed.writeLong(12, 0);
            try (MemoryMappingArena taken = MemoryMappingArena.from(sealed)) {
                assertEquals(12, new Pointer(taken.asPtr()).getLong(0));
            }
        }
    }

    @Test
    void fromMovesAMappingThatAPartialLockSplit() throws IOException {
        MemoryMapping mapping = MemoryMapping.builder(4 * PAGE).build();
        mapping.writeLong(5, 3 * PAGE);
        mapping.lockOnFault(PAGE, PAGE);
        assertEquals(mapping.asPtr() + PAGE, Smaps.area(mapping.asPtr() + PAGE).start(), "the lock split the mapping");
        try (MemoryMappingArena taken = MemoryMappingArena.from(mapping)) {
            assertEquals(5, new Pointer(taken.asPtr()).getLong(3 * PAGE));
        } catch (MmapException e) {
            // Kernels before 6.17 move one memory area per mremap: the hand-over must then fail
            // cleanly, leaving the mapping open and intact.
            assertEquals(Errno.EFAULT, e.errno(), e.getMessage());
            assertTrue(mapping.isOpen());
            assertEquals(5, mapping.readLong(3 * PAGE));
        } finally {
            mapping.close();
        }
    }

    @Test
    void failedMoveLeavesTheMappingOpenAndIntact() {
        try (MemoryMapping mapping = MemoryMapping.builder(2 * PAGE).build()) {
            mapping.writeLong(6, 0);
            // mremap refuses an unaligned destination (EINVAL) before touching anything.
            MmapException e = assertKind(Kind.SYSTEM_CALL_FAILED, () -> mapping.state().moveTo(mapping.asPtr() + 4 * PAGE + 1, 2 * PAGE));
            assertEquals(Errno.EINVAL, e.errno());
            assertTrue(mapping.isOpen());
            assertEquals(6, mapping.readLong(0));
        }
    }

    @Test
    void fromAClosedMappingIsIllegalState() {
        MemoryMapping mapping = MemoryMapping.builder(PAGE).build();
        mapping.close();
        assertThrows(ClosedException.class, () -> MemoryMappingArena.from(mapping));
        MemoryMapping moved = MemoryMapping.builder(PAGE).build();
        MemoryMappingArena.from(moved).close();
        assertThrows(ClosedException.class, () -> MemoryMappingArena.from(moved), "a mapping is handed over once");
    }

    @Test
    void fromKeepsAnUnevenMappingSize() {
        MemoryMapping mapping = MemoryMapping.builder(PAGE + 10).build();
        mapping.writeByte((byte) 3, PAGE + 9);
        try (MemoryMappingArena taken = MemoryMappingArena.from(mapping)) {
            assertEquals(PAGE + 10, taken.size());
            assertEquals(3, new Pointer(taken.asPtr()).getByte(PAGE + 9));
            taken.addAnon(PAGE, 10);
            assertKind(Kind.INVALID_ADDRESS, () -> taken.addAnon(PAGE, 11));
        }
    }

    @Test
    void closeIsIdempotentAndUnmapsTheArena() throws IOException {
        long address = arena.asPtr();
        arena.close();
        arena.close();
        assertFalse(arena.isOpen());
        assertEquals(8 * PAGE, arena.size());
        assertTrue(arena.toString().contains("closed"));
        boolean stillOurs;
        try {
            Smaps.Area area = Smaps.area(address);
            stillOurs = area.start() == address && area.perms().equals("---p") && area.end() - area.start() == 8 * PAGE;
        } catch (IllegalStateException unmapped) {
            stillOurs = false;
        }
        assertFalse(stillOurs, "the reservation is gone");
    }

    @Test
    void everyCallAfterCloseIsIllegalState() {
        arena.close();
        try (SharedMemory shm = SharedMemory.create("after-close", PAGE)) {
            List<TestSupport.NamedCall> calls = List.of(
                new TestSupport.NamedCall("asPtr", arena::asPtr),
                new TestSupport.NamedCall("addAnon", () -> arena.addAnon(0, PAGE)),
                new TestSupport.NamedCall("addAnonProtection", () -> arena.addAnonProtection(0, PAGE, Protection.read())),
                new TestSupport.NamedCall("addFd", () -> arena.addFd(0, PAGE, shm)),
                new TestSupport.NamedCall("addFdOffset", () -> arena.addFdOffset(0, PAGE, shm, 0)),
                new TestSupport.NamedCall("addFdOffsetProtection", () -> arena.addFdOffsetProtection(0, PAGE, shm, 0, Protection.read())),
                new TestSupport.NamedCall("addFdMapping", () -> arena.addFdMapping(0, PAGE, shm, 0, Protection.read())),
                new TestSupport.NamedCall("remove", () -> arena.remove(0, PAGE)),
                new TestSupport.NamedCall("removeMapping", () -> arena.removeMapping(0, PAGE)),
                new TestSupport.NamedCall("msync", () -> arena.msync(0, PAGE)));
            for (TestSupport.NamedCall call : calls) {
                assertThrows(ClosedException.class, call.body()::run, call.name());
            }
        }
    }

    @Test
    void toStringNamesTheSize() {
        assertEquals("MemoryMappingArena[size=" + 8 * PAGE + "]", arena.toString());
    }

    @Test
    void arenaAddressIsWhatAMemorySlotWouldReceive() {
        arena.addAnon(0, 8 * PAGE);
        byte[] data = TestSupport.pattern(64, 8);
        at(0).write(0, data, 0, data.length);
        byte[] back = new byte[64];
        new Pointer(arena.asPtr()).read(0, back, 0, 64);
        assertArrayEquals(data, back);
    }
}
