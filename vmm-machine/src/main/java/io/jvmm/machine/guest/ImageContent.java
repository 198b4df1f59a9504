package io.jvmm.machine.guest;

import io.jvmm.memory.GuestAddress;
import io.jvmm.memory.GuestMemory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Objects;

/**
 * The bytes of a {@link GuestImage}: an array (built-in guests), or a file that is copied into guest
 * memory in pieces when the machine is built, so that an image of gigabytes never sits in the Java
 * heap (issue 7: a 3 GiB raw image used to end in {@code OutOfMemoryError}).
 */
public sealed interface ImageContent permits ImageContent.Bytes, ImageContent.FileRange {
    /** {@return how many bytes the image has} */
    long size();

    /**
     * Writes the image to {@code memory} from {@code address}; the range must lie inside one
     * region (the machine's checks ensure that).
     *
     * @param memory the guest memory to write
     * @param address the guest-physical address of the image's first byte
     * @throws UncheckedIOException when a file cannot be read, or no longer has {@link #size()} bytes
     * @throws io.jvmm.memory.GuestMemoryException when the range is not inside one region
     */
    void copyTo(GuestMemory memory, GuestAddress address);

    /**
     * Bytes held in memory; the array is copied on the way in.
     *
     * @param bytes the image's bytes
     * @return a {@link Bytes} of a copy of {@code bytes}
     * @throws NullPointerException when {@code bytes} is null
     */
    static ImageContent of(byte[] bytes) {
        return new Bytes(bytes.clone());
    }

    /**
     * The bytes of an array. Equal to another {@code Bytes} with the same bytes.
     *
     * @param bytes the bytes; kept as given (use {@link ImageContent#of} for a copy), returned only as copies
     */
    record Bytes(byte[] bytes) implements ImageContent {
        /**
         * Content of {@code bytes}, not copied.
         *
         * @param bytes the bytes; kept as given
         * @throws NullPointerException when {@code bytes} is null
         */
        public Bytes {
            Objects.requireNonNull(bytes, "bytes");
        }

        /** {@return a copy of the bytes} */
        @Override
        public byte[] bytes() {
            return bytes.clone();
        }

        @Override
        public long size() {
            return bytes.length;
        }

        @Override
        public void copyTo(GuestMemory memory, GuestAddress address) {
            memory.writeAllAtAddr(bytes, address);
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Bytes that && Arrays.equals(bytes, that.bytes);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(bytes);
        }

        @Override
        public String toString() {
            return "Bytes[" + bytes.length + "]";
        }
    }

    /**
     * The first {@code size} bytes of {@code file}, read when copied. Pieces that are all zeros are
     * not written: guest memory starts zeroed, so a sparse image costs no guest pages for its holes.
     *
     * @param file the file, read when {@link #copyTo} runs
     * @param size how many bytes it had when it was checked
     */
    record FileRange(Path file, long size) implements ImageContent {
        /** The piece read and written at a time. */
        static final int PIECE = 1 << 20;

        /**
         * A range to read from {@code file}; the file is not opened here.
         *
         * @param file the file, read when {@link #copyTo} runs
         * @param size how many bytes it had when it was checked, at least 1
         * @throws NullPointerException when {@code file} is null
         * @throws IllegalArgumentException when {@code size} is 0 or negative
         */
        public FileRange {
            Objects.requireNonNull(file, "file");
            if (size <= 0) {
                throw new IllegalArgumentException("image file " + file + ": size must be positive, got " + size);
            }
        }

        @Override
        public void copyTo(GuestMemory memory, GuestAddress address) {
            ByteBuffer piece = ByteBuffer.allocate((int) Math.min(PIECE, size));
            try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
                long done = 0;
                while (done < size) {
                    piece.clear().limit((int) Math.min(piece.capacity(), size - done));
                    while (piece.hasRemaining()) {
                        if (in.read(piece, done + piece.position()) < 0) {
                            throw new IOException("it ended after " + (done + piece.position()) + " of the "
                                + size + " bytes it had when it was checked");
                        }
                    }
                    piece.flip();
                    if (!allZero(piece)) {
                        memory.writeStructAtAddr(piece, GuestAddress.of(address.offset() + done));
                    }
                    done += piece.limit();
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read image " + file + ": " + e.getMessage(), e);
            }
        }

        private static boolean allZero(ByteBuffer b) {
            byte[] a = b.array();
            for (int i = 0, n = b.limit(); i < n; i++) {
                if (a[i] != 0) {
                    return false;
                }
            }
            return true;
        }
    }
}
