package io.jvmm.cli;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jvmm.kvm.Kvm;
import io.jvmm.kvm.KvmBackend;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The Debian test kernel and initramfs that scripts/test-kernel.sh builds, for the tests that boot
 * them. Where: {@code -Djvmm.test.kernel.dir} or {@code build/test-kernel} of this checkout. They
 * are built on demand (downloads from Debian; needs apt-get and gcc) when
 * {@code -Djvmm.test.kernel.build=true} or {@code JVMM_TEST_KERNEL_BUILD=1} asks for it.
 */
record TestKernelArtifacts(Path kernel, Path initramfs) {
    static final String MARKER = "JVMM-TEST-KERNEL-OK";
    /** The recommended line of docs/boot.md. */
    static final String CMDLINE = "console=ttyS0 reboot=k panic=-1 i8042.noaux pci=off";

    /**
     * The artifacts, or a skipped test (with the reason) where the host cannot boot a stock kernel
     * or the artifacts are missing and nobody asked to build them.
     */
    static TestKernelArtifacts require() throws IOException, InterruptedException {
        assumeTrue(Kvm.isAvailable(), () -> "KVM is not usable here: " + Kvm.unavailableReason().orElse(""));
        var unsupported = KvmBackend.detect().stockKernelUnsupportedReason();
        assumeTrue(unsupported.isEmpty(), () -> unsupported.orElse(""));
        // Tests run in the module directory; the scripts and build/ live at the repository root.
        Path root = Path.of("").toAbsolutePath().getParent();
        Path dir = Path.of(System.getProperty("jvmm.test.kernel.dir", root.resolve("build/test-kernel").toString()));
        TestKernelArtifacts a = new TestKernelArtifacts(dir.resolve("vmlinuz"), dir.resolve("initramfs.cpio.gz"));
        if (!a.present() && buildRequested()) {
            build(root.resolve("scripts/test-kernel.sh"), dir);
        }
        assumeTrue(a.present(), () -> "no " + a.kernel() + " and " + a.initramfs() + ": run scripts/test-kernel.sh,"
            + " or set -Djvmm.test.kernel.build=true (or JVMM_TEST_KERNEL_BUILD=1) to have the test run it");
        return a;
    }

    private boolean present() {
        return Files.isRegularFile(kernel) && Files.isRegularFile(initramfs);
    }

    private static boolean buildRequested() {
        return Boolean.getBoolean("jvmm.test.kernel.build") || "1".equals(System.getenv("JVMM_TEST_KERNEL_BUILD"));
    }

    private static void build(Path script, Path dir) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("bash", script.toString(), dir.toString()).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IOException(script + " failed:\n" + output);
        }
    }
}
