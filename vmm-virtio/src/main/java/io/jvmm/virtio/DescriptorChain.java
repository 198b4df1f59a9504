package io.jvmm.virtio;

import java.util.List;

/**
 * A checked descriptor chain (virtio 1.2 §2.7.5): its head index (what goes back in the used ring),
 * and its device-readable buffers followed by its device-writable ones (§2.7.4.2), every one of
 * them inside guest RAM, with totals below 2^32 (the guarantees of a chain {@link SplitQueue#pop}
 * returns; this record itself checks nothing but nulls).
 *
 * @param head     the index of the chain's first descriptor in the descriptor table
 * @param readable the device-readable buffers, in chain order (an immutable copy)
 * @param writable the device-writable buffers, in chain order (an immutable copy)
 */
public record DescriptorChain(int head, List<Buffer> readable, List<Buffer> writable) {
    /**
     * Copies the lists, so that the chain is immutable.
     *
     * @param head     the index of the chain's first descriptor
     * @param readable the device-readable buffers, in order
     * @param writable the device-writable buffers, in order
     * @throws NullPointerException when a list or one of its buffers is null
     */
    public DescriptorChain {
        readable = List.copyOf(readable);
        writable = List.copyOf(writable);
    }

    /** {@return the total length in bytes of the device-readable buffers} */
    public long readableLength() {
        return readable.stream().mapToLong(Buffer::length).sum();
    }

    /** {@return the total length in bytes of the device-writable buffers: the most a device may write} */
    public long writableLength() {
        return writable.stream().mapToLong(Buffer::length).sum();
    }
}
