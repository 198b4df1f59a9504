package io.jvmm.virtio;

import io.jvmm.memory.GuestAddress;

/**
 * What the driver wrote into the transport's queue registers (virtio 1.2 §4.2.2: QueueNum,
 * QueueDesc, QueueDriver, QueueDevice) and the negotiated features that change the ring's
 * behaviour. Values the guest controls: {@link SplitQueue} checks them, not this record.
 *
 * @param size                the queue size (QueueNum): a power of two in [1, {@link #MAX_SIZE}] to be usable
 * @param descTable           the guest address of the descriptor table (16-byte aligned to be usable)
 * @param availRing           the guest address of the available ring, the driver area (2-byte aligned)
 * @param usedRing            the guest address of the used ring, the device area (4-byte aligned)
 * @param indirectDescriptors whether VIRTIO_F_INDIRECT_DESC was negotiated (§2.7.5.3)
 * @param eventIdx            whether VIRTIO_F_EVENT_IDX was negotiated (§2.7.10)
 */
public record QueueConfig(int size, GuestAddress descTable, GuestAddress availRing, GuestAddress usedRing,
                          boolean indirectDescriptors, boolean eventIdx) {
    /** The largest split queue (§2.7: Queue Size is at most 32768). */
    public static final int MAX_SIZE = 32768;
}
