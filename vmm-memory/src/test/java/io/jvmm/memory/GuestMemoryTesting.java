package io.jvmm.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.File;
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

    /** The number of descriptors this process holds open. */
    static int openDescriptors() {
        String[] names = new File("/proc/self/fd").list();
        return names == null ? -1 : names.length;
    }
}
