package io.jvmm.devices.bus;

import io.jvmm.devices.BusDevice;
import java.util.Objects;

/**
 * A device registered on a bus at {@code [base, base + length)}.
 *
 * @param base   the first address: an I/O port, or a guest-physical address
 * @param length the number of ports or bytes; positive for every range a bus hands out
 * @param device the device registered there
 */
public record BusRange(long base, long length, BusDevice device) {
    /**
     * Checks that there is a device.
     *
     * @param base   the first address
     * @param length the number of ports or bytes
     * @param device the device registered there
     * @throws NullPointerException if {@code device} is null
     */
    public BusRange {
        Objects.requireNonNull(device, "device");
    }

    /** {@return the first address past the range, {@code base + length}} */
    public long end() {
        return base + length;
    }

    @Override
    public String toString() {
        return String.format("[0x%x, 0x%x) %s", base, end(), device.debugLabel());
    }
}
