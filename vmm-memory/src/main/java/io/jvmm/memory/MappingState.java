package io.jvmm.memory;

import com.sun.jna.Pointer;
import io.jvmm.core.ClosedException;
import io.jvmm.core.LibC;
import io.jvmm.core.SyscallException;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.ref.Cleaner;
import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.util.Arrays;
import java.util.List;

/**
 * The lifetime and the fast access path of one host mapping, shared by a {@link MemoryMapping}
 * and every {@link VolatileSlice} taken from it.
 *
 * <h2>Why close() cannot crash a concurrent reader</h2>
 * A thread may pass the open-check of an accessor and be descheduled just before its load or
 * store; {@link #close()} may run in between. The JVM turns neither SIGSEGV on an unmapped page nor
 * a write to a read-only page into an exception, so {@code close()} never leaves the range unmapped
 * or read-only while a thread could still reach it:
 * <ol>
 *   <li>it clears the access bits with a volatile write;</li>
 *   <li>it maps fresh, private, read-write anonymous memory over the whole range with
 *       {@code MAP_FIXED}, which the kernel does atomically under the mm lock: the backing pages
 *       (file, memfd, anonymous shared memory) are released now, and a straggling access lands on
 *       harmless zero pages instead of faulting;</li>
 *   <li>the address range itself is unmapped by a {@link Cleaner} only once this object is
 *       unreachable. Every accessor keeps this object reachable until its load, store or copy is
 *       done ({@link java.lang.ref.Reference#reachabilityFence}), so no access can be in flight
 *       when that happens.</li>
 * </ol>
 * A fault that races with the {@code MAP_FIXED} replacement waits for the mm lock and then finds
 * the new mapping, never a hole (Linux keeps the old areas in place until the new one is inserted).
 * {@link #moveTo} (the arena hand-over) keeps the same promise: see there. Safety rests on steps 2
 * and 3 alone: whatever a thread's check saw, the range it reaches is mapped read-write. A memory
 * slot that KVM was given {@code address} for is outside this scheme: whoever registers the slot
 * must keep the mapping reachable until the slot is gone.
 *
 * <h2>How the checks see close()</h2>
 * The access word is the only thing a check reads. Bulk copies, slices, system calls and
 * {@link #isOpen()} read it with volatile semantics. The scalar accessors ({@code readLong},
 * {@code writeInt}, ... and their volatile forms, here and in {@link GuestMemory}) read it with a
 * plain load, because a volatile load is an acquire barrier that forces every later load of the
 * access path (the buffer, its address and limit) to be repeated on every access; measured, that
 * doubles the cost of a random {@code readLong} (docs/performance.md). What the plain load keeps:
 * every access that happens after {@code close()} in the sense of the Java memory model (in the
 * closing thread, or in any thread that synchronized with it afterwards: joined it, took a lock it
 * released, read a volatile it wrote) sees the cleared word and throws
 * {@link ClosedException}. What it gives up is promptness for a thread that races with
 * {@code close()} and never synchronizes: a compiled loop of plain accesses may keep using the word
 * it loaded, and completes its accesses on the scratch memory of step 2 until it next synchronizes,
 * exactly as the access that passed its check just before {@code close()} does. A volatile
 * accessor's own data access is a barrier, so a loop of those reloads the word every time.
 *
 * <p>No check needs an atomic read-modify-write, and the access word changes only from open to 0,
 * so a stale word can never allow an access the protection forbids: after the change the whole
 * range is read-write scratch memory.
 *
 * <h2>Chunks</h2>
 * A {@link ByteBuffer} is int-indexed, so a mapping is viewed through direct buffers of
 * {@value #CHUNK_SIZE} bytes; each extends {@value #CHUNK_OVERLAP} bytes into the next chunk so that
 * any access of up to 8 bytes starting in chunk {@code i} is entirely inside buffer {@code i}.
 */
final class MappingState {
    /** The host page size: the unit of mmap, madvise and mremap. */
    static final long PAGE_SIZE = LibC.pageSize();

    static final int CHUNK_SHIFT = 30;
    static final long CHUNK_SIZE = 1L << CHUNK_SHIFT;
    static final long CHUNK_MASK = CHUNK_SIZE - 1;
    static final int CHUNK_OVERLAP = 8;
    /**
     * The size of the pattern {@link #fill} copies from: one page stays in the L1 cache next to the
     * destination's lines, and its copies are long enough that their fixed cost is a few percent.
     */
    static final int FILL_PATTERN_SIZE = 4096;

    static final int OPEN = 1;
    static final int READ = 2;
    static final int WRITE = 4;
    /**
     * Set for a mapping of a file that another holder can shrink (see {@link FileGuard}): every
     * check then takes the slow path, which compares the access with the file's current length.
     */
    static final int TRUNCATABLE = 8;
    private static final int READABLE = OPEN | READ;
    private static final int WRITABLE = OPEN | WRITE;

    private static final VarHandle LONGS = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INTS = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle SHORTS = MethodHandles.byteBufferViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle ACCESS;

    static {
        try {
            ACCESS = MethodHandles.lookup().findVarHandle(MappingState.class, "access", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private static final Cleaner CLEANER = Cleaner.create();

    /*
     * From how many bytes an array copy goes through JNI (JNA's Pointer.write/read: one
     * Get/SetByteArrayRegion, which copies with the C library's memcpy) instead of the JDK's bulk
     * ByteBuffer copy (Unsafe.copyMemory, which moves 8 bytes at a time). Measured with
     * CopyPathBenchmarks (docs/performance.md, "Array copies"): a copy into the mapping is faster
     * through the ByteBuffer up to 16 KiB (44 against 105 ns at 4 KiB) and through JNI from there
     * (704 against 915 ns at 64 KiB, C's memcpy speed); a copy out of it is faster through JNI from
     * 4 KiB on (62 against 191 ns). Both are plain stores and loads into memory that stays mapped
     * while this object is reachable (see the class comment), so the close protocol is the same.
     * Only mappings that cannot lose their pages take the JNI path: a file shrunk under a mapping
     * faults (SIGBUS), which HotSpot turns into an InternalError inside Unsafe.copyMemory but not
     * inside a JNI copy, where it would kill the JVM; truncatable mappings (fileGuard != null) keep
     * the ByteBuffer copy.
     */
    static final int NATIVE_COPY_IN = 32 * 1024;
    static final int NATIVE_COPY_OUT = 2 * 1024;

    final long address;
    final long size;
    /** Chunk 0: every offset below {@link #CHUNK_SIZE}, so the whole of a mapping of up to 1 GiB. */
    private final ByteBuffer first;
    /** Whether {@link #first} is the only chunk. */
    private final boolean single;
    private final ByteBuffer[] chunks;
    /** The first byte, for the array copies that go through JNI (see {@link #NATIVE_COPY_IN}). */
    private final Pointer base;
    /**
     * OPEN|READ|WRITE bits; 0 once closed. Written with volatile semantics ({@link #ACCESS});
     * read plainly by the scalar accessors (see the class comment), with volatile
     * semantics everywhere else.
     */
    private int access;
    private final boolean readable;
    private final boolean writable;
    /** The file check of a truncatable mapping; null for anonymous memory and shrink-sealed memfds. */
    private final FileGuard fileGuard;
    /** See {@link #fillPattern}; null until the first fill. */
    private volatile byte[] fillPattern;

    /**
     * Takes ownership of the host range {@code [address, address + size)}, already mapped with
     * {@code prot}.
     */
    MappingState(long address, long size, Protection prot) {
        this(address, size, prot, null);
    }

    /**
     * As {@link #MappingState(long, long, Protection)}, for a file mapping that {@code fileGuard}
     * (which this object now owns) checks before every access.
     */
    MappingState(long address, long size, Protection prot, FileGuard fileGuard) {
        this.address = address;
        this.size = size;
        int count = (int) ((size + CHUNK_SIZE - 1) >>> CHUNK_SHIFT);
        this.chunks = new ByteBuffer[count];
        this.base = new Pointer(address);
        for (int i = 0; i < count; i++) {
            long start = (long) i << CHUNK_SHIFT;
            long length = Math.min(size - start, CHUNK_SIZE + CHUNK_OVERLAP);
            chunks[i] = base.getByteBuffer(start, length).order(ByteOrder.LITTLE_ENDIAN);
        }
        this.first = chunks[0];
        this.single = count == 1;
        this.readable = prot.canRead();
        this.writable = prot.canWrite();
        this.fileGuard = fileGuard;
        ACCESS.setVolatile(this, OPEN | (prot.canRead() ? READ : 0) | (prot.canWrite() ? WRITE : 0)
            | (fileGuard != null ? TRUNCATABLE : 0));
        CLEANER.register(this, new Unmapper(address, size, fileGuard));
    }

    /**
     * The buffer holding the byte at {@code offset}. For a mapping of one chunk that is
     * {@link #first}, chosen by a test of a final field that the JIT hoists out of loops.
     */
    ByteBuffer chunk(long offset) {
        return single ? first : chunks[(int) (offset >>> CHUNK_SHIFT)];
    }

    static int index(long offset) {
        return (int) (offset & CHUNK_MASK);
    }

    /** Whether the mapping's protection allows reads (open or not). */
    boolean canRead() {
        return readable;
    }

    boolean isOpen() {
        return ((int) ACCESS.getVolatile(this) & OPEN) != 0;
    }

    /** Whether the mapping's protection allows writes (open or not). */
    boolean canWrite() {
        return writable;
    }

    /**
     * Throws unless open and every bit of {@code required} is granted. The bulk operations call
     * {@link #checkFileCovers} once they have checked their range.
     */
    void checkAccess(int required) {
        int a = (int) ACCESS.getVolatile(this);
        if ((a & (OPEN | required)) != (OPEN | required)) {
            throw accessFailure(a, required);
        }
    }

    /**
     * The check of the scalar read accessors: throws unless open and readable. A plain load, which
     * the JIT may keep in a register across a loop of accesses (see the class comment). A
     * truncatable mapping always takes the slow path.
     */
    void checkRead(long offset, int length) {
        int a = access;
        if ((a & (READABLE | TRUNCATABLE)) != READABLE) {
            slowCheck(a, READ, offset, length);
        }
    }

    /** The check of the scalar write accessors: throws unless open and writable. A plain load. */
    void checkWrite(long offset, int length) {
        int a = access;
        if ((a & (WRITABLE | TRUNCATABLE)) != WRITABLE) {
            slowCheck(a, WRITE, offset, length);
        }
    }

    /** Throws unless open. */
    void checkOpen() {
        if (!isOpen()) {
            throw closed();
        }
    }

    /** Whether accesses check the file's length first ({@link FileGuard}). */
    boolean checksFile() {
        return fileGuard != null;
    }

    /**
     * Throws unless the file behind a truncatable mapping still covers {@code [offset, offset +
     * length)}, a range the caller has checked to be inside the mapping; a no-op for other
     * mappings. See {@link FileGuard}.
     */
    void checkFileCovers(long offset, long length) {
        if (fileGuard != null) {
            fileGuard.checkCovers(offset, length, size);
        }
    }

    /**
     * The cold half of every check: closed, protection, or a truncatable file that must still
     * cover the range. The file is checked only for a range inside the mapping, so that the
     * caller's own bounds check reports a range outside it.
     */
    private void slowCheck(int a, int required, long offset, long length) {
        if ((a & (OPEN | required)) != (OPEN | required)) {
            throw accessFailure(a, required);
        }
        if (offset >= 0 && length >= 0 && length <= size && offset <= size - length) {
            fileGuard.checkCovers(offset, length, size);
        }
    }

    private RuntimeException accessFailure(int a, int required) {
        if ((a & OPEN) == 0) {
            return closed();
        }
        String what = (required & WRITE) != 0 && (a & WRITE) == 0 ? "writable" : "readable";
        return new MmapException(MmapException.Kind.INVALID_ARGUMENT,
            "mapping of size " + size + " is not " + what + " (protection forbids the access)");
    }

    static ClosedException closed() {
        return new ClosedException("memory mapping is closed");
    }

    // ---- scalar accesses: the caller has checked access, bounds and (volatile forms) alignment ----
    // Each keeps this object reachable until its load or store is done (see the class comment).
    // They are tiny on purpose: they and their callers inline at every call site.
    // Plain loads go through ByteBuffer.getLong and friends, plain stores through the view
    // VarHandles' set: each is the faster of the two in the hot-window loops (the VarHandle's
    // index check is one unsigned compare; the buffer's putLong check is four instructions);
    // both accept any alignment. See docs/performance.md, "Hot-window 8-byte accesses".

    long getLong(long offset) {
        long value = chunk(offset).getLong(index(offset));
        Reference.reachabilityFence(this);
        return value;
    }

    void putLong(long offset, long value) {
        LONGS.set(chunk(offset), index(offset), value);
        Reference.reachabilityFence(this);
    }

    int getInt(long offset) {
        int value = chunk(offset).getInt(index(offset));
        Reference.reachabilityFence(this);
        return value;
    }

    void putInt(long offset, int value) {
        INTS.set(chunk(offset), index(offset), value);
        Reference.reachabilityFence(this);
    }

    short getShort(long offset) {
        short value = chunk(offset).getShort(index(offset));
        Reference.reachabilityFence(this);
        return value;
    }

    void putShort(long offset, short value) {
        SHORTS.set(chunk(offset), index(offset), value);
        Reference.reachabilityFence(this);
    }

    byte getByte(long offset) {
        byte value = chunk(offset).get(index(offset));
        Reference.reachabilityFence(this);
        return value;
    }

    void putByte(long offset, byte value) {
        chunk(offset).put(index(offset), value);
        Reference.reachabilityFence(this);
    }

    long getLongVolatile(long offset) {
        long value = (long) LONGS.getVolatile(chunk(offset), index(offset));
        Reference.reachabilityFence(this);
        return value;
    }

    void putLongVolatile(long offset, long value) {
        LONGS.setVolatile(chunk(offset), index(offset), value);
        Reference.reachabilityFence(this);
    }

    int getIntVolatile(long offset) {
        int value = (int) INTS.getVolatile(chunk(offset), index(offset));
        Reference.reachabilityFence(this);
        return value;
    }

    void putIntVolatile(long offset, int value) {
        INTS.setVolatile(chunk(offset), index(offset), value);
        Reference.reachabilityFence(this);
    }

    short getShortVolatile(long offset) {
        short value = (short) SHORTS.getVolatile(chunk(offset), index(offset));
        Reference.reachabilityFence(this);
        return value;
    }

    void putShortVolatile(long offset, short value) {
        SHORTS.setVolatile(chunk(offset), index(offset), value);
        Reference.reachabilityFence(this);
    }

    // ---- acquire loads and release stores (VarHandle getAcquire/setRelease): what a virtqueue's
    // index publication needs (virtio 1.2 §2.7.13: the driver's index store is a release, the
    // device's load of it an acquire). Cheaper than volatile: on x86 both are plain moves that
    // only forbid compiler reordering, no StoreLoad fence. Callers checked alignment.

    long getLongAcquire(long offset) {
        long value = (long) LONGS.getAcquire(chunk(offset), index(offset));
        Reference.reachabilityFence(this);
        return value;
    }

    void putLongRelease(long offset, long value) {
        LONGS.setRelease(chunk(offset), index(offset), value);
        Reference.reachabilityFence(this);
    }

    int getIntAcquire(long offset) {
        int value = (int) INTS.getAcquire(chunk(offset), index(offset));
        Reference.reachabilityFence(this);
        return value;
    }

    void putIntRelease(long offset, int value) {
        INTS.setRelease(chunk(offset), index(offset), value);
        Reference.reachabilityFence(this);
    }

    short getShortAcquire(long offset) {
        short value = (short) SHORTS.getAcquire(chunk(offset), index(offset));
        Reference.reachabilityFence(this);
        return value;
    }

    void putShortRelease(long offset, short value) {
        SHORTS.setRelease(chunk(offset), index(offset), value);
        Reference.reachabilityFence(this);
    }

    /** A byte load is always untorn; the fence gives it the ordering of a volatile load. */
    byte getByteVolatile(long offset) {
        byte value = chunk(offset).get(index(offset));
        VarHandle.acquireFence();
        Reference.reachabilityFence(this);
        return value;
    }

    /** A byte store is always untorn; the fences give it the ordering of a volatile store. */
    void putByteVolatile(long offset, byte value) {
        VarHandle.releaseFence();
        chunk(offset).put(index(offset), value);
        VarHandle.fullFence();
        Reference.reachabilityFence(this);
    }

    /**
     * Closes: idempotent, safe against concurrent accessors (see the class comment). The swap
     * happens under the monitor, so a second {@code close()} returns only once the backing pages
     * are really gone (a caller may, for example, write-seal the memfd right after).
     */
    synchronized void close() {
        if (!isOpen()) {
            return;
        }
        ACCESS.setVolatile(this, 0);
        replaceWithScratch();
        closeFileGuard();
    }

    /**
     * The guard's descriptor goes with the backing pages: after the swap to scratch memory no
     * access can fault, so a racing check that finds the descriptor closed only throws.
     */
    private void closeFileGuard() {
        if (fileGuard != null) {
            fileGuard.close();
        }
    }

    /**
     * Moves the pages of this mapping to {@code destination} (a range of
     * {@code pageRoundedSize} bytes that the caller owns and may lose) and closes the mapping for
     * its old holders. Used by {@link MemoryMappingArena#from}.
     *
     * <p>Why move instead of handing over the address: the new owner may later map a range
     * read-only or unmap it. A thread of the old holder that passed its open-check just before the
     * hand-over would then store into a read-only page, and the JVM dies of that SIGSEGV. So the
     * pages leave with {@code mremap(MREMAP_MAYMOVE | MREMAP_FIXED | MREMAP_DONTUNMAP)} (Linux
     * 5.13+ for shared mappings), which keeps the old range mapped, and the old range then gets
     * the same scratch memory as {@link #close()} and stays with this object's {@link Cleaner}.
     * The old range is therefore readable and writable at every instant; the new owner's range is
     * one that no old accessor can address.
     *
     * <p>The pages move while the mapping is still open, so a failed {@code mremap} leaves the
     * mapping untouched and open. For a shared mapping (anonymous memory, memfds, files) nothing
     * is lost in the window: with {@code MREMAP_DONTUNMAP} the old range still maps the same
     * object. For a private mapping (a write-sealed memfd) a write racing with the move may stay on
     * the old side; it raced with the hand-over, so no ordering promised it to the new owner.
     *
     * @throws ClosedException when already closed
     * @throws MmapException {@code SYSTEM_CALL_FAILED} when {@code mremap} refuses; the mapping
     *     is then still open
     */
    synchronized void moveTo(long destination, long pageRoundedSize) {
        if (!isOpen()) {
            throw closed();
        }
        try {
            LibC.mremapChecked(address, pageRoundedSize, pageRoundedSize,
                LibC.MREMAP_MAYMOVE | LibC.MREMAP_FIXED | LibC.MREMAP_DONTUNMAP, destination);
        } catch (SyscallException e) {
            throw MmapException.syscall("mremap", e.errno(),
                "moving mapping of size " + size + " (MREMAP_DONTUNMAP needs Linux 5.13 for shared mappings)");
        }
        ACCESS.setVolatile(this, 0);
        replaceWithScratch();
        closeFileGuard();
    }

    /**
     * Maps fresh, private, read-write anonymous memory over the whole range. MAP_NORESERVE: a
     * straggler's writes are the only thing that ever commits memory here.
     */
    private void replaceWithScratch() {
        try {
            LibC.mmapChecked(address, size, LibC.PROT_READ | LibC.PROT_WRITE,
                LibC.MAP_PRIVATE | LibC.MAP_ANONYMOUS | LibC.MAP_FIXED | LibC.MAP_NORESERVE, -1, 0);
        } catch (SyscallException e) {
            // Keeping the old pages mapped until the Cleaner runs is safe; only memory is held longer.
        }
    }

    // ---- bulk operations; callers have checked bounds and access, and fence this object ----

    /** Copies {@code length} bytes at {@code offset} into {@code dst[dstIndex...]}. */
    void copyOut(long offset, byte[] dst, int dstIndex, int length) {
        if (length >= NATIVE_COPY_OUT && fileGuard == null) {
            base.read(offset, dst, dstIndex, length);
            Reference.reachabilityFence(this);
            return;
        }
        while (length > 0) {
            int index = index(offset);
            int n = (int) Math.min(length, CHUNK_SIZE - index);
            chunk(offset).get(index, dst, dstIndex, n);
            offset += n;
            dstIndex += n;
            length -= n;
        }
    }

    /** Copies {@code src[srcIndex...]} ({@code length} bytes) to {@code offset}. */
    void copyIn(long offset, byte[] src, int srcIndex, int length) {
        if (length >= NATIVE_COPY_IN && fileGuard == null) {
            base.write(offset, src, srcIndex, length);
            Reference.reachabilityFence(this);
            return;
        }
        while (length > 0) {
            int index = index(offset);
            int n = (int) Math.min(length, CHUNK_SIZE - index);
            chunk(offset).put(index, src, srcIndex, n);
            offset += n;
            srcIndex += n;
            length -= n;
        }
    }

    /** Copies {@code src.remaining()} bytes to {@code offset}; {@code src}'s position is unchanged. */
    void chunkedPut(long offset, ByteBuffer src) {
        int from = src.position();
        int length = src.remaining();
        while (length > 0) {
            int index = index(offset);
            int n = (int) Math.min(length, CHUNK_SIZE - index);
            chunk(offset).put(index, src, from, n);
            offset += n;
            from += n;
            length -= n;
        }
    }

    /** Fills {@code dst.remaining()} bytes from {@code offset}; {@code dst}'s position is unchanged. */
    void chunkedGet(long offset, ByteBuffer dst) {
        int to = dst.position();
        int length = dst.remaining();
        while (length > 0) {
            int index = index(offset);
            int n = (int) Math.min(length, CHUNK_SIZE - index);
            dst.put(to, chunk(offset), index, n);
            offset += n;
            to += n;
            length -= n;
        }
    }

    /**
     * Sets {@code length} bytes at {@code offset} to {@code value}, by bulk puts of a pattern
     * array. Not JNA's {@code setMemory}: a fault in native code (SIGBUS on a page past the end of
     * a file that someone truncated) kills the JVM, whereas the JVM turns a SIGBUS in a buffer's
     * bulk copy into an {@link InternalError}, as for every other accessor.
     */
    void fill(long offset, long length, byte value) {
        byte[] pattern = fillPattern(value);
        while (length > 0) {
            int index = index(offset);
            int n = (int) Math.min(Math.min(length, pattern.length), CHUNK_SIZE - index);
            chunk(offset).put(index, pattern, 0, n);
            offset += n;
            length -= n;
        }
    }

    /**
     * A {@value #FILL_PATTERN_SIZE}-byte array of {@code value}. The last one made is kept, so
     * that repeated fills (zeroing, mostly) allocate nothing. An array is never written after it
     * is published through the volatile field, so threads racing with different values merely
     * replace each other's pattern.
     */
    private byte[] fillPattern(byte value) {
        byte[] pattern = fillPattern;
        if (pattern == null || pattern[0] != value) {
            pattern = new byte[FILL_PATTERN_SIZE];
            if (value != 0) {
                Arrays.fill(pattern, value);
            }
            fillPattern = pattern;
        }
        return pattern;
    }

    /** Whether {@code length} bytes at {@code offset} are all zero. */
    boolean isZero(long offset, long length) {
        long end = offset + length;
        while (offset < end && (offset & 7) != 0) {
            if (chunk(offset).get(index(offset)) != 0) {
                return false;
            }
            offset++;
        }
        while (end - offset >= 8) {
            if (chunk(offset).getLong(index(offset)) != 0) {
                return false;
            }
            offset += 8;
        }
        while (offset < end) {
            if (chunk(offset).get(index(offset)) != 0) {
                return false;
            }
            offset++;
        }
        return true;
    }

    /**
     * Copies {@code length} bytes from {@code srcOffset} of {@code src} to {@code dstOffset} of
     * this mapping; overlapping ranges of one mapping copy as memmove does.
     */
    void copyFrom(MappingState src, long srcOffset, long dstOffset, long length) {
        if (src == this && srcOffset < dstOffset && dstOffset < srcOffset + length) {
            // Backwards in chunk-sized steps so an overlapping forward move never reads bytes it already wrote.
            long remaining = length;
            while (remaining > 0) {
                long n = Math.min(remaining, Math.min(index(srcOffset + remaining - 1) + 1L, index(dstOffset + remaining - 1) + 1L));
                long s = srcOffset + remaining - n;
                long d = dstOffset + remaining - n;
                chunk(d).put(index(d), src.chunk(s), index(s), (int) n);
                remaining -= n;
            }
            return;
        }
        while (length > 0) {
            int si = index(srcOffset);
            int di = index(dstOffset);
            int n = (int) Math.min(length, Math.min(CHUNK_SIZE - si, CHUNK_SIZE - di));
            chunk(dstOffset).put(di, src.chunk(srcOffset), si, n);
            srcOffset += n;
            dstOffset += n;
            length -= n;
        }
    }

    /**
     * Reads from {@code channel} at file position {@code position} into {@code [offset, offset +
     * length)} of this mapping through direct-buffer views of the range (no copy through the
     * heap: the kernel's pread writes the mapping itself), until {@code length} bytes arrived or
     * the file ended. The caller checked bounds and access and fences this object.
     *
     * @return the bytes transferred, fewer than {@code length} only at end of file
     */
    long readFromChannel(FileChannel channel, long position, long offset, long length) throws IOException {
        long done = 0;
        while (done < length) {
            ByteBuffer view = view(offset + done, length - done);
            int n = channel.read(view, position + done);
            if (n <= 0) {
                // -1 is end of file; 0 cannot happen for a blocking file channel, but must not spin
                break;
            }
            done += n;
        }
        return done;
    }

    /**
     * Writes {@code [offset, offset + length)} of this mapping to {@code channel} at file position
     * {@code position} through direct-buffer views, until all of it is written or the channel
     * takes no more (a write of 0 bytes).
     *
     * @return the bytes transferred
     */
    long writeToChannel(FileChannel channel, long position, long offset, long length) throws IOException {
        long done = 0;
        while (done < length) {
            ByteBuffer view = view(offset + done, length - done);
            int n = channel.write(view, position + done);
            if (n <= 0) {
                break;
            }
            done += n;
        }
        return done;
    }

    /**
     * A direct buffer over at most {@code length} bytes from {@code offset}, inside one chunk (so at
     * most {@value #CHUNK_SIZE} bytes). Its bounds are the range's: a channel cannot reach past it.
     */
    /** Appends direct-buffer views of {@code [offset, offset + length)} to {@code out}, one per chunk it touches. */
    void views(long offset, long length, List<ByteBuffer> out) {
        long done = 0;
        while (done < length) {
            ByteBuffer v = view(offset + done, length - done);
            out.add(v);
            done += v.remaining();
        }
    }

    private ByteBuffer view(long offset, long length) {
        int index = index(offset);
        int n = (int) Math.min(length, CHUNK_SIZE - index);
        return chunk(offset).slice(index, n);
    }

    /**
     * Unmaps the range once the state object is unreachable: only then can no accessor, slice or
     * arena hand-over be in the middle of touching it.
     */
    private record Unmapper(long address, long size, FileGuard fileGuard) implements Runnable {
        @Override
        public void run() {
            if (fileGuard != null) {
                fileGuard.close();
            }
            try {
                LibC.munmapChecked(address, size);
            } catch (SyscallException e) {
                // Nothing useful to do from a cleaner thread; the range simply stays reserved.
            }
        }
    }
}
