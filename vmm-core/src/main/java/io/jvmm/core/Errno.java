package io.jvmm.core;

/**
 * Names for Linux errno values (x86-64 / asm-generic numbering), so that error messages say
 * {@code ENOMEM} rather than {@code 12}.
 */
public final class Errno {
    /** Operation not permitted: the caller lacks the privilege or capability. */
    public static final int EPERM = 1;
    /** No such file or directory. */
    public static final int ENOENT = 2;
    /** Interrupted system call: a signal arrived before the call completed. */
    public static final int EINTR = 4;
    /** Input/output error. */
    public static final int EIO = 5;
    /** Bad file descriptor: not open, or not open for the requested access. */
    public static final int EBADF = 9;
    /** Resource temporarily unavailable: a non-blocking call would block (an empty eventfd read, say). */
    public static final int EAGAIN = 11;
    /** Cannot allocate memory, or (mmap family) the range is not mapped or exceeds a limit. */
    public static final int ENOMEM = 12;
    /** Permission denied. */
    public static final int EACCES = 13;
    /** Bad address: a pointer argument is outside the accessible address space. */
    public static final int EFAULT = 14;
    /** Device or resource busy. */
    public static final int EBUSY = 16;
    /** File exists; also {@code MAP_FIXED_NOREPLACE} over an existing mapping. */
    public static final int EEXIST = 17;
    /** No such device, or the file system does not support the operation (mmap of a non-mappable file). */
    public static final int ENODEV = 19;
    /** Invalid argument. */
    public static final int EINVAL = 22;
    /** Too many open files in the system. */
    public static final int ENFILE = 23;
    /** Too many open files: the process reached {@code RLIMIT_NOFILE}. */
    public static final int EMFILE = 24;
    /** Inappropriate ioctl for device: the request does not apply to this descriptor. */
    public static final int ENOTTY = 25;
    /** File too large. */
    public static final int EFBIG = 27;
    /** No space left on device. */
    public static final int ENOSPC = 28;
    /** Illegal seek: the descriptor is a pipe, socket or FIFO. */
    public static final int ESPIPE = 29;
    /** Read-only file system. */
    public static final int EROFS = 30;
    /** Numerical result out of range. */
    public static final int ERANGE = 34;
    /** Function not implemented: this kernel lacks the system call. */
    public static final int ENOSYS = 38;
    /** No such device or address; also {@code lseek} with {@code SEEK_DATA}/{@code SEEK_HOLE} past the last data. */
    public static final int ENXIO = 6;
    /** Argument list too long. */
    public static final int E2BIG = 7;
    /** Exec format error. */
    public static final int ENOEXEC = 8;
    /** No child processes. */
    public static final int ECHILD = 10;
    /** Block device required. */
    public static final int ENOTBLK = 15;
    /** Invalid cross-device link. */
    public static final int EXDEV = 18;
    /** Not a directory. */
    public static final int ENOTDIR = 20;
    /** Is a directory. */
    public static final int EISDIR = 21;
    /** Text file busy. */
    public static final int ETXTBSY = 26;
    /** Too many links. */
    public static final int EMLINK = 31;
    /** Broken pipe: the reading end is closed. */
    public static final int EPIPE = 32;
    /** Numerical argument out of domain. */
    public static final int EDOM = 33;
    /** Resource deadlock avoided. */
    public static final int EDEADLK = 35;
    /** File name too long. */
    public static final int ENAMETOOLONG = 36;
    /** No locks available. */
    public static final int ENOLCK = 37;
    /** Directory not empty. */
    public static final int ENOTEMPTY = 39;
    /** Too many levels of symbolic links. */
    public static final int ELOOP = 40;
    /** No data available. */
    public static final int ENODATA = 61;
    /** Timer expired. */
    public static final int ETIME = 62;
    /** Value too large for the defined data type. */
    public static final int EOVERFLOW = 75;
    /** Operation not supported. */
    public static final int EOPNOTSUPP = 95;
    /** Connection timed out. */
    public static final int ETIMEDOUT = 110;
    /** The same number as {@link #EOPNOTSUPP} on Linux. */
    public static final int ENOTSUP = EOPNOTSUPP;
    /** The same number as {@link #EAGAIN} on Linux. */
    public static final int EWOULDBLOCK = EAGAIN;

    private static final String[] NAMES = new String[134];

    static {
        String[][] table = {
            {"EPERM", "1"}, {"ENOENT", "2"}, {"ESRCH", "3"}, {"EINTR", "4"}, {"EIO", "5"},
            {"ENXIO", "6"}, {"E2BIG", "7"}, {"ENOEXEC", "8"}, {"EBADF", "9"}, {"ECHILD", "10"},
            {"EAGAIN", "11"}, {"ENOMEM", "12"}, {"EACCES", "13"}, {"EFAULT", "14"},
            {"ENOTBLK", "15"}, {"EBUSY", "16"}, {"EEXIST", "17"}, {"EXDEV", "18"},
            {"ENODEV", "19"}, {"ENOTDIR", "20"}, {"EISDIR", "21"}, {"EINVAL", "22"},
            {"ENFILE", "23"}, {"EMFILE", "24"}, {"ENOTTY", "25"}, {"ETXTBSY", "26"},
            {"EFBIG", "27"}, {"ENOSPC", "28"}, {"ESPIPE", "29"}, {"EROFS", "30"},
            {"EMLINK", "31"}, {"EPIPE", "32"}, {"EDOM", "33"}, {"ERANGE", "34"},
            {"EDEADLK", "35"}, {"ENAMETOOLONG", "36"}, {"ENOLCK", "37"}, {"ENOSYS", "38"},
            {"ENOTEMPTY", "39"}, {"ELOOP", "40"}, {"ENODATA", "61"}, {"ETIME", "62"},
            {"EOVERFLOW", "75"}, {"EOPNOTSUPP", "95"}, {"ETIMEDOUT", "110"},
            {"EHWPOISON", "133"},
        };
        for (String[] row : table) {
            NAMES[Integer.parseInt(row[1])] = row[0];
        }
    }

    private Errno() {
    }

    /**
     * The symbolic name of {@code errno}, e.g. {@code "EINVAL"}, or {@code "errno N"} if unknown.
     * Thread-safe.
     *
     * @param errno an errno value, as {@link SyscallException#errno()} reports it
     * @return the name: one for each constant of this class ({@link #ENOTSUP} and
     *     {@link #EWOULDBLOCK} read as their aliases' names) and for ESRCH and EHWPOISON;
     *     {@code "errno "} and the number for any other value, 0 and negative ones included
     */
    public static String name(int errno) {
        if (errno > 0 && errno < NAMES.length && NAMES[errno] != null) {
            return NAMES[errno];
        }
        return "errno " + errno;
    }
}
