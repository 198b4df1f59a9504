package io.jvmm.cli;

import static io.jvmm.cli.CliRun.jvmm;
import static io.jvmm.machine.guest.Register.AL;
import static io.jvmm.machine.guest.Register.DX;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvmm.kvm.Kvm;
import io.jvmm.machine.guest.BuiltInGuests;
import io.jvmm.machine.guest.CpuMode;
import io.jvmm.machine.guest.Label;
import io.jvmm.machine.guest.X86Assembler;
import io.jvmm.x86.X86Layout;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code jvmm run} booting real guests on /dev/kvm, in-process with captured streams. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RunCommandTest {
    /** The demo guest's whole console output, for whatever mailbox value the CLI picked. */
    private static final Pattern DEMO_OUTPUT = Pattern.compile(Pattern.quote(BuiltInGuests.DEMO_GREETING)
        + Pattern.quote(BuiltInGuests.DEMO_RESULT_PREFIX) + "[0-9a-f]{16}\n");
    private static final List<String> STATS_KEYS = List.of("exits", "run_loop_ms", "setup_ms", "process_ms",
        "boot_complete_ms", "boot_complete_process_ms", "exits_total", "reason", "vcpu_exits");

    @TempDir
    Path dir;

    @BeforeEach
    void needsKvm() {
        Assumptions.assumeTrue(Kvm.isAvailable(), () -> "KVM is not usable here: " + Kvm.unavailableReason().orElse(""));
    }

    @Test
    void withoutOptionsTheDemoGuestGreetsComputesAndResets() {
        CliRun r = jvmm("run");
        assertEquals(ExitCodes.OK, r.exitCode(), r::toString);
        assertTrue(DEMO_OUTPUT.matcher(r.out()).matches(), r::toString);
        assertEquals("", r.err());
    }

    @Test
    void theDemoResultIsTheGuestsAnswerForTheMailboxValue() {
        // The guest prints its result; the CLI chose a random input and checked the result in
        // guest memory, so two runs print different, each self-consistent, values.
        String first = jvmm("run").out();
        String second = jvmm("run").out();
        assertTrue(DEMO_OUTPUT.matcher(first).matches() && DEMO_OUTPUT.matcher(second).matches(), first + second);
        assertFalse(first.equals(second), "the mailbox value changes from run to run");
    }

    @Test
    void statsAreOneJsonLineOnStderrWithEveryKey() {
        CliRun r = jvmm("run", "--stats");
        assertEquals(ExitCodes.OK, r.exitCode(), r::toString);
        assertEquals(1, r.errLines().size(), r::toString);
        Map<String, Object> stats = MiniJson.parseObject(r.lastErrLine());
        assertEquals(STATS_KEYS, List.copyOf(stats.keySet()));
        @SuppressWarnings("unchecked")
        Map<String, Object> exits = (Map<String, Object>) stats.get("exits");
        assertTrue(exits.keySet().containsAll(List.of("io", "mmio", "hlt")), exits::toString);
        double io = (Double) exits.get("io");
        assertTrue(io > BuiltInGuests.DEMO_GREETING.length(), "every console byte is a port exit: " + exits);
        assertEquals(exits.values().stream().mapToDouble(v -> (Double) v).sum(), (Double) stats.get("exits_total"));
        assertEquals("reset", stats.get("reason"));
        @SuppressWarnings("unchecked")
        Map<String, Object> byVcpu = (Map<String, Object>) stats.get("vcpu_exits");
        assertEquals(exits, byVcpu.get("0"), "one vCPU: its counts are all the counts");
        double setup = (Double) stats.get("setup_ms");
        double runLoop = (Double) stats.get("run_loop_ms");
        double process = (Double) stats.get("process_ms");
        double bootComplete = (Double) stats.get("boot_complete_ms");
        double bootCompleteProcess = (Double) stats.get("boot_complete_process_ms");
        assertTrue(setup > 0 && runLoop > 0, r.lastErrLine());
        // The demo signals boot-complete after its greeting: after the first KVM_RUN, before the end.
        assertTrue(bootComplete > setup && bootComplete <= setup + runLoop, r.lastErrLine());
        // Process times count from process start (good to a 10 ms clock tick), so they include
        // VM creation to boot-complete.
        assertTrue(bootCompleteProcess + 10 >= bootComplete && process + 10 >= bootCompleteProcess, r.lastErrLine());
    }

    @Test
    void theRealModeGuestGreetsAndHalts() {
        CliRun r = jvmm("run", "--guest", "real", "--stats");
        assertEquals(ExitCodes.OK, r.exitCode(), r::toString);
        assertEquals(BuiltInGuests.REAL_MODE_GREETING, r.out());
        Map<String, Object> stats = MiniJson.parseObject(r.lastErrLine());
        assertEquals("halt", stats.get("reason"));
        assertNull(stats.get("boot_complete_ms"), "the real-mode guest sends no boot-complete signal");
        assertTrue(stats.containsKey("boot_complete_process_ms") && stats.get("boot_complete_process_ms") == null);
        assertEquals(1.0, ((Map<?, ?>) stats.get("exits")).get("hlt"));
    }

    @Test
    void serialOutSendsTheConsoleToAFile() throws IOException {
        Path console = dir.resolve("console.txt");
        Files.writeString(console, "old contents that must go away, longer than the new ones".repeat(10));
        CliRun r = jvmm("run", "--serial-out", console.toString());
        assertEquals(ExitCodes.OK, r.exitCode(), r::toString);
        assertEquals("", r.out());
        assertTrue(DEMO_OUTPUT.matcher(Files.readString(console, StandardCharsets.US_ASCII)).matches());
    }

    @Test
    void aRawLongModeImageRunsAndHalts() throws IOException {
        Path img = write("hello64.bin", printAndHalt(CpuMode.LONG, X86Layout.HIMEM_START, "raw 64-bit\n"));
        CliRun r = jvmm("run", "--mem", "4M", "--raw", img.toString(), "--load-addr", "0x100000", "--entry", "0x100000");
        assertEquals(ExitCodes.OK, r.exitCode(), r::toString);
        assertEquals("raw 64-bit\n", r.out());
    }

    @Test
    void aRawRealModeImageRunsAndHalts() throws IOException {
        // Real-mode code is assembled at its offset in the segment: IP starts at entry - load = 0.
        Path img = write("hello16.bin", printAndHalt(CpuMode.REAL, 0, "raw 16-bit\n"));
        CliRun r = jvmm("run", "--mem", "2M", "--raw", img.toString(), "--load-addr", "0x10000", "--entry", "65536",
            "--mode", "real", "--stats");
        assertEquals(ExitCodes.OK, r.exitCode(), r::toString);
        assertEquals("raw 16-bit\n", r.out());
        assertEquals("halt", MiniJson.parseObject(r.lastErrLine()).get("reason"));
    }

    @Test
    void aSpinningGuestTimesOutWith124() throws IOException {
        Path img = write("spin.bin", spin(CpuMode.LONG, X86Layout.HIMEM_START));
        CliRun r = jvmm("run", "--raw", img.toString(), "--load-addr", "0x100000", "--entry", "0x100000",
            "--timeout", "300ms", "--stats");
        assertEquals(ExitCodes.TIMEOUT, r.exitCode(), r::toString);
        assertEquals(2, r.errLines().size(), r::toString);
        assertEquals("jvmm: timed out after 300ms (--timeout); the vCPUs were stopped", r.errLines().get(0));
        assertEquals("timeout", MiniJson.parseObject(r.lastErrLine()).get("reason"));
    }

    @Test
    void aTripleFaultIsAGuestFailureWithItsReason() throws IOException {
        // ud2 with the VMM's empty IDT: #UD, then #GP on the IDT lookup, a double fault, a triple
        // fault, and KVM reports a shutdown.
        Path img = write("ud2.bin", new byte[] {0x0f, 0x0b});
        CliRun r = jvmm("run", "--raw", img.toString(), "--load-addr", "0x100000", "--entry", "0x100000", "--timeout", "30s");
        r.assertOneLineError(ExitCodes.GUEST_FAILURE, "guest shut down");
    }

    @Test
    void twoVcpusRunTheDemoWithTheIrqchip() {
        CliRun r = jvmm("run", "--vcpus", "2");
        assertEquals(ExitCodes.OK, r.exitCode(), r::toString);
        assertTrue(DEMO_OUTPUT.matcher(r.out()).matches(), r::toString);
    }

    @Test
    void moreVcpusThanKvmAllowsIsAUsageError() {
        int max;
        try (Kvm kvm = Kvm.open()) {
            max = kvm.maxVcpus();
        }
        Assumptions.assumeTrue(max < 254, "KVM allows as many vCPUs as jvmm supports");
        jvmm("run", "--vcpus", Integer.toString(max + 1)).assertOneLineError(ExitCodes.USAGE, "KVM on this host allows at most " + max);
    }

    @Test
    void verboseLogsAtDebugOnlyDuringItsOwnCommand() {
        org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger("io.jvmm.cli");
        assertFalse(log.isDebugEnabled());
        assertEquals(ExitCodes.OK, jvmm("run", "-v", "--guest", "real").exitCode());
        assertFalse(log.isDebugEnabled(), "-v must not outlive its command");
    }

    private Path write(String name, byte[] bytes) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, bytes);
        return p;
    }

    /** Writes {@code text} to COM1's THR byte by byte (transmission is instant), then halts. */
    private static byte[] printAndHalt(CpuMode mode, long origin, String text) {
        X86Assembler asm = new X86Assembler(mode, origin);
        asm.mov(DX, X86Layout.COM1_PORT);
        for (byte b : text.getBytes(StandardCharsets.US_ASCII)) {
            asm.mov(AL, b).out(DX, AL);
        }
        Label halt = asm.newLabel("halt");
        asm.bind(halt).cli().hlt().jmp(halt);
        return asm.assemble().bytes();
    }

    private static byte[] spin(CpuMode mode, long origin) {
        X86Assembler asm = new X86Assembler(mode, origin);
        Label here = asm.newLabel("here");
        asm.bind(here).jmp(here);
        byte[] code = asm.assemble().bytes();
        assertInstanceOf(byte[].class, code);
        assertEquals(2, code.length, "jmp $ is EB FE");
        return code;
    }
}
