package io.jvmm.memory;

/** Memory that hands out bounds-checked {@link VolatileSlice}s of itself. */
public interface VolatileMemory {
    /**
     * A slice of {@code count} bytes starting at {@code offset}.
     *
     * @throws MmapException {@code OVERFLOW} when {@code offset + count} overflows,
     *     {@code OUT_OF_BOUNDS} when the slice would end past the memory's size, and
     *     {@code INVALID_ARGUMENT} for a negative offset or count
     * @throws IllegalStateException after the memory was closed
     */
    VolatileSlice getSlice(long offset, long count);
}
