package io.jvmm.memory;

import java.util.BitSet;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The dirty log of one region of a {@link GuestMemory} created with
 * {@link GuestMemory#createWithDirtyTracking}: one bit per page, set atomically by every write
 * through the guest memory's API, cleared by {@link #drain()}. The model is vm-memory's
 * {@code AtomicBitmap}: a write marks after its store, so a drain that races with a write either
 * sees the bit (and the copy it triggers sees the new bytes) or leaves it set for the next drain;
 * no write is ever lost between two drains.
 *
 * <p>Marking is a read of the word first and a {@code getAndBitwiseOr} only when a bit is
 * missing: a page that is written over and over (a ring index) costs one load per write after its
 * first, not an atomic read-modify-write.
 */
final class DirtyBitmap {
    private final AtomicLongArray words;
    private final int pageShift;
    private final long pages;

    DirtyBitmap(long regionSize, long pageSize) {
        this.pageShift = Long.numberOfTrailingZeros(pageSize);
        this.pages = regionSize >>> pageShift;
        long wordCount = (pages + 63) >>> 6;
        if (wordCount > Integer.MAX_VALUE) {
            throw new GuestMemoryException(GuestMemoryException.Kind.MEMORY_REGION_TOO_LARGE,
                "a dirty bitmap of " + pages + " pages does not fit one array");
        }
        this.words = new AtomicLongArray((int) wordCount);
    }

    /** Marks every page that {@code [offset, offset + length)} (region offsets, in bounds) touches. */
    void mark(long offset, long length) {
        if (length <= 0) {
            return;
        }
        long first = offset >>> pageShift;
        long last = (offset + length - 1) >>> pageShift;
        for (long page = first; page <= last; page++) {
            int word = (int) (page >>> 6);
            long bit = 1L << (page & 63);
            if ((words.get(word) & bit) == 0) {
                words.getAndAccumulate(word, bit, (a, b) -> a | b);
            }
        }
    }

    /** Marks every page (a restore replaced the whole memory). */
    void markAll() {
        mark(0, pages << pageShift);
    }

    boolean isDirty(long offset) {
        long page = offset >>> pageShift;
        return (words.get((int) (page >>> 6)) & (1L << (page & 63))) != 0;
    }

    /**
     * The pages written since the last drain (bit {@code i} = page {@code i} of the region), and
     * clears them: each word is swapped for zero atomically, so a mark that races with the drain
     * lands either in this result or in the next one.
     */
    BitSet drain() {
        long[] copy = new long[words.length()];
        for (int i = 0; i < copy.length; i++) {
            copy[i] = words.get(i) == 0 ? 0 : words.getAndSet(i, 0);
        }
        return BitSet.valueOf(copy);
    }
}
