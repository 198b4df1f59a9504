package io.jvmm.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The nested KVM test host of scripts/kvm-host.sh (docs/testing.md) for tests: one L1 (a Linux
 * booted by QEMU's TCG on an emulated AMD CPU with SVM, where kvm_amd provides /dev/kvm) per test
 * JVM, started on first use and stopped when the JVM exits. Commands run in L1 see this host's
 * file system read-only (writes land in a tmpfs overlay that vanishes with L1), so a jvmm built here
 * runs there by the same paths.
 */
final class NestedKvmHost {
    /** L1 boot, with a margin for a loaded 2-core host (about 10 s unloaded). */
    /** kvm-host.sh's exit status when the nested host itself failed (docs/testing.md). */
    private static final int HOST_FAILED = 125;
    private static final Duration START_TIMEOUT = Duration.ofMinutes(5);

    private final Path script;
    private final Path session;

    private NestedKvmHost(Path script, Path session) {
        this.script = script;
        this.session = session;
    }

    /** What the host needs and lacks, in one line, or empty when the nested host can be used. */
    static Optional<String> unavailableReason() {
        if (!onPath("qemu-system-x86_64")) {
            return Optional.of("qemu-system-x86_64 not found, so the nested KVM test host cannot run: install"
                + " qemu-system-x86 (apt-get install qemu-system-x86 kmod cpio; see docs/testing.md)");
        }
        if (!prepared() && !TestKernelArtifacts.buildRequested()) {
            return Optional.of("the nested KVM test host is not prepared (no " + dir().resolve("vmlinuz") + "): run"
                + " scripts/kvm-host.sh prepare, or set -Djvmm.test.kernel.build=true (or JVMM_TEST_KERNEL_BUILD=1)");
        }
        if (!prepared()) {
            // What prepare needs beyond apt (scripts/kvm-host.sh cmd_prepare names the same packages).
            for (String[] tool : new String[][] {{"depmod", "kmod"}, {"modprobe", "kmod"}, {"cpio", "cpio"}}) {
                if (!onPath(tool[0])) {
                    return Optional.of(tool[0] + " not found, so the nested KVM test host cannot be prepared: install "
                        + tool[1] + " (apt-get install qemu-system-x86 kmod cpio; see docs/testing.md)");
                }
            }
        }
        return Optional.empty();
    }

    /**
     * The L1 of this test JVM, booted on the first call (and prepared first when a build was
     * requested). Throws when it should be usable ({@link #unavailableReason()} is empty) but does
     * not start: that is a failure, not a reason to skip.
     */
    static NestedKvmHost shared() throws IOException {
        Shared.Started s = Shared.STARTED;
        if (s.host() == null) {
            throw new IOException(s.failure());
        }
        return s.host();
    }

    /**
     * Runs {@code command} in L1 (in {@code cwd}, with a clean environment) and returns its exit
     * status, stdout and stderr; 124 when {@code timeout} expired there.
     */
    CliRun exec(Duration timeout, Path cwd, List<String> command) throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(List.of("exec", "--timeout", Long.toString(Math.max(1, timeout.toSeconds())),
            "--cwd", cwd.toString(), "--"));
        args.addAll(command);
        // The script itself waits for the answer up to timeout + 120 s; this bound is only a backstop.
        CliRun r = script(timeout.plusMinutes(3), args);
        if (r.exitCode() == HOST_FAILED && (r.err().contains("L1 exited while running the command")
            || r.err().contains("L1 stopped responding"))) {
            // L1 itself went away under the command, or wedged (soft lockups on both of its CPUs,
            // seen once each in full test runs on the loaded 2-core host; the TCG-emulated L1 is
            // the least reliable part here): its console's
            // end goes to the test log as evidence, a fresh L1 starts in the same session, and
            // the command runs once more. A second loss is the test's failure.
            System.err.println("NestedKvmHost: L1 exited while running " + command + "; its console ended with:\n"
                + consoleTail() + "\nstarting a fresh L1 and running the command once more");
            CliRun restarted = script(START_TIMEOUT.plusMinutes(1),
                List.of("start", "--owner", Long.toString(ProcessHandle.current().pid())));
            if (restarted.exitCode() == 0) {
                r = script(timeout.plusMinutes(3), args);
            }
        }
        return r;
    }

    /**
     * Powers L1 off and boots a fresh one in the same session, for a retry that must not run in an
     * L1 whose own state may be what failed (docs/testing.md, "A guest failure in the nested host").
     *
     * @throws IOException when the fresh L1 does not start
     */
    void restart() throws IOException, InterruptedException {
        script(Duration.ofMinutes(1), List.of("stop"));
        CliRun started = script(START_TIMEOUT.plusMinutes(1),
            List.of("start", "--owner", Long.toString(ProcessHandle.current().pid())));
        if (started.exitCode() != 0) {
            throw new IOException("a fresh L1 did not start: " + started.err().strip());
        }
    }

    /** The last lines of L1's console log, or why there are none. */
    private String consoleTail() {
        try {
            List<String> lines = Files.readAllLines(consoleLog(), StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException | java.io.UncheckedIOException e) {
            return "(no console log: " + e.getMessage() + ")";
        }
    }

    /**
     * {@code java -cp <this JVM's main classpath> io.jvmm.cli.Main ARGS} in L1: the jvmm this test
     * run compiled, with no need for the packaged jar (surefire runs before the package phase).
     */
    CliRun jvmm(Duration timeout, String... jvmmArgs) throws IOException, InterruptedException {
        List<String> command = jvmmCommand(jvmmArgs);
        CliRun r = exec(timeout, Path.of("").toAbsolutePath(), command);
        if (jvmCrashed(r)) {
            // The JVM itself, not jvmm, died in L1: seen once in about a dozen runs, a SIGSEGV in
            // JIT-compiled JDK code (java.lang.StringLatin1.charAt) on the TCG-emulated CPU
            // (docs/testing.md). One retry; any other failure is the test's to report.
            System.err.println("NestedKvmHost: the JVM crashed in L1 (" + firstLine(r.err(), "SIGSEGV")
                + "); running the command once more");
            r = exec(timeout, Path.of("").toAbsolutePath(), command);
        }
        return r;
    }

    /** The command line of {@link #jvmm}, for commands that run it inside a shell script in L1. */
    static List<String> jvmmCommand(String... jvmmArgs) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(L1_JVM_OPTIONS);
        command.addAll(List.of("-cp", mainClassPath(), Main.class.getName()));
        command.addAll(Arrays.asList(jvmmArgs));
        return command;
    }

    /**
     * JVM options for jvmm in L1: C1 only. Under L1's TCG, HotSpot's tiered recompilation (C1 code
     * replaced by C2 code, the old entry patched while other threads run it) crashed the JVM in 3
     * of 6 virtio-blk benchmark runs, always at a C1 method's entry; with C1 only, 0 of 6, and the
     * runs were faster, since C2's compiler threads are costly when emulated (docs/testing.md).
     */
    static final List<String> L1_JVM_OPTIONS = List.of("-XX:TieredStopAtLevel=1");

    /** HotSpot's own fatal-error report ("A fatal error has been detected by the Java Runtime Environment"). */
    static boolean jvmCrashed(CliRun r) {
        String report = "A fatal error has been detected by the Java Runtime Environment";
        return r.exitCode() == 134 && (r.out().contains(report) || r.err().contains(report));
    }

    private static String firstLine(String text, String containing) {
        return text.lines().filter(l -> l.contains(containing)).findFirst().orElse("no details").strip();
    }

    /** The console log of L1 itself (its kernel and /init), for failure messages. */
    Path consoleLog() {
        return session.resolve("console.log");
    }

    private CliRun script(Duration timeout, List<String> args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("bash", script.toString()));
        command.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().put("KVM_HOST_DIR", dir().toString());
        pb.environment().put("KVM_HOST_SESSION", session.toString());
        pb.environment().put("KVM_HOST_BOOT_TIMEOUT", Long.toString(START_TIMEOUT.toSeconds()));
        Path out = Files.createTempFile("kvm-host-out", ".txt");
        Path err = Files.createTempFile("kvm-host-err", ".txt");
        try {
            Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!p.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor();
                throw new IOException("scripts/kvm-host.sh " + args.get(0) + " did not return within " + timeout);
            }
            return new CliRun(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    private void stop() {
        try {
            script(Duration.ofMinutes(1), List.of("stop"));
            try (Stream<Path> files = Files.walk(session)) {
                files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        } catch (IOException e) {
            System.err.println("NestedKvmHost: stopping L1 failed: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * The main (not test) entries of the classpath surefire gave this JVM: its manifest-only jar
     * hides them from java.class.path, so surefire's own property comes first. Test classes and
     * their resources stay out, so jvmm in L1 runs as the packaged jar would.
     */
    private static String mainClassPath() {
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        return Arrays.stream(cp.split(java.io.File.pathSeparator))
            .filter(e -> !e.endsWith("test-classes") && !e.endsWith("test-classes/"))
            .collect(Collectors.joining(java.io.File.pathSeparator));
    }

    private static Path root() {
        // Tests run in the module directory; scripts/ and build/ live at the repository root.
        return Path.of("").toAbsolutePath().getParent();
    }

    private static Path dir() {
        return root().resolve("build/kvm-host");
    }

    private static boolean prepared() {
        return Files.isRegularFile(dir().resolve("vmlinuz")) && Files.isRegularFile(dir().resolve("initramfs.cpio.gz"));
    }

    private static boolean onPath(String tool) {
        return Stream.of(System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator))
            .anyMatch(d -> !d.isEmpty() && Files.isExecutable(Path.of(d, tool)));
    }

    /** One L1 per JVM: started when this class is first used, stopped by a shutdown hook. */
    private static final class Shared {
        record Started(NestedKvmHost host, String failure) {}

        static final Started STARTED = start();

        private static Started start() {
            Path script = root().resolve("scripts/kvm-host.sh");
            try {
                if (!prepared()) {
                    CliRun r = new NestedKvmHost(script, dir()).script(Duration.ofMinutes(10), List.of("prepare"));
                    if (r.exitCode() != 0) {
                        return new Started(null, "scripts/kvm-host.sh prepare failed: " + r);
                    }
                }
                Files.createDirectories(dir().resolve("sessions"));
                Path session = dir().resolve("sessions/junit-" + ProcessHandle.current().pid());
                NestedKvmHost host = new NestedKvmHost(script, session);
                // --owner: should this JVM die without running its shutdown hooks, QEMU goes too.
                CliRun r = host.script(START_TIMEOUT.plusMinutes(1),
                    List.of("start", "--owner", Long.toString(ProcessHandle.current().pid())));
                if (r.exitCode() != 0) {
                    host.stop();
                    return new Started(null, "the nested KVM test host did not start: " + r.err().strip());
                }
                Runtime.getRuntime().addShutdownHook(new Thread(host::stop, "kvm-host-stop"));
                return new Started(host, null);
            } catch (IOException e) {
                return new Started(null, "the nested KVM test host did not start: " + e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new Started(null, "interrupted while the nested KVM test host started");
            }
        }

        private Shared() {}
    }
}
