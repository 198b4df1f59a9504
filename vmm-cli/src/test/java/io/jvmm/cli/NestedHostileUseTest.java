package io.jvmm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jvmm.kvm.Kvm;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cases of {@link HostileUseTest} that need a guest to run (its console output, its memory),
 * on a host without a usable /dev/kvm: they run in the nested KVM test host (scripts/kvm-host.sh,
 * docs/testing.md), so that they are tested on every machine, CI included. Where this host has
 * KVM, {@link HostileUseTest} runs them in-process instead, and these skip.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class NestedHostileUseTest {
    /** Java starts in about 14 s in L1 (everything is emulated); the guests themselves are tiny. */
    private static final Duration RUN = Duration.ofMinutes(3);

    @TempDir
    static Path dir;

    @BeforeAll
    static void nestedHostOnlyWhereThisHostHasNoKvm() {
        assumeTrue(!Kvm.isAvailable(), "this host has KVM: HostileUseTest runs these cases in-process");
        var reason = NestedKvmHost.unavailableReason();
        assumeTrue(reason.isEmpty(), () -> "no nested KVM test host: " + reason.orElse(""));
    }

    @Test
    void aFullConsoleIsAnErrorNotASuccess() throws Exception {
        CliRun r = NestedKvmHost.shared().jvmm(RUN, "run", "--serial-out", "/dev/full", "--timeout", "120s");
        r.assertOneLineError(ExitCodes.VMM_ERROR, "cannot write --serial-out /dev/full: No space left on device");
    }

    @Test
    void aConsoleThatRefusesWritesIsAnError() throws Exception {
        CliRun r = NestedKvmHost.shared().jvmm(RUN, "run", "--serial-out", "/proc/version", "--timeout", "120s");
        r.assertOneLineError(ExitCodes.VMM_ERROR, "cannot write --serial-out /proc/version");
    }

    @Test
    void aFifoWithAReaderGetsTheConsole() throws Exception {
        String jvmm = NestedKvmHost.jvmmCommand("run", "--serial-out", "/tmp/console.fifo", "--timeout", "120s")
            .stream().map(NestedHostileUseTest::quoted).collect(Collectors.joining(" "));
        String script = "rm -f /tmp/console.fifo /tmp/console.out && mkfifo /tmp/console.fifo"
            + " && { cat /tmp/console.fifo > /tmp/console.out & } && " + jvmm + "; rc=$?; wait;"
            + " cat /tmp/console.out; exit $rc";
        CliRun r = NestedKvmHost.shared().exec(RUN, Path.of("/"), List.of("sh", "-c", script));
        assertEquals(ExitCodes.OK, r.exitCode(), r::toString);
        assertTrue(r.out().contains("Hello from the jvmm demo guest"), r::toString);
    }

    @Test
    void aStdoutReaderThatStoppedReadingDoesNotOutlastTheTimeout() throws Exception {
        assertAStalledReaderDoesNotOutlastTheTimeout(false);
    }

    @Test
    void aSerialOutFifoReaderThatStoppedReadingDoesNotOutlastTheTimeout() throws Exception {
        assertAStalledReaderDoesNotOutlastTheTimeout(true);
    }

    /**
     * A guest that prints for ever into a FIFO whose reader never reads (as stdout, or as
     * --serial-out): the pipe and the console's ring fill, the vCPU waits for room, and --timeout
     * must still end the run with its reason, a few seconds after it passes.
     */
    private static void assertAStalledReaderDoesNotOutlastTheTimeout(boolean serialOut) throws Exception {
        Path image = dir.resolve(serialOut ? "print-forever-serial-out.bin" : "print-forever-stdout.bin");
        Files.write(image, HostileUseTest.PRINT_FOREVER);
        List<String> args = new ArrayList<>(List.of("run", "--raw", image.toString(), "--load-addr", "0x100000",
            "--entry", "0x100000", "--mode", "long", "--timeout", "10s"));
        if (serialOut) {
            args.addAll(List.of("--serial-out", "/tmp/stalled.fifo"));
        }
        String jvmm = NestedKvmHost.jvmmCommand(args.toArray(String[]::new)).stream()
            .map(NestedHostileUseTest::quoted).collect(Collectors.joining(" "));
        // The reader opens the FIFO and never reads; jvmm's start in L1 is not timed.
        String script = "rm -f /tmp/stalled.fifo && mkfifo /tmp/stalled.fifo && { sleep 600 < /tmp/stalled.fifo & }"
            + " && " + jvmm + (serialOut ? "" : " > /tmp/stalled.fifo") + "; rc=$?; kill $! 2>/dev/null; exit $rc";
        long start = System.nanoTime();
        CliRun r = NestedKvmHost.shared().exec(RUN, Path.of("/"), List.of("sh", "-c", script));
        long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
        assertEquals(ExitCodes.TIMEOUT, r.exitCode(), r::toString);
        assertTrue(r.err().contains("timed out after 10s (--timeout)"), r::toString);
        assertTrue(seconds < 120, "a stalled reader does not keep jvmm past --timeout; took " + seconds + " s: " + r);
    }

    @Test
    void aRawImageLargerThan2GiBIsStreamedIntoGuestMemory() throws Exception {
        Path image = dir.resolve("sparse-2.5G");
        try (RandomAccessFile f = new RandomAccessFile(image.toFile(), "rw")) {
            f.write(0xf4); // HLT; the rest is a hole
            f.setLength((5L << 30) / 2);
        }
        CliRun r = NestedKvmHost.shared().jvmm(RUN, "run", "--raw", image.toString(), "--mem", "3G",
            "--load-addr", "0x100000", "--entry", "0x100000", "--timeout", "120s", "--stats");
        assertEquals(ExitCodes.OK, r.exitCode(), r::toString);
        assertTrue(r.lastErrLine().contains("\"reason\":\"halt\""), r::toString);
        assertFalse(r.err().contains("Exception") || r.err().contains("Error"), r::toString);
    }

    private static String quoted(String word) {
        return "'" + word.replace("'", "'\\''") + "'";
    }

}
