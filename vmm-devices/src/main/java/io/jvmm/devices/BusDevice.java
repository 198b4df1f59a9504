package io.jvmm.devices;

/**
 * A device model reached through an I/O-port or MMIO bus. Offsets are relative to the base of the
 * range the device was registered at. {@code data.length} is the access width (1, 2, 4 or 8); the
 * bus reuses the arrays, so a device must not keep them. Device models are plain state machines:
 * they know nothing of KVM and are tested without it.
 */
public interface BusDevice {
    /** {@return a short name for logs, e.g. {@code "uart@0x3f8"}} */
    String debugLabel();

    /**
     * The guest reads {@code data.length} bytes at {@code offset}: fill {@code data}. Called by a
     * bus, usually on a vCPU thread, with no lock held: a device also reached from other threads
     * synchronises itself.
     *
     * @param offset the offset of the first byte from the base of the device's range; the buses
     *     pass only accesses that lie wholly within the range
     * @param data   the buffer to fill, its length the access width; owned by the bus, not to be
     *     kept
     */
    void read(long offset, byte[] data);

    /**
     * The guest writes {@code data} at {@code offset}. Called like {@link #read}.
     *
     * @param offset the offset of the first byte from the base of the device's range; the buses
     *     pass only accesses that lie wholly within the range
     * @param data   the bytes written, its length the access width; owned by the bus, not to be
     *     kept
     */
    void write(long offset, byte[] data);
}
