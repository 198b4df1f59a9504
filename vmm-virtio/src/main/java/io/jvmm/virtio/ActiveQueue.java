package io.jvmm.virtio;

import io.jvmm.memory.GuestMemory;
import java.util.List;

/**
 * A queue a driver made live at DRIVER_OK, with the memory it lives in and the interrupt that
 * tells the driver about used buffers: what a one-queue device keeps between {@code activate}
 * and {@code reset}.
 */
public record ActiveQueue(GuestMemory memory, SplitQueue queue, VirtioInterrupt interrupt) {
    /** One request: serve {@code chain} and return the bytes written into its writable buffers. */
    @FunctionalInterface
    public interface ChainHandler {
        int serve(GuestMemory memory, DescriptorChain chain);
    }

    /** Queue {@code index} of {@code queues} as handed to {@code activate}, or null when the driver did not enable it. */
    public static ActiveQueue of(GuestMemory memory, List<SplitQueue> queues, int index, VirtioInterrupt interrupt) {
        SplitQueue q = index < queues.size() ? queues.get(index) : null;
        return q == null ? null : new ActiveQueue(memory, q, interrupt);
    }

    /** Serves every available chain ({@link SplitQueue#serveAvailable}) and raises the interrupt if the driver wants it. */
    public void serveAll(ChainHandler handler) {
        if (queue.serveAvailable(chain -> handler.serve(memory, chain))) {
            interrupt.signalUsedBuffer();
        }
    }
}
