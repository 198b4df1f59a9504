package io.jvmm.memory;

import io.jvmm.core.ClosedException;
import io.jvmm.core.FileStatus;
import io.jvmm.core.LibC;
import io.jvmm.core.SafeDescriptor;
import io.jvmm.core.SyscallException;

/**
 * The check that keeps a shrunk file from raising SIGBUS in this process. A page of a shared file
 * mapping that lies wholly past the file's end faults with SIGBUS (mmap(2)). HotSpot turns a
 * SIGBUS in a buffer access into an {@link InternalError}, but delivers it asynchronously: on
 * Java 17 it surfaces at some later point of the thread, outside any {@code try} around the
 * access; in native code (the cache flush) it kills the JVM. So a mapping of a file that another
 * holder can shrink (a regular file, or a memfd without {@code F_SEAL_SHRINK}) keeps a duplicate of
 * the descriptor, and each access first compares its range with the file's current length
 * ({@code fstat}) and throws {@link MmapException} {@code INVALID_RANGE} instead of touching a
 * page that is gone.
 *
 * <p>What this cannot exclude is a truncation that happens between the check and the access; to
 * exclude that too, seal the memfd with {@code F_SEAL_SHRINK} (guest memory does), and the check
 * and its cost disappear.
 */
final class FileGuard {
    /** fcntl(2)'s F_DUPFD_CLOEXEC (include/uapi/linux/fcntl.h: F_LINUX_SPECIFIC_BASE + 6). */
    static final int F_DUPFD_CLOEXEC = 1030;

    private final SafeDescriptor descriptor;
    /** Where in the file the mapping starts. */
    private final long fileOffset;

    private FileGuard(SafeDescriptor descriptor, long fileOffset) {
        this.descriptor = descriptor;
        this.fileOffset = fileOffset;
    }

    /**
     * A guard for a mapping of {@code fd} from {@code fileOffset}, or null when nobody can shrink
     * the file under the mapping: not a regular file (devices have no length to shrink), or a
     * memfd sealed with {@code F_SEAL_SHRINK}.
     *
     * @throws MmapException {@code SYSTEM_CALL_FAILED} when the descriptor cannot be duplicated
     *     ({@code EMFILE})
     */
    static FileGuard forDescriptor(int fd, FileStatus status, long fileOffset) {
        if (!status.isRegularFile() || isShrinkSealed(fd)) {
            return null;
        }
        try {
            return new FileGuard(new SafeDescriptor(LibC.fcntlChecked(fd, F_DUPFD_CLOEXEC, 0)), fileOffset);
        } catch (SyscallException e) {
            throw MmapException.syscall("fcntl(F_DUPFD_CLOEXEC)", e.errno(), "keeping descriptor " + fd
                + " to check the file's length before accesses");
        }
    }

    private static boolean isShrinkSealed(int fd) {
        try {
            return (LibC.fcntlChecked(fd, LibC.F_GET_SEALS, 0) & LibC.F_SEAL_SHRINK) != 0;
        } catch (SyscallException e) {
            return false; // EINVAL: not a memfd, so nothing seals it.
        }
    }

    /**
     * Throws unless the file still holds the pages of {@code [offset, offset + length)} of the
     * mapping. Bytes past the end inside the file's last page read as zeros without a fault
     * (mmap(2)), so the limit is the length rounded up to a page.
     *
     * @throws MmapException {@code INVALID_RANGE} when the file was shrunk below the range;
     *     {@code SYSTEM_CALL_FAILED} when fstat fails
     * @throws ClosedException when the mapping was closed meanwhile (its descriptor is gone)
     */
    void checkCovers(long offset, long length, long mappingSize) {
        long fileSize;
        try {
            fileSize = LibC.fstatChecked(descriptor.asRawDescriptor()).size();
        } catch (ClosedException | IllegalStateException e) {
            throw MappingState.closed();
        } catch (SyscallException e) {
            throw closedOr(MmapException.syscall("fstat", e.errno(),
                "checking the length of the file under a mapping of size " + mappingSize));
        }
        long page = MappingState.PAGE_SIZE;
        long limit = fileSize > Long.MAX_VALUE - (page - 1) ? Long.MAX_VALUE : (fileSize + page - 1) / page * page;
        long end = fileOffset + offset + length;
        if (end > limit) {
            throw closedOr(new MmapException(MmapException.Kind.INVALID_RANGE,
                "access of " + length + " bytes at offset " + offset + " of mapping of size " + mappingSize
                    + " reaches file offset " + end + ", past the end of its file (now " + fileSize
                    + " bytes: shrunk while mapped)"));
        }
    }

    /**
     * {@code failure}, unless the mapping was closed while the check ran: then fstat may have seen
     * a closed descriptor, or one the kernel already gave to another file, and the truth is the
     * close. The descriptor is marked closed before it is closed, so a close that could have
     * touched this check's fstat is seen here.
     */
    private RuntimeException closedOr(RuntimeException failure) {
        return descriptor.isClosed() ? MappingState.closed() : failure;
    }

    /** Closes the duplicate descriptor. Idempotent. */
    void close() {
        descriptor.close();
    }
}
