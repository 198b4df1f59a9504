package io.jvmm.memory;

import io.jvmm.core.ErrorDetails;

import java.util.Objects;

/**
 * The checked scalar accessors, written once: {@link MemoryMapping} (a window of the whole
 * mapping) and {@link VolatileSlice} (a window at {@code base}) both delegate here, and
 * {@link GuestMemory}, which finds the region and checks bounds itself, calls the raw
 * {@link MappingState} accessors these end in. Each is: the access check (open, protection, a
 * truncatable file), one unsigned bounds compare against the window, for the ordered forms the
 * natural-alignment check of the mapping offset, and one raw access. Exceptions are built in cold
 * methods so that every accessor stays small enough to inline at its caller.
 *
 * <p>The window is {@code [base, base + limit)} of the mapping; {@code offset} is relative to
 * {@code base}. Callers pass their own final fields, so the parameters cannot be mixed up by a
 * user.
 */
final class ScalarAccess {
    private ScalarAccess() {
    }

    // ---- plain: any alignment, whole or nothing ----

    static long readLong(MappingState state, long base, long limit, long offset) {
        state.checkRead(base + offset, Long.BYTES);
        checkRange(base, limit, offset, Long.BYTES);
        return state.getLong(base + offset);
    }

    static void writeLong(MappingState state, long base, long limit, long offset, long value) {
        state.checkWrite(base + offset, Long.BYTES);
        checkStoreRange(base, limit, offset, Long.BYTES);
        state.putLong(base + offset, value);
    }

    static int readInt(MappingState state, long base, long limit, long offset) {
        state.checkRead(base + offset, Integer.BYTES);
        checkRange(base, limit, offset, Integer.BYTES);
        return state.getInt(base + offset);
    }

    static void writeInt(MappingState state, long base, long limit, long offset, int value) {
        state.checkWrite(base + offset, Integer.BYTES);
        checkStoreRange(base, limit, offset, Integer.BYTES);
        state.putInt(base + offset, value);
    }

    static short readShort(MappingState state, long base, long limit, long offset) {
        state.checkRead(base + offset, Short.BYTES);
        checkRange(base, limit, offset, Short.BYTES);
        return state.getShort(base + offset);
    }

    static void writeShort(MappingState state, long base, long limit, long offset, short value) {
        state.checkWrite(base + offset, Short.BYTES);
        checkStoreRange(base, limit, offset, Short.BYTES);
        state.putShort(base + offset, value);
    }

    static byte readByte(MappingState state, long base, long limit, long offset) {
        state.checkRead(base + offset, Byte.BYTES);
        checkRange(base, limit, offset, Byte.BYTES);
        return state.getByte(base + offset);
    }

    static void writeByte(MappingState state, long base, long limit, long offset, byte value) {
        state.checkWrite(base + offset, Byte.BYTES);
        checkStoreRange(base, limit, offset, Byte.BYTES);
        state.putByte(base + offset, value);
    }

    // ---- volatile: naturally aligned, untorn, sequentially consistent ----

    static long readLongVolatile(MappingState state, long base, long limit, long offset) {
        state.checkRead(base + offset, Long.BYTES);
        checkAligned(base, limit, offset, Long.BYTES);
        return state.getLongVolatile(base + offset);
    }

    static void writeLongVolatile(MappingState state, long base, long limit, long offset, long value) {
        state.checkWrite(base + offset, Long.BYTES);
        checkAligned(base, limit, offset, Long.BYTES);
        state.putLongVolatile(base + offset, value);
    }

    static int readIntVolatile(MappingState state, long base, long limit, long offset) {
        state.checkRead(base + offset, Integer.BYTES);
        checkAligned(base, limit, offset, Integer.BYTES);
        return state.getIntVolatile(base + offset);
    }

    static void writeIntVolatile(MappingState state, long base, long limit, long offset, int value) {
        state.checkWrite(base + offset, Integer.BYTES);
        checkAligned(base, limit, offset, Integer.BYTES);
        state.putIntVolatile(base + offset, value);
    }

    static short readShortVolatile(MappingState state, long base, long limit, long offset) {
        state.checkRead(base + offset, Short.BYTES);
        checkAligned(base, limit, offset, Short.BYTES);
        return state.getShortVolatile(base + offset);
    }

    static void writeShortVolatile(MappingState state, long base, long limit, long offset, short value) {
        state.checkWrite(base + offset, Short.BYTES);
        checkAligned(base, limit, offset, Short.BYTES);
        state.putShortVolatile(base + offset, value);
    }

    static byte readByteVolatile(MappingState state, long base, long limit, long offset) {
        state.checkRead(base + offset, Byte.BYTES);
        checkRange(base, limit, offset, Byte.BYTES);
        return state.getByteVolatile(base + offset);
    }

    static void writeByteVolatile(MappingState state, long base, long limit, long offset, byte value) {
        state.checkWrite(base + offset, Byte.BYTES);
        checkRange(base, limit, offset, Byte.BYTES);
        state.putByteVolatile(base + offset, value);
    }

    // ---- acquire loads and release stores (virtio 1.2 §2.7.13 index publication) ----

    static long readLongAcquire(MappingState state, long base, long limit, long offset) {
        state.checkRead(base + offset, Long.BYTES);
        checkAligned(base, limit, offset, Long.BYTES);
        return state.getLongAcquire(base + offset);
    }

    static void writeLongRelease(MappingState state, long base, long limit, long offset, long value) {
        state.checkWrite(base + offset, Long.BYTES);
        checkAligned(base, limit, offset, Long.BYTES);
        state.putLongRelease(base + offset, value);
    }

    static int readIntAcquire(MappingState state, long base, long limit, long offset) {
        state.checkRead(base + offset, Integer.BYTES);
        checkAligned(base, limit, offset, Integer.BYTES);
        return state.getIntAcquire(base + offset);
    }

    static void writeIntRelease(MappingState state, long base, long limit, long offset, int value) {
        state.checkWrite(base + offset, Integer.BYTES);
        checkAligned(base, limit, offset, Integer.BYTES);
        state.putIntRelease(base + offset, value);
    }

    static short readShortAcquire(MappingState state, long base, long limit, long offset) {
        state.checkRead(base + offset, Short.BYTES);
        checkAligned(base, limit, offset, Short.BYTES);
        return state.getShortAcquire(base + offset);
    }

    static void writeShortRelease(MappingState state, long base, long limit, long offset, short value) {
        state.checkWrite(base + offset, Short.BYTES);
        checkAligned(base, limit, offset, Short.BYTES);
        state.putShortRelease(base + offset, value);
    }

    /** The bounds check of every accessor, and of MemoryMapping's structure copies. */
    static void checkRange(long base, long limit, long offset, int length) {
        // One unsigned compare: a negative offset is a huge unsigned one. The bound is clamped at
        // 0 for a window smaller than the access, where no offset is inside.
        if (Long.compareUnsigned(offset, Math.max(limit - length + 1, 0)) >= 0) {
            throw outside(base, limit, offset, length);
        }
    }

    /**
     * The bounds check of the plain stores: the same test as {@link #checkRange}, written as
     * {@link Objects#checkIndex(long, long)}, which C2 compiles to one unsigned compare (a range
     * check it knows). With the {@code VarHandle} store of {@link MappingState#putLong} it made
     * the hot-window store loop about 25% faster; for loads it measured slower than the plain
     * unsigned compare, so loads keep that (docs/performance.md, "Hot-window 8-byte accesses").
     * A window smaller than the access gives a negative length, which fails every index.
     */
    static void checkStoreRange(long base, long limit, long offset, int length) {
        try {
            Objects.checkIndex(offset, limit - length + 1);
        } catch (IndexOutOfBoundsException e) {
            throw outside(base, limit, offset, length);
        }
    }

    /** As {@link #checkRange}, and the mapping offset a multiple of {@code length} (a power of two). */
    private static void checkAligned(long base, long limit, long offset, int length) {
        checkRange(base, limit, offset, length);
        if (((base + offset) & (length - 1)) != 0) {
            throw misaligned(base, limit, offset, length);
        }
    }

    private static MmapException outside(long base, long limit, long offset, int length) {
        return new MmapException(MmapException.Kind.INVALID_ADDRESS,
            "access of " + length + " bytes at offset " + offset + " is outside " + window(base, limit),
            ErrorDetails.ofAccess(offset, length, limit));
    }

    private static MmapException misaligned(long base, long limit, long offset, int length) {
        return new MmapException(MmapException.Kind.INVALID_ALIGNMENT,
            length + "-byte ordered access at offset " + offset + (base == 0 ? "" : " (mapping offset " + (base + offset) + ")")
                + " of " + window(base, limit) + " is not naturally aligned",
            ErrorDetails.ofAccess(offset, length, limit));
    }

    private static String window(long base, long limit) {
        return base == 0 ? "mapping of size " + limit : "slice of size " + limit + " at mapping offset " + base;
    }
}
