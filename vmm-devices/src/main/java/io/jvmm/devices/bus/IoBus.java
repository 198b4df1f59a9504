package io.jvmm.devices.bus;

import io.jvmm.devices.BusDevice;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The x86 I/O-port space (64 Ki ports): maps port ranges to devices. Reads of ports where no
 * device is registered return all-ones (a floating ISA bus reads 0xff) and writes there are
 * ignored, each with a debug log line. Registration is thread-safe; lookups are lock-free and
 * allocation-free (see {@link RangeTable}).
 */
public final class IoBus {
    /** Number of x86 I/O ports. */
    public static final int PORT_COUNT = 0x10000;

    private static final Logger LOG = LoggerFactory.getLogger(IoBus.class);

    private final RangeTable table = new RangeTable("I/O port", LOG);

    /**
     * Registers {@code device} at ports {@code [port, port + length)}.
     *
     * @throws BusConflictException if the range overlaps a registered one
     * @throws IllegalArgumentException if the range is empty or leaves the 64 Ki port space
     */
    public void register(int port, int length, BusDevice device) {
        table.add(port, length, device, PORT_COUNT);
    }

    /** Removes the device registered at exactly {@code port}; returns its range if there was one. */
    public Optional<BusRange> unregister(int port) {
        return table.remove(port);
    }

    /** The range containing {@code port}, if any. */
    public Optional<BusRange> find(int port) {
        return table.find(port);
    }

    /** Every registered range, by ascending port. */
    public List<BusRange> ranges() {
        return table.ranges();
    }

    /** A guest {@code in} of {@code data.length} bytes from {@code port}. */
    public void read(int port, byte[] data) {
        table.read(port, data);
    }

    /** A guest {@code out} of {@code data} to {@code port}. */
    public void write(int port, byte[] data) {
        table.write(port, data);
    }
}
