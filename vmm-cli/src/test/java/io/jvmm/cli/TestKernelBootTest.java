package io.jvmm.cli;

import static io.jvmm.cli.CliRun.jvmm;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The end-to-end check: {@code jvmm run} boots Debian's cloud kernel with the test
 * initramfs of scripts/test-kernel.sh, whose /init writes 123 to port 0x3f0, prints the marker and
 * reboots through the i8042. Runs on this host's KVM where it is hardware-assisted, and in the
 * nested KVM test host (scripts/kvm-host.sh, docs/testing.md) where it is not (PVM, no /dev/kvm);
 * skipped, with the reasons, where neither can run or the artifacts are missing
 * ({@link TestKernelArtifacts}).
 */
@Timeout(value = 15, unit = TimeUnit.MINUTES)
class TestKernelBootTest {
    @Test
    void debianCloudKernelBootsToTheInitramfsMarkerAndResetsCleanly() throws Exception {
        TestKernelArtifacts.Host host = TestKernelArtifacts.host();
        TestKernelArtifacts a = TestKernelArtifacts.require();
        CliRun r = boot(host, a);
        assertTrue(r.out().contains(TestKernelArtifacts.MARKER), r::toString);
        assertEquals(ExitCodes.OK, r.exitCode(), r::toString);
        Map<String, Object> stats = MiniJson.parseObject(r.lastErrLine());
        assertEquals("reset", stats.get("reason"), r::toString);
        assertNotNull(stats.get("boot_complete_ms"), "/init wrote 123 to port 0x3f0: " + r.lastErrLine());
        assertNotNull(stats.get("boot_complete_process_ms"), r::toString);
        // A clean boot: no kernel warning, BUG, oops or panic, except the one the nested host's
        // emulated SVM causes (GuestKernelLog.NESTED_XSAVE, with its evidence).
        List<GuestKernelLog.Known> known = host == TestKernelArtifacts.Host.NESTED
            ? List.of(GuestKernelLog.NESTED_XSAVE) : List.of();
        assertEquals(List.of(), GuestKernelLog.problems(r.out(), known), r::toString);
        // The CMOS RTC gives the guest the host's time: rtc-cmos, found as "rtc_cmos" (legacy
        // platform device) or "00:0N" (PNP0B00 in the DSDT), prints "setting system clock to ...".
        Matcher clock = SYSTEM_CLOCK.matcher(r.out());
        assertTrue(clock.find(), () -> "the guest did not set its clock from the RTC:\n" + r);
        Duration skew = Duration.between(Instant.parse(clock.group(1) + "Z"), Instant.now()).abs();
        assertTrue(skew.compareTo(Duration.ofMinutes(10)) < 0, () -> "guest clock " + clock.group(1) + " is " + skew + " off");
    }

    private static final Pattern SYSTEM_CLOCK =
        Pattern.compile("rtc_cmos \\S+: setting system clock to (\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d) UTC");

    /**
     * The run of the issue. In the nested host everything is emulated by TCG (L1 and, through its
     * KVM, the guest), so a boot takes about 15 s there instead of well under one; the timeouts
     * are sized for a loaded 2-core host.
     */
    private static CliRun boot(TestKernelArtifacts.Host host, TestKernelArtifacts a) throws Exception {
        boolean nested = host == TestKernelArtifacts.Host.NESTED;
        List<String> args = new ArrayList<>(List.of("run", "--kernel", a.kernel().toString(),
            "--initrd", a.initramfs().toString(), "--cmdline", TestKernelArtifacts.CMDLINE, "--mem", "512M",
            "--timeout", nested ? "240s" : "60s", "--stats"));
        if (!nested) {
            return jvmm(args.toArray(String[]::new));
        }
        return NestedKvmHost.shared().jvmm(Duration.ofMinutes(5), args.toArray(String[]::new));
    }
}
