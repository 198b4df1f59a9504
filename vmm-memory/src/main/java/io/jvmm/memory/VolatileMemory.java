package io.jvmm.memory;

/** Memory that hands out bounds-checked {@link VolatileSlice}s of itself. */
public interface VolatileMemory {
    /**
     * A slice of {@code count} bytes starting at {@code offset}. The slice shares the memory's
     * lifetime: once the memory is closed, the slice's accessors throw too.
     *
     * @param offset the offset in bytes of the slice's first byte, from 0
     * @param count  the slice's length in bytes; 0 gives an empty slice
     * @return the slice of {@code [offset, offset + count)}
     * @throws MmapException {@code INVALID_ARGUMENT} for a negative offset or count (checked first),
     *     {@code OVERFLOW} when {@code offset + count} overflows, and {@code OUT_OF_BOUNDS} when the
     *     slice would end past the memory's size
     * @throws io.jvmm.core.ClosedException after the memory was closed
     */
    VolatileSlice getSlice(long offset, long count);
}
