package io.jvmm.virtio;

import io.jvmm.core.ClosedException;
import io.jvmm.memory.GuestAddress;
import io.jvmm.memory.GuestMemory;
import io.jvmm.memory.GuestMemoryException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.ToIntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The device side of one split virtqueue (virtio 1.2 §2.7) over {@link GuestMemory}. Everything
 * the guest controls is hostile: the configuration is checked once ({@link #create}), every chain
 * as it is popped. A broken rule never throws out of {@link #pop} or {@link #addUsed}: the queue
 * records a {@link QueueError}, logs it once, and from then on pops nothing, so the device can
 * set DEVICE_NEEDS_RESET (§2.1.2) and wait for the driver to reset it. All memory access goes
 * through GuestMemory's checked API, so no guest value can reach host memory outside guest RAM.
 *
 * <p>One device thread owns a queue; it is not thread-safe.
 */
public final class SplitQueue {
    private static final Logger LOG = LoggerFactory.getLogger(SplitQueue.class);

    private final GuestMemory memory;
    private final QueueConfig config;
    private final int size;
    private final long desc;
    private final long avail;
    private final long used;
    /** The next avail ring slot to read (free-running 16-bit, §2.7.6). */
    private int nextAvail;
    /** The next used ring slot to write (free-running 16-bit, §2.7.8). */
    private int nextUsed;
    /** The used index at the last {@link #needsNotification}, for VIRTIO_F_EVENT_IDX. */
    private int signalledUsed;
    private boolean signalledValid;
    private QueueError error;
    /** Set by {@link #stop}, from the thread of a transport's reset. */
    private volatile boolean stopped;

    private SplitQueue(GuestMemory memory, QueueConfig config) {
        this.memory = memory;
        this.config = config;
        this.size = config.size();
        this.desc = config.descTable().offset();
        this.avail = config.availRing().offset();
        this.used = config.usedRing().offset();
    }

    /**
     * A queue for {@code config}, or one already in the {@link QueueError#INVALID_CONFIG} state
     * when the configuration breaks §2.7: a size that is not a power of two in [1, 32768], a
     * descriptor table not 16-aligned, an available ring not 2-aligned, a used ring not
     * 4-aligned (§2.7 table "Virtqueue Part Alignment"), or any part not wholly inside RAM.
     * Never throws for the guest's values.
     *
     * @param memory the guest memory the rings and buffers are in
     * @param config what the driver configured
     * @return the queue, positioned at ring index 0 (the state after a reset); check {@link #error()}
     */
    public static SplitQueue create(GuestMemory memory, QueueConfig config) {
        SplitQueue q = new SplitQueue(memory, config);
        String why = q.configProblem();
        if (why != null) {
            q.fail(QueueError.INVALID_CONFIG, why);
        }
        return q;
    }

    private String configProblem() {
        if (size < 1 || size > QueueConfig.MAX_SIZE || Integer.bitCount(size) != 1) {
            return "queue size " + size + " is not a power of two in [1, 32768] (§2.7)";
        }
        if ((desc & 15) != 0 || (avail & 1) != 0 || (used & 3) != 0) {
            return "ring alignment (desc 16, avail 2, used 4; §2.7) broken by " + config;
        }
        long eventBytes = config.eventIdx() ? 2 : 0;
        if (!covered(desc, 16L * size) || !covered(avail, 4 + 2L * size + eventBytes)
            || !covered(used, 4 + 8L * size + eventBytes)) {
            return "a ring of " + config + " is not inside guest RAM";
        }
        return null;
    }

    private boolean covered(long addr, long len) {
        try {
            memory.getSlices(GuestAddress.of(addr), len);
            return true;
        } catch (GuestMemoryException e) {
            return false;
        }
    }

    /** {@return the error that stopped this queue, or null while it works} */
    public QueueError error() {
        return error;
    }

    /** {@return whether the queue broke a rule and the device must report DEVICE_NEEDS_RESET (§2.1.2)} */
    public boolean needsReset() {
        return error != null;
    }

    /**
     * Stops the queue for a reset (§2.1.2, §4.2.3.1): every later {@link #pop} finds nothing, so a
     * device that drains the ring returns after the chain it holds, however fast the driver
     * refills it. Without this a driver that keeps offering chains from one vCPU while another
     * resets the device would hold that reset, and every vCPU that touches the transport, for
     * as long as it liked. Not an error: {@link #needsReset} stays as it was. The one method that
     * another thread than the device's may call; the chain in flight may still be returned
     * through {@link #addUsed}, which the reset waits for.
     */
    public void stop() {
        stopped = true;
    }

    /** {@return the configuration the queue was created with, as the driver wrote it} */
    public QueueConfig config() {
        return config;
    }

    /**
     * The next available chain, checked; empty when the driver made none available or the queue
     * needs a reset. Never throws for anything the guest wrote. Reads {@code avail.idx} with
     * acquire semantics, so the ring entries and descriptors the driver wrote before its release
     * store of the index are seen (§2.7.13.3).
     *
     * @return the chain, whose buffers are all inside guest RAM; the queue then expects it back
     *     through {@link #addUsed}. Empty when nothing is available, or the queue needs a reset
     *     (this call may be what found the error)
     */
    public Optional<DescriptorChain> pop() {
        if (error != null || stopped) {
            return Optional.empty();
        }
        try {
            int availIdx = Short.toUnsignedInt(memory.readShortAcquireFromAddr(GuestAddress.of(avail + 2)));
            int pending = (availIdx - nextAvail) & 0xffff;
            if (pending == 0) {
                return Optional.empty();
            }
            if (pending > size) {
                return fail(QueueError.INDICES_OUT_OF_STEP,
                    "avail.idx " + availIdx + " is " + pending + " ahead of " + nextAvail + " on a queue of " + size);
            }
            long slot = avail + 4 + 2L * (nextAvail & (size - 1));
            int head = Short.toUnsignedInt(memory.readShortFromAddr(GuestAddress.of(slot)));
            Optional<DescriptorChain> chain = walk(head);
            if (chain.isPresent()) {
                nextAvail = (nextAvail + 1) & 0xffff;
            }
            return chain;
        } catch (GuestMemoryException | ClosedException e) {
            // the config was checked, so only a closed memory gets here
            return fail(QueueError.RING_ACCESS_FAILED, e.getMessage());
        }
    }

    /** Walks the chain from {@code head}, bounded by the queue size (§2.7.5.2: no loops). */
    private Optional<DescriptorChain> walk(int head) {
        if (head >= size) {
            return fail(QueueError.DESCRIPTOR_INDEX_OUT_OF_RANGE, "head " + head + " on a queue of " + size);
        }
        Walk w = new Walk();
        int index = head;
        for (int count = 0; ; count++) {
            if (count >= size) {
                return fail(QueueError.CHAIN_TOO_LONG, "chain from " + head + " passes " + size + " descriptors");
            }
            Descriptor d = readDescriptor(desc, index);
            if (d.isIndirect()) {
                if (!config.indirectDescriptors()) {
                    return fail(QueueError.INDIRECT_NOT_NEGOTIATED, "descriptor " + index + " is indirect");
                }
                // §2.7.5.3.1: the driver MUST NOT set INDIRECT and NEXT together
                if (d.hasNext()) {
                    return fail(QueueError.INDIRECT_NESTED, "indirect descriptor " + index + " also has NEXT");
                }
                QueueError e = w.indirect(d);
                return e == null ? Optional.of(w.chain(head)) : Optional.empty();
            }
            QueueError e = w.add(d);
            if (e != null) {
                return Optional.empty();
            }
            if (!d.hasNext()) {
                return Optional.of(w.chain(head));
            }
            index = d.next();
            if (index >= size) {
                return fail(QueueError.DESCRIPTOR_INDEX_OUT_OF_RANGE, "next " + index + " on a queue of " + size);
            }
        }
    }

    private Descriptor readDescriptor(long table, int index) {
        long at = table + (long) Descriptor.BYTES * index;
        return new Descriptor(memory.readLongFromAddr(GuestAddress.of(at)), memory.readIntFromAddr(GuestAddress.of(at + 8)),
            Short.toUnsignedInt(memory.readShortFromAddr(GuestAddress.of(at + 12))),
            Short.toUnsignedInt(memory.readShortFromAddr(GuestAddress.of(at + 14))));
    }

    /** The buffers of one chain as it is walked, with the checks every buffer must pass. */
    private final class Walk {
        private final List<Buffer> readable = new ArrayList<>();
        private final List<Buffer> writable = new ArrayList<>();
        private long readTotal;
        private long writeTotal;

        QueueError add(Descriptor d) {
            // §2.7.5.3.1: no chain, an indirect table's entries included, is longer than the queue
            // size. Without this bound a guest's 256 MiB table of 2^24 linked entries (or a loop in
            // it) would be walked entry by entry, one Buffer each, on the device's thread.
            if (readable.size() + writable.size() >= size) {
                return failed(QueueError.CHAIN_TOO_LONG, "chain passes the queue size of " + size + " descriptors");
            }
            long len = d.length();
            if (!covered(d.addr(), len) || (len == 0 && !memory.addressInRange(GuestAddress.of(d.addr())))) {
                return failed(QueueError.BUFFER_OUTSIDE_MEMORY,
                    "buffer of " + len + " bytes at 0x" + Long.toHexString(d.addr()) + " is not inside guest RAM");
            }
            Buffer b = new Buffer(GuestAddress.of(d.addr()), len);
            if (d.isWrite()) {
                writeTotal += len;
                writable.add(b);
            } else {
                if (!writable.isEmpty()) {
                    return failed(QueueError.READABLE_AFTER_WRITABLE, "readable buffer after a writable one (§2.7.4.2)");
                }
                readTotal += len;
                readable.add(b);
            }
            // each length is below 2^32 and there are at most 32768 of them (the bound above), so
            // the long sums cannot wrap
            if (readTotal > 0xffff_ffffL || writeTotal > 0xffff_ffffL) {
                return failed(QueueError.LENGTH_OVERFLOW, "chain lengths sum past 2^32 - 1");
            }
            return null;
        }

        /** §2.7.5.3: the table's descriptors, walked from entry 0 and bounded by the table's size. */
        QueueError indirect(Descriptor d) {
            long len = d.length();
            if (len == 0 || (len & 15) != 0) {
                return failed(QueueError.INDIRECT_TABLE_INVALID, "indirect table length " + len);
            }
            if (!covered(d.addr(), len)) {
                return failed(QueueError.BUFFER_OUTSIDE_MEMORY,
                    "indirect table of " + len + " bytes at 0x" + Long.toHexString(d.addr()) + " is not inside guest RAM");
            }
            long entries = len / 16;
            int index = 0;
            for (long count = 0; ; count++) {
                if (count >= entries) {
                    return failed(QueueError.CHAIN_TOO_LONG, "indirect chain passes its " + entries + " entries");
                }
                Descriptor e = readDescriptor(d.addr(), index);
                if (e.isIndirect()) {
                    return failed(QueueError.INDIRECT_NESTED, "indirect table entry " + index + " is itself indirect");
                }
                QueueError bad = add(e);
                if (bad != null) {
                    return bad;
                }
                if (!e.hasNext()) {
                    return null;
                }
                index = e.next();
                if (index >= entries) {
                    return failed(QueueError.DESCRIPTOR_INDEX_OUT_OF_RANGE,
                        "indirect next " + index + " in a table of " + entries);
                }
            }
        }

        DescriptorChain chain(int head) {
            return new DescriptorChain(head, readable, writable);
        }
    }

    /**
     * Returns chain {@code head} to the driver with {@code written} bytes written into its
     * writable buffers (§2.7.8): the element first, then {@code used.idx} with a release store, so
     * the driver that reads the index sees the element and the data (§2.7.14). Does nothing on a
     * queue that needs a reset. Never throws for guest-controlled state.
     *
     * @param head    the head index of the chain, as {@link DescriptorChain#head()} gave it
     * @param written the number of bytes written into the chain's writable buffers (the used
     *     element's {@code len}, read by the driver as unsigned 32-bit)
     */
    public void addUsed(int head, int written) {
        if (error != null) {
            return;
        }
        try {
            long slot = used + 4 + 8L * (nextUsed & (size - 1));
            memory.writeIntAtAddr(head, GuestAddress.of(slot));
            memory.writeIntAtAddr(written, GuestAddress.of(slot + 4));
            nextUsed = (nextUsed + 1) & 0xffff;
            memory.writeShortReleaseAtAddr((short) nextUsed, GuestAddress.of(used + 2));
        } catch (GuestMemoryException | ClosedException e) {
            fail(QueueError.RING_ACCESS_FAILED, e.getMessage());
        }
    }

    /**
     * Whether the driver wants an interrupt for the used entries added since the last call
     * (§2.7.7.2, §2.7.10). Without VIRTIO_F_EVENT_IDX: unless the driver set
     * VIRTQ_AVAIL_F_NO_INTERRUPT in {@code avail.flags}. With it: when {@code used_event} lies in
     * the window of indices added since the last notification (the {@code vring_need_event} test).
     * A full fence first: the used index store must be visible before the driver's event index is
     * read, or the driver may sleep while the device skips the interrupt.
     *
     * @return true when the device should interrupt the driver; false when the driver suppressed it,
     *     or the queue needs a reset
     */
    public boolean needsNotification() {
        if (error != null) {
            return false;
        }
        try {
            GuestMemory.fullFence();
            int now = nextUsed;
            if (!config.eventIdx()) {
                return (memory.readShortFromAddr(GuestAddress.of(avail)) & 1) == 0;
            }
            int old = signalledUsed;
            boolean valid = signalledValid;
            signalledUsed = now;
            signalledValid = true;
            if (!valid) {
                return true;
            }
            int usedEvent = Short.toUnsignedInt(memory.readShortFromAddr(GuestAddress.of(avail + 4 + 2L * size)));
            // vring_need_event(event, new, old): (u16)(new - event - 1) < (u16)(new - old)
            return ((now - usedEvent - 1) & 0xffff) < ((now - old) & 0xffff);
        } catch (GuestMemoryException | ClosedException e) {
            fail(QueueError.RING_ACCESS_FAILED, e.getMessage());
            return false;
        }
    }

    /**
     * Serves every available chain: pops it, lets {@code handler} do the request and return the
     * bytes it wrote into the chain's writable buffers, and puts it on the used ring. When the
     * ring is empty it asks the driver for the next notification ({@link #publishAvailEvent})
     * and looks once more, so a chain made available meanwhile is not left waiting for a
     * doorbell that will not come. Returns whether the driver wants an interrupt for what was
     * served ({@link #needsNotification}); false when nothing was served or the queue needs a
     * reset. The handler must not throw for anything the guest wrote.
     *
     * @param handler serves one chain and returns the bytes it wrote into the chain's writable buffers
     * @return whether the device should now interrupt the driver
     */
    public boolean serveAvailable(ToIntFunction<DescriptorChain> handler) {
        boolean served = false;
        while (error == null) {
            Optional<DescriptorChain> chain = pop();
            if (chain.isEmpty()) {
                publishAvailEvent();
                chain = pop();
                if (chain.isEmpty()) {
                    break;
                }
            }
            addUsed(chain.get().head(), handler.applyAsInt(chain.get()));
            served = true;
        }
        return served && needsNotification();
    }

    /**
     * With VIRTIO_F_EVENT_IDX, tells the driver to notify once it makes entry {@code nextAvail}
     * available ({@code avail_event}, §2.7.10); a device calls this before it sleeps.
     */
    public void publishAvailEvent() {
        if (error != null || !config.eventIdx()) {
            return;
        }
        try {
            memory.writeShortReleaseAtAddr((short) nextAvail, GuestAddress.of(used + 4 + 8L * size));
            // The caller reads avail.idx next to catch a chain added just before the driver saw
            // this: a store followed by a load needs a full fence (a release store does not
            // order them), or both sides may sleep (§2.7.10, the kernel's virtqueue_enable_cb).
            GuestMemory.fullFence();
        } catch (GuestMemoryException | ClosedException e) {
            fail(QueueError.RING_ACCESS_FAILED, e.getMessage());
        }
    }

    private QueueError failed(QueueError kind, String why) {
        fail(kind, why);
        return kind;
    }

    private <T> Optional<T> fail(QueueError kind, String why) {
        if (error == null) {
            error = kind;
            LOG.warn("virtqueue needs reset ({}): {}", kind, why);
        }
        return Optional.empty();
    }
}
