package io.jvmm.cli;

import io.jvmm.core.IoErrors;
import io.jvmm.core.LibC;
import io.jvmm.machine.GuestConfig;
import io.jvmm.kvm.Kvm;
import io.jvmm.kvm.KvmBackend;
import io.jvmm.machine.Machine;
import io.jvmm.machine.RunResult;
import io.jvmm.machine.StopReason;
import io.jvmm.machine.VcpuFailedException;
import io.jvmm.machine.guest.CpuMode;
import io.jvmm.x86.X86Layout;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code jvmm run}: builds a machine around a guest ({@link GuestSource}), runs it, and turns how
 * the run ended into an exit code ({@link ExitCodes}).
 *
 * <p>Everything the user can get wrong is checked before anything is created: option values
 * (usage errors, exit 2), then the guest's inputs and their placement in memory (exit 1), then
 * {@code /dev/kvm}; only then is the {@code --serial-out} file created and the VM built.
 */
@Command(name = "run", mixinStandardHelpOptions = true, sortOptions = false, usageHelpAutoWidth = true,
    description = {
        "Boots a guest and runs it until it resets, halts, fails or times out.",
        "",
        "Without options it boots the built-in demo guest: it enters 64-bit long mode, prints a greeting"
            + " on its serial port (to stdout), computes with a value jvmm put in its memory, and resets;"
            + " jvmm then checks its result in guest memory.",
        "",
        "With --kernel it boots a Linux kernel (bzImage or ELF vmlinux) with an optional --initrd, the way"
            + " Firecracker does: no firmware, 64-bit boot protocol, the console on ttyS0 (to stdout),"
            + " reboot=k ending the run. This needs hardware-assisted KVM (kvm_intel or kvm_amd).",
        ""},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
        "0:the guest reset or halted, or Ctrl-A x quit the console",
        "1:VMM error: bad input file, image or kernel does not fit, /dev/kvm unusable, KVM failure, wrong demo"
            + " result, a kernel on a host that cannot boot one",
        "2:usage error: unknown option, malformed or out-of-range value, missing or conflicting options",
        "3:the guest shut down (triple fault), KVM could not enter it, or KVM hit an internal error",
        "124:--timeout expired; the vCPUs were stopped"},
    footerHeading = "%nExamples:%n",
    footer = {
        "  jvmm run",
        "  jvmm run --guest real --stats",
        "  jvmm run --raw guest.bin --load-addr 0x100000 --entry 0x100000 --mode long",
        "  jvmm run --kernel vmlinuz --initrd initramfs.cpio.gz --cmdline \"console=ttyS0 reboot=k panic=-1\" --stats",
        "  jvmm run --timeout 5s --serial-out console.txt",
        "",
        "Console: stdin reaches the guest's serial port; on a terminal, Ctrl-A x quits, Ctrl-A Ctrl-A sends Ctrl-A."})
final class RunCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(RunCommand.class);
    /** How long a Ctrl-C waits for the run to wind down (flush the console, print stats). */
    private static final long INTERRUPT_GRACE_MS = 2000;
    /** The shortest run left to a guest whose console took nearly all of --timeout to open. */
    private static final Duration MIN_RUN_TIMEOUT = Duration.ofMillis(1);
    /** --mem when a kernel is booted and --mem is not given (see GuestConfig.DEFAULT_KERNEL_MEMORY). */
    static final long KERNEL_DEFAULT_MEMORY = GuestConfig.DEFAULT_KERNEL_MEMORY;

    private final Environment env;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--mem", paramLabel = "SIZE", defaultValue = "256M", converter = SizeConverter.class,
        description = "Guest RAM: a number with an optional K, M, G suffix (binary), e.g. 256M or 1G;"
            + " at least 2M, a multiple of 4K, at most the host's RAM. Default: ${DEFAULT-VALUE}, 512M with --kernel.")
    long memory;

    @Option(names = "--vcpus", paramLabel = "N", defaultValue = "1",
        description = "Number of vCPUs (default: ${DEFAULT-VALUE}). More than one turns on the in-kernel"
            + " irqchip, with which a guest HLT waits for an interrupt instead of ending the run.")
    int vcpus;

    @Option(names = "--timeout", paramLabel = "DURATION", converter = DurationConverter.class,
        description = "Stop the guest after this long (500ms, 10s, 2m, 1h; a bare number is seconds)"
            + " and exit with 124. Default: no limit.")
    Duration timeout;

    @Option(names = "--serial-out", paramLabel = "FILE",
        description = "Write the guest's serial console to FILE (created or truncated) instead of stdout.")
    Path serialOut;

    @Option(names = "--stats",
        description = "At the end, print one JSON line on stderr: exits by reason, run_loop_ms, setup_ms,"
            + " process_ms, boot_complete_ms, boot_complete_process_ms, exits_total, reason.")
    boolean stats;

    @Option(names = "--guest", paramLabel = "NAME", converter = BuiltInGuest.Converter.class,
        completionCandidates = BuiltInGuest.Names.class,
        description = "Built-in guest to boot: demo (64-bit long mode, the default) or real (16-bit real mode).")
    BuiltInGuest guest;

    @Option(names = "--raw", paramLabel = "FILE",
        description = "Boot a flat binary instead of a built-in guest (needs --load-addr and --entry).")
    Path raw;

    @Option(names = "--load-addr", paramLabel = "ADDR", converter = AddressConverter.class,
        description = "Guest-physical address to load the --raw image at (0x... or decimal).")
    Long loadAddress;

    @Option(names = "--entry", paramLabel = "ADDR", converter = AddressConverter.class,
        description = "Guest-physical address of the --raw image's first instruction; must lie inside the image.")
    Long entry;

    @Option(names = "--mode", paramLabel = "MODE", converter = CpuModeConverter.class,
        completionCandidates = CpuModeConverter.Names.class,
        description = "CPU mode to enter the --raw image in: long (64-bit, identity-mapped low 4 GiB; the"
            + " default) or real (16-bit; CS = load address / 16).")
    CpuMode mode;

    @Option(names = "--kernel", paramLabel = "FILE",
        description = "Boot this Linux kernel (bzImage or ELF vmlinux) instead of a built-in guest.")
    Path kernel;

    @Option(names = "--initrd", paramLabel = "FILE",
        description = "Initial ramdisk for --kernel, e.g. a gzip'd cpio initramfs; placed high in RAM.")
    Path initrd;

    @Option(names = "--cmdline", paramLabel = "STRING",
        description = "Kernel command line for --kernel (printable ASCII, at most the kernel's cmdline_size)."
            + " Default: \"" + KernelSource.DEFAULT_CMDLINE + "\".")
    String cmdline;

    @Option(names = "--disk", paramLabel = "FILE[,ro]", converter = DiskOption.Converter.class,
        description = "Give --kernel a virtio-blk disk backed by this raw image; repeatable: the guest sees /dev/vda,"
            + " /dev/vdb, ... in order. ',ro' makes it read-only. The image is locked (flock) while jvmm runs.")
    List<DiskOption> disks = new ArrayList<>();

    @Option(names = "--rng",
        description = "Give --kernel a virtio-rng device fed from the host's /dev/urandom (the guest's /dev/hwrng).")
    boolean rng;

    @Option(names = "--force",
        description = "Boot --kernel even on a host whose KVM cannot run a stock kernel (PVM), instead of refusing.")
    boolean force;

    RunCommand(Environment env) {
        this.env = env;
    }

    @Override
    public Integer call() {
        if (kernel != null && !spec.commandLine().getParseResult().hasMatchedOption("--mem")) {
            memory = KERNEL_DEFAULT_MEMORY;
        }
        checkOptions();
        checkDisksDistinct();
        GuestSource source = guestSource();
        LOG.debug("guest: {}; memory {}, {} vCPU(s), timeout {}", source.describe(), SizeConverter.format(memory), vcpus,
            timeout == null ? "none" : DurationConverter.format(timeout));
        // A kernel always has the irqchip (its timer and console interrupts); other guests only
        // with several vCPUs, since with it HLT no longer ends their run.
        GuestConfig.Builder config = GuestConfig.builder().memorySize(memory).vcpus(vcpus)
            .irqchip(vcpus > 1 || kernel != null);
        source.configure(config, memory);
        checkConfig(config);
        checkSerialOutTarget();
        checkKernelBackend();
        VirtioDevices devices = VirtioDevices.open(disks, rng);
        try {
            devices.addTo(config);
            return consoleAndBoot(config, source, devices);
        } finally {
            devices.closeUnlessHandedOver();
        }
    }

    private int consoleAndBoot(GuestConfig.Builder config, GuestSource source, VirtioDevices devices) {
        // The console opens first, bounded by --timeout (a FIFO waits for its reader), so that
        // no wait for it holds /dev/kvm open; it is removed again if KVM refuses.
        long openStarted = System.nanoTime();
        try (SerialSink serial = SerialSink.open(serialOut, env.out(), env.err(), timeout)) {
            Duration runTimeout = timeout == null ? null : timeout.minusNanos(System.nanoTime() - openStarted);
            Kvm kvm;
            try {
                kvm = KvmAccess.open(env.kvmDevice());
            } catch (RuntimeException e) {
                serial.discard();
                throw e;
            }
            try (kvm) {
                LOG.debug("KVM: {} API version {}, backend {}", env.kvmDevice(), kvm.apiVersion(), env.backend());
                if (vcpus > kvm.maxVcpus()) {
                    serial.discard();
                    throw usage("--vcpus " + vcpus + ": KVM on this host allows at most " + kvm.maxVcpus());
                }
                return boot(kvm, config, source, serial, runTimeout, devices);
            }
        }
    }

    /** Two --disk options naming one file would corrupt it (two writers) or fail on its own lock. */
    private void checkDisksDistinct() {
        for (int i = 0; i < disks.size(); i++) {
            for (int j = 0; j < i; j++) {
                Path a = disks.get(j).file();
                Path b = disks.get(i).file();
                boolean same;
                try {
                    same = a.equals(b) || (Files.exists(a) && Files.exists(b) && Files.isSameFile(a, b));
                } catch (IOException e) {
                    throw new CliException(ExitCodes.VMM_ERROR, "cannot compare --disk " + a + " with --disk " + b + ": "
                        + IoErrors.describe(e), e);
                }
                if (same) {
                    throw usage("--disk " + b + " is the same file as --disk " + a + ": give each image once");
                }
            }
        }
    }

    /** The checks of single option values and of options that go together: usage errors. */
    private void checkOptions() {
        if (memory < GuestConfig.MIN_MEMORY) {
            throw usage("--mem " + SizeConverter.format(memory) + " is too small: a guest needs at least "
                + SizeConverter.format(GuestConfig.MIN_MEMORY));
        }
        if (memory % GuestConfig.MEMORY_GRANULE != 0) {
            throw usage("--mem " + SizeConverter.format(memory) + " is not a multiple of "
                + SizeConverter.format(GuestConfig.MEMORY_GRANULE) + " (the page size)");
        }
        OptionalLong hostMemory = ProcFs.host().memTotalBytes();
        if (hostMemory.isPresent() && memory > hostMemory.getAsLong()) {
            throw usage("--mem " + SizeConverter.format(memory) + " is more than this host's memory ("
                + SizeConverter.formatApproximate(hostMemory.getAsLong()) + ")");
        }
        if (vcpus < 1) {
            throw usage("--vcpus " + vcpus + ": a guest needs at least 1 vCPU");
        }
        if (vcpus > GuestConfig.MAX_VCPUS) {
            throw usage("--vcpus " + vcpus + ": jvmm supports at most " + GuestConfig.MAX_VCPUS + " vCPUs");
        }
        if (raw != null && guest != null) {
            throw usage("--guest and --raw both choose the guest: give one of them");
        }
        if (kernel != null && (raw != null || guest != null)) {
            throw usage("--kernel and " + (raw != null ? "--raw" : "--guest") + " both choose the guest: give one of them");
        }
        if (kernel == null) {
            List<String> orphans = new ArrayList<>();
            if (initrd != null) {
                orphans.add("--initrd");
            }
            if (cmdline != null) {
                orphans.add("--cmdline");
            }
            if (force) {
                orphans.add("--force");
            }
            if (!disks.isEmpty()) {
                orphans.add("--disk");
            }
            if (rng) {
                orphans.add("--rng");
            }
            if (!orphans.isEmpty()) {
                throw usage(String.join(", ", orphans) + (orphans.size() == 1 ? " goes" : " go")
                    + " with a Linux kernel: add --kernel FILE");
            }
        }
        if (raw == null) {
            List<String> orphans = new ArrayList<>();
            if (loadAddress != null) {
                orphans.add("--load-addr");
            }
            if (entry != null) {
                orphans.add("--entry");
            }
            if (mode != null) {
                orphans.add("--mode");
            }
            if (!orphans.isEmpty()) {
                throw usage(String.join(", ", orphans) + (orphans.size() == 1 ? " describes" : " describe")
                    + " a raw image: add --raw FILE");
            }
        }
        int virtio = disks.size() + (rng ? 1 : 0);
        if (virtio > X86Layout.VIRTIO_MMIO_MAX_DEVICES) {
            throw usage(virtio + " virtio devices (--disk, --rng): the machine has " + X86Layout.VIRTIO_MMIO_MAX_DEVICES
                + " virtio-mmio windows");
        }
        if (raw != null && (loadAddress == null || entry == null)) {
            String missing = loadAddress == null && entry == null ? "--load-addr ADDR and --entry ADDR"
                : loadAddress == null ? "--load-addr ADDR" : "--entry ADDR";
            throw usage("--raw needs " + missing + " (where to load the image and where to start it)");
        }
    }

    /**
     * The guest the options choose: a kernel, a raw image, or a built-in guest. Another source adds its options,
     * a conflict check in {@link #checkOptions()}, and a branch here.
     */
    private GuestSource guestSource() {
        if (kernel != null) {
            return new KernelSource(kernel, Optional.ofNullable(initrd),
                cmdline == null ? KernelSource.DEFAULT_CMDLINE : cmdline);
        }
        if (raw != null) {
            return new RawImageSource(raw, loadAddress, entry, mode == null ? CpuMode.LONG : mode);
        }
        return new BuiltInSource(guest == null ? BuiltInGuest.DEMO : guest, ThreadLocalRandom.current().nextLong());
    }

    /**
     * Lets {@link GuestConfig} check the image against the memory layout (larger than memory, load
     * address outside RAM, over the VMM's tables, ...). The real serial stream does not exist
     * yet, so the check runs with a stand-in: the output file is created only once all
     * checks passed.
     */
    private static void checkConfig(GuestConfig.Builder config) {
        try {
            config.serialOutput(OutputStream.nullOutputStream()).build();
        } catch (IllegalArgumentException e) {
            throw new CliException(ExitCodes.VMM_ERROR, Main.oneLine(e), e);
        }
    }

    /**
     * Refuses a kernel where this host's KVM cannot boot one ({@link KvmBackend#stockKernelUnsupportedReason},
     * the one place that decides), unless {@code --force}: then it warns and tries.
     */
    private void checkKernelBackend() {
        if (kernel == null) {
            return;
        }
        env.backend().stockKernelUnsupportedReason().ifPresent(reason -> {
            if (!force) {
                throw new CliException(ExitCodes.VMM_ERROR, "cannot boot " + kernel + ": " + reason
                    + " (--force tries anyway)");
            }
            env.err().println("jvmm: warning: " + reason + "; trying anyway (--force)");
        });
    }

    /**
     * Refuses a --serial-out path that cannot become a file, or that is one of the run's inputs,
     * before anything is created. Opening the console truncates it, so a console that is the
     * kernel, initrd or raw image would destroy that file (issue 7). Files are compared by device
     * and inode ({@link Files#isSameFile}), so a hard link or a symbolic link to an input counts
     * as the input.
     */
    private void checkSerialOutTarget() {
        if (serialOut == null) {
            return;
        }
        checkNotAnInput("--kernel", kernel);
        checkNotAnInput("--initrd", initrd);
        checkNotAnInput("--raw", raw);
        for (DiskOption d : disks) {
            checkNotAnInput("--disk", d.file());
        }
        if (Files.isDirectory(serialOut)) {
            throw new CliException(ExitCodes.VMM_ERROR, "cannot write --serial-out " + serialOut + ": it is a directory");
        }
        Path parent = serialOut.toAbsolutePath().getParent();
        if (parent != null && !Files.isDirectory(parent)) {
            throw new CliException(ExitCodes.VMM_ERROR, "cannot write --serial-out " + serialOut + ": directory "
                + parent + " does not exist");
        }
    }

    private void checkNotAnInput(String option, Path input) {
        if (input == null || !Files.exists(serialOut) || !Files.exists(input)) {
            return;
        }
        boolean same;
        try {
            same = Files.isSameFile(serialOut, input);
        } catch (IOException e) {
            throw new CliException(ExitCodes.VMM_ERROR, "cannot compare --serial-out " + serialOut + " with " + option + " "
                + input + ": " + IoErrors.describe(e), e);
        }
        if (same) {
            throw new CliException(ExitCodes.VMM_ERROR, "--serial-out " + serialOut + " is the " + option + " file " + input
                + ": writing the console there would destroy it");
        }
    }

    /** Builds the machine and runs it; {@code runTimeout} is what --timeout left after the console opened. */
    private int boot(Kvm kvm, GuestConfig.Builder configBuilder, GuestSource source, SerialSink serial, Duration runTimeout,
                     VirtioDevices devices) {
        // The console's input: a terminal gets the escape keys (Ctrl-A x) and raw mode while the
        // guest runs; a pipe or file passes its bytes through unchanged.
        boolean terminal = env.inDescriptor() >= 0 && LibC.isTerminal(env.inDescriptor());
        ConsoleEscape keys = terminal ? new ConsoleEscape(env.in(), env.err()) : null;
        Machine machine;
        try {
            devices.handedOver();
            machine = Machine.create(kvm, configBuilder.serialOutput(serial.stream())
                .serialInput(keys != null ? keys : env.in()).build());
        } catch (RuntimeException e) {
            serial.discard();
            throw new CliException(ExitCodes.VMM_ERROR, "cannot create the VM: " + Main.oneLine(e), e);
        }
        try (machine) {
            source.prepare(machine);
            // A Ctrl-C (or kill) runs the JVM's shutdown hooks: this one stops the vCPUs and
            // waits a moment for this thread to flush the console and report, instead of
            // letting the process die mid-line.
            CountDownLatch reported = new CountDownLatch(1);
            Thread onShutdown = new Thread(() -> {
                machine.requestStop();
                try {
                    reported.await(INTERRUPT_GRACE_MS, TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "jvmm-shutdown");
            Runtime.getRuntime().addShutdownHook(onShutdown);
            try {
                serial.onFailure(machine::requestStop);
                if (keys != null) {
                    keys.onQuit(machine::requestStop);
                }
                return runAndReport(machine, source, serial, runTimeout, keys);
            } finally {
                reported.countDown();
                try {
                    Runtime.getRuntime().removeShutdownHook(onShutdown);
                } catch (IllegalStateException shuttingDown) {
                    // The hook is running: it stopped this run and waited for the report.
                }
            }
        }
    }

    private int runAndReport(Machine machine, GuestSource source, SerialSink serial, Duration runTimeout,
                             ConsoleEscape keys) {
        RunResult result;
        // Raw mode only while the guest runs: the messages and --stats after it print as usual.
        Optional<TerminalMode> raw = keys != null ? TerminalMode.rawIfTerminal(env.inDescriptor()) : Optional.empty();
        try {
            result = machine.run(runTimeout == null || runTimeout.compareTo(MIN_RUN_TIMEOUT) >= 0 ? runTimeout : MIN_RUN_TIMEOUT);
        } catch (VcpuFailedException e) {
            throw new CliException(ExitCodes.VMM_ERROR, Main.oneLine(e), e);
        } finally {
            raw.ifPresent(TerminalMode::close);
        }
        if (keys != null && keys.quitRequested() && result.reason() == StopReason.STOPPED) {
            serial.finish();
            env.err().println();
            if (stats) {
                env.err().println(stats(result, machine));
            }
            return ExitCodes.OK;
        }
        LOG.debug("run ended: {}; exits {}", result.describe(), result.exits());
        serial.finish();
        // A console that could not be written is the run's failure whatever the guest did: its
        // output is lost (docs/cli.md), and the machine was stopped when the first write failed.
        Outcome outcome = serial.failure().map(f -> new Outcome(ExitCodes.VMM_ERROR, f))
            .orElseGet(() -> outcome(result, machine, source));
        if (outcome.message() != null) {
            env.err().println("jvmm: " + outcome.message());
        }
        if (stats) {
            env.err().println(stats(result, machine));
        }
        env.err().flush();
        return outcome.exitCode();
    }

    /** The exit code and message for how the run ended. */
    private Outcome outcome(RunResult r, Machine machine, GuestSource source) {
        return switch (r.reason()) {
            case RESET, HALT -> {
                try {
                    source.verify(machine);
                    yield new Outcome(ExitCodes.OK, null);
                } catch (CliException e) {
                    yield new Outcome(e.exitCode(), e.getMessage());
                }
            }
            case TIMEOUT -> new Outcome(ExitCodes.TIMEOUT, "timed out after " + DurationConverter.format(timeout)
                + " (--timeout); the vCPUs were stopped");
            case SHUTDOWN, FAIL_ENTRY, INTERNAL_ERROR -> new Outcome(ExitCodes.GUEST_FAILURE, r.describe());
            case UNHANDLED_EXIT -> new Outcome(ExitCodes.VMM_ERROR, r.describe() + " (jvmm cannot continue this guest)");
            // Only the shutdown hook stops a run here: a signal (Ctrl-C, kill) ends the process.
            case STOPPED -> new Outcome(ExitCodes.VMM_ERROR, "stopped by a signal before the guest finished; the vCPUs were stopped");
        };
    }

    private static String stats(RunResult result, Machine machine) {
        long now = System.nanoTime();
        long processStart = now - ProcFs.host().processAgeNanos();
        return new RunStats(result, machine.bootCompleteSinceVmCreation(), machine.bootCompleteNanos(), processStart)
            .toJson(now);
    }

    private CommandLine.ParameterException usage(String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }

    /** An exit code and the line to print (none for success). */
    private record Outcome(int exitCode, String message) {
    }

    /**
     * Where the guest's console goes: stdout (never closed here), or the {@code --serial-out} file,
     * which {@link #discard()} removes again if the machine could not be built and the file did
     * not exist before.
     *
     * <p>Writes go through {@link ConsoleStream}, which never throws to the UART: the first failed
     * write is recorded, the run is stopped ({@link #onFailure}) and everything after it dropped,
     * so that {@code jvmm run} ends with one line saying the console was lost and exit code 1
     * instead of a warning and success (issue 7: {@code --serial-out /dev/full}).
     */
    private static final class SerialSink implements AutoCloseable {
        private final ConsoleStream stream;
        private final Path file;
        private final boolean created;
        private final PrintStream stdout;
        /**
         * How long {@link #finish()} waits to flush stdout. The machine already gave the console
         * its time (Machine.run); a stdout whose reader stopped reading keeps the console's thread
         * inside a write that holds the PrintStream's lock, and the process must still exit.
         */
        private static final long STDOUT_FLUSH_LIMIT_MS = 1000;
        private boolean closed;
        private volatile String finishFailure;

        private SerialSink(OutputStream stream, Path file, boolean created, PrintStream stdout) {
            this.stream = new ConsoleStream(stream);
            this.file = file;
            this.created = created;
            this.stdout = stdout;
        }

        /**
         * Opens the console. Opening a FIFO blocks until it has a reader, so the open runs on
         * its own thread and is given at most {@code timeout} ({@code null}: no limit), after
         * which the run ends as a timeout; a signal meanwhile ends the process with a line that
         * says what it was waiting for.
         */
        static SerialSink open(Path file, PrintStream stdout, PrintStream err, Duration timeout) {
            if (file == null) {
                return new SerialSink(stdout, null, false, stdout);
            }
            boolean existed = Files.exists(file);
            CompletableFuture<OutputStream> opened = new CompletableFuture<>();
            Thread opener = new Thread(() -> {
                try {
                    opened.complete(Files.newOutputStream(file, StandardOpenOption.CREATE,
                        StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE));
                } catch (IOException | RuntimeException e) {
                    opened.completeExceptionally(e);
                }
            }, "jvmm-serial-open");
            opener.setDaemon(true);
            Thread onSignal = new Thread(() -> {
                if (!opened.isDone()) {
                    err.println("jvmm: stopped by a signal while waiting to open --serial-out " + file
                        + " (a FIFO opens only once it has a reader)");
                    err.flush();
                }
            }, "jvmm-serial-open-signal");
            Runtime.getRuntime().addShutdownHook(onSignal);
            opener.start();
            try {
                OutputStream out = timeout == null ? opened.get() : opened.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
                return new SerialSink(out, file, !existed, stdout);
            } catch (TimeoutException e) {
                throw new CliException(ExitCodes.TIMEOUT, "timed out after " + DurationConverter.format(timeout)
                    + " (--timeout) waiting to open --serial-out " + file + ": a FIFO opens only once it has a reader", e);
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                String why = cause instanceof IOException io ? IoErrors.describe(io) : Main.oneLine(cause);
                throw new CliException(ExitCodes.VMM_ERROR, "cannot write --serial-out " + file + ": " + why, cause);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CliException(ExitCodes.VMM_ERROR, "interrupted while opening --serial-out " + file, e);
            } finally {
                try {
                    Runtime.getRuntime().removeShutdownHook(onSignal);
                } catch (IllegalStateException shuttingDown) {
                    // The hook runs or ran: it printed why the process ends.
                }
            }
        }

        OutputStream stream() {
            return stream;
        }

        /** What to do when a write of the console first fails (stop the machine). */
        void onFailure(Runnable action) {
            stream.onFailure(action);
        }

        /** The one-line reason the console was lost, if it was. */
        Optional<String> failure() {
            if (finishFailure != null) {
                return Optional.of(finishFailure);
            }
            return stream.failure().map(e -> "cannot write " + describe() + ": " + IoErrors.describe(e)
                + "; the guest's console output was lost and the run stopped");
        }

        private String describe() {
            return file == null ? "the guest's console to stdout" : "--serial-out " + file;
        }

        void discard() {
            finish();
            if (created) {
                try {
                    Files.deleteIfExists(file);
                } catch (IOException e) {
                    LOG.debug("could not remove {} again", file, e);
                }
            }
        }

        @Override
        public void close() {
            finish();
        }

        /**
         * Flushes stdout, or closes the file; a failure to do so, like a failed write, is
         * reported by {@link #failure()}. Idempotent.
         */
        void finish() {
            if (closed) {
                return;
            }
            closed = true;
            if (file == null) {
                Thread flusher = new Thread(this::flushStdout, "jvmm-stdout-flush");
                flusher.setDaemon(true);
                flusher.start();
                try {
                    flusher.join(STDOUT_FLUSH_LIMIT_MS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                if (flusher.isAlive()) {
                    LOG.warn("stdout is not being read: the end of the guest's console output was not written");
                }
                return;
            }
            try {
                stream.close();
            } catch (IOException e) {
                finishFailure = "cannot write " + describe() + ": " + IoErrors.describe(e);
            }
        }

        private void flushStdout() {
            stream.flush();
            // A PrintStream keeps its errors to itself (stdout redirected to /dev/full).
            if (stdout.checkError() && finishFailure == null && stream.failure().isEmpty()) {
                finishFailure = "cannot write " + describe() + "; the guest's console output was lost";
            }
        }
    }
}
