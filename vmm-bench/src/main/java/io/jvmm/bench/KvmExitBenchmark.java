package io.jvmm.bench;

import io.jvmm.kvm.DescriptorTable;
import io.jvmm.machine.GuestConfig;
import io.jvmm.kvm.Kvm;
import io.jvmm.machine.Machine;
import io.jvmm.kvm.Regs;
import io.jvmm.machine.RunResult;
import io.jvmm.kvm.Segment;
import io.jvmm.kvm.Sregs;
import io.jvmm.machine.StopReason;
import io.jvmm.kvm.Vcpu;
import io.jvmm.devices.BusDevice;
import io.jvmm.machine.guest.BuiltInGuests;
import io.jvmm.x86.X86Layout;
import io.jvmm.memory.GuestAddress;
import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;

/**
 * The exit-path benchmark (issue 3, "Fast"): {@link BuiltInGuests#exitBenchmark()} writes a byte to
 * {@link X86Layout#EXIT_BENCHMARK_PORT} N times and halts; every write is one port-I/O exit served
 * by {@link Machine#run} through the production run loop ({@code Vcpu.run(ExitHandler,
 * ExitCounter)}, the I/O bus, a device). The rate is the run's exits over
 * {@link RunResult#runLoop()}, the time from the first {@code KVM_RUN} until the vCPU thread left
 * its loop. The second rate is N - 1 exits over the vCPU thread's CPU time from the first to the
 * last port write.
 *
 * <p>{@code vmm-bench/c/kvmexit.c} runs the same guest, from the same initial memory and register
 * state, which {@code dump} writes out: the C program loads exactly what {@link Machine#create}
 * set up, so both sides execute the same instructions and take the same exits.
 *
 * <pre>
 *   KvmExitBenchmark dump DIR                  writes DIR/ram.bin and DIR/state.txt
 *   KvmExitBenchmark run N WARMUPS RUNS [C_PROGRAM DUMP_DIR]
 *       prints "java EXITS SECONDS EXITS_PER_S EXITS_PER_CPU_S" per measured run; with C_PROGRAM
 *       (vmm-bench/c/kvmexit built), runs it once beside each measured run, which prints a "c" line
 * </pre>
 * Run it through {@code vmm-bench/run-kvm.sh}, which interleaves it with the C program.
 */
public final class KvmExitBenchmark {
    /** Small: the guest touches one page of code, the mailbox, the GDT and the page tables. */
    static final long MEMORY_SIZE = GuestConfig.MIN_MEMORY;

    private KvmExitBenchmark() {
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        if (args.length == 2 && args[0].equals("dump")) {
            dump(Path.of(args[1]));
        } else if ((args.length == 4 || args.length == 6) && args[0].equals("run")) {
            run(Long.parseLong(args[1]), Integer.parseInt(args[2]), Integer.parseInt(args[3]),
                args.length == 6 ? Path.of(args[4]) : null, args.length == 6 ? Path.of(args[5]) : null);
        } else {
            System.err.println("usage: KvmExitBenchmark dump DIR | run N WARMUPS RUNS [C_PROGRAM DUMP_DIR]");
            System.exit(2);
        }
    }

    private static GuestConfig config() {
        return GuestConfig.builder()
            .memorySize(MEMORY_SIZE)
            .irqchip(false) // HLT must exit to the VMM to end the run
            .image(BuiltInGuests.exitBenchmark())
            .build();
    }

    /**
     * Counts the guest's writes: the least a device behind the benchmark port can do. It also
     * reads the vCPU thread's CPU clock at the first and the last write, so that the rate can be
     * given per CPU second as well, which a busy shared host disturbs less than wall time.
     */
    private static final class CountingPort implements BusDevice {
        private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        private final long expected;
        long writes;
        long lastValue;
        long firstCpuNanos;
        long lastCpuNanos;

        CountingPort(long expected) {
            this.expected = expected;
        }

        @Override
        public String debugLabel() {
            return "exit-benchmark@0x" + Integer.toHexString(X86Layout.EXIT_BENCHMARK_PORT);
        }

        @Override
        public void read(long offset, byte[] data) {
            Arrays.fill(data, (byte) 0xff);
        }

        @Override
        public void write(long offset, byte[] data) {
            long n = ++writes;
            lastValue = data[0];
            if (n == 1) {
                firstCpuNanos = threads.getCurrentThreadCpuTime();
            } else if (n == expected) {
                lastCpuNanos = threads.getCurrentThreadCpuTime();
            }
        }
    }

    /**
     * WARMUPS unmeasured runs, then RUNS measured ones. With a C program, each measured run is
     * paired with one run of it, started as a child process right before or after (alternating,
     * so neither side always follows the other): a pair runs within seconds, under the same load
     * on a shared host, and its ratio is the figure that load disturbs least.
     */
    private static void run(long n, int warmups, int runs, Path cProgram, Path dumpDir) throws IOException, InterruptedException {
        if (n < 1 || warmups < 0 || runs < 1) {
            throw new IllegalArgumentException("need N >= 1, WARMUPS >= 0, RUNS >= 1");
        }
        try (Kvm kvm = Kvm.open()) {
            for (int i = 0; i < warmups; i++) {
                runJava(kvm, n);
            }
            for (int i = 0; i < runs; i++) {
                boolean cFirst = i % 2 == 0;
                if (cProgram != null && cFirst) {
                    runC(cProgram, dumpDir, n);
                }
                System.out.println(runJava(kvm, n));
                if (cProgram != null && !cFirst) {
                    runC(cProgram, dumpDir, n);
                }
            }
        }
    }

    /** One run on a fresh Machine; returns its result line. */
    private static String runJava(Kvm kvm, long n) {
        try (Machine m = Machine.create(kvm, config())) {
            CountingPort port = new CountingPort(n);
            m.ioBus().register(X86Layout.EXIT_BENCHMARK_PORT, 1, port);
            m.memory().writeLongAtAddr(n, GuestAddress.of(BuiltInGuests.MAILBOX_INPUT_ADDR));
            RunResult r = m.run(Duration.ofMinutes(5));
            long io = r.exits().get("io");
            if (r.reason() != StopReason.HALT || io != n || port.writes != n) {
                throw new IllegalStateException("benchmark guest misbehaved: " + r.describe() + " exits " + r.exits()
                    + " device saw " + port.writes + " writes, expected " + n);
            }
            long exits = r.totalExits();
            double seconds = r.runLoop().toNanos() / 1e9;
            double cpuSeconds = (port.lastCpuNanos - port.firstCpuNanos) / 1e9;
            return String.format(Locale.ROOT, "java %d %.6f %.0f %.0f", exits, seconds, exits / seconds,
                n > 1 ? (n - 1) / cpuSeconds : 0.0);
        }
    }

    /** One run of the C program; its result line goes to our standard output. */
    private static void runC(Path cProgram, Path dumpDir, long n) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cProgram.toString(), dumpDir.toString(), Long.toString(n), "1")
            .redirectOutput(ProcessBuilder.Redirect.INHERIT)
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
        int rc = p.waitFor();
        if (rc != 0) {
            throw new IllegalStateException(cProgram + " exited with " + rc);
        }
    }

    /**
     * Writes the state {@link Machine#create} gives vCPU 0 and RAM for this guest: {@code ram.bin}
     * (all of guest RAM, from guest-physical 0) and {@code state.txt} (one {@code key value...}
     * line per register, in the units of {@code struct kvm_regs}/{@code kvm_sregs}).
     */
    private static void dump(Path dir) throws IOException {
        Files.createDirectories(dir);
        try (Kvm kvm = Kvm.open(); Machine m = Machine.create(kvm, config())) {
            byte[] ram = new byte[Math.toIntExact(MEMORY_SIZE)];
            m.memory().readExactAtAddr(ram, GuestAddress.of(0));
            Files.write(dir.resolve("ram.bin"), ram);
            Vcpu vcpu = m.vcpus().get(0);
            Regs regs = vcpu.getRegs();
            Sregs sregs = vcpu.getSregs();
            try (PrintWriter out = new PrintWriter(Files.newBufferedWriter(dir.resolve("state.txt"), StandardCharsets.US_ASCII))) {
                out.printf("mem_size %d%n", MEMORY_SIZE);
                out.printf("mailbox_input %d%n", BuiltInGuests.MAILBOX_INPUT_ADDR);
                out.printf("port %d%n", X86Layout.EXIT_BENCHMARK_PORT);
                out.printf("identity_map_addr %d%n", X86Layout.IDENTITY_MAP_ADDR);
                out.printf("tss_addr %d%n", X86Layout.TSS_ADDR);
                long[] gp = {regs.rax(), regs.rbx(), regs.rcx(), regs.rdx(), regs.rsi(), regs.rdi(), regs.rsp(), regs.rbp(),
                    regs.r8(), regs.r9(), regs.r10(), regs.r11(), regs.r12(), regs.r13(), regs.r14(), regs.r15(),
                    regs.rip(), regs.rflags()};
                out.print("regs");
                for (long v : gp) {
                    out.print(" " + Long.toUnsignedString(v));
                }
                out.println();
                segment(out, "cs", sregs.cs());
                segment(out, "ds", sregs.ds());
                segment(out, "es", sregs.es());
                segment(out, "fs", sregs.fs());
                segment(out, "gs", sregs.gs());
                segment(out, "ss", sregs.ss());
                segment(out, "tr", sregs.tr());
                segment(out, "ldt", sregs.ldt());
                table(out, "gdt", sregs.gdt());
                table(out, "idt", sregs.idt());
                out.printf("cr %s %s %s %s %s%n", u(sregs.cr0()), u(sregs.cr2()), u(sregs.cr3()), u(sregs.cr4()), u(sregs.cr8()));
                out.printf("efer %s%n", u(sregs.efer()));
                out.printf("apic_base %s%n", u(sregs.apicBase()));
            }
        }
    }

    private static void segment(PrintWriter out, String name, Segment s) {
        out.printf("seg %s %s %d %d %d %d %d %d %d %d %d %d %d%n", name, u(s.base()), Integer.toUnsignedLong(s.limit()), s.selector(),
            s.type(), b(s.present()), s.dpl(), b(s.db()), b(s.s()), b(s.l()), b(s.g()), b(s.avl()), b(s.unusable()));
    }

    private static void table(PrintWriter out, String name, DescriptorTable t) {
        out.printf("dtable %s %s %d%n", name, u(t.base()), t.limit());
    }

    private static String u(long v) {
        return Long.toUnsignedString(v);
    }

    private static int b(boolean v) {
        return v ? 1 : 0;
    }
}
