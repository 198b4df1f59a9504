package io.jvmm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The CLI on the module path, where every {@code module-info} is enforced at run time as well
 * (docs/architecture.md, "module-info and the test set-up"): a missing {@code requires}, an
 * unexported package a module uses, or a reflective access JNA, picocli or logback needs and a
 * descriptor does not open would fail here, while the class-path tests and the shaded jar pass.
 */
class ModulePathTest {
    /** The jars and class folders of jvmm's modules and of the libraries they need at run time. */
    private static final Pattern RUNTIME = Pattern.compile(
        ".*(/vmm-(core|memory|virtio|devices|kvm|loader|x86|machine|cli)/target/classes"
            + "|/(vmm-(core|memory|virtio|devices|kvm|loader|x86|machine|cli)|jna|picocli|slf4j-api|logback-classic|logback-core)"
            + "-[0-9][^/]*\\.jar)$");

    @Test
    void theCliStartsParsesAndReachesKvmWithEveryDescriptorEnforced() throws Exception {
        String modulePath = modulePath();
        Run version = java(modulePath, "--version");
        assertEquals(0, version.exit, version.output);
        assertTrue(version.output.startsWith("jvmm "), version.output);

        Run usage = java(modulePath, "run", "--mem", "1x");
        assertEquals(ExitCodes.USAGE, usage.exit, usage.output);
        assertTrue(usage.output.contains("--mem"), usage.output);

        // The built-in guest: JNA's libc binding, guest memory and the KVM layer, up to /dev/kvm
        // (which a test machine may lack) or through a whole run where KVM works.
        Run run = java(modulePath, "run");
        assertTrue(run.exit == 0 || run.exit == ExitCodes.VMM_ERROR && run.output.contains("/dev/kvm"), run.output);
        assertFalse(run.output.contains("IllegalAccess") || run.output.contains("module "), run.output);
    }

    private static String modulePath() {
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> entries = new ArrayList<>();
        for (String entry : classPath.split(File.pathSeparator)) {
            String normalized = entry.replace(File.separatorChar, '/').replaceAll("/$", "");
            if (RUNTIME.matcher(normalized).matches() && !normalized.endsWith("/vmm-cli/target/test-classes")) {
                entries.add(entry);
            }
        }
        assertTrue(entries.stream().anyMatch(e -> e.contains("vmm-cli")) && entries.stream().anyMatch(e -> e.contains("jna")),
            "the test class path holds jvmm's modules and JNA: " + classPath);
        return String.join(File.pathSeparator, entries);
    }

    private record Run(int exit, String output) {
    }

    private static Run java(String modulePath, String... args) throws IOException, InterruptedException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> command = new ArrayList<>(List.of(java.toString(), "-XX:+UseSerialGC", "-Xshare:auto",
            "-p", modulePath, "-m", "io.jvmm.cli/io.jvmm.cli.Main"));
        command.addAll(List.of(args));
        Path out = Files.createTempFile("jvmm-module-path", ".txt");
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("jvmm on the module path did not end within 60 s: " + command);
            }
            String text = Files.readAllLines(out, StandardCharsets.UTF_8).stream().collect(Collectors.joining("\n"));
            return new Run(p.exitValue(), text);
        } finally {
            Files.deleteIfExists(out);
        }
    }
}
