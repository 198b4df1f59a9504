package io.jvmm.memory;

import io.jvmm.core.LibC;

/** Memory protection of a mapping: readable, writable, both or neither. */
public record Protection(boolean canRead, boolean canWrite) {
    private static final Protection READ_WRITE = new Protection(true, true);
    private static final Protection READ = new Protection(true, false);
    private static final Protection WRITE = new Protection(false, true);
    private static final Protection NONE = new Protection(false, false);

    public static Protection readWrite() {
        return READ_WRITE;
    }

    public static Protection read() {
        return READ;
    }

    public static Protection write() {
        return WRITE;
    }

    public static Protection none() {
        return NONE;
    }

    /** Whether everything {@code other} allows is allowed by this protection too. */
    public boolean allows(Protection other) {
        return (canRead || !other.canRead) && (canWrite || !other.canWrite);
    }

    /** The {@code PROT_*} bits for mmap and mprotect. */
    public int toProt() {
        return (canRead ? LibC.PROT_READ : 0) | (canWrite ? LibC.PROT_WRITE : 0);
    }
}
