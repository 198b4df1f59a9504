package io.jvmm.memory;

import io.jvmm.core.Errno;
import io.jvmm.core.LibC;
import io.jvmm.core.SyscallException;

/**
 * mmap for the calls that take new address space. A closed mapping keeps its range (scratch
 * memory, see {@code MappingState}) until a {@link java.lang.ref.Cleaner} finds it unreachable, so
 * a loop of build, use and close can run out of address space while the garbage collector has no
 * reason to run: eight closed 16 TiB mappings fill the 128 TiB of a process. When mmap fails with
 * {@code ENOMEM}, this asks for a collection and tries again with growing pauses, as the JDK does
 * for direct buffers ({@code java.nio.Bits.reserveMemory}); only when that frees nothing is the
 * failure reported. With {@code -XX:+DisableExplicitGC} the retries find nothing freed.
 */
final class AddressSpace {
    /** Pauses of 1, 2, 4, ... 256 ms: about half a second in all, as {@code Bits.reserveMemory}. */
    private static final int MAX_RETRIES = 9;

    private AddressSpace() {
    }

    /** {@link LibC#mmapChecked}, retried after a collection on {@code ENOMEM}. */
    static long map(long address, long length, int prot, int flags, int fd, long offset) {
        for (int attempt = 0; ; attempt++) {
            try {
                return LibC.mmapChecked(address, length, prot, flags, fd, offset);
            } catch (SyscallException e) {
                if (e.errno() != Errno.ENOMEM || attempt == MAX_RETRIES) {
                    throw e;
                }
                reclaim(attempt);
            }
        }
    }

    private static void reclaim(int attempt) {
        if (attempt == 0) {
            System.gc();
        }
        try {
            Thread.sleep(1L << attempt);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SyscallException("mmap", Errno.ENOMEM, "interrupted while waiting for closed mappings to be unmapped");
        }
    }
}
