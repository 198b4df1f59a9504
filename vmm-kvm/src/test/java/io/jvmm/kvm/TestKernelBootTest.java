package io.jvmm.kvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Boots Debian's cloud kernel with the test initramfs (scripts/test-kernel.sh) through
 * {@link Machine}: its /init writes 123 to port 0x3f0, prints the marker and reboots through the
 * i8042. Runs on hosts with hardware-assisted KVM; skipped, with the reason, on PVM hosts or where
 * the artifacts are missing ({@link TestKernelArtifacts}).
 */
class TestKernelBootTest {
    @Test
    void debianCloudKernelBootsToTheInitramfsMarkerAndResets() throws Exception {
        TestKernelArtifacts a = TestKernelArtifacts.require();
        ByteArrayOutputStream serial = new ByteArrayOutputStream();
        GuestConfig config = GuestConfig.builder().memorySize(512L << 20)
            .kernel(a.kernel(), Optional.of(a.initramfs()), TestKernelArtifacts.CMDLINE).serialOutput(serial).build();
        try (Kvm kvm = Kvm.open(); Machine m = Machine.create(kvm, config)) {
            RunResult r = m.run(Duration.ofSeconds(60));
            String console = serial.toString(StandardCharsets.UTF_8);
            assertTrue(console.contains(TestKernelArtifacts.MARKER), "no marker on the console:\n" + console);
            assertEquals(StopReason.RESET, r.reason(), r.describe() + "\n" + console);
            assertTrue(m.bootCompleteSinceVmCreation().isPresent(), "/init wrote 123 to port 0x3f0");
        }
    }
}
