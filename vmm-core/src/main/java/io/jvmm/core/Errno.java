package io.jvmm.core;

/**
 * Names for Linux errno values (x86-64 / asm-generic numbering), so that error messages say
 * {@code ENOMEM} rather than {@code 12}.
 */
public final class Errno {
    public static final int EPERM = 1;
    public static final int ENOENT = 2;
    public static final int EINTR = 4;
    public static final int EIO = 5;
    public static final int EBADF = 9;
    public static final int EAGAIN = 11;
    public static final int ENOMEM = 12;
    public static final int EACCES = 13;
    public static final int EFAULT = 14;
    public static final int EBUSY = 16;
    public static final int EEXIST = 17;
    public static final int ENODEV = 19;
    public static final int EINVAL = 22;
    public static final int ENFILE = 23;
    public static final int EMFILE = 24;
    public static final int ENOTTY = 25;
    public static final int EFBIG = 27;
    public static final int ENOSPC = 28;
    public static final int ESPIPE = 29;
    public static final int EROFS = 30;
    public static final int ERANGE = 34;
    public static final int ENOSYS = 38;
    public static final int ENXIO = 6;
    public static final int E2BIG = 7;
    public static final int ENOEXEC = 8;
    public static final int ECHILD = 10;
    public static final int ENOTBLK = 15;
    public static final int EXDEV = 18;
    public static final int ENOTDIR = 20;
    public static final int EISDIR = 21;
    public static final int ETXTBSY = 26;
    public static final int EMLINK = 31;
    public static final int EPIPE = 32;
    public static final int EDOM = 33;
    public static final int EDEADLK = 35;
    public static final int ENAMETOOLONG = 36;
    public static final int ENOLCK = 37;
    public static final int ENOTEMPTY = 39;
    public static final int ELOOP = 40;
    public static final int ENODATA = 61;
    public static final int ETIME = 62;
    public static final int EOVERFLOW = 75;
    public static final int EOPNOTSUPP = 95;
    public static final int ETIMEDOUT = 110;
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

    /** The symbolic name of {@code errno}, e.g. {@code "EINVAL"}, or {@code "errno N"} if unknown. */
    public static String name(int errno) {
        if (errno > 0 && errno < NAMES.length && NAMES[errno] != null) {
            return NAMES[errno];
        }
        return "errno " + errno;
    }
}
