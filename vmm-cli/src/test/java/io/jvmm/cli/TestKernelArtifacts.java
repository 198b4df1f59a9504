package io.jvmm.cli;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jvmm.kvm.Kvm;
import io.jvmm.kvm.KvmBackend;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The Debian test kernel and initramfs that scripts/test-kernel.sh builds, for the tests that boot
 * them. Where: {@code -Djvmm.test.kernel.dir} or {@code build/test-kernel} of this checkout. They
 * are built on demand (downloads from Debian; needs apt-get and gcc) when
 * {@code -Djvmm.test.kernel.build=true} or {@code JVMM_TEST_KERNEL_BUILD=1} asks for it.
 *
 * <p>Where a test that boots them runs is {@link #host()}'s answer: on this host's KVM when it is
 * hardware-assisted, else in the nested KVM test host ({@link NestedKvmHost}), else the test is
 * skipped with both reasons. {@code JVMM_TEST_KERNEL_REQUIRED=1} (or
 * {@code -Djvmm.test.kernel.required=true}, set by .ci/run) turns every such skip into a failure,
 * so that CI cannot pass by skipping the real-kernel tests.
 */
record TestKernelArtifacts(Path kernel, Path initramfs) {
    static final String MARKER = "JVMM-TEST-KERNEL-OK";
    /** The recommended line of docs/boot.md. */
    static final String CMDLINE = "console=ttyS0 reboot=k panic=-1 i8042.noaux pci=off";

    /** Where a real kernel can boot for this test run. */
    enum Host {
        /** This host's own KVM: hardware-assisted (kvm_intel, kvm_amd). */
        DIRECT,
        /** An L1 of scripts/kvm-host.sh, because this host's KVM cannot boot a stock kernel. */
        NESTED
    }

    /**
     * Where real kernels boot here, or a skipped test (a failure when required) that says why
     * neither this host's KVM nor the nested host can.
     */
    static Host host() {
        Optional<String> direct = Kvm.isAvailable()
            ? KvmBackend.detect().stockKernelUnsupportedReason()
            : Optional.of("KVM is not usable here: " + Kvm.unavailableReason().orElse(""));
        if (direct.isEmpty()) {
            return Host.DIRECT;
        }
        Optional<String> nested = NestedKvmHost.unavailableReason();
        skipUnless(nested.isEmpty(), () -> direct.get() + "; and " + nested.get());
        return Host.NESTED;
    }

    /**
     * The artifacts, or a skipped test (a failure when required) where they are missing and nobody
     * asked to build them.
     */
    static TestKernelArtifacts require() throws IOException, InterruptedException {
        Path root = Path.of("").toAbsolutePath().getParent();
        Path dir = Path.of(System.getProperty("jvmm.test.kernel.dir", root.resolve("build/test-kernel").toString()));
        TestKernelArtifacts a = new TestKernelArtifacts(dir.resolve("vmlinuz"), dir.resolve("initramfs.cpio.gz"));
        if (!a.present() && buildRequested()) {
            build(root.resolve("scripts/test-kernel.sh"), dir);
        }
        skipUnless(a.present(), () -> "no " + a.kernel() + " and " + a.initramfs() + ": run scripts/test-kernel.sh,"
            + " or set -Djvmm.test.kernel.build=true (or JVMM_TEST_KERNEL_BUILD=1) to have the test run it");
        return a;
    }

    static boolean buildRequested() {
        return Boolean.getBoolean("jvmm.test.kernel.build") || "1".equals(System.getenv("JVMM_TEST_KERNEL_BUILD"));
    }

    static boolean required() {
        return Boolean.getBoolean("jvmm.test.kernel.required") || "1".equals(System.getenv("JVMM_TEST_KERNEL_REQUIRED"));
    }

    private static void skipUnless(boolean condition, Supplier<String> reason) {
        if (!condition && required()) {
            fail("real-kernel tests are required here (JVMM_TEST_KERNEL_REQUIRED) but cannot run: " + reason.get());
        }
        assumeTrue(condition, reason);
    }

    private boolean present() {
        return Files.isRegularFile(kernel) && Files.isRegularFile(initramfs);
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
