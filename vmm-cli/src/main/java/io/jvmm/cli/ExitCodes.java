package io.jvmm.cli;

/** The exit statuses of {@code jvmm}, as documented in {@code jvmm --help} and the README. */
public final class ExitCodes {
    /** The guest reset (i8042) or halted. */
    public static final int OK = 0;
    /** The VMM failed: bad input file, KVM error, I/O error. */
    public static final int VMM_ERROR = 1;
    /** The command line was wrong (picocli's own usage code). */
    public static final int USAGE = 2;
    /** The guest shut down (triple fault) or KVM refused to enter it. */
    public static final int GUEST_FAILURE = 3;
    /** {@code --timeout} expired; the vCPU was stopped. Same value as coreutils timeout(1). */
    public static final int TIMEOUT = 124;

    private ExitCodes() {
    }
}
