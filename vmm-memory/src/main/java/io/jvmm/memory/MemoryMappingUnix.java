package io.jvmm.memory;

/**
 * Linux memory advice and locking on a range of a mapping. Each call takes a range relative to the
 * mapping's start and throws {@link MmapException} {@code INVALID_RANGE} when it is not inside the
 * mapping (a negative offset or count included), {@code SYSTEM_CALL_FAILED} (with errno) when the
 * kernel refuses, and {@link io.jvmm.core.ClosedException} after the mapping was closed.
 */
public interface MemoryMappingUnix {
    /**
     * Frees the backing of the range ({@code MADV_REMOVE}); it then reads back as zeros.
     *
     * @param offset the offset in bytes of the range's first byte, from the mapping's start
     * @param count  the range's length in bytes
     */
    void removeRange(long offset, long count);

    /**
     * Asks the kernel to read the range in ahead of use ({@code MADV_WILLNEED}); returns without
     * waiting for the reads.
     *
     * @param offset the offset in bytes of the range's first byte, from the mapping's start
     * @param count  the range's length in bytes
     */
    void asyncPrefetch(long offset, long count);

    /**
     * Drops the range's pages from this process ({@code MADV_DONTNEED}).
     *
     * @param offset the offset in bytes of the range's first byte, from the mapping's start
     * @param count  the range's length in bytes
     */
    void dropPageCache(long offset, long count);

    /**
     * Locks pages of the range in RAM as they are faulted in ({@code mlock2(MLOCK_ONFAULT)}), so
     * they are never swapped out; pages not yet touched are not faulted in by this call.
     *
     * @param offset the offset in bytes of the range's first byte, from the mapping's start
     * @param count  the range's length in bytes
     */
    void lockOnFault(long offset, long count);

    /**
     * Undoes a lock on the range ({@code munlock}).
     *
     * @param offset the offset in bytes of the range's first byte, from the mapping's start
     * @param count  the range's length in bytes
     */
    void unlock(long offset, long count);

    /** Locks the whole mapping as it is faulted in: {@link #lockOnFault} from 0 over the mapping's size. */
    void lockAll();
}
