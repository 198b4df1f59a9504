package io.jvmm.memory;

/**
 * Linux memory advice and locking on a range of a mapping. Each call takes a range relative to the
 * mapping's start and throws {@link MmapException} {@code INVALID_RANGE} when it is not inside the
 * mapping, {@code SYSTEM_CALL_FAILED} (with errno) when the kernel refuses.
 */
public interface MemoryMappingUnix {
    /** Frees the backing of the range ({@code MADV_REMOVE}); it then reads back as zeros. */
    void removeRange(long offset, long count);

    /** Asks the kernel to read the range in ahead of use ({@code MADV_WILLNEED}). */
    void asyncPrefetch(long offset, long count);

    /** Drops the range's pages from this process ({@code MADV_DONTNEED}). */
    void dropPageCache(long offset, long count);

    /** Locks pages of the range in RAM as they are faulted in ({@code mlock2(MLOCK_ONFAULT)}). */
    void lockOnFault(long offset, long count);

    /** Undoes a lock on the range ({@code munlock}). */
    void unlock(long offset, long count);

    /** Locks the whole mapping as it is faulted in. */
    void lockAll();
}
