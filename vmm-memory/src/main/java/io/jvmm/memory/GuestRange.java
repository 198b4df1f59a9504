package io.jvmm.memory;

import java.util.Objects;

/**
 * A range of guest physical memory: {@code size} bytes from {@code start}. A plain value: only
 * {@code start} is checked here; the calls that take a range check the size and the bounds.
 *
 * @param start the guest physical address of the first byte
 * @param size  the length in bytes; {@link GuestMemory#create} requires it positive and page aligned
 */
public record GuestRange(GuestAddress start, long size) {
    /**
     * Checks that {@code start} is present.
     *
     * @param start the guest physical address of the first byte
     * @param size  the length in bytes
     * @throws NullPointerException when {@code start} is null
     */
    public GuestRange {
        Objects.requireNonNull(start, "start");
    }

    /**
     * A range from raw numbers.
     *
     * @param start the guest physical address of the first byte (unsigned 64-bit)
     * @param size  the length in bytes
     * @return {@code new GuestRange(GuestAddress.of(start), size)}
     */
    public static GuestRange of(long start, long size) {
        return new GuestRange(GuestAddress.of(start), size);
    }
}
