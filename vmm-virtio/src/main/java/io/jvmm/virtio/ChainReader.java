package io.jvmm.virtio;

import io.jvmm.memory.GuestMemory;
import io.jvmm.memory.GuestRange;
import io.jvmm.memory.VolatileSlice;
import java.io.IOException;
import java.nio.channels.FileChannel;

/**
 * Reads a chain's device-readable buffers as one stream of bytes, across buffer boundaries.
 * The buffers were checked when the chain was popped; reads go through GuestMemory's checked API.
 */
public final class ChainReader {
    private final GuestMemory memory;
    private final BufferCursor cursor;

    public ChainReader(GuestMemory memory, DescriptorChain chain) {
        this.memory = memory;
        this.cursor = new BufferCursor(chain.readable(), chain.readableLength());
    }

    /** The bytes not read yet. */
    public long remaining() {
        return cursor.remaining();
    }

    /** Fills {@code dst} up to its length or the chain's end; returns the count read. */
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
     * device's OUT request does.
     *
     * @return the bytes written to the file: {@code len}, or fewer when the chain ends first or
     *     the channel takes fewer
     * @throws IOException when the channel fails
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

    public long readLong() {
        return readLittleEndian(8);
    }

    public int readInt() {
        return (int) readLittleEndian(4);
    }

    public short readShort() {
        return (short) readLittleEndian(2);
    }
}
