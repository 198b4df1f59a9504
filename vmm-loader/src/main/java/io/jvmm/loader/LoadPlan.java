package io.jvmm.loader;

import io.jvmm.memory.GuestAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Everything a load will write, worked out and checked before the first byte is written, so that a
 * refused kernel leaves guest memory untouched.
 */
final class LoadPlan {
    /** Bulk zeroing (an ELF bss) goes out in pieces of this size. */
    private static final int ZERO_CHUNK = 1 << 20;

    /** Writes {@code data}'s remaining bytes at {@code address}, whole or not at all. */
    @FunctionalInterface
    interface GuestWriter {
        void write(GuestAddress address, ByteBuffer data);
    }

    /** One write: {@code length} bytes at {@code address}, from {@code data} or zeros when it is null. */
    record Write(GuestAddress address, ByteBuffer data, long length, String what) {
        static Write bytes(long address, ByteBuffer data, String what) {
            return new Write(GuestAddress.of(address), data.asReadOnlyBuffer(), data.remaining(), what);
        }

        static Write zeros(long address, long length, String what) {
            return new Write(GuestAddress.of(address), null, length, what);
        }

        long end() {
            return address.offset() + length;
        }
    }

    private final LoadedKernel result;
    private final List<Write> writes;

    LoadPlan(LoadedKernel result, List<Write> writes) {
        this.result = result;
        this.writes = List.copyOf(writes);
        List<Write> sorted = new ArrayList<>(writes);
        sorted.removeIf(w -> w.length() == 0);
        sorted.sort(Comparator.comparing(Write::address));
        for (int i = 1; i < sorted.size(); i++) {
            if (Long.compareUnsigned(sorted.get(i).address().offset(), sorted.get(i - 1).end()) < 0) {
                throw new IllegalStateException("load plan overlaps: " + sorted.get(i - 1).what() + " and "
                    + sorted.get(i).what());
            }
        }
    }

    LoadedKernel result() {
        return result;
    }

    List<Write> writes() {
        return writes;
    }

    void writeTo(GuestWriter writer) {
        ByteBuffer zeros = null;
        for (Write w : writes) {
            if (w.data() != null) {
                writer.write(w.address(), w.data().duplicate());
                continue;
            }
            if (zeros == null && w.length() > 0) {
                zeros = ByteBuffer.allocate((int) Math.min(ZERO_CHUNK, w.length()));
            }
            for (long done = 0; done < w.length(); ) {
                int n = (int) Math.min(zeros.capacity(), w.length() - done);
                writer.write(w.address().uncheckedAdd(done), zeros.duplicate().limit(n));
                done += n;
            }
        }
    }
}
