package io.jvmm.core;

/**
 * What {@code fstat} says about an open descriptor that jvmm cares about: its type bits and size.
 *
 * @param mode {@code st_mode}: file type ({@link LibC#S_IFMT}) and permission bits
 * @param size {@code st_size}: the length in bytes of a regular file or memfd; meaningless for
 *     devices, pipes and sockets
 */
public record FileStatus(int mode, long size) {
    /** {@return whether the descriptor is a regular file; memfds are regular files on tmpfs} */
    public boolean isRegularFile() {
        return (mode & LibC.S_IFMT) == LibC.S_IFREG;
    }
}
