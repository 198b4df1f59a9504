package io.jvmm.loader;

import io.jvmm.memory.GuestAddress;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
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

    /**
     * One write: {@code length} bytes at {@code address}, from {@code data}, else from the first
     * {@code length} bytes of {@code file}, else zeros.
     */
    record Write(GuestAddress address, ByteBuffer data, Path file, long length, String what) {
        static Write bytes(long address, ByteBuffer data, String what) {
            return new Write(GuestAddress.of(address), data.asReadOnlyBuffer(), null, data.remaining(), what);
        }

        /** A file streamed in pieces when written, so that it never sits whole in the Java heap. */
        static Write file(long address, Path file, long length, String what) {
            return new Write(GuestAddress.of(address), null, file, length, what);
        }

        static Write zeros(long address, long length, String what) {
            return new Write(GuestAddress.of(address), null, null, length, what);
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

    /**
     * Carries out the writes in order. The checks were done when the plan was made; what can fail
     * here is the guest memory (the writer's exception) or a streamed file that can no longer be
     * read or got shorter since it was checked ({@link LoaderException.Reason#UNREADABLE_FILE}),
     * which leaves the writes before it done.
     */
    void writeTo(GuestWriter writer) {
        // One buffer of zeros, as large as the largest zero write needs (an ELF's first segment
        // may have 1 byte of bss and a later one gigabytes).
        long zeroNeed = 0;
        for (Write w : writes) {
            if (w.data() == null && w.file() == null) {
                zeroNeed = Math.max(zeroNeed, Math.min(ZERO_CHUNK, w.length()));
            }
        }
        ByteBuffer zeros = ByteBuffer.allocate((int) zeroNeed);
        for (Write w : writes) {
            if (w.data() != null) {
                writer.write(w.address(), w.data().duplicate());
            } else if (w.file() != null) {
                stream(w, writer);
            } else {
                for (long done = 0; done < w.length(); ) {
                    int n = (int) Math.min(zeros.capacity(), w.length() - done);
                    writer.write(w.address().uncheckedAdd(done), zeros.duplicate().limit(n));
                    done += n;
                }
            }
        }
    }

    private static void stream(Write w, GuestWriter writer) {
        ByteBuffer piece = ByteBuffer.allocate((int) Math.min(ZERO_CHUNK, w.length()));
        try (FileChannel in = FileChannel.open(w.file(), StandardOpenOption.READ)) {
            for (long done = 0; done < w.length(); ) {
                piece.clear().limit((int) Math.min(piece.capacity(), w.length() - done));
                while (piece.hasRemaining()) {
                    if (in.read(piece, done + piece.position()) < 0) {
                        throw new LoaderException(LoaderException.Reason.UNREADABLE_FILE, String.format(
                            "%s %s changed while it was read: it ends after %d of its %d bytes", w.what(), w.file(),
                            done + piece.position(), w.length()));
                    }
                }
                writer.write(w.address().uncheckedAdd(done), piece.flip());
                done += piece.limit();
            }
        } catch (IOException | SecurityException e) {
            throw new LoaderException(LoaderException.Reason.UNREADABLE_FILE,
                w.what() + " " + w.file() + ": cannot be read: " + LinuxLoader.describe(e), e);
        }
    }
}
