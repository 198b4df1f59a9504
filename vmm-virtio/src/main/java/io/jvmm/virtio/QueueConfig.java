package io.jvmm.virtio;

import io.jvmm.memory.GuestAddress;

/**
 * What the driver wrote into the transport's queue registers (virtio 1.2 §4.2.2: QueueNum,
 * QueueDesc, QueueDriver, QueueDevice) and the negotiated features that change the ring's
 * behaviour. Values the guest controls: {@link SplitQueue} checks them, not this record.
 */
public record QueueConfig(int size, GuestAddress descTable, GuestAddress availRing, GuestAddress usedRing,
                          boolean indirectDescriptors, boolean eventIdx) {
    /** The largest split queue (§2.7: Queue Size is at most 32768). */
    public static final int MAX_SIZE = 32768;
}
