package io.jvmm.cli;

import static io.jvmm.cli.CliRun.jvmm;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The root command: version, help, a missing command, and how errors reach the user. */
class MainTest {
    @Test
    void versionPrintsTheVersion() {
        CliRun r = jvmm("--version");
        assertEquals(ExitCodes.OK, r.exitCode());
        assertEquals("jvmm 0.1.0\n", r.out());
    }

    @Test
    void helpListsTheCommandsAndExitCodes() {
        CliRun r = jvmm("--help");
        assertEquals(ExitCodes.OK, r.exitCode());
        assertTrue(r.out().contains("run") && r.out().contains("check") && r.out().contains("124"), r::toString);
    }

    @Test
    void runHelpDocumentsEveryOption() {
        CliRun r = jvmm("run", "--help");
        assertEquals(ExitCodes.OK, r.exitCode());
        for (String option : new String[] {"--mem", "--vcpus", "--timeout", "--serial-out", "--stats", "--guest", "--raw",
            "--load-addr", "--entry", "--mode", "-v"}) {
            assertTrue(r.out().contains(option), () -> option + " missing in\n" + r);
        }
        assertTrue(r.out().contains("Default: 256M"), r::toString);
    }

    @Test
    void noCommandIsAUsageError() {
        jvmm().assertOneLineError(ExitCodes.USAGE, "a command is needed");
    }

    @Test
    void verboseWorksBeforeAndAfterTheCommand(@TempDir Path dir) {
        for (String[] args : new String[][] {{"-v", "run"}, {"run", "-v"}, {"run", "--verbose"}}) {
            String[] withDevice = new String[args.length];
            System.arraycopy(args, 0, withDevice, 0, args.length);
            CliRun r = CliRun.jvmmWithDevice(dir.resolve("kvm"), withDevice);
            assertEquals(ExitCodes.VMM_ERROR, r.exitCode(), r::toString);
            assertTrue(r.err().contains("\tat "), () -> String.join(" ", args) + " gives the stack trace: " + r);
        }
    }

    @Test
    void oneLineKeepsTheFirstLineOfAMessage() {
        assertEquals("first", Main.oneLine(new IllegalStateException("first\nsecond")));
        assertEquals("IllegalStateException", Main.oneLine(new IllegalStateException()));
        assertEquals(ExitCodes.VMM_ERROR, Main.exitCodeOf(new IllegalStateException()));
        assertEquals(ExitCodes.TIMEOUT, Main.exitCodeOf(new CliException(ExitCodes.TIMEOUT, "t")));
    }
}
