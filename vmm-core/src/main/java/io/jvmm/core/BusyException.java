package io.jvmm.core;

/**
 * An object is open but already doing what was asked of it on another thread (a vCPU that is
 * running, a machine that has started), or would have to stop doing so from inside itself. Nothing
 * was changed; the call may succeed once the other use ends.
 */
public final class BusyException extends JvmmException {
    private static final long serialVersionUID = 1L;

    /**
     * An exception naming what is busy.
     *
     * @param message what is in use, e.g. {@code "vcpu 0 is already running on another thread"}
     */
    public BusyException(String message) {
        super(message);
    }
}
