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
    /** {@return the device ID of virtio 1.2 §5 (2: block, 4: entropy source); the MMIO DeviceID register} */
    int deviceType();

    /** {@return a short name for logs, e.g. {@code "virtio-blk(disk.img)"}} */
    String debugLabel();

    /**
     * The largest size of each queue; the list's size is the number of queues.
     *
     * @return one entry per queue, in queue order, each a power of two in [1, 32768] (the transport
     *     refuses a device that breaks this); read once, when the transport is created
     */
    List<Integer> queueMaxSizes();

    /**
     * The feature bits the device offers (§6), transport and ring bits included
     * ({@link VirtioFeatures#VERSION_1} is required for a version-2 MMIO transport).
     *
     * @return the feature bits as a mask, bit {@code n} for feature {@code n}; read once, when the
     *     transport is created
     */
    long deviceFeatures();

    /**
     * The guest reads {@code data.length} bytes of the device configuration at {@code offset}
     * (§2.5, little-endian fields). Must not throw for any offset or length the guest chooses.
     *
     * @param offset the offset in bytes into the configuration space, from 0; the MMIO transport
     *     passes only reads that end within its 256-byte window
     * @param data   filled with the bytes read; it arrives zero-filled, so bytes past the device's
     *     configuration may be left alone
     */
    void readConfig(long offset, byte[] data);

    /**
     * The guest writes the configuration; most devices ignore it. Must not throw for anything the
     * guest chooses.
     *
     * @param offset the offset in bytes into the configuration space, from 0
     * @param data   the bytes written, a copy the device may keep
     */
    void writeConfig(long offset, byte[] data);

    /**
     * The driver set DRIVER_OK: from now on {@code queues} (one per {@link #queueMaxSizes} entry,
     * some possibly not enabled by the driver, then {@code null}) carry requests, with the
     * {@code features} the driver accepted.
     *
     * @param memory    the guest memory the queues and their buffers live in
     * @param features  the feature bits the driver accepted: a subset of {@link #deviceFeatures()}
     *     with {@link VirtioFeatures#VERSION_1}
     * @param queues    one entry per queue in queue order, {@code null} for a queue the driver did not
     *     enable; an unmodifiable list. Each queue was made by {@link SplitQueue#create}, so one with
     *     a bad configuration already needs a reset
     * @param interrupt how to tell the driver about used buffers and configuration changes
     */
    void activate(GuestMemory memory, long features, List<SplitQueue> queues, VirtioInterrupt interrupt);

    /**
     * The driver notified queue {@code index} (or the I/O thread polls after a notification):
     * serve what is available. Must not throw for anything the guest controls.
     *
     * @param index the queue's index: one the device was activated with, whose queue is not
     *     {@code null} (the MMIO transport filters the others out)
     */
    void processQueue(int index);

    /** The driver reset the device (§2.4): forget the queues and return to the initial state. */
    void reset();

    /** Releases the device's host resources (files, locks). Idempotent. */
    @Override
    void close();
}
