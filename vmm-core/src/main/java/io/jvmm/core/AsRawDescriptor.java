package io.jvmm.core;

/**
 * Something that owns or borrows a Unix file descriptor. The returned number stays valid only
 * while its owner is open; callers must not close it.
 */
@FunctionalInterface
public interface AsRawDescriptor {
    /** {@return the raw descriptor number, valid only while the owner is open; the caller must not close it} */
    int asRawDescriptor();
}
