package io.jvmm.devices.bus;

import io.jvmm.devices.BusDevice;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Guest-physical addresses not backed by a memory slot, mapped to devices. KVM exits with
 * KVM_EXIT_MMIO for accesses there (api.rst 5, "KVM_EXIT_MMIO"). Reads where no device is
 * registered return all-ones and writes are ignored, each with a debug log line. Registration is
 * thread-safe; lookups are lock-free and allocation-free (see {@link RangeTable}).
 */
public final class MmioBus {
    /** Addresses are limited to the non-negative half of 64 bits (x86-64 physical addresses are at most 52 bits). */
    public static final long ADDRESS_LIMIT = Long.MAX_VALUE;

    private static final Logger LOG = LoggerFactory.getLogger(MmioBus.class);

    private final RangeTable table = new RangeTable("MMIO", LOG);

    /** An empty MMIO bus: every address reads as 0xff and ignores writes until a device is registered. */
    public MmioBus() {
    }

    /**
     * Registers {@code device} at guest-physical {@code [address, address + length)}. Thread-safe;
     * lookups in progress see the bus as it was before or after.
     *
     * @param address the first guest-physical address, not negative
     * @param length  the length in bytes, at least 1
     * @param device  the device, which then receives offsets from {@code address}
     * @throws BusConflictException if the range overlaps a registered one
     * @throws IllegalArgumentException if the range is empty, negative or overflows
     * @throws NullPointerException if {@code device} is null
     */
    public void register(long address, long length, BusDevice device) {
        table.add(address, length, device, ADDRESS_LIMIT);
    }

    /**
     * Removes the device registered at exactly {@code address}; returns its range if there was one.
     * Thread-safe; an access already dispatched to the device may still reach it.
     *
     * @param address the first address of the range, as registered
     * @return the removed range, or empty if no range starts at {@code address}
     */
    public Optional<BusRange> unregister(long address) {
        return table.remove(address);
    }

    /**
     * The range containing {@code address}, if any.
     *
     * @param address the guest-physical address
     * @return the range that contains it, or empty
     */
    public Optional<BusRange> find(long address) {
        return table.find(address);
    }

    /** {@return every registered range, by ascending address: an unmodifiable snapshot} */
    public List<BusRange> ranges() {
        return table.ranges();
    }

    /**
     * A guest load of {@code data.length} bytes at {@code address}: the device whose range holds
     * the whole access fills {@code data}; without one, {@code data} is filled with 0xff.
     *
     * @param address the guest-physical address the access starts at
     * @param data    the buffer for the value, 1 to 8 bytes (the access width)
     */
    public void read(long address, byte[] data) {
        table.read(address, data);
    }

    /**
     * A guest store of {@code data} at {@code address}: passed to the device whose range holds the
     * whole access, else ignored.
     *
     * @param address the guest-physical address the access starts at
     * @param data    the value written, 1 to 8 bytes (the access width)
     */
    public void write(long address, byte[] data) {
        table.write(address, data);
    }
}
