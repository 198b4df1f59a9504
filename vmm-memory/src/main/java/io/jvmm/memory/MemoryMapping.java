package io.jvmm.memory;

import io.jvmm.core.AsRawDescriptor;
import io.jvmm.core.CacheFlush;
import io.jvmm.core.Errno;
import io.jvmm.core.ErrorDetails;
import io.jvmm.core.LibC;
import io.jvmm.core.SyscallException;
import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Objects;

/**
 * An owned host mapping: anonymous shared memory, a memfd ({@link SharedMemory}) or a file. It is
 * what KVM receives as a memory slot ({@link #asPtr()}), and what loaders and devices read and
 * write through checked, little-endian accessors.
 *
 * <p>Every accessor checks, in this order, that the mapping is open ({@link io.jvmm.core.ClosedException}
 * after {@link #close()}, here and on all its {@link VolatileSlice}s), that the protection allows
 * the access ({@link MmapException} {@code INVALID_ARGUMENT}: a no-access or read-only page would
 * kill the JVM rather than throw), and that offset and length are inside the mapping
 * ({@code INVALID_ADDRESS}), before it touches memory. Closing while other threads are mid-access
 * is safe: see {@code MappingState} for how.
 *
 * <p>The scalar accessors are those of {@link ScalarMemory} ({@code writeLong(value, offset)},
 * {@code readLong(offset)} and the {@code Int}, {@code Short}, {@code Byte} forms; plain, volatile,
 * acquire/release), little-endian and whole or nothing, implemented once with
 * {@link VolatileSlice}'s; the ordered forms require natural alignment ({@code INVALID_ALIGNMENT}).
 *
 * <p>Fixed-layout structures (KVM's, the boot protocol's) are built or parsed in a little-endian
 * {@link ByteBuffer} with named field offsets and moved with one {@link #writeStruct} or
 * {@link #readStruct} call.
 */
public final class MemoryMapping implements MappedRegion, VolatileMemory, ScalarMemory, MemoryMappingUnix, AutoCloseable {

    private final MappingState state;
    private final long size;

    MemoryMapping(MappingState state) {
        this.state = state;
        this.size = state.size;
    }

    /**
     * Starts describing a mapping of {@code size} bytes: anonymous shared read-write memory unless
     * the builder is told otherwise. Nothing is checked or mapped until {@link MemoryMappingBuilder#build()}.
     *
     * @param size the mapping's length in bytes; {@code build()} requires it positive
     * @return a new builder
     */
    public static MemoryMappingBuilder builder(long size) {
        return new MemoryMappingBuilder(size);
    }

    /** Internal: the shared lifetime, for {@link MemoryMappingArena#from} and {@link GuestMemory}. */
    MappingState state() {
        return state;
    }

    @Override
    public long asPtr() {
        state.checkOpen();
        return state.address;
    }

    @Override
    public long size() {
        return size;
    }

    /**
     * Whether {@link #close()} has not been called yet (also false once the pages were handed to
     * an arena by {@link MemoryMappingArena#from}). A volatile read: a close in another thread is seen at once.
     *
     * @return true while the mapping is open
     */
    public boolean isOpen() {
        return state.isOpen();
    }

    @Override
    public VolatileSlice getSlice(long offset, long count) {
        state.checkOpen();
        VolatileSlice.checkSliceRange(offset, count, size);
        return new VolatileSlice(state, offset, count);
    }

    // ---- bulk copies ----

    /**
     * Copies {@code min(buf.length, size - offset)} bytes of {@code buf} to {@code offset}.
     *
     * @param buf    the bytes to copy, from index 0
     * @param offset the offset in bytes from the start of the mapping, 0 to {@link #size()}
     * @return the number of bytes copied; 0 when {@code offset == size()}
     * @throws MmapException {@code INVALID_ARGUMENT} when the mapping is not writable (checked first),
     *     {@code INVALID_ADDRESS} when {@code offset} is negative or past the end, {@code INVALID_RANGE}
     *     when a file shrunk under the mapping no longer holds the bytes
     * @throws NullPointerException when {@code buf} is null
     * @throws io.jvmm.core.ClosedException after {@link #close()}
     */
    public int writeSlice(byte[] buf, long offset) {
        state.checkAccess(MappingState.WRITE);
        int n = sliceCount(Objects.requireNonNull(buf, "buf").length, offset);
        state.checkFileCovers(offset, n);
        try {
            state.copyIn(offset, buf, 0, n);
        } finally {
            Reference.reachabilityFence(state);
        }
        return n;
    }

    /**
     * Copies {@code min(buf.length, size - offset)} bytes at {@code offset} into {@code buf}.
     *
     * @param buf    where the bytes go, from index 0; the rest of it is left alone
     * @param offset the offset in bytes from the start of the mapping, 0 to {@link #size()}
     * @return the number of bytes copied; 0 when {@code offset == size()}
     * @throws MmapException {@code INVALID_ARGUMENT} when the mapping is not readable (checked first),
     *     {@code INVALID_ADDRESS} when {@code offset} is negative or past the end, {@code INVALID_RANGE}
     *     when a file shrunk under the mapping no longer holds the bytes
     * @throws NullPointerException when {@code buf} is null
     * @throws io.jvmm.core.ClosedException after {@link #close()}
     */
    public int readSlice(byte[] buf, long offset) {
        state.checkAccess(MappingState.READ);
        int n = sliceCount(Objects.requireNonNull(buf, "buf").length, offset);
        state.checkFileCovers(offset, n);
        try {
            state.copyOut(offset, buf, 0, n);
        } finally {
            Reference.reachabilityFence(state);
        }
        return n;
    }

    private int sliceCount(int length, long offset) {
        if (offset < 0 || offset > size) {
            throw new MmapException(MmapException.Kind.INVALID_ADDRESS,
                "offset " + offset + " is outside mapping of size " + size);
        }
        return (int) Math.min(length, size - offset);
    }

    // ---- fixed-layout structures ----

    /**
     * Writes all {@code src.remaining()} bytes of {@code src} at {@code offset}, whole or nothing.
     * Structures (KVM's, the boot protocol's) are built in a little-endian {@link ByteBuffer} with
     * named field offsets and written with one call; {@code src}'s position is not changed.
     *
     * @param src    the bytes from its position to its limit, copied as they are (the buffer's byte
     *     order does not matter here)
     * @param offset the offset in bytes from the start of the mapping
     * @throws MmapException {@code INVALID_ARGUMENT} when the mapping is not writable,
     *     {@code INVALID_ADDRESS} when the structure does not fit, {@code INVALID_RANGE} when a file
     *     shrunk under the mapping no longer holds it
     * @throws NullPointerException when {@code src} is null
     * @throws io.jvmm.core.ClosedException after {@link #close()}
     */
    public void writeStruct(ByteBuffer src, long offset) {
        state.checkAccess(MappingState.WRITE);
        Objects.requireNonNull(src, "src");
        ScalarAccess.checkRange(0, size, offset, src.remaining());
        state.checkFileCovers(offset, src.remaining());
        try {
            state.chunkedPut(offset, src);
        } finally {
            Reference.reachabilityFence(state);
        }
    }

    /**
     * Fills all {@code dst.remaining()} bytes of {@code dst} from {@code offset}, whole or nothing;
     * {@code dst}'s position is not changed.
     *
     * @param offset the offset in bytes from the start of the mapping
     * @param dst    filled from its position to its limit
     * @throws MmapException {@code INVALID_ARGUMENT} when the mapping is not readable or {@code dst}
     *     is read-only, {@code INVALID_ADDRESS} when the structure does not fit, {@code INVALID_RANGE}
     *     when a file shrunk under the mapping no longer holds it
     * @throws NullPointerException when {@code dst} is null
     * @throws io.jvmm.core.ClosedException after {@link #close()}
     */
    public void readStruct(long offset, ByteBuffer dst) {
        state.checkAccess(MappingState.READ);
        if (Objects.requireNonNull(dst, "dst").isReadOnly()) {
            throw new MmapException(MmapException.Kind.INVALID_ARGUMENT,
                "cannot read a structure at offset " + offset + " into a read-only buffer");
        }
        ScalarAccess.checkRange(0, size, offset, dst.remaining());
        state.checkFileCovers(offset, dst.remaining());
        try {
            state.chunkedGet(offset, dst);
        } finally {
            Reference.reachabilityFence(state);
        }
    }

    /**
     * Reads {@code length} bytes at {@code offset} into a new little-endian buffer. Every check
     * comes before the buffer is allocated, so a bad length costs no memory.
     *
     * @param offset the offset in bytes from the start of the mapping
     * @param length the number of bytes to read, 0 or more
     * @return a new heap buffer of {@code length} bytes, {@link ByteOrder#LITTLE_ENDIAN}, position 0
     * @throws io.jvmm.core.ClosedException after {@link #close()}
     * @throws MmapException {@code INVALID_ARGUMENT} when the mapping is not readable or for a negative
     *     length, {@code INVALID_ADDRESS} when the structure does not fit, {@code INVALID_RANGE} when
     *     a file shrunk under the mapping no longer holds it
     */
    public ByteBuffer readStruct(long offset, int length) {
        state.checkAccess(MappingState.READ);
        if (length < 0) {
            throw new MmapException(MmapException.Kind.INVALID_ARGUMENT, "negative structure length " + length
                + " at offset " + offset + " of mapping of size " + size);
        }
        ScalarAccess.checkRange(0, size, offset, length);
        ByteBuffer dst = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        readStruct(offset, dst);
        return dst;
    }

    // ---- scalar accessors (ScalarMemory): each is one call into ScalarAccess, shared with
    // VolatileSlice, which checks access, bounds and alignment and inlines to one buffer access ----

    // plain: any alignment, whole or nothing

    @Override
    public void writeLong(long value, long offset) {
        ScalarAccess.writeLong(state, 0, size, offset, value);
    }

    @Override
    public long readLong(long offset) {
        return ScalarAccess.readLong(state, 0, size, offset);
    }

    @Override
    public void writeInt(int value, long offset) {
        ScalarAccess.writeInt(state, 0, size, offset, value);
    }

    @Override
    public int readInt(long offset) {
        return ScalarAccess.readInt(state, 0, size, offset);
    }

    @Override
    public void writeShort(short value, long offset) {
        ScalarAccess.writeShort(state, 0, size, offset, value);
    }

    @Override
    public short readShort(long offset) {
        return ScalarAccess.readShort(state, 0, size, offset);
    }

    @Override
    public void writeByte(byte value, long offset) {
        ScalarAccess.writeByte(state, 0, size, offset, value);
    }

    @Override
    public byte readByte(long offset) {
        return ScalarAccess.readByte(state, 0, size, offset);
    }

    // volatile: naturally aligned, untorn, sequentially consistent

    @Override
    public void writeLongVolatile(long value, long offset) {
        ScalarAccess.writeLongVolatile(state, 0, size, offset, value);
    }

    @Override
    public long readLongVolatile(long offset) {
        return ScalarAccess.readLongVolatile(state, 0, size, offset);
    }

    @Override
    public void writeIntVolatile(int value, long offset) {
        ScalarAccess.writeIntVolatile(state, 0, size, offset, value);
    }

    @Override
    public int readIntVolatile(long offset) {
        return ScalarAccess.readIntVolatile(state, 0, size, offset);
    }

    @Override
    public void writeShortVolatile(short value, long offset) {
        ScalarAccess.writeShortVolatile(state, 0, size, offset, value);
    }

    @Override
    public short readShortVolatile(long offset) {
        return ScalarAccess.readShortVolatile(state, 0, size, offset);
    }

    @Override
    public void writeByteVolatile(byte value, long offset) {
        ScalarAccess.writeByteVolatile(state, 0, size, offset, value);
    }

    @Override
    public byte readByteVolatile(long offset) {
        return ScalarAccess.readByteVolatile(state, 0, size, offset);
    }

    // acquire loads and release stores

    @Override
    public long readLongAcquire(long offset) {
        return ScalarAccess.readLongAcquire(state, 0, size, offset);
    }

    @Override
    public void writeLongRelease(long value, long offset) {
        ScalarAccess.writeLongRelease(state, 0, size, offset, value);
    }

    @Override
    public int readIntAcquire(long offset) {
        return ScalarAccess.readIntAcquire(state, 0, size, offset);
    }

    @Override
    public void writeIntRelease(int value, long offset) {
        ScalarAccess.writeIntRelease(state, 0, size, offset, value);
    }

    @Override
    public short readShortAcquire(long offset) {
        return ScalarAccess.readShortAcquire(state, 0, size, offset);
    }

    @Override
    public void writeShortRelease(short value, long offset) {
        ScalarAccess.writeShortRelease(state, 0, size, offset, value);
    }

    // ---- sync and cache control ----

    /**
     * Writes the whole mapping back to its file ({@code msync(MS_SYNC)}); a no-op for anonymous
     * memory and memfds, whose pages have no file to reach.
     *
     * @throws MmapException {@code SYSTEM_CALL_FAILED} with errno when the kernel refuses (for
     *     example {@code EIO} from the file system)
     * @throws io.jvmm.core.ClosedException after {@link #close()}
     */
    public void msync() {
        state.checkOpen();
        try {
            LibC.msyncChecked(state.address, size, LibC.MS_SYNC);
        } catch (SyscallException e) {
            throw syscallFailure("msync", e, "mapping of size " + size);
        } finally {
            Reference.reachabilityFence(state);
        }
    }

    /**
     * Writes back and invalidates the CPU cache lines of {@code [offset, offset + len)}, so that a
     * guest mapping the range uncached sees the host's writes.
     *
     * @param offset the offset in bytes of the range's first byte, from the start of the mapping
     * @param len    the range's length in bytes; 0 flushes nothing (the fence still runs)
     * @throws MmapException {@code INVALID_RANGE} when the range is not inside the mapping (checked
     *     first) or a file shrunk under the mapping no longer holds it, {@code NOT_IMPLEMENTED} on
     *     hosts other than x86-64, {@code INVALID_ARGUMENT} for a mapping that is not readable
     *     (clflush of a no-access page faults)
     * @throws io.jvmm.core.ClosedException after {@link #close()}
     */
    public void flushRegion(long offset, long len) {
        state.checkOpen();
        checkUnixRange(offset, len);
        checkFlushable();
        state.checkFileCovers(offset, len);
        try {
            CacheFlush.flush(state.address + offset, len);
        } finally {
            Reference.reachabilityFence(state);
        }
    }

    /**
     * {@link #flushRegion} over the whole mapping.
     *
     * @throws MmapException as {@link #flushRegion}
     * @throws io.jvmm.core.ClosedException after {@link #close()}
     */
    public void flushAll() {
        flushRegion(0, size);
    }

    /**
     * Flushes the cache line holding {@code offset}: after the host wrote data that a guest reads
     * through an uncached mapping (crosvm's {@code flush_uncached_guest_mapping}). A guest that
     * writes through an uncached mapping needs an invalidation instead, which this is not.
     *
     * @param offset the offset in bytes of a byte of the line, from the start of the mapping
     * @throws MmapException {@code INVALID_RANGE} when {@code offset} is not inside the mapping,
     *     otherwise as {@link #flushRegion}
     * @throws io.jvmm.core.ClosedException after {@link #close()}
     */
    public void flushUncachedGuestMapping(long offset) {
        state.checkOpen();
        if (offset < 0 || offset >= size) {
            throw new MmapException(MmapException.Kind.INVALID_RANGE,
                "offset " + offset + " is outside mapping of size " + size);
        }
        flushRegion(offset, 1);
    }

    private void checkFlushable() {
        if (!CacheFlush.isSupported()) {
            throw new MmapException(MmapException.Kind.NOT_IMPLEMENTED,
                "cache-line flush is implemented for x86-64 only (mapping of size " + size + ")");
        }
        if (!state.canRead()) {
            throw new MmapException(MmapException.Kind.INVALID_ARGUMENT,
                "cannot flush mapping of size " + size + ": it is not readable (clflush of a no-access page faults)");
        }
    }

    // ---- MemoryMappingUnix ----

    /**
     * {@inheritDoc}
     *
     * <p>The kernel frees whole pages only, so {@code offset} must be page aligned and
     * {@code count} a multiple of the page size unless the range runs to the end of the mapping;
     * otherwise bytes outside the range would be zeroed too. When it runs to an end that is not
     * page aligned, the whole pages are removed and the range's partial last page is zeroed (not
     * removed), so that no file data past the mapping is lost. Works on shared writable mappings
     * (anonymous memory, memfds, files opened for writing).
     *
     * <p>A mapping without write protection refuses: removing pages discards the data of the
     * file or memfd for every holder, which a read-only view must not be able to do. (The kernel
     * itself only asks that the file was opened for writing, so a read-only view of a writable
     * memfd would otherwise wipe what other mappings wrote.)
     *
     * @throws MmapException {@code INVALID_RANGE} (checked first), {@code NOT_PAGE_ALIGNED} for a range
     *     that does not cover whole pages, or {@code SYSTEM_CALL_FAILED} ({@code EACCES} for a mapping
     *     that is not writable or a private file mapping, {@code EINVAL} for a locked range)
     * @throws io.jvmm.core.ClosedException after {@link #close()}
     */
    @Override
    public void removeRange(long offset, long count) {
        state.checkOpen();
        checkUnixRange(offset, count);
        checkWholePages(offset, count);
        if (!state.canWrite()) {
            throw MmapException.syscall("madvise(MADV_REMOVE)", Errno.EACCES, rangeText(offset, count)
                + ": the mapping is not writable, and removing its pages would discard the file's data");
        }
        // The kernel rounds the length up to whole pages and would punch the rest of the last
        // page out of the file too: bytes past a mapping whose size is not page aligned, which may
        // be data of other mappings of the file. So only the whole pages are removed, and the
        // range's partial last page is zeroed, which reads back the same.
        long page = MappingState.PAGE_SIZE;
        long whole = count - count % page;
        if (whole > 0) {
            advise(offset, whole, LibC.MADV_REMOVE, "MADV_REMOVE");
        }
        if (whole < count) {
            state.fill(offset + whole, count - whole, (byte) 0);
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>The advice applies to whole pages; the start is rounded down to a page boundary.
     *
     * @throws MmapException {@code INVALID_RANGE}, or {@code SYSTEM_CALL_FAILED} when the kernel refuses
     * @throws io.jvmm.core.ClosedException after {@link #close()}
     */
    @Override
    public void asyncPrefetch(long offset, long count) {
        state.checkOpen();
        checkUnixRange(offset, count);
        long start = offset - offset % MappingState.PAGE_SIZE;
        advise(start, count + (offset - start), LibC.MADV_WILLNEED, "MADV_WILLNEED");
    }

    /**
     * {@inheritDoc}
     *
     * <p>For a shared mapping the data stays in the file or memfd and is faulted back in; for a
     * private one (a write-sealed memfd) the private copies are discarded. Like
     * {@link #removeRange} it therefore needs whole pages.
     *
     * @throws MmapException {@code INVALID_RANGE} (checked first), {@code NOT_PAGE_ALIGNED} for a range
     *     that does not cover whole pages, or {@code SYSTEM_CALL_FAILED} ({@code EINVAL} for a locked range)
     * @throws io.jvmm.core.ClosedException after {@link #close()}
     */
    @Override
    public void dropPageCache(long offset, long count) {
        state.checkOpen();
        checkUnixRange(offset, count);
        checkWholePages(offset, count);
        advise(offset, count, LibC.MADV_DONTNEED, "MADV_DONTNEED");
    }

    /**
     * {@inheritDoc}
     *
     * @throws MmapException {@code INVALID_RANGE}, or {@code SYSTEM_CALL_FAILED} ({@code ENOMEM}
     *     or {@code EPERM} past {@code RLIMIT_MEMLOCK} without {@code CAP_IPC_LOCK})
     * @throws io.jvmm.core.ClosedException after {@link #close()}
     */
    @Override
    public void lockOnFault(long offset, long count) {
        state.checkOpen();
        checkUnixRange(offset, count);
        try {
            LibC.mlock2Checked(state.address + offset, count, LibC.MLOCK_ONFAULT);
        } catch (SyscallException e) {
            throw syscallFailure("mlock2", e, rangeText(offset, count));
        } finally {
            Reference.reachabilityFence(state);
        }
    }

    /**
     * {@inheritDoc}
     *
     * @throws MmapException {@code INVALID_RANGE}, or {@code SYSTEM_CALL_FAILED} when the kernel refuses
     * @throws io.jvmm.core.ClosedException after {@link #close()}
     */
    @Override
    public void unlock(long offset, long count) {
        state.checkOpen();
        checkUnixRange(offset, count);
        try {
            LibC.munlockChecked(state.address + offset, count);
        } catch (SyscallException e) {
            throw syscallFailure("munlock", e, rangeText(offset, count));
        } finally {
            Reference.reachabilityFence(state);
        }
    }

    /**
     * {@inheritDoc}
     *
     * @throws MmapException as {@link #lockOnFault}
     * @throws io.jvmm.core.ClosedException after {@link #close()}
     */
    @Override
    public void lockAll() {
        lockOnFault(0, size);
    }

    private void advise(long offset, long count, int advice, String name) {
        try {
            LibC.madviseChecked(state.address + offset, count, advice);
        } catch (SyscallException e) {
            throw syscallFailure("madvise(" + name + ")", e, rangeText(offset, count));
        } finally {
            Reference.reachabilityFence(state);
        }
    }

    /**
     * A system call that failed because a concurrent {@link #close()} swapped in scratch memory
     * is reported as the close it is, not as a kernel error.
     */
    private RuntimeException syscallFailure(String call, SyscallException e, String context) {
        if (!state.isOpen()) {
            return MappingState.closed();
        }
        return MmapException.syscall(call, e.errno(), context);
    }

    private void checkUnixRange(long offset, long count) {
        if (offset < 0 || count < 0 || offset > size || count > size - offset) {
            throw new MmapException(MmapException.Kind.INVALID_RANGE, rangeText(offset, count) + " is not inside the mapping",
                ErrorDetails.ofAccess(offset, count, size));
        }
    }

    private void checkWholePages(long offset, long count) {
        long page = MappingState.PAGE_SIZE;
        if (offset % page != 0 || (count % page != 0 && offset + count != size)) {
            throw new MmapException(MmapException.Kind.NOT_PAGE_ALIGNED,
                rangeText(offset, count) + " does not cover whole pages of " + page + " bytes");
        }
    }

    private String rangeText(long offset, long count) {
        return "range [offset " + offset + ", count " + count + "] of mapping of size " + size;
    }

    /**
     * A mapping cannot hold other mappings (an arena can).
     *
     * @throws io.jvmm.core.ClosedException after {@link #close()}
     * @throws MmapException {@code ADD_FD_MAPPING_UNSUPPORTED} otherwise
     */
    @Override
    public void addFdMapping(long offset, long size, AsRawDescriptor fd, long fdOffset, Protection prot) {
        state.checkOpen();
        MappedRegion.super.addFdMapping(offset, size, fd, fdOffset, prot);
    }

    /**
     * A mapping cannot hold other mappings (an arena can).
     *
     * @throws io.jvmm.core.ClosedException after {@link #close()}
     * @throws MmapException {@code REMOVE_MAPPING_UNSUPPORTED} otherwise
     */
    @Override
    public void removeMapping(long offset, long size) {
        state.checkOpen();
        MappedRegion.super.removeMapping(offset, size);
    }

    /**
     * Releases the mapping. Idempotent. Afterwards every access, here and through every slice,
     * throws {@link io.jvmm.core.ClosedException}; accesses racing with close complete harmlessly.
     * The backing pages are released now; the address range itself stays reserved, backed by
     * scratch memory, until the mapping and its slices are unreachable.
     */
    @Override
    public void close() {
        state.close();
    }

    @Override
    public String toString() {
        return "MemoryMapping[size=" + size + (state.isOpen() ? "" : ", closed") + "]";
    }
}
