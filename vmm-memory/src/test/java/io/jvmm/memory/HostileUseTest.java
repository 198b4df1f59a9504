package io.jvmm.memory;

import static io.jvmm.memory.TestSupport.assertKind;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jvmm.core.AsRawDescriptor;
import io.jvmm.core.ClosedException;
import io.jvmm.core.Errno;
import io.jvmm.core.LibC;
import io.jvmm.core.SafeDescriptor;
import io.jvmm.core.SyscallException;
import io.jvmm.memory.MmapException.Kind;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * The memory API used the way a careless or hostile caller would (issue 7): each case is one a
 * probe found to crash the JVM, lose data or throw the wrong thing, plus its variants. None of
 * them may end the JVM; each must end in the documented exception with the state left as the
 * documentation says.
 */
class HostileUseTest {
    private static final long PAGE = MappingState.PAGE_SIZE;
    private static final long MIB = 1L << 20;
    private static final int MFD_HUGETLB = 0x0004;

    // ---- a failed arena call leaves the range exactly as it was ----

    @Test
    void failedHugetlbMappingLeavesNoHoleForAnotherMappingToLandIn() {
        SafeDescriptor huge = hugetlbMemfd(4 * MIB);
        try (huge; MemoryMappingArena arena = new MemoryMappingArena(8 * MIB)) {
            arena.addAnon(0, 8 * MIB);
            long offset = alignedOffset(arena, 2 * MIB);
            // hugetlbfs refuses a file offset that is not a multiple of the huge page size, but
            // only after a MAP_FIXED mmap has unmapped what the range held.
            assertKind(Kind.SYSTEM_CALL_FAILED, () -> arena.addFdOffset(offset, 4 * MIB, huge, PAGE));
            assertEquals(List.of(new ProcMaps.Area(arena.asPtr(), arena.asPtr() + 8 * MIB, "rw-s")),
                ProcMaps.coverage(arena.asPtr(), 8 * MIB), "the arena must still be one shared read-write mapping");

            List<MemoryMapping> others = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                MemoryMapping m = MemoryMapping.builder(MIB).build();
                others.add(m);
                assertFalse(m.asPtr() + MIB > arena.asPtr() && m.asPtr() < arena.asPtr() + 8 * MIB,
                    "a new mapping landed inside the arena");
                m.writeLong(i, 0);
            }
            arena.close();
            for (int i = 0; i < others.size(); i++) {
                assertTrue(others.get(i).isOpen());
                assertEquals(i, others.get(i).readLong(0), "a mapping next to the arena survived its close");
                others.get(i).close();
            }
        }
    }

    @Test
    void failedDescriptorMappingsKeepTheOldPagesAndTheirData() {
        try (SharedMemory shm = SharedMemory.create("hostile", 4 * PAGE);
             MemoryMappingArena arena = new MemoryMappingArena(4 * PAGE);
             MemoryMapping view = MemoryMapping.builder(4 * PAGE).fromSharedMemory(shm).build()) {
            arena.addFd(0, 4 * PAGE, shm);
            view.writeLong(0x1122334455667788L, PAGE);
            SafeDescriptor readOnly = SafeDescriptor.open("/proc/self/fd/" + shm.asRawDescriptor(), LibC.O_RDONLY);
            try (readOnly) {
                // A shared writable mapping of a read-only descriptor: EACCES.
                MmapException e = assertKind(Kind.SYSTEM_CALL_FAILED, () -> arena.addFd(0, 2 * PAGE, readOnly));
                assertEquals(Errno.EACCES, e.errno());
            }
            AsRawDescriptor closed = () -> 1 << 20; // a number no descriptor has
            assertKind(Kind.SYSTEM_CALL_FAILED, () -> arena.addFd(PAGE, PAGE, closed));
            assertEquals(List.of(new ProcMaps.Area(arena.asPtr(), arena.asPtr() + 4 * PAGE, "rw-s")),
                ProcMaps.coverage(arena.asPtr(), 4 * PAGE));
            assertEquals(0x1122334455667788L, new com.sun.jna.Pointer(arena.asPtr()).getLong(PAGE),
                "the memfd's page is still mapped in the arena");
        }
    }

    // ---- a read-only view cannot discard shared data ----

    @Test
    void readOnlyViewCannotRemoveTheDataOfAWritableView() {
        try (SharedMemory shm = SharedMemory.create("hostile", 2 * PAGE);
             MemoryMapping rw = MemoryMapping.builder(2 * PAGE).fromSharedMemory(shm).build();
             MemoryMapping ro = MemoryMapping.builder(2 * PAGE).fromSharedMemory(shm).protection(Protection.read()).build()) {
            rw.writeLong(42, 0);
            MmapException e = assertKind(Kind.SYSTEM_CALL_FAILED, () -> ro.removeRange(0, PAGE));
            assertEquals(Errno.EACCES, e.errno());
            assertEquals(42, rw.readLong(0), "the writable view's data survived");
            assertEquals(42, ro.readLong(0));
            // The writable view may still remove it.
            rw.removeRange(0, PAGE);
            assertEquals(0, ro.readLong(0));
        }
    }

    // ---- region counts the host cannot map ----

    @Test
    void moreRegionsThanTheProcessCanMapAreRefusedWithTheReason() {
        long limit = ProcessMappings.maxMapCount().orElse(65_530);
        int count = (int) Math.min(limit + 5_000, 1_000_000);
        GuestRange[] ranges = new GuestRange[count];
        for (int i = 0; i < count; i++) {
            ranges[i] = new GuestRange(GuestAddress.of(2 * i * PAGE), PAGE);
        }
        long before = ProcessMappings.count();
        GuestMemoryException e = assertThrows(GuestMemoryException.class, () -> GuestMemory.create(ranges));
        assertEquals(GuestMemoryException.Kind.MEMORY_MAPPING_FAILED, e.kind());
        assertTrue(e.getMessage().contains("vm.max_map_count is " + limit), e.getMessage());
        assertTrue(ProcessMappings.count() < before + 100, "nothing was mapped before the refusal");
        // The process can still map: nothing was left behind.
        try (GuestMemory small = GuestMemory.create(new GuestRange(GuestAddress.of(0), PAGE))) {
            small.writeLongAtAddr(7, GuestAddress.of(0));
        }
    }

    // ---- lengths are checked before anything is allocated ----

    @Test
    void hugeStructureLengthsAreRefusedBeforeAllocation() {
        MemoryMapping m = MemoryMapping.builder(8 * 1024).build();
        long allocated = allocatedBytes(() -> {
            assertKind(Kind.INVALID_ADDRESS, () -> m.readStruct(0, Integer.MAX_VALUE));
            assertKind(Kind.INVALID_ADDRESS, () -> m.readStruct(-1, Integer.MAX_VALUE - 8));
            assertKind(Kind.INVALID_ADDRESS, () -> m.readStruct(Long.MAX_VALUE, 1 << 30));
            assertKind(Kind.INVALID_ARGUMENT, () -> m.readStruct(0, -1));
            return null;
        });
        assertTrue(allocated < 4 * MIB, "checks allocated " + allocated + " bytes");
        m.close();
        allocated = allocatedBytes(() -> {
            assertThrows(ClosedException.class, () -> m.readStruct(0, Integer.MAX_VALUE));
            assertThrows(ClosedException.class, () -> m.readStruct(0, -1));
            return null;
        });
        assertTrue(allocated < 4 * MIB, "checks after close allocated " + allocated + " bytes");
    }

    @Test
    void hugeGuestStructureLengthsAreRefusedBeforeAllocation() {
        GuestMemory g = GuestMemory.create(new GuestRange(GuestAddress.of(0), 2 * PAGE));
        long allocated = allocatedBytes(() -> {
            assertThrows(GuestMemoryException.class, () -> g.readStructFromAddr(GuestAddress.of(0), Integer.MAX_VALUE));
            assertThrows(GuestMemoryException.class, () -> g.readStructFromAddr(GuestAddress.of(-1), Integer.MAX_VALUE - 8));
            assertThrows(GuestMemoryException.class, () -> g.readStructFromAddr(GuestAddress.of(PAGE), (int) (2 * PAGE)));
            return null;
        });
        assertTrue(allocated < 4 * MIB, "checks allocated " + allocated + " bytes");
        g.close();
        assertThrows(ClosedException.class, () -> g.readStructFromAddr(GuestAddress.of(0), Integer.MAX_VALUE));
    }

    // ---- a file shrunk under a mapping ----

    @Test
    void everyAccessToPagesAShrunkMemfdLostThrowsAtOnce() {
        try (SharedMemory shm = SharedMemory.create("shrunk", 16 * PAGE);
             MemoryMapping m = MemoryMapping.builder(16 * PAGE).fromSharedMemory(shm).build()) {
            m.writeLong(5, 0);
            VolatileSlice slice = m.getSlice(0, 16 * PAGE);
            VolatileSlice tail = m.getSlice(8 * PAGE, 8 * PAGE);
            VolatileSlice head = m.getSlice(0, 64);
            LibC.ftruncateChecked(shm.asRawDescriptor(), 2 * PAGE + 100);
            List<TestSupport.NamedCall> gone = List.of(
                new TestSupport.NamedCall("readLong", () -> m.readLong(4 * PAGE)),
                new TestSupport.NamedCall("writeLong", () -> m.writeLong(1, 4 * PAGE)),
                new TestSupport.NamedCall("readLongVolatile", () -> m.readLongVolatile(4 * PAGE)),
                new TestSupport.NamedCall("writeIntVolatile", () -> m.writeIntVolatile(1, 4 * PAGE)),
                new TestSupport.NamedCall("readByte", () -> m.readByte(3 * PAGE)),
                new TestSupport.NamedCall("readSlice", () -> m.readSlice(new byte[64], 3 * PAGE)),
                new TestSupport.NamedCall("writeSlice", () -> m.writeSlice(new byte[64], 3 * PAGE)),
                new TestSupport.NamedCall("readStruct", () -> m.readStruct(3 * PAGE, 16)),
                new TestSupport.NamedCall("writeStruct", () -> m.writeStruct(ByteBuffer.allocate(16), 3 * PAGE)),
                new TestSupport.NamedCall("flushAll", m::flushAll),
                new TestSupport.NamedCall("flushRegion", () -> m.flushRegion(3 * PAGE, 64)),
                new TestSupport.NamedCall("slice.isAllZero", slice::isAllZero),
                new TestSupport.NamedCall("slice.writeBytes", () -> tail.writeBytes((byte) 1)),
                new TestSupport.NamedCall("slice.copyTo", () -> tail.copyTo(new byte[64])),
                new TestSupport.NamedCall("slice.copyFrom", () -> tail.copyFrom(new byte[64])),
                new TestSupport.NamedCall("slice.copyToVolatileSlice", () -> tail.copyToVolatileSlice(head)));
            for (int round = 0; round < 3; round++) {
                for (TestSupport.NamedCall call : gone) {
                    if (call.name().startsWith("flush") && !io.jvmm.core.CacheFlush.isSupported()) {
                        continue;
                    }
                    MmapException e = assertThrows(MmapException.class, call.body()::run, call.name());
                    assertEquals(Kind.INVALID_RANGE, e.kind(), call.name() + ": " + e.getMessage());
                    assertTrue(e.getMessage().contains("shrunk"), e.getMessage());
                }
            }
            // What the file still holds stays usable, its last partial page included.
            assertEquals(5, m.readLong(0));
            m.writeLong(9, 2 * PAGE + 200);
            assertEquals(9, m.readLongVolatile(2 * PAGE + 200));
            assertTrue(head.copyTo(new byte[64]) == 64);
            // No InternalError was left pending to surface later in this thread.
            for (int i = 0; i < 10_000; i++) {
                Integer.parseInt(Integer.toString(i));
                Thread.yield();
            }
        }
    }

    @Test
    void aShrinkSealedMemfdNeedsNoFileCheck() {
        try (SharedMemory shm = SharedMemory.create("sealed", 4 * PAGE)) {
            shm.addSeals(LibC.F_SEAL_SHRINK);
            try (MemoryMapping m = MemoryMapping.builder(4 * PAGE).fromSharedMemory(shm).build()) {
                assertFalse(hasFileGuard(m), "a shrink-sealed memfd cannot lose pages");
                SyscallException e = assertThrows(SyscallException.class, () -> LibC.ftruncateChecked(shm.asRawDescriptor(), 0));
                assertEquals(Errno.EPERM, e.errno());
                m.writeLong(1, 3 * PAGE);
            }
        }
        try (MemoryMapping anon = MemoryMapping.builder(PAGE).build()) {
            assertFalse(hasFileGuard(anon));
        }
    }

    // ---- closed mappings give their address space back ----

    @Test
    void aBuildUseCloseLoopOfHugeMappingsNeverRunsOutOfAddressSpace() {
        // 40 x 16 TiB is five times the 128 TiB of user address space x86-64 has.
        for (int i = 0; i < 40; i++) {
            MemoryMapping m = MemoryMapping.builder(16L << 40).build();
            m.writeLong(i, (16L << 40) - 8);
            m.close();
        }
        for (int i = 0; i < 40; i++) {
            new MemoryMappingArena(16L << 40).close();
        }
    }

    // ---- use after close wins over every other check ----

    @Test
    void useAfterCloseIsReportedBeforeBadArguments() {
        MemoryMapping m = MemoryMapping.builder(2 * PAGE).build();
        VolatileSlice slice = m.getSlice(0, 64);
        m.close();
        List<TestSupport.NamedCall> calls = List.of(
            new TestSupport.NamedCall("readStruct(0, -1)", () -> m.readStruct(0, -1)),
            new TestSupport.NamedCall("readStruct(null buffer)", () -> m.readStruct(0, (ByteBuffer) null)),
            new TestSupport.NamedCall("writeStruct(null)", () -> m.writeStruct(null, 0)),
            new TestSupport.NamedCall("writeSlice(null)", () -> m.writeSlice(null, 0)),
            new TestSupport.NamedCall("readSlice(null)", () -> m.readSlice(null, -5)),
            new TestSupport.NamedCall("readLong(-1)", () -> m.readLong(-1)),
            new TestSupport.NamedCall("writeIntVolatile(odd)", () -> m.writeIntVolatile(1, 3)),
            new TestSupport.NamedCall("addFdMapping", () -> m.addFdMapping(0, PAGE, () -> 0, 0, Protection.readWrite())),
            new TestSupport.NamedCall("removeMapping", () -> m.removeMapping(0, PAGE)),
            new TestSupport.NamedCall("getSlice(-1)", () -> m.getSlice(-1, 1)),
            new TestSupport.NamedCall("removeRange(odd)", () -> m.removeRange(1, 1)),
            new TestSupport.NamedCall("slice.copyTo(null)", () -> slice.copyTo(null)),
            new TestSupport.NamedCall("slice.copyFrom(null)", () -> slice.copyFrom(null)),
            new TestSupport.NamedCall("slice.copyToVolatileSlice(null)", () -> slice.copyToVolatileSlice(null)),
            new TestSupport.NamedCall("slice.subSlice(-1)", () -> slice.subSlice(-1, 1)));
        for (TestSupport.NamedCall call : calls) {
            assertThrows(ClosedException.class, call.body()::run, call.name());
        }
    }

    @Test
    void guestMemoryUseAfterCloseIsReportedBeforeBadArguments() {
        GuestMemory g = GuestMemory.create(new GuestRange(GuestAddress.of(0), 2 * PAGE));
        g.close();
        GuestAddress zero = GuestAddress.of(0);
        List<TestSupport.NamedCall> calls = List.of(
            new TestSupport.NamedCall("writeAllAtAddr(null)", () -> g.writeAllAtAddr(null, zero)),
            new TestSupport.NamedCall("readExactAtAddr(null)", () -> g.readExactAtAddr(null, zero)),
            new TestSupport.NamedCall("writeAtAddr(null)", () -> g.writeAtAddr(null, zero)),
            new TestSupport.NamedCall("readAtAddr(null)", () -> g.readAtAddr(null, zero)),
            new TestSupport.NamedCall("writeStructAtAddr(null)", () -> g.writeStructAtAddr(null, zero)),
            new TestSupport.NamedCall("readStructFromAddr(null)", () -> g.readStructFromAddr(zero, (ByteBuffer) null)),
            new TestSupport.NamedCall("readStructFromAddr(-1)", () -> g.readStructFromAddr(zero, -1)),
            new TestSupport.NamedCall("writeAllAtAddr(null addr)", () -> g.writeAllAtAddr(new byte[1], null)),
            new TestSupport.NamedCall("getSliceAtAddr(null)", () -> g.getSliceAtAddr(null, 1)),
            new TestSupport.NamedCall("getSliceAtAddr(-1)", () -> g.getSliceAtAddr(zero, -1)),
            new TestSupport.NamedCall("removeRange(0)", () -> g.removeRange(zero, 0)),
            new TestSupport.NamedCall("readLongFromAddr(outside)", () -> g.readLongFromAddr(GuestAddress.of(1L << 40))));
        for (TestSupport.NamedCall call : calls) {
            assertThrows(ClosedException.class, call.body()::run, call.name());
        }
        // Open memory still reports the bad argument itself.
        try (GuestMemory open = GuestMemory.create(new GuestRange(GuestAddress.of(0), PAGE))) {
            assertThrows(NullPointerException.class, () -> open.writeAllAtAddr(null, zero));
            byte[] back = new byte[3];
            open.writeAllAtAddr(new byte[] {1, 2, 3}, zero);
            open.readExactAtAddr(back, zero);
            assertArrayEquals(new byte[] {1, 2, 3}, back);
        }
    }

    // ---- helpers ----

    /** A 2 MiB-page hugetlb memfd of {@code size} bytes, or a skipped test where there are none. */
    static SafeDescriptor hugetlbMemfd(long size) {
        int fd;
        try {
            fd = LibC.memfdCreate("hostile-huge", LibC.MFD_CLOEXEC | MFD_HUGETLB);
        } catch (SyscallException e) {
            assumeTrue(false, "no hugetlb memfds on this host: " + e.getMessage());
            throw e;
        }
        SafeDescriptor d = new SafeDescriptor(fd);
        LibC.ftruncateChecked(fd, size);
        return d;
    }

    /** The smallest offset into {@code arena} whose host address is a multiple of {@code alignment}. */
    static long alignedOffset(MemoryMappingArena arena, long alignment) {
        long base = arena.asPtr();
        return ((base + alignment - 1) & -alignment) - base;
    }

    private static boolean hasFileGuard(MemoryMapping m) {
        return m.state().checksFile();
    }

    /** The bytes this thread allocated while running {@code body}. */
    private static long allocatedBytes(Supplier<Void> body) {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long id = Thread.currentThread().getId();
        long before = threads.getThreadAllocatedBytes(id);
        body.get();
        return threads.getThreadAllocatedBytes(id) - before;
    }
}
