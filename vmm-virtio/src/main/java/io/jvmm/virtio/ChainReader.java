package io.jvmm.virtio;

import io.jvmm.memory.GuestMemory;
import io.jvmm.memory.GuestRange;
import io.jvmm.memory.VolatileSlice;
import java.io.IOException;
import java.nio.channels.FileChannel;

/**
 * Reads a chain's device-readable buffers as one stream of bytes, across buffer boundaries.
 * The buffers were checked when the chain was popped; reads go through GuestMemory's checked API.
 * Each read moves the position past the bytes it read. Not thread-safe: one request, one thread.
 */
public final class ChainReader {
    private final GuestMemory memory;
    private final BufferCursor cursor;

    /**
     * A reader at the start of {@code chain}'s device-readable buffers.
     *
     * @param memory the guest memory the buffers are in
     * @param chain  the chain, as {@link SplitQueue#pop} returned it
     * @throws NullPointerException when {@code chain} is null
     */
    public ChainReader(GuestMemory memory, DescriptorChain chain) {
        this.memory = memory;
        this.cursor = new BufferCursor(chain.readable(), chain.readableLength());
    }

    /** {@return the bytes not read yet, 0 to {@link DescriptorChain#readableLength()}} */
    public long remaining() {
        return cursor.remaining();
    }

    /**
     * Fills {@code dst} up to its length or the chain's end.
     *
     * @param dst filled from index 0; bytes past the count read are left alone
     * @return the number of bytes read: {@code dst.length}, or fewer (0 at the end) when the chain ends first
     * @throws io.jvmm.core.ClosedException when the guest memory was closed
     */
    public int read(byte[] dst) {
        int done = 0;
        for (GuestRange r : cursor.next(dst.length)) {
            // a buffer may straddle two adjacent regions: one slice per region
            for (VolatileSlice s : memory.getSlices(r.start(), r.size())) {
                byte[] part = new byte[(int) s.size()];
                s.copyTo(part);
                System.arraycopy(part, 0, dst, done, part.length);
                done += part.length;
            }
        }
        cursor.advance(done);
        return done;
    }

    /**
     * Writes the next {@code len} readable bytes to {@code dst} at file position {@code position}
     * as one gathering write, straight from guest memory (no copy through the heap), as a block
     * device's OUT request does. Uses and moves {@code dst}'s own position, as
     * {@link GuestMemory#writeToChannel(java.util.List, FileChannel, long)} does.
     *
     * @param dst      the channel to write to, open for writing
     * @param position the file position of the first byte to write, 0 or more
     * @param len      the number of bytes to transfer, 0 or more
     * @return the bytes written to the file: {@code len}, or fewer when the chain ends first or
     *     the channel takes fewer; the reader moves past exactly those
     * @throws IOException when the channel fails; the reader does not move
     * @throws IllegalArgumentException for a negative {@code position}
     */
    public long transferTo(FileChannel dst, long position, long len) throws IOException {
        long done = memory.writeToChannel(cursor.next(len), dst, position);
        cursor.advance(done);
        return done;
    }

    /**
     * A little-endian value of {@code width} bytes (virtio 1.2 §1.4: structures are little-endian
     * with VIRTIO_F_VERSION_1); throws {@link IllegalStateException} when the chain ends first.
     */
    private long readLittleEndian(int width) {
        byte[] bytes = new byte[width];
        if (read(bytes) != width) {
            throw new IllegalStateException("the chain ends before a " + width + "-byte value");
        }
        long v = 0;
        for (int i = width - 1; i >= 0; i--) {
            v = (v << 8) | (bytes[i] & 0xff);
        }
        return v;
    }

    /**
     * Reads a little-endian 64-bit value (virtio 1.2 §1.4).
     *
     * @return the value
     * @throws IllegalStateException when fewer than 8 bytes remain; those that remained are consumed
     */
    public long readLong() {
        return readLittleEndian(8);
    }

    /**
     * Reads a little-endian 32-bit value (virtio 1.2 §1.4).
     *
     * @return the value
     * @throws IllegalStateException when fewer than 4 bytes remain; those that remained are consumed
     */
    public int readInt() {
        return (int) readLittleEndian(4);
    }

    /**
     * Reads a little-endian 16-bit value (virtio 1.2 §1.4).
     *
     * @return the value
     * @throws IllegalStateException when fewer than 2 bytes remain; those that remained are consumed
     */
    public short readShort() {
        return (short) readLittleEndian(2);
    }
}
