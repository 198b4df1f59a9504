package io.jvmm.memory;

import io.jvmm.core.LibC;

/**
 * Memory protection of a mapping: readable, writable, both or neither. The accessors of a mapping
 * enforce it before they touch memory, since a fault on a protected page would kill the JVM.
 *
 * @param canRead  whether the memory may be read ({@code PROT_READ})
 * @param canWrite whether the memory may be written ({@code PROT_WRITE})
 */
public record Protection(boolean canRead, boolean canWrite) {
    private static final Protection READ_WRITE = new Protection(true, true);
    private static final Protection READ = new Protection(true, false);
    private static final Protection WRITE = new Protection(false, true);
    private static final Protection NONE = new Protection(false, false);

    /** {@return readable and writable: the default of mappings and arenas} */
    public static Protection readWrite() {
        return READ_WRITE;
    }

    /** {@return readable only} */
    public static Protection read() {
        return READ;
    }

    /** {@return writable only: the accessors refuse reads, though on x86 the kernel lets such pages be read (mmap(2))} */
    public static Protection write() {
        return WRITE;
    }

    /** {@return no access at all ({@code PROT_NONE})} */
    public static Protection none() {
        return NONE;
    }

    /**
     * Whether everything {@code other} allows is allowed by this protection too.
     *
     * @param other the protection to compare with
     * @return true when this protection is at least as permissive as {@code other} in reading and in writing
     * @throws NullPointerException when {@code other} is null
     */
    public boolean allows(Protection other) {
        return (canRead || !other.canRead) && (canWrite || !other.canWrite);
    }

    /** {@return the {@code PROT_*} bits for mmap and mprotect: {@code PROT_READ}, {@code PROT_WRITE}, both or 0} */
    public int toProt() {
        return (canRead ? LibC.PROT_READ : 0) | (canWrite ? LibC.PROT_WRITE : 0);
    }
}
