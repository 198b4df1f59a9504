package io.jvmm.virtio;

import io.jvmm.memory.GuestRange;
import java.util.ArrayList;
import java.util.List;

/**
 * A position in a list of checked buffers, read or written as one stream: the guest ranges of the
 * next bytes, and moving past them. Shared by {@link ChainReader} and {@link ChainWriter}.
 */
final class BufferCursor {
    private final List<Buffer> buffers;
    private int index;
    private long offset;
    private long remaining;

    BufferCursor(List<Buffer> buffers, long total) {
        this.buffers = buffers;
        this.remaining = total;
    }

    long remaining() {
        return remaining;
    }

    /** The guest ranges of the next {@code len} bytes (fewer at the end), in order; does not move. */
    List<GuestRange> next(long len) {
        List<GuestRange> ranges = new ArrayList<>(2);
        long want = 0;
        long off = offset;
        for (int i = index; want < len && i < buffers.size(); i++, off = 0) {
            Buffer b = buffers.get(i);
            long n = Math.min(len - want, b.length() - off);
            if (n > 0) {
                ranges.add(new GuestRange(b.addr().uncheckedAdd(off), n));
                want += n;
            }
        }
        return ranges;
    }

    /** Moves past {@code len} bytes (up to the end); returns the count moved. */
    long advance(long len) {
        long done = 0;
        while (done < len && index < buffers.size()) {
            Buffer b = buffers.get(index);
            long n = Math.min(len - done, b.length() - offset);
            done += n;
            offset += n;
            if (offset == b.length()) {
                index++;
                offset = 0;
            }
        }
        remaining -= done;
        return done;
    }
}
