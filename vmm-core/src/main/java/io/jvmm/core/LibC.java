package io.jvmm.core;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The libc calls jvmm needs, bound with JNA direct mapping ({@link Native#register}), which is
 * several times cheaper per call than interface mapping. Every wrapper throws
 * {@link SyscallException} carrying the errno name; nothing here validates arguments beyond what
 * the kernel does, so callers in other modules validate first.
 *
 * <p>Numbers are those of Linux x86-64 ({@code <sys/mman.h>}, {@code <fcntl.h>},
 * {@code <linux/memfd.h>}); {@code LibCConstantsTest} checks them against the C headers.
 */
public final class LibC {
    public static final int PROT_NONE = 0x0;
    public static final int PROT_READ = 0x1;
    public static final int PROT_WRITE = 0x2;
    public static final int PROT_EXEC = 0x4;

    public static final int MAP_SHARED = 0x01;
    public static final int MAP_PRIVATE = 0x02;
    public static final int MAP_FIXED = 0x10;
    public static final int MAP_ANONYMOUS = 0x20;
    public static final int MAP_NORESERVE = 0x4000;
    public static final int MAP_POPULATE = 0x8000;
    public static final int MAP_FIXED_NOREPLACE = 0x100000;
    public static final long MAP_FAILED = -1L;

    public static final int MREMAP_MAYMOVE = 1;
    public static final int MREMAP_FIXED = 2;
    /** Since Linux 5.7 (private anonymous only); for every other mapping since 5.13. */
    public static final int MREMAP_DONTUNMAP = 4;

    public static final int MADV_NORMAL = 0;
    public static final int MADV_WILLNEED = 3;
    public static final int MADV_DONTNEED = 4;
    public static final int MADV_REMOVE = 9;
    public static final int MADV_DONTFORK = 10;
    public static final int MADV_HUGEPAGE = 14;
    public static final int MADV_DONTDUMP = 16;

    public static final int MS_ASYNC = 1;
    public static final int MS_INVALIDATE = 2;
    public static final int MS_SYNC = 4;

    public static final int MLOCK_ONFAULT = 0x01;
    public static final int MCL_CURRENT = 1;
    public static final int MCL_FUTURE = 2;

    public static final int MFD_CLOEXEC = 0x0001;
    public static final int MFD_ALLOW_SEALING = 0x0002;

    public static final int F_GETFD = 1;
    public static final int F_GETFL = 3;
    public static final int F_ADD_SEALS = 1033;
    public static final int F_GET_SEALS = 1034;
    public static final int F_SEAL_SEAL = 0x0001;
    public static final int F_SEAL_SHRINK = 0x0002;
    public static final int F_SEAL_GROW = 0x0004;
    public static final int F_SEAL_WRITE = 0x0008;
    public static final int F_SEAL_FUTURE_WRITE = 0x0010;

    public static final int O_RDONLY = 0;
    public static final int O_WRONLY = 1;
    public static final int O_RDWR = 2;
    public static final int O_ACCMODE = 3;
    public static final int O_CREAT = 0100;
    public static final int O_TRUNC = 01000;
    public static final int O_CLOEXEC = 02000000;

    /** File type bits of {@code st_mode} ({@code <sys/stat.h>}). */
    public static final int S_IFMT = 0170000;
    public static final int S_IFREG = 0100000;
    public static final int S_IFDIR = 0040000;
    public static final int S_IFCHR = 0020000;
    public static final int S_IFBLK = 0060000;

    /*
     * glibc's struct stat on x86-64 (<bits/struct_stat.h>): st_mode is a u32 at byte 24, st_size an
     * i64 at byte 48, 144 bytes in all. Checked with gcc's offsetof/sizeof against glibc 2.36.
     */
    static final int STAT_STRUCT_SIZE = 144;
    static final int STAT_MODE_OFFSET = 24;
    static final int STAT_SIZE_OFFSET = 48;

    public static final int SEEK_SET = 0;
    public static final int SEEK_CUR = 1;
    public static final int SEEK_END = 2;
    public static final int SEEK_DATA = 3;
    public static final int SEEK_HOLE = 4;

    public static final int EFD_CLOEXEC = 02000000;
    public static final int EFD_NONBLOCK = 04000;

    /** {@code struct pollfd}: int fd, short events, short revents (poll(2)). */
    public static final int POLLFD_SIZE = 8;
    public static final short POLLIN = 0x001;
    public static final short POLLERR = 0x008;
    public static final short POLLHUP = 0x010;
    public static final short POLLNVAL = 0x020;

    public static final int LOCK_SH = 1;
    public static final int LOCK_EX = 2;
    public static final int LOCK_NB = 4;
    public static final int LOCK_UN = 8;

    /** {@code tcsetattr} actions and the {@code struct termios} fields jvmm changes (termios(3)). */
    public static final int TCSANOW = 0;
    public static final int TCSAFLUSH = 2;
    /** glibc's {@code struct termios} on x86-64: 4 flag words, c_line, c_cc[32], 2 speeds. */
    public static final int TERMIOS_SIZE = 60;
    public static final int TERMIOS_C_OFLAG = 4;
    public static final int OPOST = 0x1;
    public static final int ONLCR = 0x4;

    public static final int SC_PAGESIZE = 30;
    public static final int SC_NPROCESSORS_ONLN = 84;

    static {
        Native.register(NativeLibrary.getInstance("c"));
    }

    private LibC() {
    }

    // ---- raw bindings (direct mapped); errno arrives as LastErrorException ----

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

    public static long mmapChecked(long addr, long length, int prot, int flags, int fd, long offset) {
        try {
            return mmap(addr, length, prot, flags, fd, offset);
        } catch (LastErrorException e) {
            throw new SyscallException("mmap", e.getErrorCode(),
                "length=" + length + " prot=" + prot + " flags=0x" + Integer.toHexString(flags) + " fd=" + fd + " offset=" + offset);
        }
    }

    public static void munmapChecked(long addr, long length) {
        try {
            munmap(addr, length);
        } catch (LastErrorException e) {
            throw new SyscallException("munmap", e.getErrorCode(), "length=" + length);
        }
    }

    /** {@code mremap(old, oldSize, newSize, flags, newAddress)}; returns the new address. */
    public static long mremapChecked(long oldAddress, long oldSize, long newSize, int flags, long newAddress) {
        try {
            return mremap(oldAddress, oldSize, newSize, flags, newAddress);
        } catch (LastErrorException e) {
            throw new SyscallException("mremap", e.getErrorCode(),
                "oldSize=" + oldSize + " newSize=" + newSize + " flags=0x" + Integer.toHexString(flags));
        }
    }

    /** {@code fstat(fd)}: the file type and size of an open descriptor. */
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

    public static void mprotectChecked(long addr, long length, int prot) {
        try {
            mprotect(addr, length, prot);
        } catch (LastErrorException e) {
            throw new SyscallException("mprotect", e.getErrorCode(), "length=" + length + " prot=" + prot);
        }
    }

    public static void madviseChecked(long addr, long length, int advice) {
        try {
            madvise(addr, length, advice);
        } catch (LastErrorException e) {
            throw new SyscallException("madvise", e.getErrorCode(), "length=" + length + " advice=" + advice);
        }
    }

    public static void msyncChecked(long addr, long length, int flags) {
        try {
            msync(addr, length, flags);
        } catch (LastErrorException e) {
            throw new SyscallException("msync", e.getErrorCode(), "length=" + length);
        }
    }

    public static void mlock2Checked(long addr, long length, int flags) {
        try {
            mlock2(addr, length, flags);
        } catch (LastErrorException e) {
            throw new SyscallException("mlock2", e.getErrorCode(), "length=" + length);
        }
    }

    public static void munlockChecked(long addr, long length) {
        try {
            munlock(addr, length);
        } catch (LastErrorException e) {
            throw new SyscallException("munlock", e.getErrorCode(), "length=" + length);
        }
    }

    public static void mlockallChecked(int flags) {
        try {
            mlockall(flags);
        } catch (LastErrorException e) {
            throw new SyscallException("mlockall", e.getErrorCode(), "flags=" + flags);
        }
    }

    public static int memfdCreate(String name, int flags) {
        try {
            return memfd_create(name, flags);
        } catch (LastErrorException e) {
            throw new SyscallException("memfd_create", e.getErrorCode(), "name=" + name);
        }
    }

    public static void ftruncateChecked(int fd, long length) {
        try {
            ftruncate(fd, length);
        } catch (LastErrorException e) {
            throw new SyscallException("ftruncate", e.getErrorCode(), "fd=" + fd + " length=" + length);
        }
    }

    public static int fcntlChecked(int fd, int cmd, int arg) {
        try {
            return fcntl(fd, cmd, arg);
        } catch (LastErrorException e) {
            throw new SyscallException("fcntl", e.getErrorCode(), "fd=" + fd + " cmd=" + cmd);
        }
    }

    /**
     * {@code ioctl(fd, request, arg)} where {@code arg} is an integer or a host address. Returns the
     * call's non-negative result.
     */
    public static int ioctlChecked(int fd, long request, long arg) {
        try {
            return ioctl(fd, request, arg);
        } catch (LastErrorException e) {
            throw new SyscallException("ioctl", e.getErrorCode(), "fd=" + fd + " request=0x" + Long.toHexString(request));
        }
    }

    /**
     * {@code ioctl} that reports failure as a negative errno instead of an exception, for the
     * vCPU run loop where {@code EINTR}/{@code EAGAIN} are expected outcomes, not errors. Goes
     * through {@link DirectIoctl}'s system-call stub where it is available (x86-64 Linux), which
     * costs less than half of a JNA call per ioctl, and through JNA elsewhere.
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

    public static int eventfdChecked(int initval, int flags) {
        try {
            return eventfd(initval, flags);
        } catch (LastErrorException e) {
            throw new SyscallException("eventfd", e.getErrorCode(), "");
        }
    }

    /**
     * {@code poll(2)} on {@code nfds} {@code struct pollfd} at native address {@code fds}; returns
     * the number of ready entries, 0 on timeout, or {@code -EINTR} when a signal interrupted it.
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
     * {@code flock(2)}; returns 0, or the errno for {@code EWOULDBLOCK} (another holder, with
     * {@link #LOCK_NB}) and for {@code ENOLCK}/{@code EOPNOTSUPP}/{@code EINVAL} (the file system
     * cannot lock), so that callers can tell "locked by someone" from "cannot lock here".
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

    public static void closeChecked(int fd) {
        try {
            close(fd);
        } catch (LastErrorException e) {
            throw new SyscallException("close", e.getErrorCode(), "fd=" + fd);
        }
    }

    public static long sysconfChecked(int name) {
        try {
            return sysconf(name);
        } catch (LastErrorException e) {
            throw new SyscallException("sysconf", e.getErrorCode(), "name=" + name);
        }
    }

    public static int openChecked(String path, int flags, int mode) {
        try {
            return open(path, flags, mode);
        } catch (LastErrorException e) {
            throw new SyscallException("open", e.getErrorCode(), path);
        }
    }

    /**
     * {@code lseek}; returns {@code -errno} instead of throwing, because {@code ENXIO} is the
     * normal answer of {@code SEEK_DATA}/{@code SEEK_HOLE} past the last data.
     */
    public static long lseekErrno(int fd, long offset, int whence) {
        try {
            return lseek(fd, offset, whence);
        } catch (LastErrorException e) {
            return -e.getErrorCode();
        }
    }

    public static long preadChecked(int fd, long buf, long count, long offset) {
        try {
            return pread(fd, buf, count, offset);
        } catch (LastErrorException e) {
            throw new SyscallException("pread", e.getErrorCode(), "fd=" + fd + " count=" + count + " offset=" + offset);
        }
    }

    public static long pwriteChecked(int fd, long buf, long count, long offset) {
        try {
            return pwrite(fd, buf, count, offset);
        } catch (LastErrorException e) {
            throw new SyscallException("pwrite", e.getErrorCode(), "fd=" + fd + " count=" + count + " offset=" + offset);
        }
    }

    public static long readChecked(int fd, long buf, long count) {
        try {
            return read(fd, buf, count);
        } catch (LastErrorException e) {
            throw new SyscallException("read", e.getErrorCode(), "fd=" + fd + " count=" + count);
        }
    }

    public static long writeChecked(int fd, long buf, long count) {
        try {
            return write(fd, buf, count);
        } catch (LastErrorException e) {
            throw new SyscallException("write", e.getErrorCode(), "fd=" + fd + " count=" + count);
        }
    }

    public static int dupChecked(int fd) {
        try {
            return dup(fd);
        } catch (LastErrorException e) {
            throw new SyscallException("dup", e.getErrorCode(), "fd=" + fd);
        }
    }

    /** Whether {@code fd} is a terminal ({@code isatty}). */
    public static boolean isTerminal(int fd) {
        return isatty(fd) == 1;
    }

    /** {@code tcgetattr}: the terminal settings of {@code fd}, {@link #TERMIOS_SIZE} bytes. */
    public static byte[] tcgetattrChecked(int fd) {
        byte[] termios = new byte[TERMIOS_SIZE];
        try {
            tcgetattr(fd, termios);
        } catch (LastErrorException e) {
            throw new SyscallException("tcgetattr", e.getErrorCode(), "fd=" + fd);
        }
        return termios;
    }

    /** {@code tcsetattr(fd, action, termios)}. */
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

    /** {@code cfmakeraw}: a copy of {@code termios} set for raw input and output. */
    public static byte[] rawTermios(byte[] termios) {
        if (termios.length < TERMIOS_SIZE) {
            throw new IllegalArgumentException("a struct termios is " + TERMIOS_SIZE + " bytes, got " + termios.length);
        }
        byte[] raw = termios.clone();
        cfmakeraw(raw);
        return raw;
    }

    /** The calling thread's {@code pthread_t}. */
    public static long pthreadSelf() {
        return pthread_self();
    }

    /** {@code pthread_kill}; returns 0 or an errno value (it does not set errno). */
    public static int pthreadKill(long thread, int sig) {
        return pthread_kill(thread, sig);
    }

    /** {@code sigaction} with glibc's {@code struct sigaction} layout in {@code act}/{@code oldact}. */
    public static void sigactionChecked(int signum, Pointer act, Pointer oldact) {
        try {
            sigaction(signum, act, oldact);
        } catch (LastErrorException e) {
            throw new SyscallException("sigaction", e.getErrorCode(), "signal=" + signum);
        }
    }

    /**
     * glibc's {@code SIGRTMIN}: the first real-time signal applications may use. It is a function,
     * not a constant, because glibc reserves the lowest kernel real-time signals for itself.
     */
    public static int sigrtmin() {
        return __libc_current_sigrtmin();
    }

    /** The host page size. */
    public static long pageSize() {
        return sysconfChecked(SC_PAGESIZE);
    }
}
