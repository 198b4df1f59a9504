package io.jvmm.virtio;

/**
 * How a device tells its driver something happened (virtio 1.2 §2.3, §4.2.2's InterruptStatus):
 * the transport records the reason and raises the device's one interrupt.
 */
public interface VirtioInterrupt {
    /** Used buffers were added to a queue whose driver wants to hear about them. */
    void signalUsedBuffer();

    /** The configuration changed, or the device needs a reset (§2.1.2). */
    void signalConfigChange();
}
