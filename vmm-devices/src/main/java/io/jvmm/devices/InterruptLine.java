package io.jvmm.devices;

/**
 * One level-triggered interrupt line as a device sees it. The device says whether it wants
 * service; how that reaches the guest (KVM_IRQ_LINE into the in-kernel PIC/IOAPIC, or nothing when
 * there is no irqchip) is the VMM's business, as with rust-vmm's {@code Trigger}.
 */
@FunctionalInterface
public interface InterruptLine {
    /** A line that goes nowhere, for guests run without an interrupt controller. */
    InterruptLine NONE = asserted -> { };

    /**
     * Drives the line high ({@code true}) or low. Called only when the level changes.
     *
     * @param asserted {@code true} to assert the line (the device wants service), {@code false} to
     *     deassert it
     */
    void setLevel(boolean asserted);
}
