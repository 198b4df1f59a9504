package io.jvmm.virtio;

import io.jvmm.memory.GuestMemory;
import io.jvmm.memory.VolatileSlice;
import java.io.IOException;
import java.nio.channels.FileChannel;
import io.jvmm.memory.GuestRange;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a chain's device-readable buffers as one stream of bytes, across buffer boundaries.
 * The buffers were checked when the chain was popped; reads go through GuestMemory's checked API.
 */
public final class ChainReader {
    private final GuestMemory memory;
    private final List<Buffer> buffers;
    private int buffer;
    private long offset;
    private long remaining;

    public ChainReader(GuestMemory memory, DescriptorChain chain) {
        this.memory = memory;
        this.buffers = chain.readable();
        this.remaining = chain.readableLength();
    }

    /** The bytes not read yet. */
    public long remaining() {
        return remaining;
    }

    /** Fills {@code dst} up to its length or the chain's end; returns the count read. */
    public int read(byte[] dst) {
        int done = 0;
        while (done < dst.length && buffer < buffers.size()) {
            Buffer b = buffers.get(buffer);
            int n = (int) Math.min(dst.length - done, b.length() - offset);
            if (n > 0) {
                // a buffer may straddle two adjacent regions: one slice per region
                int at = done;
                for (VolatileSlice s : memory.getSlices(b.addr().uncheckedAdd(offset), n)) {
                    byte[] part = new byte[(int) s.size()];
                    s.copyTo(part);
                    System.arraycopy(part, 0, dst, at, part.length);
                    at += part.length;
                }
                done += n;
                offset += n;
            }
            if (offset == b.length()) {
                buffer++;
                offset = 0;
            }
        }
        remaining -= done;
        return done;
    }

    /**
     * Writes the next {@code len} readable bytes to {@code dst} at file position {@code position},
     * straight from guest memory (no copy through the heap), as a block device's OUT request does.
     *
     * @return the bytes written to the file: {@code len}, or fewer when the chain ends first or
     *     the channel takes fewer
     * @throws IOException when the channel fails
     */
    public long transferTo(FileChannel dst, long position, long len) throws IOException {
        List<GuestRange> ranges = new ArrayList<>();
        long want = 0;
        int bi = buffer;
        long off = offset;
        while (want < len && bi < buffers.size()) {
            Buffer b = buffers.get(bi);
            long n = Math.min(len - want, b.length() - off);
            if (n > 0) {
                ranges.add(new GuestRange(b.addr().uncheckedAdd(off), n));
                want += n;
            }
            bi++;
            off = 0;
        }
        // one gathering write for the whole request (writev), not one call per buffer
        long done = memory.writeToChannel(ranges, dst, position);
        skip(done);
        return done;
    }

    /** Moves past {@code len} readable bytes (up to the chain's end). */
    private void skip(long len) {
        long left = len;
        while (left > 0 && buffer < buffers.size()) {
            Buffer b = buffers.get(buffer);
            long n = Math.min(left, b.length() - offset);
            offset += n;
            left -= n;
            remaining -= n;
            if (offset == b.length()) {
                buffer++;
                offset = 0;
            }
        }
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
