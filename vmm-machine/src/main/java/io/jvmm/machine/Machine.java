package io.jvmm.machine;

import io.jvmm.core.BusyException;
import io.jvmm.kvm.CpuidEntry;
import io.jvmm.kvm.Kvm;
import io.jvmm.kvm.KvmException;
import io.jvmm.kvm.Vcpu;
import io.jvmm.kvm.Vm;

import io.jvmm.devices.BootCompletePort;
import io.jvmm.devices.CmosRtc;
import io.jvmm.devices.I8042;
import io.jvmm.devices.InterruptLine;
import io.jvmm.devices.ResetControl;
import io.jvmm.devices.SerialInputPump;
import io.jvmm.devices.SerialOutputPump;
import io.jvmm.devices.Uart16550;
import io.jvmm.devices.bus.IoBus;
import io.jvmm.devices.bus.MmioBus;
import io.jvmm.kvm.KvmCap;
import io.jvmm.loader.GuestRamLayout;
import io.jvmm.loader.LinuxLoader;
import io.jvmm.loader.LoadedKernel;
import io.jvmm.machine.guest.CpuMode;
import io.jvmm.machine.guest.GuestImage;
import io.jvmm.memory.GuestAddress;
import io.jvmm.memory.GuestMemory;
import io.jvmm.virtio.VirtioDevice;
import io.jvmm.x86.GuestCpuid;
import io.jvmm.x86.LinuxVcpuSetup;
import io.jvmm.x86.X86Acpi;
import io.jvmm.x86.X86Cpu;
import io.jvmm.x86.X86Layout;
import io.jvmm.x86.acpi.AcpiTableSet;
import io.jvmm.x86.acpi.AcpiTables;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A complete x86-64 guest built from a {@link GuestConfig}: a VM with its RAM (the
 * {@link GuestRamLayout#ramRanges} of the configured size, one memory slot per range), vCPUs, the
 * in-kernel irqchip and PIT if asked for, an I/O-port and an MMIO bus with the standard devices
 * attached, and the image or kernel loaded and vCPU 0 set up to enter it.
 *
 * <p>A kernel ({@link GuestConfig#kernel()}) is placed by {@link LinuxLoader} (zero page, command
 * line, kernel, initrd, e820 map from the same RAM ranges), every vCPU gets the CPUID, MSRs, FPU and
 * LAPIC a kernel needs without firmware, and vCPU 0 enters the 64-bit boot protocol
 * ({@link LinuxVcpuSetup}). The irqchip and PIT are always there for a kernel.
 *
 * <p>Devices attached by {@link #create}: the i8042 at {@link X86Layout#I8042_DATA_PORT} (its reset
 * command ends the run with {@link StopReason#RESET}), the boot-complete port at
 * {@link X86Layout#BOOT_COMPLETE_PORT}, for a kernel the CMOS RTC at {@link X86Layout#CMOS_RTC_PORT}
 * (the host's time), and, when the config has a serial output, a 16550A UART at
 * {@link X86Layout#COM1_PORT} on IRQ {@link X86Layout#COM1_IRQ}. More can be registered on
 * {@link #ioBus()} and {@link #mmioBus()} before {@link #run}.
 *
 * <p>Typical use, as {@code jvmm run} does:
 * <pre>{@code
 * try (Kvm kvm = Kvm.open();
 *      Machine m = Machine.create(kvm, GuestConfig.builder()
 *          .image(BuiltInGuests.longModeDemo()).serialOutput(System.out).build())) {
 *     RunResult r = m.run(Duration.ofSeconds(10));
 * }
 * }</pre>
 *
 * <p>Threads and lifetime: no vCPU runs before {@link #run}, but with a serial input a daemon thread starts pumping it into
 * COM1 as soon as the machine is created, and COM1's output reaches the config's stream through a daemon thread of its own
 * ({@link SerialOutputPump}), so a console whose reader stops reading stalls the guest's console but not {@link #close()};
 * {@link #run} returns once that stream has the run's output. {@link #run} blocks its caller while one thread per vCPU runs the guest; device
 * callbacks (bus reads and writes, the i8042's reset) run on those vCPU threads. One run at a time; a machine may be run
 * again after a run returns. {@link #requestStop()} and {@link #requestReset()} are safe from any thread. {@link #close()}
 * ends a run in progress and releases everything; it must not be called from a vCPU thread (a device callback), where
 * closing that vCPU would wait for itself.
 */
public final class Machine implements AutoCloseable {
    /**
     * The least a run with a time limit waits for its console's host stream after the vCPUs
     * stopped: a reader that keeps up gets everything, one that stopped reading costs a second.
     */
    static final Duration CONSOLE_DRAIN_GRACE = Duration.ofSeconds(1);
    private static final Logger LOG = LoggerFactory.getLogger(Machine.class);

    private final GuestConfig config;
    private final Vm vm;
    private final GuestMemory memory;
    private final List<Vcpu> vcpus;
    private final LoadedKernel kernel;
    private final IoBus ioBus = new IoBus();
    private final MmioBus mmioBus;
    private final BootCompletePort bootComplete = new BootCompletePort();
    private final Uart16550 serial;
    private final SerialOutputPump outputPump;
    private SerialInputPump inputPump;
    private final List<VirtioMmioAttachment> virtio;
    /** The runner of the run in progress, for stop requests from devices and other threads. */
    private volatile VcpuRunner currentRunner;
    private final AtomicBoolean running = new AtomicBoolean();

    private Machine(GuestConfig config, Vm vm, GuestMemory memory, List<Vcpu> vcpus, LoadedKernel kernel,
                    List<VirtioMmioAttachment> virtio, MmioBus mmioBus) {
        this.config = config;
        this.virtio = List.copyOf(virtio);
        this.mmioBus = mmioBus;
        this.kernel = kernel;
        this.vm = vm;
        this.memory = memory;
        this.vcpus = List.copyOf(vcpus);
        ioBus.register(X86Layout.I8042_DATA_PORT, X86Layout.I8042_PORT_SPAN, new I8042(this::requestReset,
            interruptLine(1), interruptLine(12)));
        ioBus.register(X86Layout.BOOT_COMPLETE_PORT, 1, bootComplete);
        if (kernel != null) {
            // The guest's wall clock at boot (Linux reads it through rtc-cmos).
            ioBus.register(X86Layout.CMOS_RTC_PORT, X86Layout.CMOS_RTC_PORT_SPAN, new CmosRtc());
            // The FADT's reset register (reboot=acpi, and Linux's first try on any reboot).
            ioBus.register(X86Layout.RESET_CONTROL_PORT, 1,
                new ResetControl(X86Layout.RESET_CONTROL_VALUE, this::requestReset));
        }
        // The UART runs on vCPU threads, which must not block on a console whose reader stopped
        // reading (docs/kvm.md, "Lifetimes"): the pump's thread makes the host writes.
        this.outputPump = config.serialOutput().map(out -> new SerialOutputPump(out, "serial-output-com1")).orElse(null);
        this.serial = outputPump == null ? null
            : new Uart16550(X86Layout.COM1_PORT, outputPump, interruptLine(X86Layout.COM1_IRQ));
        if (serial != null) {
            ioBus.register(X86Layout.COM1_PORT, Uart16550.REGISTER_COUNT, serial);
        }
    }

    /**
     * Builds the machine: creates the VM, memory and vCPUs, loads the image and sets up vCPU 0.
     * Everything created is released again if a step fails. The config's virtio devices become the
     * machine's: they are closed with it, or here when a step fails.
     *
     * @param kvm the open KVM system to create the VM with; only used here, and not closed
     * @param config what to build, as checked by {@link GuestConfig.Builder#build()}
     * @return the machine, with vCPU 0 set up to enter the image or kernel and no vCPU run yet; the caller closes it
     * @throws io.jvmm.loader.LoaderException when the config's kernel, initrd or command line
     *     cannot be loaded (missing file, not a kernel, does not fit, ...): one-line message
     * @throws KvmException when KVM refuses a step
     * @throws IllegalArgumentException when the host cannot give what the config asks (e.g. more
     *     vCPUs than KVM allows)
     * @throws io.jvmm.memory.GuestMemoryException when the guest's RAM cannot be created or mapped
     * @throws java.io.UncheckedIOException when the image is a file that cannot be read, or has shrunk
     * @throws NullPointerException when {@code kvm} or {@code config} is null
     */
    public static Machine create(Kvm kvm, GuestConfig config) {
        Objects.requireNonNull(config, "config");
        if (config.vcpus() > kvm.maxVcpus()) {
            throw new IllegalArgumentException(config.vcpus() + " vCPUs requested; KVM allows " + kvm.maxVcpus());
        }
        List<AutoCloseable> created = new ArrayList<>();
        try {
            Vm vm = kvm.createVm();
            created.add(vm);
            // Intel hosts need these for real-mode emulation; they must precede vCPU creation
            // (api.rst 4.44, 4.67). Firecracker sets them unconditionally; we ask first.
            if (kvm.hasExtension(KvmCap.SET_IDENTITY_MAP_ADDR)) {
                vm.setIdentityMapAddr(X86Layout.IDENTITY_MAP_ADDR);
            }
            if (kvm.hasExtension(KvmCap.SET_TSS_ADDR)) {
                vm.setTssAddr(X86Layout.TSS_ADDR);
            }
            if (config.irqchip()) {
                vm.createIrqchip();
                vm.createPit2(Vm.PIT_SPEAKER_DUMMY);
            }
            GuestMemory memory = GuestMemory.create(GuestRamLayout.ramRanges(X86Layout.BOOT_LAYOUT, config.memorySize()));
            created.add(memory);
            vm.addMemory(memory);
            // The kernel's files are read and checked before any vCPU exists; a LoaderException
            // leaves nothing behind (the catch below closes what was created).
            // A kernel gets ACPI tables (the only way a distribution kernel learns its CPUs and,
            // with HW-reduced ACPI, its reset register) and learns where they are from boot_params.
            Optional<AcpiTableSet> acpi = config.kernel()
                .map(k -> AcpiTables.build(X86Acpi.forMachine(config.vcpus(), config.virtioDevices().size())));
            Optional<LoadedKernel> kernel = config.kernel()
                .map(k -> LinuxLoader.load(X86Layout.BOOT_LAYOUT, memory, k.kernel(), k.initrd(), k.cmdline(),
                    OptionalLong.of(acpi.orElseThrow().rsdpAddress())));
            acpi.ifPresent(tables -> memory.writeAllAtAddr(tables.image(), GuestAddress.of(tables.areaBase())));
            List<CpuidEntry> cpuid = kvm.supportedCpuid();
            if (kernel.isPresent() && kvm.hasExtension(KvmCap.TSC_DEADLINE_TIMER)) {
                cpuid = GuestCpuid.withTscDeadlineTimer(cpuid);
            }
            int[] msrIndexList = kernel.isPresent() ? kvm.msrIndexList() : new int[0];
            List<Vcpu> vcpus = new ArrayList<>();
            for (int id = 0; id < config.vcpus(); id++) {
                Vcpu vcpu = vm.createVcpu(id);
                created.add(vcpu);
                vcpus.add(vcpu);
                if (kernel.isPresent()) {
                    LinuxVcpuSetup.configureVcpu(vcpu, cpuid, msrIndexList, config.vcpus());
                } else {
                    vcpu.setCpuid2(cpuid);
                }
            }
            config.image().ifPresent(image -> load(image, memory, vcpus.get(0)));
            kernel.ifPresent(k -> LinuxVcpuSetup.enterKernel(vcpus.get(0), memory, k));
            List<VirtioMmioAttachment> virtio = new ArrayList<>();
            MmioBus mmio = new MmioBus();
            for (int i = 0; i < config.virtioDevices().size(); i++) {
                VirtioMmioAttachment a = VirtioMmioAttachment.attach(kvm, vm, memory, mmio, config.virtioDevices().get(i),
                    X86Layout.virtioMmioBase(i), X86Layout.virtioMmioGsi(i));
                virtio.add(a);
                created.add(a);
            }
            Machine machine = new Machine(config, vm, memory, vcpus, kernel.orElse(null), virtio, mmio);
            config.serialInput().ifPresent(in -> machine.inputPump = SerialInputPump.start(in, machine.serial));
            return machine;
        } catch (RuntimeException | Error e) {
            // Errors too (the vCPU kick signal's set-up fails as one): leaked descriptors would
            // keep the kernel VM alive. The machine owns the config's virtio devices: attached
            // ones close with their attachment below, the rest here.
            for (VirtioDevice d : config.virtioDevices()) {
                if (created.stream().noneMatch(c -> c instanceof VirtioMmioAttachment a && a.device() == d)) {
                    created.add(0, d);
                }
            }
            for (int i = created.size() - 1; i >= 0; i--) {
                try {
                    created.get(i).close();
                } catch (Exception suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
    }

    private static void load(GuestImage image, GuestMemory memory, Vcpu boot) {
        image.content().copyTo(memory, GuestAddress.of(image.loadAddress()));
        if (image.mode() == CpuMode.LONG) {
            X86Cpu.enterLongMode(boot, memory, image.entryAddress(), X86Layout.BOOT_STACK_POINTER);
        } else {
            X86Cpu.enterRealMode(boot, image.loadAddress(), image.entryAddress());
        }
    }

    /** {@return the configuration this machine was built from} */
    public GuestConfig config() {
        return config;
    }

    /** {@return the VM, for what the machine does not do itself; it is the machine's: {@link #close()} closes it} */
    public Vm vm() {
        return vm;
    }

    /** {@return the guest's RAM, for loaders and for reading results back; unmapped by {@link #close()}} */
    public GuestMemory memory() {
        return memory;
    }

    /**
     * {@return where the kernel, initrd, command line and zero page went; empty unless this machine boots a kernel}
     */
    public Optional<LoadedKernel> loadedKernel() {
        return Optional.ofNullable(kernel);
    }

    /** {@return the vCPUs, by id (unmodifiable); vCPU 0 is the boot processor} */
    public List<Vcpu> vcpus() {
        return vcpus;
    }

    /** {@return the I/O-port bus with the standard devices; register more on it before {@link #run}} */
    public IoBus ioBus() {
        return ioBus;
    }

    /** {@return the MMIO bus with the virtio-mmio windows; register more on it before {@link #run}} */
    public MmioBus mmioBus() {
        return mmioBus;
    }

    /** {@return COM1, when the config has a serial output; empty otherwise} */
    public Optional<Uart16550> serial() {
        return Optional.ofNullable(serial);
    }

    /**
     * A device's interrupt line for GSI {@code irq}: {@code KVM_IRQ_LINE} on the in-kernel irqchip,
     * or {@link InterruptLine#NONE} without one (then guests poll). Whether there is an irqchip is
     * decided when this is called.
     *
     * @param irq the GSI to drive, e.g. {@link X86Layout#COM1_IRQ}
     * @return a line whose level changes become {@code KVM_IRQ_LINE} calls (which throw {@link KvmException} when KVM
     *     refuses them), or {@link InterruptLine#NONE}
     */
    public InterruptLine interruptLine(int irq) {
        if (!vm.hasIrqchip()) {
            return InterruptLine.NONE;
        }
        return asserted -> vm.irqLine(irq, asserted);
    }

    /**
     * Time from VM creation to the guest's first boot-complete signal (Firecracker's: the byte
     * {@link X86Layout#BOOT_COMPLETE_VALUE} written to port {@link X86Layout#BOOT_COMPLETE_PORT}).
     *
     * @return the time from {@link Vm#createdAtNanos()} to the signal, or empty while the guest has not signalled
     */
    public Optional<Duration> bootCompleteSinceVmCreation() {
        OptionalLong at = bootComplete.bootCompleteNanos();
        return at.isPresent() ? Optional.of(Duration.ofNanos(at.getAsLong() - vm.createdAtNanos())) : Optional.empty();
    }

    /** {@return the {@link System#nanoTime()} of the first boot-complete signal, or empty while it has not come} */
    public OptionalLong bootCompleteNanos() {
        return bootComplete.bootCompleteNanos();
    }

    /**
     * Runs without a time limit: {@code run(null)}.
     *
     * @return how the run ended, with exit counts and timings
     * @throws VcpuFailedException when a vCPU thread failed
     * @throws BusyException when a run is already in progress
     */
    public RunResult run() {
        return run(null);
    }

    /**
     * Runs the vCPUs until the guest halts (without irqchip), resets (i8042), shuts down, fails,
     * a stop is requested, or {@code timeout} passes ({@code null}: no limit). May be called
     * again after it returns: a halted guest continues after its HLT. Blocks the calling thread; the
     * vCPUs run on threads of their own ({@link VcpuRunner#run(Duration)}). COM1's buffered output is
     * flushed before it returns, however the run ended, and the call waits until the console's host
     * stream has it: without limit for a run without one, and for a run with a {@code timeout} as
     * long as that leaves but at least a second, so a console whose
     * reader stopped reading delays the return by that much at most (the guest waits for such a
     * reader while it runs; the rest is written when it reads again). Not after {@link #close()}.
     *
     * @param timeout the time limit, or {@code null} for none; zero or negative ends the run at once
     *     with {@link StopReason#TIMEOUT}
     * @return how the run ended, with exit counts and timings
     * @throws VcpuFailedException when a vCPU thread failed (a KVM error, or a device threw); the other
     *     vCPUs were stopped first
     * @throws BusyException when a run is already in progress
     * @throws IllegalStateException when a kicked vCPU thread does not leave {@code KVM_RUN} within 10 s
     */
    public RunResult run(Duration timeout) {
        if (!running.compareAndSet(false, true)) {
            throw new BusyException("the machine is already running");
        }
        long startNanos = System.nanoTime();
        // The console holds a vCPU thread (flow control) only while the run wants it to run: at
        // the run's end, a vCPU waiting for a stalled reader must not keep the run from ending.
        Runnable releaseConsole = () -> { };
        if (outputPump != null) {
            outputPump.resumeFlowControl();
            releaseConsole = outputPump::suspendFlowControl;
        }
        VcpuRunner runner = new VcpuRunner(vcpus, ioBus, mmioBus, vm.createdAtNanos(), releaseConsole);
        currentRunner = runner;
        try {
            return runner.run(timeout);
        } finally {
            currentRunner = null;
            running.set(false);
            if (serial != null) {
                serial.flush();
                awaitConsoleWritten(timeout, startNanos);
            }
        }
    }

    /**
     * Waits until the host stream has the console's output of the run (not after close): without
     * a limit for a run without one, as long as the run's time limit leaves but at least
     * {@link #CONSOLE_DRAIN_GRACE} for a run with one, so a reader that stopped reading cannot
     * keep a run with a deadline from returning, while a reader that keeps up gets all the output.
     */
    private void awaitConsoleWritten(Duration timeout, long startNanos) {
        try {
            if (timeout == null) {
                outputPump.awaitWritten();
                return;
            }
            Duration left = timeout.minusNanos(System.nanoTime() - startNanos);
            if (!outputPump.awaitWritten(left.compareTo(CONSOLE_DRAIN_GRACE) > 0 ? left : CONSOLE_DRAIN_GRACE)) {
                LOG.warn("the console's host stream did not take the run's output by its time limit: "
                    + "the rest is written while it reads, before the next run's output");
            }
        } catch (IOException alreadyLogged) {
            // The pump logged the host stream's failure when it happened; the UART drops the rest.
        }
    }

    /**
     * Ends the current run with {@link StopReason#RESET} (the i8042's reset line); does nothing when none is in progress.
     * Safe from any thread, including a vCPU thread. Returns without waiting for the run to end.
     */
    public void requestReset() {
        stop(StopReason.RESET);
    }

    /**
     * Ends the current run with {@link StopReason#STOPPED}; does nothing when none is in progress.
     * Safe from any thread, including a vCPU thread. Returns without waiting for the run to end.
     */
    public void requestStop() {
        stop(StopReason.STOPPED);
    }

    private void stop(StopReason reason) {
        VcpuRunner runner = currentRunner;
        if (runner != null) {
            runner.requestStop(reason);
        }
    }

    /**
     * Stops a run in progress, then releases, in this order, the serial output and input threads
     * (console output not yet written to the config's stream is dropped), the vCPUs (each
     * waits until its thread has left {@code KVM_RUN}), the virtio devices with their I/O threads, the
     * VM and the memory. Idempotent. Not from a vCPU thread: closing its own vCPU throws
     * {@link BusyException}.
     */
    @Override
    public void close() {
        requestStop();
        // Every step runs whatever an earlier one threw; the first failure is thrown at the end
        // with the later ones suppressed.
        RuntimeException failure = null;
        if (outputPump != null) {
            // First: a vCPU thread waiting for room in the console's ring returns, so the vCPUs
            // below can leave KVM_RUN even when the console's reader stopped reading.
            failure = closing(failure, outputPump::close);
        }
        if (inputPump != null) {
            failure = closing(failure, inputPump::close);
        }
        for (Vcpu v : vcpus) {
            failure = closing(failure, v::close);
        }
        // Device threads stop before the memory they serve is unmapped.
        for (VirtioMmioAttachment a : virtio) {
            failure = closing(failure, a::close);
        }
        failure = closing(failure, vm::close);
        failure = closing(failure, memory::close);
        if (failure != null) {
            throw failure;
        }
    }

    private static RuntimeException closing(RuntimeException failure, Runnable step) {
        try {
            step.run();
        } catch (BusyException e) {
            // close() from a vCPU thread: refused as documented, before the memory goes
            if (failure != null) {
                e.addSuppressed(failure);
            }
            throw e;
        } catch (RuntimeException e) {
            if (failure == null) {
                return e;
            }
            failure.addSuppressed(e);
        }
        return failure;
    }
}
