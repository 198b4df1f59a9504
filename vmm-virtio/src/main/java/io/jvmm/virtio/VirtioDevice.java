package io.jvmm.virtio;

import io.jvmm.memory.GuestMemory;
import java.util.List;

/**
 * A virtio device as its transport sees it (virtio 1.2 §2, §4.2.2): an ID, feature bits, a
 * configuration space, and queues that the transport hands over once the driver sets DRIVER_OK.
 * A device knows no bus, address or interrupt number: it reads and writes guest memory through
 * its queues and raises its interrupt through the {@link VirtioInterrupt} it was activated with.
 *
 * <p>Threads: the transport calls {@link #readConfig}, {@link #writeConfig}, {@link #activate} and
 * {@link #reset} from vCPU threads with its own lock held, and {@link #processQueue} from the
 * device's I/O thread, never at the same time as {@code activate} or {@code reset}.
 */
public interface VirtioDevice extends AutoCloseable {
    /** The device ID of virtio 1.2 §5 (2: block, 4: entropy source). */
    int deviceType();

    /** A short name for logs, e.g. {@code "virtio-blk(disk.img)"}. */
    String debugLabel();

    /** The largest size of each queue; the list's size is the number of queues. */
    List<Integer> queueMaxSizes();

    /**
     * The feature bits the device offers (§6), transport and ring bits included
     * ({@link VirtioFeatures#VERSION_1} is required for a version-2 MMIO transport).
     */
    long deviceFeatures();

    /** The guest reads {@code data.length} bytes of the device configuration at {@code offset}. */
    void readConfig(long offset, byte[] data);

    /** The guest writes the configuration; most devices ignore it. */
    void writeConfig(long offset, byte[] data);

    /**
     * The driver set DRIVER_OK: from now on {@code queues} (one per {@link #queueMaxSizes} entry,
     * some possibly not enabled by the driver, then {@code null}) carry requests, with the
     * {@code features} the driver accepted.
     */
    void activate(GuestMemory memory, long features, List<SplitQueue> queues, VirtioInterrupt interrupt);

    /**
     * The driver notified queue {@code index} (or the I/O thread polls after a notification):
     * serve what is available. Must not throw for anything the guest controls.
     */
    void processQueue(int index);

    /** The driver reset the device (§2.4): forget the queues and return to the initial state. */
    void reset();

    /** Releases the device's host resources (files, locks). Idempotent. */
    @Override
    void close();
}
