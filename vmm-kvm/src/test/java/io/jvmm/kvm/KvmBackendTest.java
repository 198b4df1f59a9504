package io.jvmm.kvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KvmBackendTest {
    @Test
    void theLoadedModuleNamesTheBackendAndPvmWins(@TempDir Path sysModule) throws Exception {
        assertEquals(KvmBackend.UNKNOWN, KvmBackend.detect(sysModule));
        Files.createDirectory(sysModule.resolve("kvm_intel"));
        assertEquals(KvmBackend.INTEL_VMX, KvmBackend.detect(sysModule));
        assertTrue(KvmBackend.detect(sysModule).isHardwareAssisted());
        Files.createDirectory(sysModule.resolve("kvm_pvm"));
        assertEquals(KvmBackend.PVM, KvmBackend.detect(sysModule));
        assertFalse(KvmBackend.PVM.isHardwareAssisted());
    }

    @Test
    void onlyPvmIsKnownToBeUnableToBootAStockKernel() {
        String reason = KvmBackend.PVM.stockKernelUnsupportedReason().orElseThrow();
        assertTrue(reason.startsWith("this host's KVM is PVM (kvm_pvm"), reason);
        assertFalse(reason.contains("\n"), "one line");
        assertTrue(reason.contains("docs/testing.md"), "points to the nested test host: " + reason);
        for (KvmBackend b : new KvmBackend[] {KvmBackend.INTEL_VMX, KvmBackend.AMD_SVM, KvmBackend.UNKNOWN}) {
            assertTrue(b.stockKernelUnsupportedReason().isEmpty(), b.name());
        }
    }
}
