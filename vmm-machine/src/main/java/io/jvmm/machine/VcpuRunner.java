package io.jvmm.machine;

import io.jvmm.kvm.ExitCounter;
import io.jvmm.kvm.Vcpu;
import io.jvmm.kvm.VcpuExit;
import io.jvmm.kvm.Vm;

import io.jvmm.devices.bus.IoBus;
import io.jvmm.devices.bus.MmioBus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a VM's vCPUs, each on its own thread, until the first terminal event: a vCPU exit the buses
 * do not serve (HLT, shutdown, failed entry, internal error, system event, unknown exit), a stop
 * request ({@link #requestStop}, e.g. the i8042's reset callback asking for
 * {@link StopReason#RESET}), or the time limit. Then every vCPU is kicked out of {@code KVM_RUN}
 * ({@link Vcpu#kick()}: {@code immediate_exit} plus a signal) and the threads are joined.
 *
 * <p>Each vCPU thread spends its life in {@link Vcpu#run(io.jvmm.kvm.ExitHandler, ExitCounter)} with a
 * {@link BusExitHandler}, which serves port and MMIO exits without allocating; the thread only comes
 * back here for the rare exits. It counts exits in its own {@link ExitCounter}; the counts are summed
 * after the join.
 *
 * <p>Single use: create a runner per run.
 */
public final class VcpuRunner {
    private static final Logger LOG = LoggerFactory.getLogger(VcpuRunner.class);
    /** How long to wait for kicked vCPU threads; they leave KVM_RUN within microseconds. */
    private static final long JOIN_LIMIT_MS = 10_000;

    private final List<Vcpu> vcpus;
    private final BusExitHandler exits;
    private final long vmCreatedAtNanos;
    private final Runnable onEnd;
    private final AtomicReference<Termination> termination = new AtomicReference<>();
    private final CountDownLatch terminated = new CountDownLatch(1);
    private final AtomicBoolean started = new AtomicBoolean();

    /** What ended the run: set once, by the first terminal event. */
    private record Termination(StopReason reason, int vcpu, VcpuExit exit, Throwable error) {
    }

    /** Per-thread results, published to the caller by {@link Thread#join()}. */
    private static final class VcpuThreadState {
        final ExitCounter counter = new ExitCounter();
        long firstRunNanos;
        long endNanos;
    }

    /**
     * A runner for one run of {@code vcpus}; no thread starts before {@link #run(Duration)}. The vCPUs stay the caller's.
     *
     * @param vcpus the vCPUs to run, already set up (registers, CPUID, ...); copied
     * @param io the I/O-port bus that serves the vCPUs' port exits
     * @param mmio the MMIO bus that serves their MMIO exits
     * @param vmCreatedAtNanos {@link Vm#createdAtNanos()}, the start of the setup-time statistic
     * @throws IllegalArgumentException when {@code vcpus} is empty
     * @throws NullPointerException when {@code vcpus}, one of its elements or a bus is null
     */
    public VcpuRunner(List<Vcpu> vcpus, IoBus io, MmioBus mmio, long vmCreatedAtNanos) {
        this(vcpus, io, mmio, vmCreatedAtNanos, () -> { });
    }

    /**
     * As {@link #VcpuRunner(List, IoBus, MmioBus, long)}, with an action for the end of the run.
     * A kick reaches a vCPU thread only in {@code KVM_RUN}; one that a device model holds (the
     * console waiting for its host reader, docs/devices.md) is released by {@code onEnd}, which
     * runs once, on the thread that ended the run, right after every vCPU is kicked.
     *
     * @param vcpus the vCPUs to run, already set up (registers, CPUID, ...); copied
     * @param io the I/O-port bus that serves the vCPUs' port exits
     * @param mmio the MMIO bus that serves their MMIO exits
     * @param vmCreatedAtNanos {@link Vm#createdAtNanos()}, the start of the setup-time statistic
     * @param onEnd what releases the vCPU threads from the devices; must not block; what it throws
     *     is logged and does not stop the run from ending
     * @throws IllegalArgumentException when {@code vcpus} is empty
     * @throws NullPointerException when {@code vcpus}, one of its elements, a bus or {@code onEnd} is null
     */
    public VcpuRunner(List<Vcpu> vcpus, IoBus io, MmioBus mmio, long vmCreatedAtNanos, Runnable onEnd) {
        if (vcpus.isEmpty()) {
            throw new IllegalArgumentException("no vCPUs to run");
        }
        this.vcpus = List.copyOf(vcpus);
        this.exits = new BusExitHandler(io, mmio);
        this.vmCreatedAtNanos = vmCreatedAtNanos;
        this.onEnd = Objects.requireNonNull(onEnd, "onEnd");
    }

    /**
     * Ends the run with {@code reason} unless it has already ended: the first terminal event wins, and every vCPU is kicked out
     * of {@code KVM_RUN}. Does not wait for the vCPU threads; {@link #run(Duration)} returns once they have left. Thread-safe
     * and callable from a vCPU thread (a device's callback) as from any other. Called before the run starts, it makes the run
     * end at once with {@code reason}.
     *
     * @param reason the {@link RunResult#reason()} to report
     * @return whether this call ended the run; {@code false} when it had already ended
     * @throws NullPointerException when {@code reason} is null
     */
    public boolean requestStop(StopReason reason) {
        return terminate(new Termination(Objects.requireNonNull(reason, "reason"), -1, null, null));
    }

    /**
     * Runs without a time limit: {@code run(null)}.
     *
     * @return how it ended, with exit counts and timings
     * @throws VcpuFailedException when a vCPU thread failed (a KVM error, a device threw)
     * @throws IllegalStateException when called twice, or when a kicked vCPU thread does not leave {@code KVM_RUN} in 10 s
     */
    public RunResult run() {
        return run(null);
    }

    /**
     * Starts one daemon thread per vCPU, named {@code jvmm-vcpu-N} after the vCPU's id, and blocks the calling thread until
     * the run ends and every vCPU thread has returned. A vCPU's exit is handled on its own thread: port and MMIO exits by
     * the buses' devices, anything else ends the run. Interrupting the calling thread ends the run with
     * {@link StopReason#STOPPED}; its interrupt flag is set again when this returns.
     *
     * @param timeout the time limit, or {@code null} for none; zero or negative ends the run with {@link StopReason#TIMEOUT}
     *     right after the threads start, unless something else ended it first
     * @return how it ended, with exit counts and timings
     * @throws VcpuFailedException when a vCPU thread failed (a KVM error, a device threw); the
     *     other vCPUs are stopped first
     * @throws IllegalStateException when called twice, or when a kicked vCPU thread does not leave {@code KVM_RUN} within
     *     10 s (it is left running)
     */
    public RunResult run(Duration timeout) {
        if (!started.compareAndSet(false, true)) {
            throw new IllegalStateException("a VcpuRunner runs once; create a new one");
        }
        List<Thread> threads = new ArrayList<>();
        List<VcpuThreadState> states = new ArrayList<>();
        for (Vcpu vcpu : vcpus) {
            VcpuThreadState state = new VcpuThreadState();
            Thread t = new Thread(() -> vcpuLoop(vcpu, state), "jvmm-vcpu-" + vcpu.id());
            t.setDaemon(true);
            threads.add(t);
            states.add(state);
        }
        // Converted before any thread starts: Duration.toNanos throws past ~292 years, which
        // would have left the vCPU threads running with nobody to stop them.
        long timeoutNanos = timeout == null ? -1 : Math.max(0, TimeUnit.NANOSECONDS.convert(timeout));
        try {
            threads.forEach(Thread::start);
            awaitTermination(timeoutNanos);
        } finally {
            // whatever ended the wait (a failed Thread.start too), no vCPU thread outlives run()
            // unstopped
            terminate(new Termination(StopReason.STOPPED, -1, null, null));
            joinAll(threads);
        }

        Termination end = termination.get();
        ExitCounter total = new ExitCounter();
        List<Map<String, Long>> byVcpu = new ArrayList<>();
        long firstRun = Long.MAX_VALUE;
        long lastEnd = Long.MIN_VALUE;
        for (VcpuThreadState s : states) {
            total.add(s.counter);
            byVcpu.add(s.counter.snapshot());
            if (s.firstRunNanos != 0) {
                firstRun = Math.min(firstRun, s.firstRunNanos);
            }
            lastEnd = Math.max(lastEnd, s.endNanos);
        }
        if (end.error != null) {
            throw new VcpuFailedException(end.vcpu, end.error);
        }
        Duration setup = firstRun == Long.MAX_VALUE ? Duration.ZERO : Duration.ofNanos(firstRun - vmCreatedAtNanos);
        Duration loop = firstRun == Long.MAX_VALUE ? Duration.ZERO : Duration.ofNanos(Math.max(0, lastEnd - firstRun));
        return new RunResult(end.reason, end.vcpu, end.exit, total.snapshot(), setup, loop, byVcpu);
    }

    /** Waits for the end of the run, at most {@code timeoutNanos} when that is not negative. */
    private void awaitTermination(long timeoutNanos) {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    if (timeoutNanos < 0) {
                        terminated.await();
                    } else if (!terminated.await(timeoutNanos, TimeUnit.NANOSECONDS)) {
                        terminate(new Termination(StopReason.TIMEOUT, -1, null, null));
                    }
                    return;
                } catch (InterruptedException e) {
                    // The caller's thread was interrupted: stop the guest, then restore the flag.
                    interrupted = true;
                    terminate(new Termination(StopReason.STOPPED, -1, null, null));
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void joinAll(List<Thread> threads) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(JOIN_LIMIT_MS);
        boolean interrupted = false;
        for (Thread t : threads) {
            while (t.isAlive()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new IllegalStateException(t.getName() + " did not leave KVM_RUN within " + JOIN_LIMIT_MS + " ms of being kicked");
                }
                try {
                    t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private void vcpuLoop(Vcpu vcpu, VcpuThreadState state) {
        try {
            state.firstRunNanos = System.nanoTime();
            while (termination.get() == null) {
                VcpuExit exit = vcpu.run(exits, state.counter);
                if (exit instanceof VcpuExit.Interrupted) {
                    continue; // kicked: the loop condition decides; a stray signal just resumes
                }
                LOG.debug("vcpu {} stops the run: {}", vcpu.id(), exit);
                terminate(new Termination(StopReason.of(exit), vcpu.id(), exit, null));
            }
        } catch (Throwable e) {
            terminate(new Termination(StopReason.STOPPED, vcpu.id(), null, e));
        } finally {
            state.endNanos = System.nanoTime();
        }
    }

    private boolean terminate(Termination t) {
        if (!termination.compareAndSet(null, t)) {
            return false;
        }
        try {
            for (Vcpu v : vcpus) {
                try {
                    v.kick();
                } catch (RuntimeException e) {
                    // one vCPU that cannot be kicked must not keep the others, or the waiter, running
                    LOG.warn("cannot kick vcpu {}: {}", v.id(), e.getMessage());
                }
            }
            try {
                onEnd.run();
            } catch (RuntimeException e) {
                LOG.warn("the end-of-run action failed: {}", e.toString());
            }
        } finally {
            terminated.countDown();
        }
        return true;
    }
}
