package io.jvmm.virtio.block;

import io.jvmm.core.JvmmException;

/** A disk image cannot be used: the message is one line naming the file and the reason. */
public final class DiskImageException extends JvmmException {
    private static final long serialVersionUID = 1L;

    /**
     * An exception with its one-line message.
     *
     * @param message the file and the reason, e.g. {@code "disk.img: no such file"}
     */
    public DiskImageException(String message) {
        super(message);
    }
}
