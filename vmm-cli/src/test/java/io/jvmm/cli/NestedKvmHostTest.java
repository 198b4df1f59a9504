package io.jvmm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The nested KVM test host as the real-kernel tests use it: commands in L1 return their exit
 * status and both streams, see this host's files and a /dev/kvm, and are bounded by their timeout.
 * Runs only where the real-kernel tests run nested (it shares their L1 boot).
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class NestedKvmHostTest {
    private static NestedKvmHost host() throws Exception {
        assumeTrue(TestKernelArtifacts.host() == TestKernelArtifacts.Host.NESTED,
            "this host's own KVM boots real kernels, so the tests do not use the nested host");
        return NestedKvmHost.shared();
    }

    @Test
    void aCommandReturnsItsStatusStdoutAndStderr() throws Exception {
        CliRun r = host().exec(Duration.ofSeconds(60), Path.of("/"),
            List.of("bash", "-c", "echo out; echo err >&2; pwd; exit 7"));
        assertEquals(7, r.exitCode(), r::toString);
        assertEquals("out\n/\n", r.out());
        assertEquals("err\n", r.err());
    }

    @Test
    void l1HasAKvmDeviceAndSeesThisHostsFiles() throws Exception {
        Path pom = Path.of("pom.xml").toAbsolutePath();
        CliRun r = host().exec(Duration.ofSeconds(60), pom.getParent(),
            List.of("bash", "-c", "test -c /dev/kvm && grep -c '<artifactId>vmm-cli</artifactId>' pom.xml"));
        assertEquals(0, r.exitCode(), r::toString);
        assertEquals("1\n", r.out(), r::toString);
    }

    @Test
    void aCommandPastItsTimeoutIsStoppedWithStatus124() throws Exception {
        long t0 = System.nanoTime();
        CliRun r = host().exec(Duration.ofSeconds(2), Path.of("/"), List.of("sleep", "60"));
        assertEquals(124, r.exitCode(), r::toString);
        assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(40), "stopped long before sleep 60 ended");
    }

    @Test
    void aRestartGivesAFreshL1ThatRunsCommands() throws Exception {
        // A file in L1's tmpfs overlay marks the old L1; the fresh one must not have it.
        NestedKvmHost h = host();
        assertEquals(0, h.exec(Duration.ofSeconds(60), Path.of("/"), List.of("touch", "/tmp/old-l1")).exitCode());
        h.restart();
        CliRun r = h.exec(Duration.ofSeconds(60), Path.of("/"), List.of("bash", "-c", "test ! -e /tmp/old-l1 && test -c /dev/kvm"));
        assertEquals(0, r.exitCode(), r::toString);
    }
}
