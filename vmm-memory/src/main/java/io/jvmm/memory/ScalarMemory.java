package io.jvmm.memory;

/**
 * Memory read and written one little-endian scalar at a time, at byte offsets from its start: the
 * one accessor vocabulary of {@link MemoryMapping} and {@link VolatileSlice} (both implemented by
 * the same code), named after crosvm's {@code MemoryMapping::read_obj}/{@code write_obj} with the
 * value first, then the offset. Three orderings, as the JDK's {@code VarHandle} access modes name
 * them:
 *
 * <ul>
 *   <li><b>plain</b> ({@code readLong}, {@code writeLong}, ...): any alignment; the JIT may reorder or
 *       merge them, which is right for memory only this thread touches (a loader's image);
 *   <li><b>volatile</b> ({@code readLongVolatile}, ...): naturally aligned, untorn, sequentially
 *       consistent, as a device register or a shared flag needs;
 *   <li><b>acquire/release</b> ({@code readLongAcquire}, {@code writeLongRelease}, ...): naturally
 *       aligned and untorn, ordered only as publication needs (virtio 1.2 §2.7.13: the driver's index
 *       store is a release, the device's load of it an acquire); cheaper than volatile.
 * </ul>
 *
 * <p>Every accessor checks before it touches memory: the memory is open, its protection allows the
 * access, the whole value lies inside, and for the ordered forms its offset in the mapping is a
 * multiple of its width. A failed check throws and changes nothing; nothing allocates.
 *
 * <p>Exceptions, the same for every accessor: {@link MmapException} {@code INVALID_ADDRESS} when the
 * value's bytes are not all inside (a negative offset included), {@code INVALID_ALIGNMENT} for an
 * ordered access at an offset that is not a multiple of its width, {@code INVALID_ARGUMENT} when
 * the protection forbids the access, {@code INVALID_RANGE} when a file shrunk under a mapping no
 * longer holds the bytes; {@link io.jvmm.core.ClosedException} once the memory is closed, whatever
 * the arguments.
 */
public interface ScalarMemory {

    /**
     * Reads 8 little-endian bytes at {@code offset}, at any alignment.
     *
     * @param offset the offset in bytes from the start
     * @return the value stored there
     */
    long readLong(long offset);

    /**
     * Writes {@code value} as 8 little-endian bytes at {@code offset}, at any alignment.
     *
     * @param value  the value to store
     * @param offset the offset in bytes from the start
     */
    void writeLong(long value, long offset);

    /**
     * Reads 4 little-endian bytes at {@code offset}, at any alignment.
     *
     * @param offset the offset in bytes from the start
     * @return the value stored there
     */
    int readInt(long offset);

    /**
     * Writes {@code value} as 4 little-endian bytes at {@code offset}, at any alignment.
     *
     * @param value  the value to store
     * @param offset the offset in bytes from the start
     */
    void writeInt(int value, long offset);

    /**
     * Reads 2 little-endian bytes at {@code offset}, at any alignment.
     *
     * @param offset the offset in bytes from the start
     * @return the value stored there
     */
    short readShort(long offset);

    /**
     * Writes {@code value} as 2 little-endian bytes at {@code offset}, at any alignment.
     *
     * @param value  the value to store
     * @param offset the offset in bytes from the start
     */
    void writeShort(short value, long offset);

    /**
     * Reads one byte at {@code offset}, at any alignment.
     *
     * @param offset the offset in bytes from the start
     * @return the value stored there
     */
    byte readByte(long offset);

    /**
     * Writes {@code value} as one byte at {@code offset}, at any alignment.
     *
     * @param value  the value to store
     * @param offset the offset in bytes from the start
     */
    void writeByte(byte value, long offset);

    /**
     * Reads 8 little-endian bytes at {@code offset}, in one untorn access with volatile semantics
     * ({@code VarHandle.getVolatile}/{@code setVolatile}).
     *
     * @param offset the offset in bytes from the start, a multiple of 8
     * @return the value stored there
     */
    long readLongVolatile(long offset);

    /**
     * Writes {@code value} as 8 little-endian bytes at {@code offset}, in one untorn access with
     * volatile semantics ({@code VarHandle.getVolatile}/{@code setVolatile}).
     *
     * @param value  the value to store
     * @param offset the offset in bytes from the start, a multiple of 8
     */
    void writeLongVolatile(long value, long offset);

    /**
     * Reads 4 little-endian bytes at {@code offset}, in one untorn access with volatile semantics
     * ({@code VarHandle.getVolatile}/{@code setVolatile}).
     *
     * @param offset the offset in bytes from the start, a multiple of 4
     * @return the value stored there
     */
    int readIntVolatile(long offset);

    /**
     * Writes {@code value} as 4 little-endian bytes at {@code offset}, in one untorn access with
     * volatile semantics ({@code VarHandle.getVolatile}/{@code setVolatile}).
     *
     * @param value  the value to store
     * @param offset the offset in bytes from the start, a multiple of 4
     */
    void writeIntVolatile(int value, long offset);

    /**
     * Reads 2 little-endian bytes at {@code offset}, in one untorn access with volatile semantics
     * ({@code VarHandle.getVolatile}/{@code setVolatile}).
     *
     * @param offset the offset in bytes from the start, a multiple of 2
     * @return the value stored there
     */
    short readShortVolatile(long offset);

    /**
     * Writes {@code value} as 2 little-endian bytes at {@code offset}, in one untorn access with
     * volatile semantics ({@code VarHandle.getVolatile}/{@code setVolatile}).
     *
     * @param value  the value to store
     * @param offset the offset in bytes from the start, a multiple of 2
     */
    void writeShortVolatile(short value, long offset);

    /**
     * Reads one byte at {@code offset}, in one untorn access with volatile semantics
     * ({@code VarHandle.getVolatile}/{@code setVolatile}).
     *
     * @param offset the offset in bytes from the start
     * @return the value stored there
     */
    byte readByteVolatile(long offset);

    /**
     * Writes {@code value} as one byte at {@code offset}, in one untorn access with volatile semantics
     * ({@code VarHandle.getVolatile}/{@code setVolatile}).
     *
     * @param value  the value to store
     * @param offset the offset in bytes from the start
     */
    void writeByteVolatile(byte value, long offset);

    /**
     * Reads 8 little-endian bytes at {@code offset} with acquire semantics
     * ({@code VarHandle.getAcquire}): no later access moves before it.
     *
     * @param offset the offset in bytes from the start, a multiple of 8
     * @return the value stored there
     */
    long readLongAcquire(long offset);

    /**
     * Writes {@code value} as 8 little-endian bytes at {@code offset} with release semantics
     * ({@code VarHandle.setRelease}): no earlier access moves after it.
     *
     * @param value  the value to store
     * @param offset the offset in bytes from the start, a multiple of 8
     */
    void writeLongRelease(long value, long offset);

    /**
     * Reads 4 little-endian bytes at {@code offset} with acquire semantics
     * ({@code VarHandle.getAcquire}): no later access moves before it.
     *
     * @param offset the offset in bytes from the start, a multiple of 4
     * @return the value stored there
     */
    int readIntAcquire(long offset);

    /**
     * Writes {@code value} as 4 little-endian bytes at {@code offset} with release semantics
     * ({@code VarHandle.setRelease}): no earlier access moves after it.
     *
     * @param value  the value to store
     * @param offset the offset in bytes from the start, a multiple of 4
     */
    void writeIntRelease(int value, long offset);

    /**
     * Reads 2 little-endian bytes at {@code offset} with acquire semantics
     * ({@code VarHandle.getAcquire}): no later access moves before it.
     *
     * @param offset the offset in bytes from the start, a multiple of 2
     * @return the value stored there
     */
    short readShortAcquire(long offset);

    /**
     * Writes {@code value} as 2 little-endian bytes at {@code offset} with release semantics
     * ({@code VarHandle.setRelease}): no earlier access moves after it.
     *
     * @param value  the value to store
     * @param offset the offset in bytes from the start, a multiple of 2
     */
    void writeShortRelease(short value, long offset);
}
