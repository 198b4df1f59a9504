package io.jvmm.virtio;

import java.util.List;

/**
 * A checked descriptor chain (virtio 1.2 §2.7.5): its head index (what goes back in the used ring),
 * and its device-readable buffers followed by its device-writable ones (§2.7.4.2), every one of
 * them inside guest RAM, with totals below 2^32.
 */
public record DescriptorChain(int head, List<Buffer> readable, List<Buffer> writable) {
    public DescriptorChain {
        readable = List.copyOf(readable);
        writable = List.copyOf(writable);
    }

    public long readableLength() {
        return readable.stream().mapToLong(Buffer::length).sum();
    }

    public long writableLength() {
        return writable.stream().mapToLong(Buffer::length).sum();
    }
}
