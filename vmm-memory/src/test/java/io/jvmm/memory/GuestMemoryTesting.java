package io.jvmm.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.function.Executable;

/** Shared helpers of the guest memory tests. */
final class GuestMemoryTesting {
    static final long PAGE = 4096;
    static final long MIB = 1L << 20;
    static final long GIB = 1L << 30;

    private GuestMemoryTesting() {
    }

    /** Asserts that {@code call} throws a {@link GuestMemoryException} of {@code kind}. */
    static GuestMemoryException assertFails(GuestMemoryException.Kind kind, Executable call) {
        return assertFails(kind, call, "");
    }

    /** Asserts that {@code call} throws a {@link GuestMemoryException} of {@code kind}. */
    static GuestMemoryException assertFails(GuestMemoryException.Kind kind, Executable call, String why) {
        GuestMemoryException e = assertThrows(GuestMemoryException.class, call, why);
        assertEquals(kind, e.kind(), why + ": " + e.getMessage());
        return e;
    }

    /** Asserts that {@code call} throws an {@link MmapException} of {@code kind}. */
    static MmapException assertFails(MmapException.Kind kind, Executable call) {
        MmapException e = assertThrows(MmapException.class, call);
        assertEquals(kind, e.kind(), e.getMessage());
        return e;
    }

    /** The number of descriptors this process holds on guest memory memfds. */
    static int guestMemfds() {
        File[] links = new File("/proc/self/fd").listFiles();
        int count = 0;
        for (File link : links == null ? new File[0] : links) {
            try {
                if (Files.readSymbolicLink(link.toPath()).toString().contains("memfd:" + GuestMemory.MEMFD_NAME)) {
                    count++;
                }
            } catch (IOException | UnsupportedOperationException e) {
                // the descriptor closed while we looked: not ours
            }
        }
        return count;
    }

    /** The number of mappings of guest memory memfds in this process ({@code /proc/self/maps}). */
    static long guestMemfdMappings() {
        try {
            return Files.readAllLines(Path.of("/proc/self/maps")).stream()
                .filter(line -> line.contains("memfd:" + GuestMemory.MEMFD_NAME)).count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
