package io.jvmm.virtio.block;

import io.jvmm.core.JvmmException;

/** A disk image cannot be used: the message is one line naming the file and the reason. */
public final class DiskImageException extends JvmmException {
    private static final long serialVersionUID = 1L;

    public DiskImageException(String message) {
        super(message);
    }
}
