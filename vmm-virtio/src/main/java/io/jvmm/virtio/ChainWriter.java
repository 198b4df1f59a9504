package io.jvmm.virtio;

import io.jvmm.memory.GuestMemory;
import io.jvmm.memory.GuestRange;
import io.jvmm.memory.VolatileSlice;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.util.Arrays;

/**
 * Writes a chain's device-writable buffers as one stream of bytes, across buffer boundaries, and
 * counts what it wrote for the used ring. The buffers were checked when the chain was popped;
 * writes go through GuestMemory's checked API (and mark dirty pages). Not thread-safe: one
 * request, one thread.
 */
public final class ChainWriter {
    private final GuestMemory memory;
    private final BufferCursor cursor;
    private long written;

    /**
     * A writer at the start of {@code chain}'s device-writable buffers, with nothing written yet.
     *
     * @param memory the guest memory the buffers are in
     * @param chain  the chain, as {@link SplitQueue#pop} returned it
     * @throws NullPointerException when {@code chain} is null
     */
    public ChainWriter(GuestMemory memory, DescriptorChain chain) {
        this.memory = memory;
        this.cursor = new BufferCursor(chain.writable(), chain.writableLength());
    }

    /** {@return the room left in bytes: the writable length less what was written or skipped} */
    public long remaining() {
        return cursor.remaining();
    }

    /**
     * The bytes written so far: the {@code len} to give {@link SplitQueue#addUsed}. Skipped bytes
     * do not count.
     *
     * @return the count, as the unsigned 32-bit value the used ring holds (below 2^32)
     */
    public int bytesWritten() {
        return (int) written;
    }

    /**
     * Writes as much of {@code src} as fits.
     *
     * @param src the bytes to write, from index 0
     * @return the number of bytes written: {@code src.length}, or fewer (0 when full) when the room ends first
     * @throws io.jvmm.core.ClosedException when the guest memory was closed
     */
    public int write(byte[] src) {
        int done = 0;
        for (GuestRange r : cursor.next(src.length)) {
            // a buffer may straddle two adjacent regions: one slice per region
            for (VolatileSlice s : memory.getSlices(r.start(), r.size())) {
                s.copyFrom(Arrays.copyOfRange(src, done, done + (int) s.size()));
                done += (int) s.size();
            }
        }
        cursor.advance(done);
        written += done;
        return done;
    }

    /**
     * Fills the next {@code len} bytes of room from {@code src} at file position {@code position}
     * as one scattering read, straight into guest memory, as a block device's IN request does.
     *
     * <p>Uses and moves {@code src}'s own position, as
     * {@link GuestMemory#readFromChannel(FileChannel, long, java.util.List)} does.
     *
     * @param src      the channel to read from, open for reading
     * @param position the file position of the first byte to read, 0 or more
     * @param len      the number of bytes to transfer, 0 or more
     * @return the bytes read: {@code len}, or fewer at end of file or when the room ends first
     * @throws IOException when the channel fails (the kernel may have filled part of the room;
     *     it is not counted in {@link #bytesWritten})
     * @throws IllegalArgumentException for a negative {@code position}
     */
    public long transferFrom(FileChannel src, long position, long len) throws IOException {
        long done = memory.readFromChannel(src, position, cursor.next(len));
        cursor.advance(done);
        written += done;
        return done;
    }

    /**
     * Skips {@code len} bytes of room (left as the guest had them), up to the room left; returns
     * the count skipped. A device that fails a request part-way skips to the status byte.
     *
     * @param len the number of bytes to skip; 0 or less skips nothing
     * @return the number of bytes skipped: {@code min(len, remaining())}, 0 for {@code len <= 0}
     */
    public long skip(long len) {
        return cursor.advance(len);
    }

    private void writeLittleEndian(long v, int width) {
        byte[] bytes = new byte[width];
        for (int i = 0; i < width; i++) {
            bytes[i] = (byte) (v >>> (8 * i));
        }
        if (write(bytes) != width) {
            throw new IllegalStateException("the chain has no room for a " + width + "-byte value");
        }
    }

    /**
     * Writes a little-endian 64-bit value (virtio 1.2 §1.4).
     *
     * @param value the value
     * @throws IllegalStateException when fewer than 8 bytes of room remain; what fit was written and counted
     */
    public void writeLong(long value) {
        writeLittleEndian(value, 8);
    }

    /**
     * Writes a little-endian 32-bit value (virtio 1.2 §1.4).
     *
     * @param value the value
     * @throws IllegalStateException when fewer than 4 bytes of room remain; what fit was written and counted
     */
    public void writeInt(int value) {
        writeLittleEndian(value, 4);
    }

    /**
     * Writes a little-endian 16-bit value (virtio 1.2 §1.4).
     *
     * @param value the value
     * @throws IllegalStateException when fewer than 2 bytes of room remain; what fit was written and counted
     */
    public void writeShort(short value) {
        writeLittleEndian(value, 2);
    }

    /**
     * Writes one byte.
     *
     * @param value the value
     * @throws IllegalStateException when fewer than 1 byte of room remain; what fit was written and counted
     */
    public void writeByte(byte value) {
        writeLittleEndian(value, 1);
    }
}
