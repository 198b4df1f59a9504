package io.jvmm.core;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The libc calls jvmm needs, bound with JNA direct mapping ({@link Native#register}), which is
 * several times cheaper per call than interface mapping. Every {@code ...Checked} wrapper (and
 * {@link #memfdCreate}) throws {@link SyscallException} carrying the call's name and errno; the
 * {@code ...Errno} ones return the errno where it is an expected answer. Nothing here validates
 * arguments beyond what the kernel does, so callers in other modules validate first. Each wrapper
 * cites the man page of the call it makes.
 *
 * <p>Thread-safe: the methods are static and keep no state, and errno is per thread (JNA reads it
 * right after the call, on the calling thread).
 *
 * <p>Numbers are those of Linux x86-64 ({@code <sys/mman.h>}, {@code <fcntl.h>},
 * {@code <linux/memfd.h>}); {@code LibCConstantsTest} checks them against the C headers.
 */
public final class LibC {
    /** mmap(2)/mprotect(2) protection: no access at all; every access faults. */
    public static final int PROT_NONE = 0x0;
    /** mmap(2)/mprotect(2) protection bit: the pages may be read. */
    public static final int PROT_READ = 0x1;
    /** mmap(2)/mprotect(2) protection bit: the pages may be written. */
    public static final int PROT_WRITE = 0x2;
    /** mmap(2)/mprotect(2) protection bit: the pages may be executed. */
    public static final int PROT_EXEC = 0x4;

    /** mmap(2): writes are seen by every other mapping of the object and reach the file. */
    public static final int MAP_SHARED = 0x01;
    /** mmap(2): a private copy-on-write mapping; writes reach neither other mappings nor the file. */
    public static final int MAP_PRIVATE = 0x02;
    /** mmap(2): map exactly at {@code addr}, replacing whatever was mapped there. */
    public static final int MAP_FIXED = 0x10;
    /** mmap(2): memory backed by no file, zero-filled; pass fd -1 and offset 0. */
    public static final int MAP_ANONYMOUS = 0x20;
    /** mmap(2): reserve no swap space; a write may then get SIGSEGV when no memory is available. */
    public static final int MAP_NORESERVE = 0x4000;
    /** mmap(2): prefault the page tables (read ahead, for a file mapping) before returning. */
    public static final int MAP_POPULATE = 0x8000;
    /** mmap(2), since Linux 4.17: like {@link #MAP_FIXED}, but fail with EEXIST instead of replacing a mapping. */
    public static final int MAP_FIXED_NOREPLACE = 0x100000;
    /** What mmap(2) returns on failure, {@code (void *) -1}; {@link #mmapChecked} throws instead. */
    public static final long MAP_FAILED = -1L;

    /** mremap(2): the kernel may move the mapping when it cannot be resized in place. */
    public static final int MREMAP_MAYMOVE = 1;
    /** mremap(2): move the mapping to {@code newAddress}, replacing what is there; needs {@link #MREMAP_MAYMOVE}. */
    public static final int MREMAP_FIXED = 2;
    /**
     * mremap(2): move the pages but keep the old range mapped, its pages gone so that they fault
     * anew (needs {@link #MREMAP_MAYMOVE} and equal sizes). Since Linux 5.7 (private anonymous
     * only); for every other mapping since 5.13.
     */
    public static final int MREMAP_DONTUNMAP = 4;

    /** madvise(2): no special treatment (the default). */
    public static final int MADV_NORMAL = 0;
    /** madvise(2): expect access soon; the kernel may read the pages in ahead. */
    public static final int MADV_WILLNEED = 3;
    /**
     * madvise(2): free the pages; private anonymous memory then reads as zeros, shared memory
     * refaults from its object.
     */
    public static final int MADV_DONTNEED = 4;
    /**
     * madvise(2): free the pages and their backing store (punch a hole); shared writable mappings
     * of tmpfs and of file systems that can punch holes only.
     */
    public static final int MADV_REMOVE = 9;
    /** madvise(2): do not map the range into a child after fork(2). */
    public static final int MADV_DONTFORK = 10;
    /** madvise(2): back the range with transparent huge pages where possible. */
    public static final int MADV_HUGEPAGE = 14;
    /** madvise(2): leave the range out of core dumps. */
    public static final int MADV_DONTDUMP = 16;

    /** msync(2): schedule the write-back and return at once. */
    public static final int MS_ASYNC = 1;
    /** msync(2): invalidate other mappings of the file so that they see the values just written. */
    public static final int MS_INVALIDATE = 2;
    /** msync(2): write back and wait until done. */
    public static final int MS_SYNC = 4;

    /** mlock2 (mlock(2)): lock pages as they are faulted in, rather than populating the whole range now. */
    public static final int MLOCK_ONFAULT = 0x01;
    /** mlockall (mlock(2)): lock every page mapped now. */
    public static final int MCL_CURRENT = 1;
    /** mlockall (mlock(2)): lock every page mapped from now on. */
    public static final int MCL_FUTURE = 2;

    /** memfd_create(2): set close-on-exec on the new descriptor. */
    public static final int MFD_CLOEXEC = 0x0001;
    /** memfd_create(2): allow {@link #F_ADD_SEALS}; without it the memfd starts with {@link #F_SEAL_SEAL} set. */
    public static final int MFD_ALLOW_SEALING = 0x0002;

    /** fcntl(2): return the descriptor flags ({@code FD_CLOEXEC}). */
    public static final int F_GETFD = 1;
    /** fcntl(2): return the access mode ({@link #O_ACCMODE} bits) and file status flags. */
    public static final int F_GETFL = 3;
    /** fcntl(2), since Linux 3.17: add the seals in {@code arg} to a memfd. */
    public static final int F_ADD_SEALS = 1033;
    /** fcntl(2): return the seals of a memfd. */
    public static final int F_GET_SEALS = 1034;
    /** Seal (fcntl(2)): no further seals may be added. */
    public static final int F_SEAL_SEAL = 0x0001;
    /** Seal (fcntl(2)): the file may not shrink. */
    public static final int F_SEAL_SHRINK = 0x0002;
    /** Seal (fcntl(2)): the file may not grow. */
    public static final int F_SEAL_GROW = 0x0004;
    /**
     * Seal (fcntl(2)): the contents may not change; adding it fails with EBUSY while a writable
     * shared mapping exists.
     */
    public static final int F_SEAL_WRITE = 0x0008;
    /** Seal (fcntl(2)), since Linux 5.1: no new writes or writable mappings; existing writable mappings still write. */
    public static final int F_SEAL_FUTURE_WRITE = 0x0010;

    /** open(2) access mode: read only. */
    public static final int O_RDONLY = 0;
    /** open(2) access mode: write only. */
    public static final int O_WRONLY = 1;
    /** open(2) access mode: read and write. */
    public static final int O_RDWR = 2;
    /** The mask of the access-mode bits in open(2) flags and in {@link #F_GETFL}'s result. */
    public static final int O_ACCMODE = 3;
    /** open(2): create the file if it does not exist, with the permission bits of {@code mode} (less the umask). */
    public static final int O_CREAT = 0100;
    /** open(2): truncate a regular file opened for writing to length 0. */
    public static final int O_TRUNC = 01000;
    /** open(2): set close-on-exec on the new descriptor. */
    public static final int O_CLOEXEC = 02000000;

    /** File type bits of {@code st_mode} ({@code <sys/stat.h>}). */
    public static final int S_IFMT = 0170000;
    /** {@link #S_IFMT} value: a regular file. */
    public static final int S_IFREG = 0100000;
    /** {@link #S_IFMT} value: a directory. */
    public static final int S_IFDIR = 0040000;
    /** {@link #S_IFMT} value: a character device, such as {@code /dev/kvm}. */
    public static final int S_IFCHR = 0020000;
    /** {@link #S_IFMT} value: a block device. */
    public static final int S_IFBLK = 0060000;

    /*
     * glibc's struct stat on x86-64 (<bits/struct_stat.h>): st_mode is a u32 at byte 24, st_size an
     * i64 at byte 48, 144 bytes in all. Checked with gcc's offsetof/sizeof against glibc 2.36.
     */
    static final int STAT_STRUCT_SIZE = 144;
    static final int STAT_MODE_OFFSET = 24;
    static final int STAT_SIZE_OFFSET = 48;

    /** lseek(2): the offset counts from the start of the file. */
    public static final int SEEK_SET = 0;
    /** lseek(2): the offset counts from the current position. */
    public static final int SEEK_CUR = 1;
    /** lseek(2): the offset counts from the end of the file. */
    public static final int SEEK_END = 2;
    /** lseek(2), since Linux 3.1: the first offset at or after {@code offset} that holds data; ENXIO when none does. */
    public static final int SEEK_DATA = 3;
    /**
     * lseek(2), since Linux 3.1: the first hole at or after {@code offset}, the end of the file
     * counting as one; ENXIO past the end.
     */
    public static final int SEEK_HOLE = 4;

    /** eventfd(2): set close-on-exec on the new descriptor. */
    public static final int EFD_CLOEXEC = 02000000;
    /** eventfd(2): non-blocking: reading a zero counter fails with EAGAIN instead of waiting. */
    public static final int EFD_NONBLOCK = 04000;

    /** {@code struct pollfd}: int fd, short events, short revents (poll(2)). */
    public static final int POLLFD_SIZE = 8;
    /** poll(2) event: there is data to read (for an eventfd: its counter is not 0). */
    public static final short POLLIN = 0x001;
    /** poll(2) revents only: an error condition on the descriptor. */
    public static final short POLLERR = 0x008;
    /** poll(2) revents only: hang-up (the other end of a pipe or socket closed). */
    public static final short POLLHUP = 0x010;
    /** poll(2) revents only: the descriptor is not open. */
    public static final short POLLNVAL = 0x020;

    /** flock(2): take a shared lock. */
    public static final int LOCK_SH = 1;
    /** flock(2): take an exclusive lock. */
    public static final int LOCK_EX = 2;
    /** flock(2), or-ed into the operation: fail with EWOULDBLOCK instead of waiting for the lock. */
    public static final int LOCK_NB = 4;
    /** flock(2): release the lock held. */
    public static final int LOCK_UN = 8;

    /** {@code tcsetattr} action (termios(3)): apply the change at once. */
    public static final int TCSANOW = 0;
    /** {@code tcsetattr} action (termios(3)): apply once pending output is written, discarding unread input. */
    public static final int TCSAFLUSH = 2;
    /** glibc's {@code struct termios} on x86-64: 4 flag words, c_line, c_cc[32], 2 speeds. */
    public static final int TERMIOS_SIZE = 60;
    /** Byte offset of {@code c_oflag}, the output mode flags, in {@code struct termios}. */
    public static final int TERMIOS_C_OFLAG = 4;
    /** {@code c_oflag} bit (termios(3)): process output; {@link #ONLCR} acts only with it. */
    public static final int OPOST = 0x1;
    /** {@code c_oflag} bit (termios(3)): map NL to CR NL on output. */
    public static final int ONLCR = 0x4;

    /** sysconf(3) name {@code _SC_PAGESIZE}: the page size in bytes. */
    public static final int SC_PAGESIZE = 30;
    /** sysconf(3) name {@code _SC_NPROCESSORS_ONLN}: the number of processors online. */
    public static final int SC_NPROCESSORS_ONLN = 84;

    static {
        Native.register(NativeLibrary.getInstance("c"));
    }

    private LibC() {
    }

    // ---- raw bindings (direct mapped); errno arrives as LastErrorException ----
    // Each is the libc function of the same name; the public wrapper below cites its man page.

    private static native long mmap(long addr, long length, int prot, int flags, int fd, long offset) throws LastErrorException;

    private static native int munmap(long addr, long length) throws LastErrorException;

    /*
     * mremap is variadic in glibc (new_address is the fifth, optional argument). On x86-64 the
     * variadic and fixed calling conventions agree for integer arguments, so binding it with a fixed
     * fifth argument is sound there.
     */
    private static native long mremap(long oldAddress, long oldSize, long newSize, int flags, long newAddress) throws LastErrorException;

    private static native int fstat(int fd, byte[] statbuf) throws LastErrorException;

    private static native int mprotect(long addr, long length, int prot) throws LastErrorException;

    private static native int madvise(long addr, long length, int advice) throws LastErrorException;

    private static native int msync(long addr, long length, int flags) throws LastErrorException;

    private static native int mlock2(long addr, long length, int flags) throws LastErrorException;

    private static native int munlock(long addr, long length) throws LastErrorException;

    private static native int mlockall(int flags) throws LastErrorException;

    private static native int memfd_create(String name, int flags) throws LastErrorException;

    private static native int ftruncate(int fd, long length) throws LastErrorException;

    private static native int fcntl(int fd, int cmd, int arg) throws LastErrorException;

    private static native int ioctl(int fd, long request, long arg) throws LastErrorException;

    private static native int eventfd(int initval, int flags) throws LastErrorException;

    private static native int close(int fd) throws LastErrorException;

    private static native int poll(long fds, long nfds, int timeout) throws LastErrorException;

    private static native int flock(int fd, int operation) throws LastErrorException;

    private static native long sysconf(int name) throws LastErrorException;

    private static native int open(String path, int flags, int mode) throws LastErrorException;

    private static native long lseek(int fd, long offset, int whence) throws LastErrorException;

    private static native long pread(int fd, long buf, long count, long offset) throws LastErrorException;

    private static native long pwrite(int fd, long buf, long count, long offset) throws LastErrorException;

    private static native long read(int fd, long buf, long count) throws LastErrorException;

    private static native long write(int fd, long buf, long count) throws LastErrorException;

    private static native int dup(int fd) throws LastErrorException;

    private static native int isatty(int fd);

    private static native int tcgetattr(int fd, byte[] termios) throws LastErrorException;

    private static native int tcsetattr(int fd, int action, byte[] termios) throws LastErrorException;

    private static native void cfmakeraw(byte[] termios);

    private static native long pthread_self();

    private static native int pthread_kill(long thread, int sig);

    private static native int sigaction(int signum, Pointer act, Pointer oldact) throws LastErrorException;

    private static native int __libc_current_sigrtmin();

    // ---- checked wrappers ----

    /**
     * mmap(2): maps {@code length} bytes of {@code fd} from {@code offset}, or anonymous memory.
     *
     * @param addr   0 to let the kernel choose, else a hint, or the exact address with
     *     {@link #MAP_FIXED} or {@link #MAP_FIXED_NOREPLACE} (page-aligned)
     * @param length the length in bytes, greater than 0; the mapping covers whole pages
     * @param prot   {@link #PROT_NONE} or an or of {@link #PROT_READ}, {@link #PROT_WRITE},
     *     {@link #PROT_EXEC}
     * @param flags  {@link #MAP_SHARED} or {@link #MAP_PRIVATE}, or-ed with other {@code MAP_}
     *     flags
     * @param fd     the file to map, or -1 with {@link #MAP_ANONYMOUS}
     * @param offset the offset in the file, a multiple of the page size
     * @return the address of the mapping, page-aligned
     * @throws SyscallException {@code "mmap"} with its errno: e.g. ENOMEM (no room in the address
     *     space, or a limit reached), EINVAL (a zero length, an unaligned address or offset, bad
     *     flags), EACCES (the file is not open for the access asked), EBADF, ENODEV (the file
     *     cannot be mapped), EEXIST ({@link #MAP_FIXED_NOREPLACE} over a mapping)
     */
    public static long mmapChecked(long addr, long length, int prot, int flags, int fd, long offset) {
        try {
            return mmap(addr, length, prot, flags, fd, offset);
        } catch (LastErrorException e) {
            throw new SyscallException("mmap", e.getErrorCode(),
                "length=" + length + " prot=" + prot + " flags=0x" + Integer.toHexString(flags) + " fd=" + fd + " offset=" + offset);
        }
    }

    /**
     * munmap(2): removes every mapping in {@code [addr, addr + length)} (whole pages); a range with
     * nothing mapped is no error. Later accesses to the range fault.
     *
     * @param addr   the start, page-aligned
     * @param length the length in bytes, greater than 0
     * @throws SyscallException {@code "munmap"} with its errno: EINVAL for an unaligned address or
     *     a zero length
     */
    public static void munmapChecked(long addr, long length) {
        try {
            munmap(addr, length);
        } catch (LastErrorException e) {
            throw new SyscallException("munmap", e.getErrorCode(), "length=" + length);
        }
    }

    /**
     * mremap(2): resizes and possibly moves the mapping at {@code oldAddress}.
     *
     * @param oldAddress the start of the existing mapping, page-aligned
     * @param oldSize    its size in bytes
     * @param newSize    the size wanted, in bytes
     * @param flags      0 or an or of {@link #MREMAP_MAYMOVE}, {@link #MREMAP_FIXED},
     *     {@link #MREMAP_DONTUNMAP}
     * @param newAddress the target with {@link #MREMAP_FIXED} (page-aligned); ignored otherwise
     * @return the address of the mapping after the call: {@code oldAddress} unless it moved
     * @throws SyscallException {@code "mremap"} with its errno: e.g. EFAULT (the old range is not
     *     all mapped), ENOMEM (it cannot grow in place and may not move, or no room), EINVAL
     *     (unaligned addresses, bad flags, overlapping ranges)
     */
    public static long mremapChecked(long oldAddress, long oldSize, long newSize, int flags, long newAddress) {
        try {
            return mremap(oldAddress, oldSize, newSize, flags, newAddress);
        } catch (LastErrorException e) {
            throw new SyscallException("mremap", e.getErrorCode(),
                "oldSize=" + oldSize + " newSize=" + newSize + " flags=0x" + Integer.toHexString(flags));
        }
    }

    /**
     * fstat(2): the file type and size of an open descriptor.
     *
     * @param fd an open descriptor
     * @return its {@code st_mode} and {@code st_size}
     * @throws SyscallException {@code "fstat"} with its errno, e.g. EBADF
     */
    public static FileStatus fstatChecked(int fd) {
        byte[] buf = new byte[STAT_STRUCT_SIZE];
        try {
            fstat(fd, buf);
        } catch (LastErrorException e) {
            throw new SyscallException("fstat", e.getErrorCode(), "fd=" + fd);
        }
        ByteBuffer stat = ByteBuffer.wrap(buf).order(ByteOrder.nativeOrder());
        return new FileStatus(stat.getInt(STAT_MODE_OFFSET), stat.getLong(STAT_SIZE_OFFSET));
    }

    /**
     * mprotect(2): sets the protection of the pages in {@code [addr, addr + length)}.
     *
     * @param addr   the start, page-aligned
     * @param length the length in bytes; the range is extended to whole pages
     * @param prot   {@link #PROT_NONE} or an or of {@link #PROT_READ}, {@link #PROT_WRITE},
     *     {@link #PROT_EXEC}
     * @throws SyscallException {@code "mprotect"} with its errno: e.g. ENOMEM (part of the range is
     *     not mapped), EINVAL (unaligned address, bad {@code prot}), EACCES (the access conflicts
     *     with the mapping, such as writing a read-only shared file mapping)
     */
    public static void mprotectChecked(long addr, long length, int prot) {
        try {
            mprotect(addr, length, prot);
        } catch (LastErrorException e) {
            throw new SyscallException("mprotect", e.getErrorCode(), "length=" + length + " prot=" + prot);
        }
    }

    /**
     * madvise(2): gives the kernel {@code advice} about the pages in {@code [addr, addr + length)}.
     *
     * @param addr   the start, page-aligned
     * @param length the length in bytes
     * @param advice one of the {@code MADV_} constants
     * @throws SyscallException {@code "madvise"} with its errno: e.g. EINVAL (unaligned address,
     *     unknown advice, or advice that does not apply to the mapping), EACCES
     *     ({@link #MADV_REMOVE} on a range that is not a shared writable mapping), EOPNOTSUPP (a
     *     file system that cannot remove pages), ENOMEM (part of the range is not mapped)
     */
    public static void madviseChecked(long addr, long length, int advice) {
        try {
            madvise(addr, length, advice);
        } catch (LastErrorException e) {
            throw new SyscallException("madvise", e.getErrorCode(), "length=" + length + " advice=" + advice);
        }
    }

    /**
     * msync(2): writes changes to a shared file mapping back to the file.
     *
     * @param addr   the start, page-aligned
     * @param length the length in bytes
     * @param flags  {@link #MS_SYNC} or {@link #MS_ASYNC}, optionally with {@link #MS_INVALIDATE}
     * @throws SyscallException {@code "msync"} with its errno: e.g. ENOMEM (part of the range is
     *     not mapped), EINVAL (unaligned address, bad flags), EBUSY ({@link #MS_INVALIDATE} over
     *     locked pages)
     */
    public static void msyncChecked(long addr, long length, int flags) {
        try {
            msync(addr, length, flags);
        } catch (LastErrorException e) {
            throw new SyscallException("msync", e.getErrorCode(), "length=" + length);
        }
    }

    /**
     * mlock2 (mlock(2)): locks the pages in {@code [addr, addr + length)} in RAM.
     *
     * @param addr   the start; rounded down to a page boundary
     * @param length the length in bytes
     * @param flags  0 to populate and lock the range now, or {@link #MLOCK_ONFAULT}
     * @throws SyscallException {@code "mlock2"} with its errno: e.g. ENOMEM (over
     *     {@code RLIMIT_MEMLOCK}, or part of the range is not mapped), EPERM (no
     *     {@code CAP_IPC_LOCK} and a zero limit), EAGAIN (some pages could not be locked), EINVAL
     *     (bad flags)
     */
    public static void mlock2Checked(long addr, long length, int flags) {
        try {
            mlock2(addr, length, flags);
        } catch (LastErrorException e) {
            throw new SyscallException("mlock2", e.getErrorCode(), "length=" + length);
        }
    }

    /**
     * munlock (mlock(2)): unlocks the pages in {@code [addr, addr + length)}.
     *
     * @param addr   the start; rounded down to a page boundary
     * @param length the length in bytes
     * @throws SyscallException {@code "munlock"} with its errno, e.g. ENOMEM (part of the range is
     *     not mapped)
     */
    public static void munlockChecked(long addr, long length) {
        try {
            munlock(addr, length);
        } catch (LastErrorException e) {
            throw new SyscallException("munlock", e.getErrorCode(), "length=" + length);
        }
    }

    /**
     * mlockall (mlock(2)): locks all of the process's pages in RAM.
     *
     * @param flags an or of {@link #MCL_CURRENT} and {@link #MCL_FUTURE}
     * @throws SyscallException {@code "mlockall"} with its errno: e.g. ENOMEM (over
     *     {@code RLIMIT_MEMLOCK}), EPERM (no {@code CAP_IPC_LOCK}), EINVAL (bad flags)
     */
    public static void mlockallChecked(int flags) {
        try {
            mlockall(flags);
        } catch (LastErrorException e) {
            throw new SyscallException("mlockall", e.getErrorCode(), "flags=" + flags);
        }
    }

    /**
     * memfd_create(2): a new anonymous file in RAM, 0 bytes long, open for reading and writing.
     *
     * @param name  a name for debugging, shown as {@code memfd:name} in {@code /proc/self/fd}; at
     *     most 249 bytes
     * @param flags an or of {@link #MFD_CLOEXEC} and {@link #MFD_ALLOW_SEALING}, or 0
     * @return the new descriptor, which the caller owns
     * @throws SyscallException {@code "memfd_create"} with its errno: e.g. EMFILE, ENFILE, ENOMEM,
     *     EINVAL (name too long, unknown flags)
     */
    public static int memfdCreate(String name, int flags) {
        try {
            return memfd_create(name, flags);
        } catch (LastErrorException e) {
            throw new SyscallException("memfd_create", e.getErrorCode(), "name=" + name);
        }
    }

    /**
     * ftruncate(2): sets the length of a file; bytes it adds read as zeros.
     *
     * @param fd     a regular file or memfd open for writing
     * @param length the new length in bytes, not negative
     * @throws SyscallException {@code "ftruncate"} with its errno: e.g. EINVAL (negative length, or
     *     not a regular file open for writing), EPERM (a seal forbids the change, see
     *     {@link #F_SEAL_GROW}), EFBIG, EBADF
     */
    public static void ftruncateChecked(int fd, long length) {
        try {
            ftruncate(fd, length);
        } catch (LastErrorException e) {
            throw new SyscallException("ftruncate", e.getErrorCode(), "fd=" + fd + " length=" + length);
        }
    }

    /**
     * fcntl(2) with an integer argument.
     *
     * @param fd  an open descriptor
     * @param cmd {@link #F_GETFD}, {@link #F_GETFL}, {@link #F_ADD_SEALS} or {@link #F_GET_SEALS}
     * @param arg the argument: the seals for {@link #F_ADD_SEALS}; ignored by the other three
     * @return the command's result: the flags or seals asked for, 0 for {@link #F_ADD_SEALS}
     * @throws SyscallException {@code "fcntl"} with its errno: e.g. EBADF, EINVAL (unknown command
     *     or seal, or seals on a file that does not support sealing), EPERM ({@link #F_SEAL_SEAL}
     *     is set, as on a memfd created without {@link #MFD_ALLOW_SEALING}), EBUSY
     *     ({@link #F_SEAL_WRITE} while a writable shared mapping exists)
     */
    public static int fcntlChecked(int fd, int cmd, int arg) {
        try {
            return fcntl(fd, cmd, arg);
        } catch (LastErrorException e) {
            throw new SyscallException("fcntl", e.getErrorCode(), "fd=" + fd + " cmd=" + cmd);
        }
    }

    /**
     * ioctl(2): {@code ioctl(fd, request, arg)} where {@code arg} is an integer or a host address,
     * through JNA (not {@link DirectIoctl}). It validates nothing: {@code arg} must be what
     * {@code request} expects.
     *
     * @param fd      an open descriptor
     * @param request the request number
     * @param arg     the request's argument: an integer, or the address of a live buffer of the
     *     size the request expects
     * @return the call's non-negative result
     * @throws SyscallException {@code "ioctl"} with its errno: e.g. ENOTTY (the request does not
     *     apply to the descriptor), EINVAL, EFAULT (a bad buffer address), EBADF
     */
    public static int ioctlChecked(int fd, long request, long arg) {
        try {
            return ioctl(fd, request, arg);
        } catch (LastErrorException e) {
            throw new SyscallException("ioctl", e.getErrorCode(), "fd=" + fd + " request=0x" + Long.toHexString(request));
        }
    }

    /**
     * ioctl(2) that reports failure as a negative errno instead of an exception, for the vCPU run
     * loop where {@code EINTR}/{@code EAGAIN} are expected outcomes, not errors. Goes through
     * {@link DirectIoctl}'s system-call stub where it is available (x86-64 Linux), which costs less
     * than half of a JNA call per ioctl, and through JNA elsewhere. It validates nothing and throws
     * nothing.
     *
     * @param fd      an open descriptor
     * @param request the request number
     * @param arg     the request's argument: an integer, or the address of a live buffer of the
     *     size the request expects
     * @return the call's non-negative result, or {@code -errno}
     */
    public static int ioctlErrno(int fd, long request, long arg) {
        return DirectIoctl.ioctl(fd, request, arg);
    }

    /** {@link #ioctlErrno} through JNA: {@link DirectIoctl}'s fallback. */
    static int ioctlJna(int fd, long request, long arg) {
        try {
            return ioctl(fd, request, arg);
        } catch (LastErrorException e) {
            return -e.getErrorCode();
        }
    }

    /**
     * eventfd(2): a new eventfd.
     *
     * @param initval the initial value of the counter
     * @param flags   an or of {@link #EFD_CLOEXEC} and {@link #EFD_NONBLOCK}, or 0
     * @return the new descriptor, which the caller owns
     * @throws SyscallException {@code "eventfd"} with its errno: e.g. EMFILE, ENFILE, ENOMEM,
     *     EINVAL (unknown flags)
     */
    public static int eventfdChecked(int initval, int flags) {
        try {
            return eventfd(initval, flags);
        } catch (LastErrorException e) {
            throw new SyscallException("eventfd", e.getErrorCode(), "");
        }
    }

    /**
     * poll(2) on {@code nfds} {@code struct pollfd} at native address {@code fds}: waits until one
     * of the descriptors has an event it asks for, the timeout passes, or a signal arrives. The
     * kernel fills in each entry's {@code revents}.
     *
     * @param fds           the address of {@code nfds} entries of {@link #POLLFD_SIZE} bytes each
     * @param nfds          the number of entries
     * @param timeoutMillis the longest wait in milliseconds; 0 returns at once, negative waits
     *     without limit
     * @return the number of entries with events, 0 on timeout, or {@code -EINTR} when a signal
     *     interrupted it
     * @throws SyscallException {@code "poll"} with any errno but EINTR: e.g. EFAULT (a bad
     *     address), EINVAL ({@code nfds} over {@code RLIMIT_NOFILE}), ENOMEM
     */
    public static int pollChecked(long fds, int nfds, int timeoutMillis) {
        try {
            return poll(fds, nfds, timeoutMillis);
        } catch (LastErrorException e) {
            if (e.getErrorCode() == Errno.EINTR) {
                return -Errno.EINTR;
            }
            throw new SyscallException("poll", e.getErrorCode(), "nfds=" + nfds);
        }
    }

    /**
     * flock(2); returns 0, or the errno for {@code EWOULDBLOCK} (another holder, with
     * {@link #LOCK_NB}) and for {@code ENOLCK}/{@code EOPNOTSUPP}/{@code EINVAL} (the file system
     * cannot lock), so that callers can tell "locked by someone" from "cannot lock here".
     *
     * @param fd        an open descriptor
     * @param operation {@link #LOCK_SH}, {@link #LOCK_EX} or {@link #LOCK_UN}, optionally or-ed
     *     with {@link #LOCK_NB}
     * @return 0 on success, else the positive errno {@link Errno#EWOULDBLOCK},
     *     {@link Errno#ENOLCK}, {@link Errno#EOPNOTSUPP} or {@link Errno#EINVAL}
     * @throws SyscallException {@code "flock"} with any other errno, e.g. EBADF, or EINTR when a
     *     signal interrupted a wait for the lock
     */
    public static int flockErrno(int fd, int operation) {
        try {
            return flock(fd, operation);
        } catch (LastErrorException e) {
            int errno = e.getErrorCode();
            if (errno == Errno.EWOULDBLOCK || errno == Errno.ENOLCK || errno == Errno.EOPNOTSUPP || errno == Errno.EINVAL) {
                return errno;
            }
            throw new SyscallException("flock", errno, "fd=" + fd + " operation=" + operation);
        }
    }

    /**
     * close(2). Do not retry on failure: Linux releases the descriptor even when close reports an
     * error.
     *
     * @param fd the descriptor to close
     * @throws SyscallException {@code "close"} with its errno: e.g. EBADF (not open), EIO, EINTR
     */
    public static void closeChecked(int fd) {
        try {
            close(fd);
        } catch (LastErrorException e) {
            throw new SyscallException("close", e.getErrorCode(), "fd=" + fd);
        }
    }

    /**
     * sysconf(3): a system limit or option.
     *
     * @param name {@link #SC_PAGESIZE} or {@link #SC_NPROCESSORS_ONLN}
     * @return the value; -1 for an option that has no limit
     * @throws SyscallException {@code "sysconf"} with its errno, EINVAL for an unknown name
     */
    public static long sysconfChecked(int name) {
        try {
            return sysconf(name);
        } catch (LastErrorException e) {
            throw new SyscallException("sysconf", e.getErrorCode(), "name=" + name);
        }
    }

    /**
     * open(2). Unlike {@link SafeDescriptor#open}, it adds no flags.
     *
     * @param path  the file to open
     * @param flags the access mode ({@link #O_RDONLY}, {@link #O_WRONLY}, {@link #O_RDWR}) or-ed
     *     with other {@code O_} flags
     * @param mode  the permission bits of a file that {@link #O_CREAT} creates (less the umask);
     *     ignored otherwise
     * @return the new descriptor, which the caller owns
     * @throws SyscallException {@code "open"} with its errno and the path: e.g. ENOENT, EACCES,
     *     ENOTDIR, ELOOP, EMFILE, ENFILE, ENODEV
     */
    public static int openChecked(String path, int flags, int mode) {
        try {
            return open(path, flags, mode);
        } catch (LastErrorException e) {
            throw new SyscallException("open", e.getErrorCode(), path);
        }
    }

    /**
     * lseek(2); returns {@code -errno} instead of throwing, because {@code ENXIO} is the normal
     * answer of {@code SEEK_DATA}/{@code SEEK_HOLE} past the last data. Throws nothing.
     *
     * @param fd     an open descriptor
     * @param offset the offset in bytes, relative to {@code whence}
     * @param whence one of the {@code SEEK_} constants
     * @return the resulting offset from the start of the file, or {@code -errno}: e.g.
     *     {@code -ENXIO} (see {@link #SEEK_DATA}), {@code -EINVAL}, {@code -ESPIPE} (a pipe or
     *     socket), {@code -EBADF}
     */
    public static long lseekErrno(int fd, long offset, int whence) {
        try {
            return lseek(fd, offset, whence);
        } catch (LastErrorException e) {
            return -e.getErrorCode();
        }
    }

    /**
     * pread(2): reads up to {@code count} bytes at file offset {@code offset}, leaving the file
     * position as it is.
     *
     * @param fd     a descriptor open for reading
     * @param buf    the host address of at least {@code count} writable bytes
     * @param count  the most bytes to read
     * @param offset the file offset to read from
     * @return the number of bytes read: 0 at end of file, possibly fewer than {@code count}
     * @throws SyscallException {@code "pread"} with its errno: e.g. EIO, EBADF, EFAULT, EINVAL,
     *     ESPIPE (not seekable)
     */
    public static long preadChecked(int fd, long buf, long count, long offset) {
        try {
            return pread(fd, buf, count, offset);
        } catch (LastErrorException e) {
            throw new SyscallException("pread", e.getErrorCode(), "fd=" + fd + " count=" + count + " offset=" + offset);
        }
    }

    /**
     * pwrite(2): writes up to {@code count} bytes at file offset {@code offset}, leaving the file
     * position as it is.
     *
     * @param fd     a descriptor open for writing
     * @param buf    the host address of {@code count} readable bytes
     * @param count  the most bytes to write
     * @param offset the file offset to write at
     * @return the number of bytes written, possibly fewer than {@code count}
     * @throws SyscallException {@code "pwrite"} with its errno: e.g. ENOSPC, EFBIG, EIO, EBADF,
     *     EFAULT, EPERM (a seal forbids the write), ESPIPE
     */
    public static long pwriteChecked(int fd, long buf, long count, long offset) {
        try {
            return pwrite(fd, buf, count, offset);
        } catch (LastErrorException e) {
            throw new SyscallException("pwrite", e.getErrorCode(), "fd=" + fd + " count=" + count + " offset=" + offset);
        }
    }

    /**
     * read(2): reads up to {@code count} bytes at the file position.
     *
     * @param fd    a descriptor open for reading
     * @param buf   the host address of at least {@code count} writable bytes
     * @param count the most bytes to read (at least 8 for an eventfd, which reads 8)
     * @return the number of bytes read: 0 at end of file, possibly fewer than {@code count}
     * @throws SyscallException {@code "read"} with its errno: e.g. EAGAIN (non-blocking and nothing
     *     to read, such as an eventfd at 0), EINTR, EINVAL, EIO, EBADF, EFAULT
     */
    public static long readChecked(int fd, long buf, long count) {
        try {
            return read(fd, buf, count);
        } catch (LastErrorException e) {
            throw new SyscallException("read", e.getErrorCode(), "fd=" + fd + " count=" + count);
        }
    }

    /**
     * write(2): writes up to {@code count} bytes at the file position.
     *
     * @param fd    a descriptor open for writing
     * @param buf   the host address of {@code count} readable bytes
     * @param count the most bytes to write (at least 8 for an eventfd, which takes the first 8)
     * @return the number of bytes written, possibly fewer than {@code count}
     * @throws SyscallException {@code "write"} with its errno: e.g. EAGAIN (non-blocking and no
     *     room, such as an eventfd counter that would overflow), EINTR, EINVAL, ENOSPC, EIO, EBADF,
     *     EFAULT
     */
    public static long writeChecked(int fd, long buf, long count) {
        try {
            return write(fd, buf, count);
        } catch (LastErrorException e) {
            throw new SyscallException("write", e.getErrorCode(), "fd=" + fd + " count=" + count);
        }
    }

    /**
     * dup(2): a new descriptor, the lowest free one, for the same open file; close-on-exec is clear
     * on it.
     *
     * @param fd an open descriptor
     * @return the new descriptor, which the caller owns
     * @throws SyscallException {@code "dup"} with its errno: EBADF or EMFILE
     */
    public static int dupChecked(int fd) {
        try {
            return dup(fd);
        } catch (LastErrorException e) {
            throw new SyscallException("dup", e.getErrorCode(), "fd=" + fd);
        }
    }

    /**
     * Whether {@code fd} is a terminal, by isatty(3). Throws nothing.
     *
     * @param fd a descriptor
     * @return true when it is open and refers to a terminal; false otherwise, including when it is
     *     not open
     */
    public static boolean isTerminal(int fd) {
        return isatty(fd) == 1;
    }

    /**
     * tcgetattr (termios(3)): the terminal settings of {@code fd}.
     *
     * @param fd a descriptor that refers to a terminal
     * @return a new {@code struct termios} of {@link #TERMIOS_SIZE} bytes
     * @throws SyscallException {@code "tcgetattr"} with its errno: ENOTTY (not a terminal) or EBADF
     */
    public static byte[] tcgetattrChecked(int fd) {
        byte[] termios = new byte[TERMIOS_SIZE];
        try {
            tcgetattr(fd, termios);
        } catch (LastErrorException e) {
            throw new SyscallException("tcgetattr", e.getErrorCode(), "fd=" + fd);
        }
        return termios;
    }

    /**
     * tcsetattr (termios(3)): {@code tcsetattr(fd, action, termios)}. Like the C call it succeeds
     * when any of the changes could be made.
     *
     * @param fd      a descriptor that refers to a terminal
     * @param action  {@link #TCSANOW} or {@link #TCSAFLUSH}
     * @param termios the settings, a {@code struct termios} as {@link #tcgetattrChecked} returns it
     * @throws IllegalArgumentException if {@code termios} is shorter than {@link #TERMIOS_SIZE}
     *     bytes
     * @throws SyscallException {@code "tcsetattr"} with its errno: e.g. ENOTTY, EINVAL, EBADF
     */
    public static void tcsetattrChecked(int fd, int action, byte[] termios) {
        if (termios.length < TERMIOS_SIZE) {
            throw new IllegalArgumentException("a struct termios is " + TERMIOS_SIZE + " bytes, got " + termios.length);
        }
        try {
            tcsetattr(fd, action, termios);
        } catch (LastErrorException e) {
            throw new SyscallException("tcsetattr", e.getErrorCode(), "fd=" + fd);
        }
    }

    /**
     * cfmakeraw (termios(3)): a copy of {@code termios} set for raw input and output: input is
     * available byte by byte, echo is off and special characters are not processed. No system call
     * is made.
     *
     * @param termios the settings to start from, as {@link #tcgetattrChecked} returns them; not
     *     modified
     * @return the raw settings, a new array of the same length
     * @throws IllegalArgumentException if {@code termios} is shorter than {@link #TERMIOS_SIZE}
     *     bytes
     */
    public static byte[] rawTermios(byte[] termios) {
        if (termios.length < TERMIOS_SIZE) {
            throw new IllegalArgumentException("a struct termios is " + TERMIOS_SIZE + " bytes, got " + termios.length);
        }
        byte[] raw = termios.clone();
        cfmakeraw(raw);
        return raw;
    }

    /**
     * pthread_self(3): the calling thread's {@code pthread_t}.
     *
     * @return an opaque handle for {@link #pthreadKill}, valid until the thread ends
     */
    public static long pthreadSelf() {
        return pthread_self();
    }

    /**
     * pthread_kill(3): sends {@code sig} to a thread of this process; returns 0 or an errno value
     * (it does not set errno). Throws nothing.
     *
     * @param thread the target, from {@link #pthreadSelf} on that thread; it must not have ended
     *     (glibc's behaviour for an ended thread is undefined)
     * @param sig    the signal number, or 0 to check the thread only
     * @return 0 on success, else the errno: EINVAL for an invalid signal, ESRCH where glibc detects
     *     a thread that ended
     */
    public static int pthreadKill(long thread, int sig) {
        return pthread_kill(thread, sig);
    }

    /**
     * sigaction(2) with glibc's {@code struct sigaction} layout in {@code act}/{@code oldact}.
     *
     * @param signum the signal number; not SIGKILL or SIGSTOP
     * @param act    the new action, or null to leave it as it is
     * @param oldact receives the previous action, or null
     * @throws SyscallException {@code "sigaction"} with its errno: EINVAL (an invalid signal, or
     *     SIGKILL/SIGSTOP) or EFAULT
     */
    public static void sigactionChecked(int signum, Pointer act, Pointer oldact) {
        try {
            sigaction(signum, act, oldact);
        } catch (LastErrorException e) {
            throw new SyscallException("sigaction", e.getErrorCode(), "signal=" + signum);
        }
    }

    /**
     * glibc's {@code SIGRTMIN} (signal(7)): the first real-time signal applications may use. It is
     * a function, not a constant, because glibc reserves the lowest kernel real-time signals for
     * itself.
     *
     * @return the signal number (34 with the usual glibc)
     */
    public static int sigrtmin() {
        return __libc_current_sigrtmin();
    }

    /**
     * The host page size, by sysconf(3) {@link #SC_PAGESIZE}.
     *
     * @return the page size in bytes (4096 on x86-64)
     */
    public static long pageSize() {
        return sysconfChecked(SC_PAGESIZE);
    }
}
