package io.jvmm.virtio;

/** Feature bits shared by all devices (virtio 1.2 §6, "Reserved Feature Bits"), as masks. */
public final class VirtioFeatures {
    /** VIRTIO_F_INDIRECT_DESC (28): descriptors may point to indirect tables (§2.7.5.3). */
    public static final long RING_INDIRECT_DESC = 1L << 28;
    /** VIRTIO_F_EVENT_IDX (29): used_event and avail_event suppress notifications (§2.7.10). */
    public static final long RING_EVENT_IDX = 1L << 29;
    /** VIRTIO_F_VERSION_1 (32): compliance with virtio 1.x, little-endian everywhere. */
    public static final long VERSION_1 = 1L << 32;
    /** What every jvmm device offers on top of its own bits. */
    public static final long COMMON = VERSION_1 | RING_INDIRECT_DESC | RING_EVENT_IDX;

    private VirtioFeatures() {
    }
}
