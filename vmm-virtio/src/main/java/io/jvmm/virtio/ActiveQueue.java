package io.jvmm.virtio;

import io.jvmm.memory.GuestMemory;
import java.util.List;

/**
 * A queue a driver made live at DRIVER_OK, with the memory it lives in and the interrupt that
 * tells the driver about used buffers: what a one-queue device keeps between {@code activate}
 * and {@code reset}. Like its {@link SplitQueue}, it is used by the device's I/O thread only.
 *
 * @param memory    the guest memory the queue's rings and buffers are in
 * @param queue     the queue
 * @param interrupt the interrupt to raise when the driver wants to hear of used buffers
 */
public record ActiveQueue(GuestMemory memory, SplitQueue queue, VirtioInterrupt interrupt) {
    /** One request: serve {@code chain} and return the bytes written into its writable buffers. */
    @FunctionalInterface
    public interface ChainHandler {
        /**
         * Serves one request. Must not throw for anything the guest wrote: answer a bad request
         * with the device's error status instead.
         *
         * @param memory the guest memory the chain's buffers are in
         * @param chain  the checked chain popped from the queue
         * @return the number of bytes written into the chain's writable buffers (the used ring's
         *     {@code len}, §2.7.8), at most {@link DescriptorChain#writableLength()}
         */
        int serve(GuestMemory memory, DescriptorChain chain);
    }

    /**
     * Queue {@code index} of {@code queues} as handed to {@code activate}, or null when the driver did not enable it.
     *
     * @param memory    the guest memory
     * @param queues    the queues of {@link VirtioDevice#activate}, null for those not enabled
     * @param index     the queue's index, 0 or more; an index past the list counts as not enabled
     * @param interrupt the device's interrupt
     * @return the active queue, or null when queue {@code index} is absent or not enabled
     * @throws IndexOutOfBoundsException for a negative {@code index}
     */
    public static ActiveQueue of(GuestMemory memory, List<SplitQueue> queues, int index, VirtioInterrupt interrupt) {
        SplitQueue q = index < queues.size() ? queues.get(index) : null;
        return q == null ? null : new ActiveQueue(memory, q, interrupt);
    }

    /**
     * Serves every available chain ({@link SplitQueue#serveAvailable}) and raises the interrupt if the driver wants it.
     *
     * @param handler serves each chain with this queue's memory; its result goes on the used ring
     */
    public void serveAll(ChainHandler handler) {
        if (queue.serveAvailable(chain -> handler.serve(memory, chain))) {
            interrupt.signalUsedBuffer();
        }
    }
}
