package io.jvmm.kvm.sys;

import com.sun.jna.Memory;
import io.jvmm.core.Errno;
import io.jvmm.core.LibC;
import io.jvmm.core.NativeCode;

/**
 * The signal that kicks a vCPU thread out of {@code KVM_RUN}.
 *
 * <p>A thread blocked in {@code KVM_RUN} (guest executing, or halted in the kernel) returns with
 * {@code EINTR} when a signal is delivered to it; together with {@code kvm_run.immediate_exit},
 * which makes the next {@code KVM_RUN} return {@code EINTR} at once, this stops a vCPU without a
 * race (api.rst 5, "immediate_exit"). The handler does nothing: it is a single {@code ret}
 * instruction placed by {@link NativeCode}, so no Java code runs in signal context. It is
 * installed without {@code SA_RESTART}, so the interrupted ioctl is not restarted.
 *
 * <p>The signal is glibc's {@code SIGRTMIN}: HotSpot uses SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGPIPE,
 * SIGXFSZ, SIGQUIT, SIGHUP/SIGINT/SIGTERM and SIGUSR2 (thread suspend/resume); the JDK's
 * interruptible NIO uses {@code SIGRTMAX - 2}; glibc keeps the two real-time signals below
 * {@code SIGRTMIN} for itself. Firecracker and crosvm use the same signal for the same purpose.
 * Installation refuses to replace a handler that someone else installed on it.
 *
 * <p>Installing is process-wide and happens once, on first use of this class.
 */
public final class VcpuKickSignal {
    /** glibc x86-64 {@code struct sigaction} (sysdeps/unix/sysv/linux/bits/sigaction.h). */
    static final int SIGACTION_HANDLER = 0;     // union { sa_handler; sa_sigaction }
    static final int SIGACTION_MASK = 8;        // sigset_t, 1024 bits
    static final int SIGACTION_MASK_SIZE = 128;
    static final int SIGACTION_FLAGS = SIGACTION_MASK + SIGACTION_MASK_SIZE; // int
    static final int SIGACTION_RESTORER = SIGACTION_FLAGS + 8;              // after int padding
    static final int SIGACTION_SIZE = SIGACTION_RESTORER + 8;
    /** {@code SIG_DFL} and {@code SIG_IGN} as handler values. */
    static final long SIG_DFL = 0;
    static final long SIG_IGN = 1;

    private static final byte[] X86_64_RET = {(byte) 0xC3};

    private VcpuKickSignal() {
    }

    /**
     * The signal number, installing the handler on first call. Thread-safe.
     *
     * @return glibc's {@code SIGRTMIN}
     * @throws ExceptionInInitializerError on the first call if installing fails; its cause is, for
     *     example, an {@link IllegalStateException} when the signal already has another handler, or an
     *     {@link io.jvmm.core.SyscallException} when {@code sigaction(2)} fails. Every later call
     *     then throws {@link NoClassDefFoundError}: installation is not retried.
     */
    public static int signal() {
        return Installed.SIGNAL;
    }

    /**
     * Sends the kick signal to the thread {@code pthread}. The caller must guarantee the thread is
     * alive (pthread_kill of an exited thread is undefined behaviour). Installs the handler
     * first if {@link #signal()} has not run yet.
     *
     * @param pthread the target thread's {@code pthread_t}, as {@code pthread_self(3)} returned it
     * @throws IllegalStateException if {@code pthread_kill(3)} returns an error
     * @throws ExceptionInInitializerError if installing the handler fails, as for {@link #signal()}
     */
    public static void send(long pthread) {
        int err = LibC.pthreadKill(pthread, Installed.SIGNAL);
        if (err != 0) {
            throw new IllegalStateException("pthread_kill(signal " + Installed.SIGNAL + ") failed: " + Errno.name(err));
        }
    }

    /** Class-initialisation holder: the JVM runs {@link #install()} exactly once, thread-safely. */
    private static final class Installed {
        static final int SIGNAL = install();
    }

    private static int install() {
        int signal = LibC.sigrtmin();
        NativeCode handler = NativeCode.of(X86_64_RET);
        try (Memory act = new Memory(SIGACTION_SIZE); Memory old = new Memory(SIGACTION_SIZE)) {
            act.clear();
            old.clear();
            // Peek first, so that a foreign handler is reported instead of silently replaced.
            LibC.sigactionChecked(signal, null, old);
            long existing = old.getLong(SIGACTION_HANDLER);
            if (existing != SIG_DFL && existing != SIG_IGN && existing != handler.address()) {
                throw new IllegalStateException("signal " + signal + " (SIGRTMIN) already has a handler at 0x"
                    + Long.toHexString(existing) + "; jvmm needs it to kick vCPU threads out of KVM_RUN");
            }
            act.setLong(SIGACTION_HANDLER, handler.address());
            // Empty sa_mask, sa_flags 0: no SA_RESTART (KVM_RUN must fail with EINTR), no
            // SA_SIGINFO. glibc adds SA_RESTORER and its own restorer.
            act.setInt(SIGACTION_FLAGS, 0);
            LibC.sigactionChecked(signal, act, null);
        }
        return signal;
    }
}
