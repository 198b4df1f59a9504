package io.jvmm.memory;

import static io.jvmm.memory.TestSupport.assertKind;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvmm.core.ClosedException;
import io.jvmm.core.Errno;
import io.jvmm.core.LibC;
import io.jvmm.memory.MmapException.Kind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class SharedMemoryTest {
    private static final long PAGE = MappingState.PAGE_SIZE;

    @Test
    void closeWaitsForASealCallInProgressOnAnotherThread() throws Exception {
        // Seals added to a number that a racing close handed to another memfd could never be
        // removed from it; getSeals/addSeals and close share the monitor.
        SharedMemory shm = SharedMemory.create("seal-race", 4096);
        java.util.concurrent.CountDownLatch inside = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.atomic.AtomicBoolean openThroughout = new java.util.concurrent.atomic.AtomicBoolean();
        Thread sealer = new Thread(() -> {
            synchronized (shm) {
                inside.countDown();
                try {
                    Thread.sleep(300);
                } catch (InterruptedException ignored) {
                    Thread.currentThread().interrupt();
                }
                // Still the memfd: the seal call a holder of the monitor makes reaches it.
                openThroughout.set(shm.getSeals() == 0);
            }
        });
        sealer.start();
        org.junit.jupiter.api.Assertions.assertTrue(inside.await(10, java.util.concurrent.TimeUnit.SECONDS));
        shm.close();
        sealer.join();
        org.junit.jupiter.api.Assertions.assertTrue(openThroughout.get(), "close went ahead during a seal call");
    }

    @Test
    void createMakesAMemfdOfTheGivenSize() throws IOException {
        try (SharedMemory shm = SharedMemory.create("guest-ram", 3 * PAGE)) {
            assertEquals(3 * PAGE, shm.size());
            int fd = shm.asRawDescriptor();
            assertEquals(3 * PAGE, LibC.fstatChecked(fd).size());
            assertTrue(LibC.fstatChecked(fd).isRegularFile());
            String target = Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString();
            assertTrue(target.startsWith("/memfd:guest-ram"), target);
        }
    }

    @Test
    void memfdIsCloseOnExec() {
        try (SharedMemory shm = SharedMemory.create("cloexec", PAGE)) {
            int fdFlags = LibC.fcntlChecked(shm.asRawDescriptor(), LibC.F_GETFD, 0);
            assertEquals(1, fdFlags & 1, "FD_CLOEXEC");
        }
    }

    @Test
    void newMemfdAllowsSealingAndHasNoSeals() {
        try (SharedMemory shm = SharedMemory.create("seals", PAGE)) {
            assertEquals(0, shm.getSeals(), "MFD_ALLOW_SEALING clears F_SEAL_SEAL");
        }
    }

    @Test
    void emptySharedMemoryIsAllowed() {
        try (SharedMemory shm = SharedMemory.create("empty", 0)) {
            assertEquals(0, shm.size());
        }
    }

    @Test
    void addedSealsAreReportedAndEnforced() {
        try (SharedMemory shm = SharedMemory.create("sealed", PAGE)) {
            shm.addSeals(LibC.F_SEAL_SHRINK | LibC.F_SEAL_GROW);
            assertEquals(LibC.F_SEAL_SHRINK | LibC.F_SEAL_GROW, shm.getSeals());
            int fd = shm.asRawDescriptor();
            io.jvmm.core.SyscallException e = assertThrows(io.jvmm.core.SyscallException.class,
                () -> LibC.ftruncateChecked(fd, 2 * PAGE));
            assertEquals(Errno.EPERM, e.errno());
        }
    }

    @Test
    void sealingAfterTheSealSealFailsWithEperm() {
        try (SharedMemory shm = SharedMemory.create("seal-seal", PAGE)) {
            shm.addSeals(LibC.F_SEAL_SEAL);
            MmapException e = assertKind(Kind.SYSTEM_CALL_FAILED, () -> shm.addSeals(LibC.F_SEAL_GROW));
            assertEquals(Errno.EPERM, e.errno());
            assertTrue(e.getMessage().contains("EPERM"), e.getMessage());
        }
    }

    @Test
    void writeSealWhileMappedWritableFailsWithEbusy() {
        try (SharedMemory shm = SharedMemory.create("busy", PAGE);
             MemoryMapping m = MemoryMapping.builder(PAGE).fromSharedMemory(shm).build()) {
            MmapException e = assertKind(Kind.SYSTEM_CALL_FAILED, () -> shm.addSeals(LibC.F_SEAL_WRITE));
            assertEquals(Errno.EBUSY, e.errno());
            m.writeLong(1, 0);
        }
    }

    @Test
    void badArgumentsAreInvalidArgument() {
        assertKind(Kind.INVALID_ARGUMENT, () -> SharedMemory.create("negative", -1));
        assertKind(Kind.INVALID_ARGUMENT, () -> SharedMemory.create("min", Long.MIN_VALUE));
        assertKind(Kind.INVALID_ARGUMENT, () -> SharedMemory.create(null, PAGE));
        assertKind(Kind.INVALID_ARGUMENT, () -> SharedMemory.create("nul\0byte", PAGE));
    }

    @Test
    void nameLongerThanTheKernelAllowsFailsWithEinval() {
        // memfd_create(2): the name is at most 249 bytes.
        MmapException e = assertKind(Kind.SYSTEM_CALL_FAILED, () -> SharedMemory.create("n".repeat(300), PAGE));
        assertEquals(Errno.EINVAL, e.errno());
    }

    @Test
    void sizeUpToTheLargestFileLengthIsAcceptedBecauseMemfdsAreSparse() {
        try (SharedMemory shm = SharedMemory.create("sparse", Long.MAX_VALUE);
             MemoryMapping m = MemoryMapping.builder(PAGE).fromSharedMemory(shm).offset(1L << 40).build()) {
            m.writeLong(1, 0);
            assertEquals(1, m.readLong(0));
        }
    }

    @Test
    void closeIsIdempotentAndLaterUseIsIllegalState() {
        SharedMemory shm = SharedMemory.create("closed", PAGE);
        int fd = shm.asRawDescriptor();
        shm.close();
        shm.close();
        assertThrows(ClosedException.class, shm::asRawDescriptor);
        assertThrows(ClosedException.class, shm::getSeals);
        assertThrows(ClosedException.class, () -> shm.addSeals(LibC.F_SEAL_GROW));
        assertEquals(PAGE, shm.size());
        assertFalse(Files.exists(Path.of("/proc/self/fd/" + fd)) && isMemfd(fd), "the descriptor was closed");
    }

    @Test
    void toStringNamesTheSize() {
        try (SharedMemory shm = SharedMemory.create("str", PAGE)) {
            assertEquals("SharedMemory[size=" + PAGE + "]", shm.toString());
        }
    }

    private static boolean isMemfd(int fd) {
        try {
            return Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString().startsWith("/memfd:closed");
        } catch (IOException e) {
            return false;
        }
    }
}
