package io.jvmm.cli;

import static io.jvmm.cli.CliRun.jvmm;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Debian's cloud kernel with all its CPUs (issue 10): it is built without MP-table support, so
 * it can only learn of the other vCPUs from jvmm's ACPI MADT, and starts them itself through the
 * in-kernel LAPICs (INIT, SIPI). The test initramfs reports the CPUs online and runs pinned work on
 * all of them at once; the kernel's ACPI log must have no error or warning, and the run must end
 * in a clean reset — through the i8042 (reboot=k) and through the FADT's reset register
 * (reboot=acpi). Runs where the real-kernel tests run ({@link TestKernelArtifacts#host()}).
 */
@Timeout(value = 20, unit = TimeUnit.MINUTES)
class StockKernelSmpTest {
    /** Tries of a nested boot that times out or fails as a guest (see bootsWith). */
    private static final int NESTED_TRIES = 3;

    /** Lines of the kernel's ACPI code that say something is wrong with the tables. */
    private static final Pattern ACPI_PROBLEM = Pattern.compile("(?i)ACPI( BIOS)? (Error|Warning)|ACPI: .*(failed|invalid|bad )");

    @Test
    void oneVcpuIsTheOnlyCpuAndTheAcpiLogIsClean() throws Exception {
        bootsWith(1, "reboot=k");
    }

    @Test
    void twoVcpusComeUpRunWorkAtOnceAndResetThroughTheAcpiResetRegister() throws Exception {
        bootsWith(2, "reboot=acpi");
    }

    @Test
    void fourVcpusComeUpRunWorkAtOnceAndResetThroughTheI8042() throws Exception {
        bootsWith(4, "reboot=k");
    }

    private static void bootsWith(int vcpus, String reboot) throws Exception {
        TestKernelArtifacts.Host host = TestKernelArtifacts.host();
        TestKernelArtifacts a = TestKernelArtifacts.require();
        String cmdline = TestKernelArtifacts.CMDLINE.replace("reboot=k", reboot);
        boolean nested = host == TestKernelArtifacts.Host.NESTED;
        List<String> args = new ArrayList<>(List.of("run", "--kernel", a.kernel().toString(),
            "--initrd", a.initramfs().toString(), "--cmdline", cmdline, "--mem", "512M", "--vcpus", Integer.toString(vcpus),
            "--timeout", nested ? "400s" : "60s", "--stats"));
        CliRun r = nested ? NestedKvmHost.shared().jvmm(Duration.ofMinutes(8), args.toArray(String[]::new))
            : jvmm(args.toArray(String[]::new));
        // Under the nested host's TCG a guest now and then stops making progress (QEMU's own
        // guest did too in the boot benchmark, docs/performance.md), and in two CI runs the 4-vCPU
        // boot ended in a triple fault on vCPU 0 at different points of the boot, once followed
        // by L1's own kernel panicking with a corrupted kernel stack in jvmm's vCPU thread, while
        // about 40 runs of the same command here, idle and loaded, never failed (docs/testing.md).
        // So a nested run ending in a timeout or a guest failure is tried again in a fresh L1, up
        // to NESTED_TRIES in all; each failed try's account goes to the test log, and a jvmm fault
        // that fails every try still fails the test.
        for (int attempt = 1; nested && attempt < NESTED_TRIES
            && (r.exitCode() == ExitCodes.TIMEOUT || r.exitCode() == ExitCodes.GUEST_FAILURE); attempt++) {
            System.err.println("StockKernelSmpTest: " + vcpus + " vCPUs, try " + attempt + " of " + NESTED_TRIES
                + " in the nested host failed; trying again in a fresh L1. It ended with " + r);
            NestedKvmHost.shared().restart();
            r = NestedKvmHost.shared().jvmm(Duration.ofMinutes(8), args.toArray(String[]::new));
        }

        assertEquals(ExitCodes.OK, r.exitCode(), r::toString);
        assertTrue(r.out().contains(TestKernelArtifacts.MARKER), r::toString);
        assertTrue(r.out().contains("JVMM-CPUS-ONLINE=" + (vcpus == 1 ? "0" : "0-" + (vcpus - 1))), "CPUs online:\n" + r);
        assertTrue(r.out().contains("JVMM-SMP-WORK=" + vcpus + "/" + vcpus), "work on every CPU at once:\n" + r);
        List<String> acpiProblems = r.out().lines().filter(l -> ACPI_PROBLEM.matcher(l).find()).toList();
        assertEquals(List.of(), acpiProblems, r::toString);
        List<GuestKernelLog.Known> known = nested ? List.of(GuestKernelLog.NESTED_XSAVE) : List.of();
        assertEquals(List.of(), GuestKernelLog.problems(r.out(), known), r::toString);

        Map<String, Object> stats = MiniJson.parseObject(r.lastErrLine());
        assertEquals("reset", stats.get("reason"), r::toString);
        @SuppressWarnings("unchecked")
        Map<String, Object> byVcpu = (Map<String, Object>) stats.get("vcpu_exits");
        assertEquals(vcpus, byVcpu.size(), "exit counts for every vCPU: " + byVcpu);
        for (Object counts : byVcpu.values()) {
            @SuppressWarnings("unchecked")
            Map<String, Object> c = (Map<String, Object>) counts;
            assertTrue(c.values().stream().mapToDouble(v -> (Double) v).sum() > 0, "every vCPU ran: " + byVcpu);
        }
    }
}
