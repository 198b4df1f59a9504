package io.jvmm.virtio;

/**
 * One edge on a device's interrupt (an irqfd signal, or a KVM_IRQ_LINE pulse without one). The
 * VMM supplies it; the transport decides when, the device never sees it.
 */
@FunctionalInterface
public interface InterruptTrigger {
    /** A trigger that goes nowhere, for transports driven by tests that poll. */
    InterruptTrigger NONE = () -> { };

    /** Raises one edge. Thread-safe. */
    void trigger();
}
