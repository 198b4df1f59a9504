package io.jvmm.cli;

import static io.jvmm.cli.CliRun.jvmm;
import static io.jvmm.cli.CliRun.jvmmWithBackend;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvmm.kvm.Kvm;
import io.jvmm.kvm.KvmBackend;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code jvmm run --kernel}: option rules, loader refusals and the PVM refusal (all before
 * /dev/kvm is opened, so on any host), and a boot of {@link MinimalKernel} through the whole CLI
 * path with --stats (on any KVM; with --force where the backend refuses stock kernels, since this
 * kernel is tiny enough for PVM).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RunCommandKernelTest {
    @TempDir
    Path dir;

    private Path kernel() throws IOException {
        return Files.write(dir.resolve("bzImage"), MinimalKernel.bzImage());
    }

    private Path initrd() throws IOException {
        byte[] bytes = new byte[4000];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) (i * 31);
        }
        return Files.write(dir.resolve("initrd.img"), bytes);
    }

    // ---- refused before /dev/kvm ----

    @Test
    void kernelOptionsNeedAKernelAndExcludeOtherGuests() throws IOException {
        String k = kernel().toString();
        jvmm("run", "--initrd", "x").assertOneLineError(ExitCodes.USAGE, "--initrd goes with a Linux kernel: add --kernel FILE");
        jvmm("run", "--cmdline", "quiet", "--force").assertOneLineError(ExitCodes.USAGE, "--cmdline, --force go with a Linux kernel");
        jvmm("run", "--kernel", k, "--raw", k).assertOneLineError(ExitCodes.USAGE, "--kernel and --raw both choose the guest");
        jvmm("run", "--kernel", k, "--guest", "demo").assertOneLineError(ExitCodes.USAGE, "--kernel and --guest both choose the guest");
    }

    @Test
    void loaderRefusalsAreOneLineWithExitCode1() throws IOException {
        Path k = kernel();
        Path missing = dir.resolve("missing-bzImage");
        jvmm("run", "--kernel", missing.toString()).assertOneLineError(ExitCodes.VMM_ERROR, "kernel image " + missing + ": no such file");
        Path text = Files.writeString(dir.resolve("notes.txt"), "not a kernel\n".repeat(100));
        jvmm("run", "--kernel", text.toString()).assertOneLineError(ExitCodes.VMM_ERROR, "not a Linux kernel");
        jvmm("run", "--kernel", k.toString(), "--cmdline", "x".repeat(3000))
            .assertOneLineError(ExitCodes.VMM_ERROR, "kernel command line too long: 3000 characters, the kernel takes at most 2047");
        jvmm("run", "--kernel", k.toString(), "--initrd", dir.resolve("no-initrd").toString())
            .assertOneLineError(ExitCodes.VMM_ERROR, "initrd " + dir.resolve("no-initrd") + ": no such file");
        jvmm("run", "--kernel", k.toString(), "--initrd", initrd().toString(), "--mem", "2M")
            .assertOneLineError(ExitCodes.VMM_ERROR, "initrd");
        // Several vCPUs are no longer refused for a kernel: ACPI describes them (StockKernelSmpTest).
        CliRun smp = jvmm("run", "--kernel", k.toString(), "--vcpus", "2", "--timeout", "1ms");
        assertFalse(smp.err().contains("boots on one vCPU"), smp::toString);
    }

    @Test
    void onPvmAKernelIsRefusedInOneLineThatSaysWhy() throws IOException {
        Path k = kernel();
        CliRun r = jvmmWithBackend(KvmBackend.PVM, "run", "--kernel", k.toString());
        r.assertOneLineError(ExitCodes.VMM_ERROR, "cannot boot " + k + ": this host's KVM is PVM (kvm_pvm");
        assertTrue(r.err().strip().endsWith("(--force tries anyway)"), r::toString);
        assertTrue(r.err().contains("nested KVM test host of docs/testing.md"), r::toString);
        assertEquals("", r.out());
    }

    @Test
    void aKernelGets512MUnlessMemIsGiven() throws IOException {
        // A kernel claiming 300 MiB from 1 MiB up fits 512M but not the 256M other guests default to.
        String big = Files.write(dir.resolve("big-bzImage"), MinimalKernel.bzImage(300L << 20)).toString();
        jvmmWithBackend(KvmBackend.PVM, "run", "--kernel", big)
            .assertOneLineError(ExitCodes.VMM_ERROR, "cannot boot " + big + ": this host's KVM is PVM");
        jvmmWithBackend(KvmBackend.PVM, "run", "--kernel", big, "--mem", "256M")
            .assertOneLineError(ExitCodes.VMM_ERROR, "kernel does not fit in guest RAM");
    }

    // ---- boots ----

    @Test
    void aKernelBootsWithItsInitrdAndCommandLineAndReportsBootTime() throws IOException {
        Assumptions.assumeTrue(Kvm.isAvailable(), () -> "KVM is not usable here: " + Kvm.unavailableReason().orElse(""));
        List<String> args = new ArrayList<>(List.of("run", "--kernel", kernel().toString(), "--initrd", initrd().toString(),
            "--cmdline", "console=ttyS0 reboot=k jvmm.test=\"a b\"", "--mem", "64M", "--timeout", "30s", "--stats"));
        boolean forced = KvmBackend.detect().stockKernelUnsupportedReason().isPresent();
        if (forced) {
            args.add("--force");
        }
        CliRun r = jvmm(args.toArray(String[]::new));
        assertEquals(ExitCodes.OK, r.exitCode(), r::toString);
        assertEquals(MinimalKernel.MARKER + "\ncmdline=console=ttyS0 reboot=k jvmm.test=\"a b\"\n", r.out());
        assertEquals(forced ? 2 : 1, r.errLines().size(), r::toString);
        if (forced) {
            assertTrue(r.errLines().get(0).startsWith("jvmm: warning: this host's KVM is PVM"), r::toString);
        }
        Map<String, Object> stats = MiniJson.parseObject(r.lastErrLine());
        assertEquals("reset", stats.get("reason"));
        assertNotNull(stats.get("boot_complete_ms"), r::toString);
        assertNotNull(stats.get("boot_complete_process_ms"), r::toString);
        assertTrue((Double) stats.get("boot_complete_process_ms") + 10 >= (Double) stats.get("boot_complete_ms"), r::toString);
    }

    @Test
    void withoutCmdlineTheRecommendedLineIsPassed() throws IOException {
        Assumptions.assumeTrue(Kvm.isAvailable(), () -> "KVM is not usable here: " + Kvm.unavailableReason().orElse(""));
        CliRun r = jvmm("run", "--kernel", kernel().toString(), "--mem", "16M", "--timeout", "30s", "--force");
        assertEquals(ExitCodes.OK, r.exitCode(), r::toString);
        assertEquals(MinimalKernel.MARKER + "\ncmdline=" + KernelSource.DEFAULT_CMDLINE + "\n", r.out());
    }
}
