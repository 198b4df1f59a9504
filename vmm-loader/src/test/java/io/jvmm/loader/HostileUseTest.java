package io.jvmm.loader;

import static io.jvmm.loader.TestKernels.PC;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvmm.memory.GuestRange;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The loaders given damaged and hostile files (issue 7): cut kernels, files that change or vanish
 * between the check and the load, link loops. Each is refused with its reason before the guest
 * could run into missing code.
 */
class HostileUseTest {
    private static final List<GuestRange> RAM = List.of(GuestRange.of(0, 512L << 20));

    @TempDir
    Path dir;

    @Test
    void bzImagesCutAnywhereAfterTheirEntryAreRefusedAsTruncated() throws IOException {
        TestKernels.BzImageBuilder b = new TestKernels.BzImageBuilder();
        b.payloadSize = 2 << 20;
        byte[] whole = b.build();
        int setup = (b.setupSects + 1) * 512;
        // Where a probe cut Debian's kernel: just past the entry (0x5201 there), at 1 MiB, one short.
        for (int cut : new int[] {setup + 0x201, 1 << 20, whole.length - 1, whole.length - 15}) {
            Path file = Files.write(dir.resolve("cut-" + cut), Arrays.copyOf(whole, cut));
            LoaderException e = assertThrows(LoaderException.class,
                () -> LinuxLoader.check(PC, RAM, file, Optional.empty(), "console=ttyS0"), "cut at " + cut);
            assertEquals(LoaderException.Reason.TRUNCATED, e.reason(), e.getMessage());
            assertTrue(e.getMessage().contains("syssize"), e.getMessage());
        }
        Path intact = Files.write(dir.resolve("whole"), whole);
        LinuxLoader.check(PC, RAM, intact, Optional.empty(), "console=ttyS0");
        // Bytes after the kernel (a signature, say) are allowed.
        Path longer = Files.write(dir.resolve("longer"), Arrays.copyOf(whole, whole.length + 4096));
        LinuxLoader.check(PC, RAM, longer, Optional.empty(), "console=ttyS0");
    }

    @Test
    void aBzImageWhoseHeaderGivesNoSizeIsMalformed() throws IOException {
        byte[] image = new TestKernels.BzImageBuilder().build();
        ByteBuffer.wrap(image).order(ByteOrder.LITTLE_ENDIAN).putInt(0x1f4, 0);
        Path file = Files.write(dir.resolve("no-syssize"), image);
        LoaderException e = assertThrows(LoaderException.class,
            () -> LinuxLoader.check(PC, RAM, file, Optional.empty(), "console=ttyS0"));
        assertEquals(LoaderException.Reason.MALFORMED, e.reason(), e.getMessage());
    }

    @Test
    void linkLoopsAndDanglingLinksAreNamedWithTheirReason() throws IOException {
        Path a = dir.resolve("a");
        Files.createSymbolicLink(a, dir.resolve("b"));
        Files.createSymbolicLink(dir.resolve("b"), a);
        LoaderException loop = assertThrows(LoaderException.class,
            () -> LinuxLoader.check(PC, RAM, a, Optional.empty(), "console=ttyS0"));
        assertEquals(LoaderException.Reason.UNREADABLE_FILE, loop.reason());
        assertTrue(loop.getMessage().contains("symbolic links"), loop.getMessage());

        Path kernel = Files.write(dir.resolve("k"), new TestKernels.BzImageBuilder().build());
        Path dangling = Files.createSymbolicLink(dir.resolve("initrd"), dir.resolve("gone"));
        LoaderException missing = assertThrows(LoaderException.class,
            () -> LinuxLoader.check(PC, RAM, kernel, Optional.of(dangling), "console=ttyS0"));
        assertEquals("initrd " + dangling + ": no such file or directory", missing.getMessage().replaceFirst("^[A-Z_]+: ", ""));
    }
}
