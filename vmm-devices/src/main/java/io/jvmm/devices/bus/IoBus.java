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

    /** An empty I/O-port bus: every port reads as 0xff and ignores writes until a device is registered. */
    public IoBus() {
    }

    /**
     * Registers {@code device} at ports {@code [port, port + length)}. Thread-safe; lookups in
     * progress see the bus as it was before or after.
     *
     * @param port   the first port, 0 to 0xffff
     * @param length the number of ports, at least 1
     * @param device the device, which then receives offsets from {@code port}
     * @throws BusConflictException if the range overlaps a registered one
     * @throws IllegalArgumentException if the range is empty or leaves the 64 Ki port space
     * @throws NullPointerException if {@code device} is null
     */
    public void register(int port, int length, BusDevice device) {
        table.add(port, length, device, PORT_COUNT);
    }

    /**
     * Removes the device registered at exactly {@code port}; returns its range if there was one.
     * Thread-safe; an access already dispatched to the device may still reach it.
     *
     * @param port the first port of the range, as registered
     * @return the removed range, or empty if no range starts at {@code port}
     */
    public Optional<BusRange> unregister(int port) {
        return table.remove(port);
    }

    /**
     * The range containing {@code port}, if any.
     *
     * @param port the port
     * @return the range that contains it, or empty
     */
    public Optional<BusRange> find(int port) {
        return table.find(port);
    }

    /** {@return every registered range, by ascending port: an unmodifiable snapshot} */
    public List<BusRange> ranges() {
        return table.ranges();
    }

    /**
     * A guest {@code in} of {@code data.length} bytes from {@code port}: the device whose range
     * holds the whole access fills {@code data}; without one, {@code data} is filled with 0xff.
     *
     * @param port the port the access starts at
     * @param data the buffer for the value, 1, 2 or 4 bytes (the access width)
     */
    public void read(int port, byte[] data) {
        table.read(port, data);
    }

    /**
     * A guest {@code out} of {@code data} to {@code port}: passed to the device whose range holds
     * the whole access, else ignored.
     *
     * @param port the port the access starts at
     * @param data the value written, 1, 2 or 4 bytes (the access width)
     */
    public void write(int port, byte[] data) {
        table.write(port, data);
    }
}
