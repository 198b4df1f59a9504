package io.jvmm.virtio;

/**
 * Why a queue needs a reset: the guest broke a rule of virtio 1.2 §2.7. The device then sets
 * DEVICE_NEEDS_RESET (§2.1.2) and stops using the queue until the driver resets it.
 */
public enum QueueError {
    /** A ring address or the size broke §2.7's alignment and size rules, or a ring is outside RAM. */
    INVALID_CONFIG,
    /** {@code avail.idx} ran more than the queue size ahead of the device's position. */
    INDICES_OUT_OF_STEP,
    /** A head or {@code next} index at or past the queue (or indirect table) size. */
    DESCRIPTOR_INDEX_OUT_OF_RANGE,
    /** A chain longer than the queue size (or the indirect table): a loop. */
    CHAIN_TOO_LONG,
    /** VIRTIO_F_INDIRECT_DESC was not negotiated, yet a descriptor carries the INDIRECT flag. */
    INDIRECT_NOT_NEGOTIATED,
    /** An indirect table whose length is zero or not a multiple of 16 (§2.7.5.3.1). */
    INDIRECT_TABLE_INVALID,
    /** An indirect descriptor with INDIRECT or with NEXT (§2.7.5.3.1). */
    INDIRECT_NESTED,
    /** A buffer or table that is not inside guest RAM (a gap, past the end, wrapping 2^64). */
    BUFFER_OUTSIDE_MEMORY,
    /** The chain's readable or writable lengths sum past 2^32 - 1. */
    LENGTH_OVERFLOW,
    /** A device-readable buffer after a device-writable one (§2.7.4.2). */
    READABLE_AFTER_WRITABLE,
    /** A ring read or write failed (the ring left RAM; cannot happen after a checked config). */
    RING_ACCESS_FAILED,
}
