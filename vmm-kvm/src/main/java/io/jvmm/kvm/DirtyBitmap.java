package io.jvmm.kvm;

import java.util.Arrays;
import java.util.stream.IntStream;

/**
 * The pages of one memory slot written since the previous {@code KVM_GET_DIRTY_LOG} (which clears
 * the log as it reads it): bit {@code i} stands for the page at
 * {@code guestPhysAddr + i * pageSize}. Returned by {@link Vm#getDirtyLog}; immutable, so it
 * may be shared between threads.
 */
public final class DirtyBitmap {
    private final int slot;
    private final long guestPhysAddr;
    private final long pageSize;
    private final int pages;
    private final long[] words;

    DirtyBitmap(int slot, long guestPhysAddr, long pageSize, int pages, long[] words) {
        this.slot = slot;
        this.guestPhysAddr = guestPhysAddr;
        this.pageSize = pageSize;
        this.pages = pages;
        this.words = words;
    }

    /** {@return the memory slot number the log was read from} */
    public int slot() {
        return slot;
    }

    /** {@return the number of pages the slot covers (its size divided by {@link #pageSize()})} */
    public int pageCount() {
        return pages;
    }

    /** {@return the size in bytes of the page one bit stands for: the host page size} */
    public long pageSize() {
        return pageSize;
    }

    /**
     * Whether page {@code page} (0-based within the slot) was written.
     *
     * @param page the page index, from 0 to below {@link #pageCount()}
     * @return {@code true} if the guest wrote to the page
     * @throws IndexOutOfBoundsException if {@code page} is outside the slot
     */
    public boolean isDirty(int page) {
        if (page < 0 || page >= pages) {
            throw new IndexOutOfBoundsException("page " + page + " outside slot " + slot + " of " + pages + " pages");
        }
        return (words[page >>> 6] & (1L << (page & 63))) != 0;
    }

    /**
     * Whether the page holding guest-physical {@code address} was written.
     *
     * @param address any guest-physical address inside the slot
     * @return {@code true} if the guest wrote to the page holding it
     * @throws IndexOutOfBoundsException if {@code address} is outside the slot
     */
    public boolean isDirtyAt(long address) {
        long offset = address - guestPhysAddr;
        if (offset < 0 || offset >= pages * pageSize) {
            throw new IndexOutOfBoundsException(String.format("guest address 0x%x outside slot %d [0x%x, 0x%x)",
                address, slot, guestPhysAddr, guestPhysAddr + pages * pageSize));
        }
        return isDirty((int) (offset / pageSize));
    }

    /** {@return the written pages' indices (0-based within the slot), ascending, in a new array} */
    public int[] dirtyPages() {
        return IntStream.range(0, pages).filter(this::isDirty).toArray();
    }

    /** {@return how many pages were written} */
    public int dirtyCount() {
        return Arrays.stream(words).mapToInt(Long::bitCount).sum();
    }

    @Override
    public String toString() {
        return "DirtyBitmap[slot " + slot + ", " + dirtyCount() + " of " + pages + " pages dirty]";
    }
}
