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
}
