package io.jvmm.virtio;

import io.jvmm.memory.GuestMemory;
import io.jvmm.memory.GuestRange;
import io.jvmm.memory.VolatileSlice;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.util.Arrays;

/** Writes a chain's device-writable buffers as one stream of bytes, across buffer boundaries. */
public final class ChainWriter {
    private final GuestMemory memory;
    private final BufferCursor cursor;
    private long written;

    public ChainWriter(GuestMemory memory, DescriptorChain chain) {
        this.memory = memory;
        this.cursor = new BufferCursor(chain.writable(), chain.writableLength());
    }

    /** The room left. */
    public long remaining() {
        return cursor.remaining();
    }

    /** The bytes written so far: the {@code len} to give {@link SplitQueue#addUsed}. */
    public int bytesWritten() {
        return (int) written;
    }

    /** Writes as much of {@code src} as fits; returns the count written. */
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
     * @return the bytes read: {@code len}, or fewer at end of file or when the room ends first
     * @throws IOException when the channel fails (the kernel may have filled part of the room;
     *     it is not counted in {@link #bytesWritten})
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
