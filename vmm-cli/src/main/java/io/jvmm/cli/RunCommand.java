package io.jvmm.cli;

import io.jvmm.kvm.GuestConfig;
import io.jvmm.kvm.Kvm;
import io.jvmm.kvm.KvmBackend;
import io.jvmm.kvm.Machine;
import io.jvmm.kvm.RunResult;
import io.jvmm.kvm.VcpuFailedException;
import io.jvmm.kvm.guest.CpuMode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
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
        "0:the guest reset or halted",
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
        "  jvmm run --timeout 5s --serial-out console.txt"})
final class RunCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(RunCommand.class);
    /** How long a Ctrl-C waits for the run to wind down (flush the console, print stats). */
    private static final long INTERRUPT_GRACE_MS = 2000;
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
        GuestSource source = guestSource();
        LOG.debug("guest: {}; memory {}, {} vCPU(s), timeout {}", source.describe(), SizeConverter.format(memory), vcpus,
            timeout == null ? "none" : DurationConverter.format(timeout));
        // A kernel always has the irqchip (its timer and console interrupts); other guests only
        // with several vCPUs, since with it HLT no longer ends their run.
        GuestConfig.Builder config = GuestConfig.builder().memorySize(memory).vcpus(vcpus)
            .irqchip(vcpus > 1 || kernel != null);
        source.configure(config, memory);
        checkConfig(config);
        checkKernelBackend();
        checkSerialOutTarget();
        try (Kvm kvm = KvmAccess.open(env.kvmDevice())) {
            LOG.debug("KVM: {} API version {}, backend {}", env.kvmDevice(), kvm.apiVersion(), env.backend());
            if (vcpus > kvm.maxVcpus()) {
                throw usage("--vcpus " + vcpus + ": KVM on this host allows at most " + kvm.maxVcpus());
            }
            return boot(kvm, config, source);
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
        } else if (loadAddress == null || entry == null) {
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

    /** Refuses a --serial-out path that cannot become a file, before anything is created. */
    private void checkSerialOutTarget() {
        if (serialOut == null) {
            return;
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

    private int boot(Kvm kvm, GuestConfig.Builder configBuilder, GuestSource source) {
        try (SerialSink serial = SerialSink.open(serialOut, env.out())) {
            Machine machine;
            try {
                machine = Machine.create(kvm, configBuilder.serialOutput(serial.stream()).build());
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
                    return runAndReport(machine, source, serial);
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
    }

    private int runAndReport(Machine machine, GuestSource source, SerialSink serial) {
        RunResult result;
        try {
            result = machine.run(timeout);
        } catch (VcpuFailedException e) {
            throw new CliException(ExitCodes.VMM_ERROR, Main.oneLine(e), e);
        }
        LOG.debug("run ended: {}; exits {}", result.describe(), result.exits());
        Outcome outcome = outcome(result, machine, source);
        serial.finish();
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
     */
    private static final class SerialSink implements AutoCloseable {
        private final OutputStream stream;
        private final Path file;
        private final boolean created;
        private boolean closed;

        private SerialSink(OutputStream stream, Path file, boolean created) {
            this.stream = stream;
            this.file = file;
            this.created = created;
        }

        static SerialSink open(Path file, OutputStream stdout) {
            if (file == null) {
                return new SerialSink(stdout, null, false);
            }
            boolean existed = Files.exists(file);
            try {
                OutputStream out = Files.newOutputStream(file, StandardOpenOption.CREATE,
                    StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
                return new SerialSink(out, file, !existed);
            } catch (IOException e) {
                throw new CliException(ExitCodes.VMM_ERROR, "cannot write --serial-out " + file + ": " + IoErrors.describe(e), e);
            }
        }

        OutputStream stream() {
            return stream;
        }

        void discard() {
            try {
                finish();
            } catch (CliException e) {
                LOG.debug("closing {} failed", file, e);
            }
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

        /** Flushes stdout, or closes the file; reports a failure to write it. Idempotent. */
        void finish() {
            if (closed) {
                return;
            }
            closed = true;
            try {
                if (file == null) {
                    stream.flush();
                } else {
                    stream.close();
                }
            } catch (IOException e) {
                throw new CliException(ExitCodes.VMM_ERROR, "cannot write --serial-out " + file + ": " + IoErrors.describe(e), e);
            }
        }
    }
}
