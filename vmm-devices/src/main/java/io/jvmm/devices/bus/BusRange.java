package io.jvmm.devices.bus;

import io.jvmm.devices.BusDevice;
import java.util.Objects;

/** A device registered on a bus at {@code [base, base + length)}. */
public record BusRange(long base, long length, BusDevice device) {
    public BusRange {
        Objects.requireNonNull(device, "device");
    }

    /** The first address past the range. */
    public long end() {
        return base + length;
    }

    @Override
    public String toString() {
        return String.format("[0x%x, 0x%x) %s", base, end(), device.debugLabel());
    }
}
