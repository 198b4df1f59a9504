package io.jvmm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.jvmm.kvm.KvmBackend;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/**
 * One in-process {@code jvmm} invocation with captured streams.
 *
 * @param exitCode what {@code jvmm} would exit with
 * @param out everything written to stdout (the guest console unless --serial-out)
 * @param err everything written to stderr
 */
record CliRun(int exitCode, String out, String err) {
    static CliRun jvmm(String... args) {
        return jvmmWithDevice(Environment.DEFAULT_KVM_DEVICE, args);
    }

    /** Runs with another KVM device node (a missing one, a regular file). */
    static CliRun jvmmWithDevice(Path kvmDevice, String... args) {
        return jvmmIn(kvmDevice, KvmBackend.detect(), args);
    }

    /** Runs as if the host's KVM were {@code backend} (to see what jvmm does on PVM, anywhere). */
    static CliRun jvmmWithBackend(KvmBackend backend, String... args) {
        return jvmmIn(Environment.DEFAULT_KVM_DEVICE, backend, args);
    }

    private static CliRun jvmmIn(Path kvmDevice, KvmBackend backend, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
             PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            code = Main.execute(args, new Environment(o, e, kvmDevice, backend));
        }
        return new CliRun(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    List<String> errLines() {
        return err.lines().toList();
    }

    /** The last line on stderr (where --stats puts its JSON). */
    String lastErrLine() {
        List<String> lines = errLines();
        return lines.isEmpty() ? "" : lines.get(lines.size() - 1);
    }

    /**
     * Asserts the exit code and that stderr is one {@code jvmm: ...} line containing
     * {@code fragment} — plus, for usage errors, the line pointing at the help — and no stack trace.
     */
    CliRun assertOneLineError(int expectedCode, String fragment) {
        assertEquals(expectedCode, exitCode, this::toString);
        List<String> lines = errLines();
        assertEquals(expectedCode == ExitCodes.USAGE ? 2 : 1, lines.size(), this::toString);
        String line = lines.get(0);
        assertFalse(!line.startsWith("jvmm: ") || !line.contains(fragment), () -> "expected 'jvmm: ...'" + fragment + "...' in " + this);
        if (expectedCode == ExitCodes.USAGE) {
            assertFalse(!lines.get(1).startsWith("Try 'jvmm") || !lines.get(1).contains("--help"), this::toString);
        }
        assertFalse(err.contains("\tat ") || err.contains("Exception"), () -> "stack trace or exception name in " + this);
        return this;
    }

    /**
     * The exit code, stderr, then the last {@value #STDOUT_TAIL_LINES} lines of stdout: stderr
     * holds jvmm's own account of a failure (the stop reason, the vCPU, the exit) and is short,
     * while stdout is a whole guest console whose end is what matters, and reports cut long
     * failure messages (surefire's did, at the start of a kernel log).
     */
    @Override
    public String toString() {
        List<String> lines = out.lines().toList();
        int from = Math.max(0, lines.size() - STDOUT_TAIL_LINES);
        return "exit " + exitCode + "\n--- stderr ---\n" + err + "\n--- stdout"
            + (from > 0 ? " (its last " + STDOUT_TAIL_LINES + " of " + lines.size() + " lines)" : "") + " ---\n"
            + String.join("\n", lines.subList(from, lines.size()));
    }

    private static final int STDOUT_TAIL_LINES = 60;
}
