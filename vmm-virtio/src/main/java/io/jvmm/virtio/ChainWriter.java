package io.jvmm.virtio;

import io.jvmm.memory.GuestMemory;
import io.jvmm.memory.VolatileSlice;
import java.io.IOException;
import java.nio.channels.FileChannel;
import io.jvmm.memory.GuestRange;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Writes a chain's device-writable buffers as one stream of bytes, across buffer boundaries. */
public final class ChainWriter {
    private final GuestMemory memory;
    private final List<Buffer> buffers;
    private int buffer;
    private long offset;
    private long written;
    private long remaining;

    public ChainWriter(GuestMemory memory, DescriptorChain chain) {
        this.memory = memory;
        this.buffers = chain.writable();
        this.remaining = chain.writableLength();
    }

    /** The room left. */
    public long remaining() {
        return remaining;
    }

    /** The bytes written so far: the {@code len} to give {@link SplitQueue#addUsed}. */
    public int bytesWritten() {
        return (int) written;
    }

    /** Writes as much of {@code src} as fits; returns the count written. */
    public int write(byte[] src) {
        int done = 0;
        while (done < src.length && buffer < buffers.size()) {
            Buffer b = buffers.get(buffer);
            int n = (int) Math.min(src.length - done, b.length() - offset);
            if (n > 0) {
                // a buffer may straddle two adjacent regions: one slice per region
                int at = done;
                for (VolatileSlice s : memory.getSlices(b.addr().uncheckedAdd(offset), n)) {
                    s.copyFrom(Arrays.copyOfRange(src, at, at + (int) s.size()));
                    at += (int) s.size();
                }
                done += n;
                offset += n;
            }
            if (offset == b.length()) {
                buffer++;
                offset = 0;
            }
        }
        written += done;
        remaining -= done;
        return done;
    }

    /**
     * Fills the next {@code len} bytes of room from {@code src} at file position {@code position},
     * straight into guest memory, as a block device's IN request does.
     *
     * @return the bytes read: {@code len}, or fewer at end of file or when the room ends first
     * @throws IOException when the channel fails (bytes read before it are in guest memory and
     *     counted in {@link #bytesWritten})
     */
    public long transferFrom(FileChannel src, long position, long len) throws IOException {
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
        // one scattering read for the whole request (readv), not one call per buffer
        long done = 0;
        try {
            done = memory.readFromChannel(src, position, ranges);
        } finally {
            // on a failure the kernel may have filled part of the buffers; only a count is lost
            long moved = skip(done);
            written += moved;
        }
        return done;
    }

    /**
     * Skips {@code len} bytes of room (left as the guest had them), up to the room left; returns
     * the count skipped. A device that fails a request part-way skips to the status byte.
     */
    public long skip(long len) {
        long done = 0;
        while (done < len && buffer < buffers.size()) {
            Buffer b = buffers.get(buffer);
            long n = Math.min(len - done, b.length() - offset);
            done += n;
            offset += n;
            if (offset == b.length()) {
                buffer++;
                offset = 0;
            }
        }
        remaining -= done;
        return done;
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

    public void writeLong(long value) {
        writeLittleEndian(value, 8);
    }

    public void writeInt(int value) {
        writeLittleEndian(value, 4);
    }

    public void writeShort(short value) {
        writeLittleEndian(value, 2);
    }

    public void writeByte(byte value) {
        writeLittleEndian(value, 1);
    }
}
