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

    /**
     * Registers {@code device} at guest-physical {@code [address, address + length)}.
     *
     * @throws BusConflictException if the range overlaps a registered one
     * @throws IllegalArgumentException if the range is empty, negative or overflows
     */
    public void register(long address, long length, BusDevice device) {
        table.add(address, length, device, ADDRESS_LIMIT);
    }

    /** Removes the device registered at exactly {@code address}; returns its range if there was one. */
    public Optional<BusRange> unregister(long address) {
        return table.remove(address);
    }

    public Optional<BusRange> find(long address) {
        return table.find(address);
    }

    public List<BusRange> ranges() {
        return table.ranges();
    }

    /** A guest load of {@code data.length} bytes at {@code address}. */
    public void read(long address, byte[] data) {
        table.read(address, data);
    }

    /** A guest store of {@code data} at {@code address}. */
    public void write(long address, byte[] data) {
        table.write(address, data);
    }
}
