package io.jvmm.cli;

import static io.jvmm.cli.CliRun.jvmm;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The end-to-end check: {@code jvmm run} boots Debian's cloud kernel with the test
 * initramfs of scripts/test-kernel.sh, whose /init writes 123 to port 0x3f0, prints the marker and
 * reboots through the i8042. Runs on hosts with hardware-assisted KVM; skipped, with the reason,
 * on PVM hosts and where the artifacts are missing ({@link TestKernelArtifacts}).
 */
@Timeout(value = 15, unit = TimeUnit.MINUTES)
class TestKernelBootTest {
    @Test
    void debianCloudKernelBootsToTheInitramfsMarkerAndResetsCleanly() throws Exception {
        TestKernelArtifacts a = TestKernelArtifacts.require();
        CliRun r = jvmm("run", "--kernel", a.kernel().toString(), "--initrd", a.initramfs().toString(),
            "--cmdline", TestKernelArtifacts.CMDLINE, "--mem", "512M", "--timeout", "60s", "--stats");
        assertTrue(r.out().contains(TestKernelArtifacts.MARKER), r::toString);
        assertEquals(ExitCodes.OK, r.exitCode(), r::toString);
        Map<String, Object> stats = MiniJson.parseObject(r.lastErrLine());
        assertEquals("reset", stats.get("reason"), r::toString);
        assertNotNull(stats.get("boot_complete_ms"), "/init wrote 123 to port 0x3f0: " + r.lastErrLine());
        assertNotNull(stats.get("boot_complete_process_ms"), r::toString);
    }
}
