package io.jvmm.virtio;

/**
 * The device status bits of virtio 1.2 §2.1, as masks of the Device Status field (the MMIO
 * transport's Status register). The driver sets them in the order of §3.1.1; writing 0 resets the
 * device (§2.4).
 */
public final class DeviceStatus {
    /** The guest found the device and recognised it as a virtio device. */
    public static final int ACKNOWLEDGE = 1;
    /** The guest knows how to drive the device. */
    public static final int DRIVER = 2;
    /** The driver is set up and ready to drive the device: the queues go live. */
    public static final int DRIVER_OK = 4;
    /** The driver accepted its features and feature negotiation is complete (§2.2, §3.1.1). */
    public static final int FEATURES_OK = 8;
    /** Set by the device: it met an error it cannot recover from and needs a reset (§2.1.2). */
    public static final int DEVICE_NEEDS_RESET = 64;
    /** Set by the driver: something went wrong in the guest and it gave up on the device. */
    public static final int FAILED = 128;

    private DeviceStatus() {
    }
}
