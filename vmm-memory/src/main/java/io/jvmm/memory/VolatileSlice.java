package io.jvmm.memory;

import io.jvmm.core.ErrorDetails;
import java.lang.ref.Reference;

/**
 * A bounds-checked window of {@link #size()} bytes into a mapping. Its bytes may change at any time
 * (a guest or device writes them), hence "volatile" as in crosvm: reads are copies, never views.
 * A slice shares its mapping's lifetime: once the mapping is closed every call that touches memory
 * throws {@link io.jvmm.core.ClosedException}, whatever its arguments. Bad offsets and counts throw
 * {@link MmapException}; a {@code null} array or slice of an open mapping is a
 * {@link NullPointerException}. A slice of a file that was shrunk under it throws
 * {@code MmapException} {@code INVALID_RANGE} for bytes that are gone (see {@code FileGuard}).
 *
 * <p>Its scalar accessors are those of {@link ScalarMemory}, at offsets from the slice's first byte,
 * implemented by the same code as {@link MemoryMapping}'s; the ordered forms require the offset in
 * the mapping to be naturally aligned.
 *
 * <p>A slice taken from a {@link GuestMemory} that tracks dirty pages marks the pages it writes
 * ({@link #writeBytes}, {@link #copyFrom}, the scalar writes, and {@link #copyToVolatileSlice} for
 * its destination);
 * {@link #asPtr()} hands out a raw address whose writes nobody can see.
 *
 * <p>The copy methods copy the smaller of the two sizes and return the count, as crosvm's do. A
 * slice of more than {@code Integer.MAX_VALUE} bytes copies at most an array's length.
 *
 * <p>A slice is immutable and may be used from any thread; concurrent copies into the same bytes
 * are not atomic with respect to each other.
 */
public final class VolatileSlice implements ScalarMemory {
    private final MappingState state;
    /** Offset of the slice's first byte within {@link #state}. */
    private final long base;
    private final long size;
    /**
     * The dirty log of the guest memory region this slice came from ({@code base} is then an
     * offset in that region); null for a slice of a plain mapping or of untracked guest memory.
     */
    private final DirtyBitmap dirty;

    VolatileSlice(MappingState state, long base, long size) {
        this(state, base, size, null);
    }

    VolatileSlice(MappingState state, long base, long size, DirtyBitmap dirty) {
        this.state = state;
        this.base = base;
        this.size = size;
        this.dirty = dirty;
    }

    /** This slice, marking {@code dirty} on every write through it (for {@link GuestMemory}). */
    VolatileSlice withDirtyLog(DirtyBitmap log) {
        return log == null ? this : new VolatileSlice(state, base, size, log);
    }

    /** The mapping state and offset, for {@link GuestMemory}'s channel transfers. */
    MappingState state() {
        return state;
    }

    long base() {
        return base;
    }

    /** Marks {@code [offset, offset + length)} of this slice dirty, after the write (see {@link DirtyBitmap}). */
    private void marked(long offset, long length) {
        if (dirty != null) {
            dirty.mark(base + offset, length);
        }
    }

    /**
     * The host address of the first byte, for handing to the kernel; writes through it are not
     * marked dirty.
     *
     * @return the address
     * @throws io.jvmm.core.ClosedException after the mapping was closed
     */
    public long asPtr() {
        state.checkOpen();
        return state.address + base;
    }

    /** {@return the length in bytes; still answers after the mapping was closed} */
    public long size() {
        return size;
    }

    /**
     * The sub-slice of {@code count} bytes from {@code offset}. It shares this slice's mapping and
     * dirty log.
     *
     * @param offset the offset in bytes from this slice's first byte
     * @param count  the sub-slice's length in bytes
     * @return the slice of {@code [offset, offset + count)} of this one
     * @throws MmapException {@code OVERFLOW}, {@code OUT_OF_BOUNDS} or {@code INVALID_ARGUMENT}
     *     as for {@link VolatileMemory#getSlice}, against this slice's size
     * @throws io.jvmm.core.ClosedException after the mapping was closed
     */
    public VolatileSlice subSlice(long offset, long count) {
        state.checkOpen();
        checkSliceRange(offset, count, size);
        return new VolatileSlice(state, base + offset, count, dirty);
    }

    /**
     * The slice that starts {@code n} bytes into this one and runs to its end.
     *
     * @param n the number of bytes to skip, 0 to {@link #size()}
     * @return a slice of {@code size() - n} bytes (empty when {@code n == size()})
     * @throws MmapException {@code INVALID_ARGUMENT} for a negative {@code n},
     *     {@code OUT_OF_BOUNDS} when {@code n > size()}
     * @throws io.jvmm.core.ClosedException after the mapping was closed
     */
    public VolatileSlice offset(long n) {
        state.checkOpen();
        if (n < 0) {
            throw new MmapException(MmapException.Kind.INVALID_ARGUMENT,
                "negative offset " + n + " into slice of size " + size);
        }
        if (n > size) {
            throw new MmapException(MmapException.Kind.OUT_OF_BOUNDS,
                "offset " + n + " is past the end of slice of size " + size, ErrorDetails.ofAccess(n, 0, size));
        }
        return new VolatileSlice(state, base + n, size - n, dirty);
    }

    /**
     * Sets every byte of the slice to {@code value}.
     *
     * @param value the byte to store everywhere in the slice
     * @throws MmapException {@code INVALID_ARGUMENT} when the mapping is not writable, {@code INVALID_RANGE}
     *     when a file shrunk under the mapping no longer holds the bytes
     * @throws io.jvmm.core.ClosedException after the mapping was closed
     */
    public void writeBytes(byte value) {
        state.checkAccess(MappingState.WRITE);
        state.checkFileCovers(base, size);
        try {
            state.fill(base, size, value);
        } finally {
            Reference.reachabilityFence(state);
        }
        marked(0, size);
    }

    /**
     * Copies {@code min(size(), dst.length)} bytes into {@code dst}, from index 0.
     *
     * @param dst where the bytes go
     * @return the number of bytes copied
     * @throws MmapException {@code INVALID_ARGUMENT} when the mapping is not readable, {@code INVALID_RANGE}
     *     when a file shrunk under the mapping no longer holds the bytes
     * @throws NullPointerException when {@code dst} is null (and the mapping is open)
     * @throws io.jvmm.core.ClosedException after the mapping was closed
     */
    public int copyTo(byte[] dst) {
        state.checkAccess(MappingState.READ);
        int n = (int) Math.min(size, requireArray(dst, "dst").length);
        state.checkFileCovers(base, n);
        try {
            state.copyOut(base, dst, 0, n);
        } finally {
            Reference.reachabilityFence(state);
        }
        return n;
    }

    /**
     * Copies {@code min(size(), src.length)} bytes from {@code src}, from index 0, to the start of
     * the slice.
     *
     * @param src the bytes to copy
     * @return the number of bytes copied
     * @throws MmapException {@code INVALID_ARGUMENT} when the mapping is not writable, {@code INVALID_RANGE}
     *     when a file shrunk under the mapping no longer holds the bytes
     * @throws NullPointerException when {@code src} is null (and the mapping is open)
     * @throws io.jvmm.core.ClosedException after the mapping was closed
     */
    public int copyFrom(byte[] src) {
        state.checkAccess(MappingState.WRITE);
        int n = (int) Math.min(size, requireArray(src, "src").length);
        state.checkFileCovers(base, n);
        try {
            state.copyIn(base, src, 0, n);
        } finally {
            Reference.reachabilityFence(state);
        }
        marked(0, n);
        return n;
    }

    /**
     * Copies {@code min(size(), dst.size())} bytes into {@code dst} (which may belong to another
     * mapping, or overlap this slice: the copy then behaves as {@code memmove}).
     *
     * @param dst the slice the bytes go to, from its start
     * @return the number of bytes copied
     * @throws MmapException {@code INVALID_ARGUMENT} when this mapping is not readable or
     *     {@code dst}'s is not writable, {@code INVALID_RANGE} when a file shrunk under either mapping no longer
     *     holds the bytes
     * @throws NullPointerException when {@code dst} is null (and this mapping is open)
     * @throws io.jvmm.core.ClosedException after this slice's or {@code dst}'s mapping was closed
     */
    public long copyToVolatileSlice(VolatileSlice dst) {
        state.checkAccess(MappingState.READ);
        if (dst == null) {
            throw new NullPointerException("dst");
        }
        dst.state.checkAccess(MappingState.WRITE);
        long n = Math.min(size, dst.size);
        state.checkFileCovers(base, n);
        dst.state.checkFileCovers(dst.base, n);
        try {
            dst.state.copyFrom(state, base, dst.base, n);
        } finally {
            Reference.reachabilityFence(state);
            Reference.reachabilityFence(dst.state);
        }
        dst.marked(0, n);
        return n;
    }

    /**
     * Whether every byte of the slice is zero.
     *
     * @return true when all {@link #size()} bytes are zero (also for an empty slice)
     * @throws MmapException {@code INVALID_ARGUMENT} when the mapping is not readable, {@code INVALID_RANGE}
     *     when a file shrunk under the mapping no longer holds the bytes
     * @throws io.jvmm.core.ClosedException after the mapping was closed
     */
    public boolean isAllZero() {
        state.checkAccess(MappingState.READ);
        state.checkFileCovers(base, size);
        try {
            return state.isZero(base, size);
        } finally {
            Reference.reachabilityFence(state);
        }
    }

    /** {@code array}, checked after the open-check so that use after close wins over a null. */
    private static byte[] requireArray(byte[] array, String name) {
        if (array == null) {
            throw new NullPointerException(name);
        }
        return array;
    }

    @Override
    public String toString() {
        return "VolatileSlice[size=" + size + "]";
    }

    // ---- scalar accessors (ScalarMemory), at offsets from the slice's first byte: the same code
    // as MemoryMapping's (ScalarAccess); a write through a slice of dirty-tracked guest memory
    // marks its page ----

    @Override
    public long readLong(long offset) {
        return ScalarAccess.readLong(state, base, size, offset);
    }

    @Override
    public void writeLong(long value, long offset) {
        ScalarAccess.writeLong(state, base, size, offset, value);
        marked(offset, 8);
    }

    @Override
    public int readInt(long offset) {
        return ScalarAccess.readInt(state, base, size, offset);
    }

    @Override
    public void writeInt(int value, long offset) {
        ScalarAccess.writeInt(state, base, size, offset, value);
        marked(offset, 4);
    }

    @Override
    public short readShort(long offset) {
        return ScalarAccess.readShort(state, base, size, offset);
    }

    @Override
    public void writeShort(short value, long offset) {
        ScalarAccess.writeShort(state, base, size, offset, value);
        marked(offset, 2);
    }

    @Override
    public byte readByte(long offset) {
        return ScalarAccess.readByte(state, base, size, offset);
    }

    @Override
    public void writeByte(byte value, long offset) {
        ScalarAccess.writeByte(state, base, size, offset, value);
        marked(offset, 1);
    }

    @Override
    public long readLongVolatile(long offset) {
        return ScalarAccess.readLongVolatile(state, base, size, offset);
    }

    @Override
    public void writeLongVolatile(long value, long offset) {
        ScalarAccess.writeLongVolatile(state, base, size, offset, value);
        marked(offset, 8);
    }

    @Override
    public int readIntVolatile(long offset) {
        return ScalarAccess.readIntVolatile(state, base, size, offset);
    }

    @Override
    public void writeIntVolatile(int value, long offset) {
        ScalarAccess.writeIntVolatile(state, base, size, offset, value);
        marked(offset, 4);
    }

    @Override
    public short readShortVolatile(long offset) {
        return ScalarAccess.readShortVolatile(state, base, size, offset);
    }

    @Override
    public void writeShortVolatile(short value, long offset) {
        ScalarAccess.writeShortVolatile(state, base, size, offset, value);
        marked(offset, 2);
    }

    @Override
    public byte readByteVolatile(long offset) {
        return ScalarAccess.readByteVolatile(state, base, size, offset);
    }

    @Override
    public void writeByteVolatile(byte value, long offset) {
        ScalarAccess.writeByteVolatile(state, base, size, offset, value);
        marked(offset, 1);
    }

    @Override
    public long readLongAcquire(long offset) {
        return ScalarAccess.readLongAcquire(state, base, size, offset);
    }

    @Override
    public void writeLongRelease(long value, long offset) {
        ScalarAccess.writeLongRelease(state, base, size, offset, value);
        marked(offset, 8);
    }

    @Override
    public int readIntAcquire(long offset) {
        return ScalarAccess.readIntAcquire(state, base, size, offset);
    }

    @Override
    public void writeIntRelease(int value, long offset) {
        ScalarAccess.writeIntRelease(state, base, size, offset, value);
        marked(offset, 4);
    }

    @Override
    public short readShortAcquire(long offset) {
        return ScalarAccess.readShortAcquire(state, base, size, offset);
    }

    @Override
    public void writeShortRelease(short value, long offset) {
        ScalarAccess.writeShortRelease(state, base, size, offset, value);
        marked(offset, 2);
    }

    /** The checks of {@link VolatileMemory#getSlice}, against a memory of {@code limit} bytes. */
    static void checkSliceRange(long offset, long count, long limit) {
        if (offset < 0 || count < 0) {
            throw new MmapException(MmapException.Kind.INVALID_ARGUMENT,
                "negative slice offset " + offset + " or count " + count + " (size " + limit + ")");
        }
        long end = offset + count;
        if (end < 0) {
            throw new MmapException(MmapException.Kind.OVERFLOW,
                "slice offset " + offset + " + count " + count + " overflows");
        }
        if (end > limit) {
            throw new MmapException(MmapException.Kind.OUT_OF_BOUNDS,
                "slice [" + offset + ", " + end + ") ends past size " + limit, ErrorDetails.ofAccess(offset, count, limit));
        }
    }
}
