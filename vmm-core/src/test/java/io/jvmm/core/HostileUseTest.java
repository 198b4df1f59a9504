package io.jvmm.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The libc layer used carelessly (issue 7): descriptors closed twice or used after close, and file
 * errors whose reason NIO leaves out of its message.
 */
class HostileUseTest {
    @TempDir
    Path dir;

    @Test
    void aDescriptorClosedTwiceOrUsedAfterCloseThrowsInsteadOfReachingAnotherFile() {
        SafeDescriptor d = SafeDescriptor.open("/dev/null", LibC.O_RDONLY);
        d.close();
        d.close();
        assertThrows(ClosedException.class, d::asRawDescriptor);
        assertThrows(IllegalArgumentException.class, () -> new SafeDescriptor(-1));
        SyscallException e = assertThrows(SyscallException.class, () -> LibC.fstatChecked(1 << 20));
        assertEquals(Errno.EBADF, e.errno());
        assertTrue(e.getMessage().contains("EBADF"), e.getMessage());
    }

    @Test
    void fileErrorsAreDescribedByTheirReasonNotTheirPath() throws IOException {
        assertEquals("permission denied", IoErrors.describe(new AccessDeniedException("kernel")));
        assertEquals("Too many levels of symbolic links",
            IoErrors.describe(new FileSystemException("a", null, "Too many levels of symbolic links")));
        assertEquals("IOException", IoErrors.describe(new IOException()));
        assertEquals("first line", IoErrors.describe(new IOException("first line\nsecond")));
        Path a = dir.resolve("a");
        Files.createSymbolicLink(a, dir.resolve("b"));
        Files.createSymbolicLink(dir.resolve("b"), a);
        IOException loop = assertThrows(IOException.class, () -> Files.readAllBytes(a));
        assertTrue(IoErrors.describe(loop).contains("symbolic links"), IoErrors.describe(loop));
        IOException missing = assertThrows(IOException.class, () -> Files.readAllBytes(dir.resolve("none")));
        assertEquals("no such file or directory", IoErrors.describe(missing));
    }
}
