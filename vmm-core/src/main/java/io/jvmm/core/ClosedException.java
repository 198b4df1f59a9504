package io.jvmm.core;

/**
 * An object was used after {@code close()}, or while another thread closed it: a mapping, guest
 * memory, a descriptor, a vCPU. Nothing was read or written. Distinct from {@link BusyException}
 * (the object is open but in use) so that a caller can tell a lifetime bug from a race it may retry.
 */
public final class ClosedException extends JvmmException {
    private static final long serialVersionUID = 1L;

    /**
     * An exception naming what was closed.
     *
     * @param message what was used, e.g. {@code "memory mapping is closed"}
     */
    public ClosedException(String message) {
        super(message);
    }
}
