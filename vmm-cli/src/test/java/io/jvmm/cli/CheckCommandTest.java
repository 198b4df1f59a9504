package io.jvmm.cli;

import static io.jvmm.cli.CliRun.jvmm;
import static io.jvmm.cli.CliRun.jvmmWithDevice;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvmm.kvm.Kvm;
import io.jvmm.kvm.KvmBackend;
import io.jvmm.kvm.KvmCap;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code jvmm check}: the host report, its exit code, and its JSON form. */
class CheckCommandTest {
    @TempDir
    Path dir;

    @Test
    void whereKvmWorksCheckExitsZeroAndListsWhatItFound() {
        assumeKvm();
        CliRun r = jvmm("check");
        assertEquals(ExitCodes.OK, r.exitCode(), r::toString);
        assertEquals("", r.err());
        assertTrue(r.out().startsWith("KVM device    /dev/kvm opens read-write\n"), r::toString);
        assertTrue(r.out().contains("API version   12"), r::toString);
        for (KvmCap cap : KvmCap.values()) {
            assertTrue(r.out().contains(cap.cName()), () -> cap.cName() + " missing in\n" + r);
        }
        assertTrue(r.out().contains("VM            created and closed again"), r::toString);
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("CPU ")), r::toString);
        assertTrue(r.out().endsWith("result        this host can run jvmm guests\n"), r::toString);
    }

    @Test
    void onAPvmHostCheckSaysPvmAndWhatCannotBoot() {
        assumeKvm();
        Assumptions.assumeTrue(KvmBackend.detect() == KvmBackend.PVM, "this host's KVM backend is " + KvmBackend.detect());
        CliRun r = jvmm("check");
        assertTrue(r.out().contains("backend       PVM (/sys/module/kvm_pvm): hand-made guests run; stock Linux kernels cannot boot here"),
            r::toString);
    }

    @Test
    void jsonIsOneObjectWithTheSameFacts() {
        assumeKvm();
        CliRun r = jvmm("check", "--json");
        assertEquals(ExitCodes.OK, r.exitCode(), r::toString);
        assertEquals(1, r.out().lines().count(), r::toString);
        Map<String, Object> report = MiniJson.parseObject(r.out().strip());
        assertEquals(true, report.get("openable"));
        assertEquals(12.0, report.get("api_version"));
        assertEquals(true, report.get("vm_creatable"));
        assertEquals(true, report.get("can_run_guests"));
        assertEquals(null, report.get("problem"));
        assertEquals(KvmBackend.detect().name().toLowerCase(java.util.Locale.ROOT), report.get("backend"));
        Map<?, ?> caps = (Map<?, ?>) report.get("capabilities");
        assertEquals(KvmCap.values().length, caps.size());
        assertEquals(true, caps.get("KVM_CAP_USER_MEMORY"));
        assertTrue((Double) caps.get("KVM_CAP_NR_MEMSLOTS") > 0, caps::toString);
    }

    @Test
    void aMissingDeviceExitsOneAndSaysWhy() {
        Path device = dir.resolve("kvm");
        CliRun r = jvmmWithDevice(device, "check");
        assertEquals(ExitCodes.VMM_ERROR, r.exitCode(), r::toString);
        assertTrue(r.out().startsWith("KVM device    cannot open " + device + ": ENOENT, it does not exist"), r::toString);
        assertTrue(r.out().contains("result        jvmm cannot run guests here: cannot open"), r::toString);
        assertTrue(r.out().contains("backend"), "the backend is reported even without a device: " + r);
    }

    @Test
    void aDeviceThatIsNoKvmExitsOneInJsonToo() throws IOException {
        Path device = dir.resolve("kvm");
        Files.write(device, new byte[1]);
        CliRun r = jvmmWithDevice(device, "check", "--json");
        assertEquals(ExitCodes.VMM_ERROR, r.exitCode(), r::toString);
        Map<String, Object> report = MiniJson.parseObject(r.out().strip());
        assertEquals(true, report.get("present"));
        assertEquals(false, report.get("openable"));
        assertEquals(false, report.get("can_run_guests"));
        assertEquals(null, report.get("capabilities"));
        assertTrue(((String) report.get("problem")).contains("ENOTTY"), r::toString);
    }

    private static void assumeKvm() {
        Assumptions.assumeTrue(Kvm.isAvailable(), () -> "KVM is not usable here: " + Kvm.unavailableReason().orElse(""));
    }
}
