package io.jvmm.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.jna.Pointer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileStatusAndRemapTest {
    private static final long PAGE = LibC.pageSize();

    @Test
    void fstatReportsARegularFileAndItsSize(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("f");
        Files.write(file, new byte[1234]);
        try (SafeDescriptor fd = SafeDescriptor.open(file.toString(), LibC.O_RDONLY)) {
            FileStatus status = LibC.fstatChecked(fd.asRawDescriptor());
            assertTrue(status.isRegularFile());
            assertEquals(1234, status.size());
        }
    }

    @Test
    void fstatTellsDevicesAndDirectoriesApart(@TempDir Path dir) {
        try (SafeDescriptor devNull = SafeDescriptor.open("/dev/null", LibC.O_RDONLY);
             SafeDescriptor directory = SafeDescriptor.open(dir.toString(), LibC.O_RDONLY)) {
            FileStatus device = LibC.fstatChecked(devNull.asRawDescriptor());
            assertFalse(device.isRegularFile());
            assertEquals(LibC.S_IFCHR, device.mode() & LibC.S_IFMT);
            assertEquals(LibC.S_IFDIR, LibC.fstatChecked(directory.asRawDescriptor()).mode() & LibC.S_IFMT);
        }
    }

    @Test
    void fstatOfABadDescriptorFailsWithEbadf() {
        SyscallException e = assertThrows(SyscallException.class, () -> LibC.fstatChecked(987654));
        assertEquals(Errno.EBADF, e.errno());
        assertEquals("fstat", e.call());
    }

    @Test
    void mremapDontUnmapMovesSharedPagesAndKeepsTheOldRangeMapped() {
        long length = 4 * PAGE;
        long source = LibC.mmapChecked(0, length, LibC.PROT_READ | LibC.PROT_WRITE,
            LibC.MAP_SHARED | LibC.MAP_ANONYMOUS, -1, 0);
        long reserved = LibC.mmapChecked(0, length, LibC.PROT_NONE,
            LibC.MAP_PRIVATE | LibC.MAP_ANONYMOUS | LibC.MAP_NORESERVE, -1, 0);
        new Pointer(source).setLong(PAGE, 0x0123456789ABCDEFL);
        long moved = LibC.mremapChecked(source, length, length,
            LibC.MREMAP_MAYMOVE | LibC.MREMAP_FIXED | LibC.MREMAP_DONTUNMAP, reserved);
        assertEquals(reserved, moved);
        assertEquals(0x0123456789ABCDEFL, new Pointer(moved).getLong(PAGE));
        // A shared mapping's old range still maps the same object (Linux 5.13+).
        assertEquals(0x0123456789ABCDEFL, new Pointer(source).getLong(PAGE));
        LibC.munmapChecked(source, length);
        LibC.munmapChecked(moved, length);
    }

    @Test
    void mremapToAnUnalignedAddressFailsWithEinval() {
        long source = LibC.mmapChecked(0, PAGE, LibC.PROT_READ, LibC.MAP_PRIVATE | LibC.MAP_ANONYMOUS, -1, 0);
        SyscallException e = assertThrows(SyscallException.class,
            () -> LibC.mremapChecked(source, PAGE, PAGE, LibC.MREMAP_MAYMOVE | LibC.MREMAP_FIXED, source + 2 * PAGE + 1));
        assertEquals(Errno.EINVAL, e.errno());
        LibC.munmapChecked(source, PAGE);
    }
}
