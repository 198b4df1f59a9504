package io.jvmm.memory;

import io.jvmm.core.AsRawDescriptor;
import io.jvmm.core.ClosedException;
import io.jvmm.core.LibC;
import io.jvmm.core.SafeDescriptor;
import io.jvmm.core.SyscallException;
import java.lang.ref.Cleaner;
import java.lang.ref.Reference;
import java.util.Objects;

/**
 * A reserved range of host address space into which anonymous memory and file or memfd pages are
 * mapped at fixed offsets (crosvm's {@code MemoryMappingArena}). A hypervisor registers the whole
 * arena as one memory slot and then changes what backs parts of it, for example to place a file
 * into guest memory or to punch a read-only hole.
 *
 * <p>Rules of every call that takes a range: {@code offset} must be a multiple of the page size
 * ({@code NOT_PAGE_ALIGNED}); {@code size} must be positive ({@code INVALID_ARGUMENT}) and is
 * rounded up to whole pages by the kernel; {@code [offset, offset + size)} must lie inside the arena
 * ({@code INVALID_ADDRESS}, also for a negative offset or an overflowing sum). Ranges of later
 * calls may overlap earlier ones: the newer mapping replaces the older one's pages.
 *
 * <p>The arena has no byte accessors (neither has crosvm's), so no call of this API reads or
 * writes its pages; that is what lets it map ranges read-only or without access at all.
 *
 * <p>A call that fails leaves the range exactly as it was: the new pages are mapped elsewhere
 * first and moved into place in one step (see {@code mapFixed}), so no failure can leave a hole
 * in the arena for another mapping to land in.
 *
 * <p>Calls are serialized on the arena (it is thread-safe), and after {@link #close()} each throws
 * {@link ClosedException}: a fixed mapping into a range that {@code close()} already gave
 * back could otherwise land on memory that now belongs to someone else.
 */
public final class MemoryMappingArena implements MappedRegion, AutoCloseable {
    private static final Cleaner CLEANER = Cleaner.create();

    private final long address;
    private final long size;
    private final Cleaner.Cleanable unmapper;
    /** Guarded by {@code this}. */
    private boolean closed;

    /**
     * Reserves {@code size} bytes of address space: private, no access, {@code MAP_NORESERVE}, so
     * nothing is committed until ranges are added.
     *
     * @param size the arena's length in bytes, positive; the reservation is rounded up to whole pages
     * @throws MmapException {@code INVALID_ARGUMENT} for a size that is not positive,
     *     {@code OVERFLOW} when rounding it up to pages overflows, {@code SYSTEM_CALL_FAILED}
     *     ({@code ENOMEM}) when the address space has no room
     */
    public MemoryMappingArena(long size) {
        this(reserve(pageRounded(size)), size);
    }

    private MemoryMappingArena(long address, long size) {
        this.address = address;
        this.size = size;
        this.unmapper = CLEANER.register(this, new Unmapper(address, pageRounded(size)));
    }

    /**
     * Turns {@code mapping} into an arena holding its pages, as crosvm's
     * {@code From<MemoryMapping>}. The mapping is closed to its old holder: afterwards each of its
     * accessors (and those of its slices) throws {@link ClosedException}.
     *
     * <p>The pages move to a range reserved for the arena
     * ({@code mremap(MREMAP_MAYMOVE | MREMAP_FIXED | MREMAP_DONTUNMAP)}), so {@link #asPtr()}
     * differs from the mapping's old {@code asPtr()}. This is deliberate: a thread of the old
     * holder may be halfway into a write when the hand-over happens, and the arena may later map
     * part of its range read-only; on the old range such a write would kill the JVM. The old range
     * instead keeps readable, writable scratch memory until nothing can reach it (see
     * {@code MappingState}). A memslot registered with the old address must be registered again.
     *
     * @param mapping the mapping whose pages the arena takes; its protection carries over
     * @return a new arena of {@code mapping.size()} bytes holding the mapping's pages
     * @throws ClosedException when {@code mapping} is already closed
     * @throws NullPointerException when {@code mapping} is null
     * @throws MmapException {@code SYSTEM_CALL_FAILED} when the pages cannot be moved (for
     *     example {@code EINVAL} on kernels before 5.13, {@code ENOMEM}); the mapping is then
     *     still open and unchanged
     */
    public static MemoryMappingArena from(MemoryMapping mapping) {
        MappingState state = mapping.state();
        state.checkOpen();
        long rounded = pageRounded(state.size);
        long destination = reserve(rounded);
        try {
            state.moveTo(destination, rounded);
        } catch (RuntimeException e) {
            unmapQuietly(destination, rounded);
            throw e;
        }
        return new MemoryMappingArena(destination, state.size);
    }

    /**
     * The host address of the arena's first byte.
     *
     * @return the address, page aligned
     * @throws ClosedException after {@link #close()}
     */
    @Override
    public synchronized long asPtr() {
        checkOpen();
        return address;
    }

    /** The size given at creation (or the mapping's size, for {@link #from}). */
    @Override
    public long size() {
        return size;
    }

    /**
     * Maps fresh shared anonymous read-write memory (zeros) over the range.
     *
     * @param offset the offset in bytes inside the arena, page aligned
     * @param size   the number of bytes, positive
     * @throws MmapException the range rules (see the class comment); {@code SYSTEM_CALL_FAILED} with
     *     errno when mmap or mremap refuses
     * @throws ClosedException after {@link #close()}
     */
    public void addAnon(long offset, long size) {
        addAnonProtection(offset, size, Protection.readWrite());
    }

    /**
     * Maps fresh shared anonymous memory (zeros) with {@code prot} over the range.
     *
     * @param offset the offset in bytes inside the arena, page aligned
     * @param size   the number of bytes, positive
     * @param prot   the access the new pages allow
     * @throws MmapException the range rules (see the class comment); {@code SYSTEM_CALL_FAILED} with
     *     errno when mmap or mremap refuses
     * @throws ClosedException after {@link #close()}
     * @throws NullPointerException when {@code prot} is null
     */
    public void addAnonProtection(long offset, long size, Protection prot) {
        Objects.requireNonNull(prot, "prot");
        mapFixed(offset, size, prot.toProt(), LibC.MAP_SHARED | LibC.MAP_ANONYMOUS | LibC.MAP_NORESERVE, null, 0);
    }

    /**
     * Maps {@code size} bytes of {@code fd} from its start, read-write, over the range:
     * {@link #addFdOffsetProtection} with file offset 0.
     *
     * @param offset the offset in bytes inside the arena, page aligned
     * @param size   the number of bytes, positive
     * @param fd     the file or memfd to map
     * @throws MmapException as {@link #addFdOffsetProtection}
     * @throws ClosedException after {@link #close()}
     * @throws NullPointerException when {@code fd} is null
     */
    public void addFd(long offset, long size, AsRawDescriptor fd) {
        addFdOffset(offset, size, fd, 0);
    }

    /**
     * Maps {@code size} bytes of {@code fd} from {@code fdOffset}, read-write, over the range.
     *
     * @param offset   the offset in bytes inside the arena, page aligned
     * @param size     the number of bytes, positive
     * @param fd       the file or memfd to map
     * @param fdOffset the offset in bytes inside {@code fd}, non-negative and page aligned
     * @throws MmapException as {@link #addFdOffsetProtection}
     * @throws ClosedException after {@link #close()}
     * @throws NullPointerException when {@code fd} is null
     */
    public void addFdOffset(long offset, long size, AsRawDescriptor fd, long fdOffset) {
        addFdOffsetProtection(offset, size, fd, fdOffset, Protection.readWrite());
    }

    /**
     * Maps {@code size} bytes of {@code fd} from {@code fdOffset} with {@code prot} over the
     * range. Shared, so writes reach the file; a write-sealed memfd is mapped private instead, as
     * {@link MemoryMappingBuilder} does. Unlike {@link MemoryMapping}, the arena does not refuse a
     * range past the end of the file: nothing here touches the pages, and a guest that does gets
     * an error from KVM, not this process a signal.
     *
     * @param offset   the offset in bytes inside the arena, page aligned
     * @param size     the number of bytes, positive
     * @param fd       the file or memfd to map; it may be closed afterwards
     * @param fdOffset the offset in bytes inside {@code fd}, non-negative and page aligned
     * @param prot     the access the new pages allow
     * @throws MmapException in addition to the range rules: {@code INVALID_OFFSET} for a negative
     *     {@code fdOffset}, {@code NOT_PAGE_ALIGNED} for one that is not page aligned,
     *     {@code OVERFLOW} when {@code fdOffset + size} overflows, {@code INVALID_ARGUMENT} for a
     *     closed descriptor owner, {@code SYSTEM_CALL_FAILED} with errno when mmap refuses
     *     ({@code EBADF}, {@code EACCES}, {@code ENODEV})
     * @throws ClosedException after {@link #close()}
     * @throws NullPointerException when {@code fd} or {@code prot} is null
     */
    public void addFdOffsetProtection(long offset, long size, AsRawDescriptor fd, long fdOffset, Protection prot) {
        Objects.requireNonNull(fd, "fd");
        Objects.requireNonNull(prot, "prot");
        if (fdOffset < 0) {
            throw new MmapException(MmapException.Kind.INVALID_OFFSET,
                "negative fd offset " + fdOffset + " (arena offset " + offset + ", size " + size + ")");
        }
        if (fdOffset % MappingState.PAGE_SIZE != 0) {
            throw new MmapException(MmapException.Kind.NOT_PAGE_ALIGNED,
                "fd offset " + fdOffset + " is not a multiple of the page size " + MappingState.PAGE_SIZE);
        }
        if (size > 0 && fdOffset + size < 0) {
            throw new MmapException(MmapException.Kind.OVERFLOW, "fd offset " + fdOffset + " + size " + size + " overflows");
        }
        mapFixed(offset, size, prot.toProt(), LibC.MAP_SHARED, fd, fdOffset);
    }

    /**
     * Replaces the range with fresh read-only anonymous memory: it reads as zeros, and whatever
     * file was mapped there keeps its contents.
     *
     * @param offset the offset in bytes inside the arena, page aligned
     * @param size   the number of bytes, positive
     * @throws MmapException the range rules (see the class comment); {@code SYSTEM_CALL_FAILED} with
     *     errno when mmap or mremap refuses
     * @throws ClosedException after {@link #close()}
     */
    public void remove(long offset, long size) {
        mapFixed(offset, size, LibC.PROT_READ, LibC.MAP_PRIVATE | LibC.MAP_ANONYMOUS | LibC.MAP_NORESERVE, null, 0);
    }

    /** {@link #addFdOffsetProtection}. */
    @Override
    public void addFdMapping(long offset, long size, AsRawDescriptor fd, long fdOffset, Protection prot) {
        addFdOffsetProtection(offset, size, fd, fdOffset, prot);
    }

    /** {@link #remove}. */
    @Override
    public void removeMapping(long offset, long size) {
        remove(offset, size);
    }

    /**
     * Writes the file pages mapped in the range back to their files ({@code msync(MS_SYNC)}).
     *
     * @param offset the offset in bytes inside the arena, page aligned
     * @param size   the number of bytes, positive
     * @throws MmapException the range rules; {@code SYSTEM_CALL_FAILED} with errno when the kernel
     *     refuses
     * @throws ClosedException after {@link #close()}
     */
    public synchronized void msync(long offset, long size) {
        checkOpen();
        checkRange(offset, size);
        try {
            LibC.msyncChecked(address + offset, size, LibC.MS_SYNC);
        } catch (SyscallException e) {
            throw MmapException.syscall("msync", e.errno(), rangeText(offset, size));
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    /**
     * Unmaps the whole arena, and with it every range mapped into it. Idempotent. A memory slot
     * registered with {@link #asPtr()} must be removed first: afterwards the address range may be
     * given to any other mapping of the process.
     */
    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            unmapper.clean();
        }
    }

    /** {@return whether {@link #close()} has not been called yet} */
    public synchronized boolean isOpen() {
        return !closed;
    }

    @Override
    public String toString() {
        return "MemoryMappingArena[size=" + size + (isOpen() ? "" : ", closed") + "]";
    }

    private synchronized void mapFixed(long offset, long size, int prot, int flags, AsRawDescriptor fd, long fdOffset) {
        checkOpen();
        checkRange(offset, size);
        // The seal check and the mmap run on a private copy of the descriptor, which a close on
        // another thread cannot hand to an unrelated file in between (MemoryMappingBuilder.build).
        try (SafeDescriptor own = fd == null ? null : MemoryMappingBuilder.pinnedCopy(fd, size)) {
            mapFixedPinned(offset, size, prot, flags, own == null ? -1 : own.asRawDescriptor(), fdOffset);
        }
    }

    private void mapFixedPinned(long offset, long size, int prot, int flags, int fdNumber, long fdOffset) {
        if (fdNumber >= 0 && MemoryMappingBuilder.isWriteSealed(fdNumber)) {
            flags = (flags & ~LibC.MAP_SHARED) | LibC.MAP_PRIVATE;
        }
        // Map first at an address of the kernel's choosing, then move the pages into place. A
        // plain MAP_FIXED mmap unmaps the old pages before the file system can refuse (hugetlbfs
        // checks the file offset only then), and a failure leaves a hole in the arena into which
        // any later mmap of this process may land, to be unmapped by close() under its owner. All
        // the ways a mapping can fail happen in the first mmap, which touches nothing of the
        // arena. mremap(MREMAP_FIXED) then replaces the old pages and inserts the new ones under
        // one hold of the mm lock, so no other mapping can land in between; its own refusals
        // (a hugetlb destination that is not huge-page aligned, too many mappings) come before it
        // unmaps anything.
        long temporary;
        try {
            temporary = AddressSpace.map(0, size, prot, flags, fdNumber, fdOffset);
        } catch (SyscallException e) {
            throw MmapException.syscall("mmap", e.errno(), rangeText(offset, size) + " fd offset " + fdOffset);
        }
        try {
            LibC.mremapChecked(temporary, size, size, LibC.MREMAP_MAYMOVE | LibC.MREMAP_FIXED, address + offset);
        } catch (SyscallException e) {
            unmapQuietly(temporary, size);
            throw MmapException.syscall("mremap", e.errno(), "moving the new pages into " + rangeText(offset, size)
                + " fd offset " + fdOffset);
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new ClosedException("memory mapping arena is closed");
        }
    }

    private void checkRange(long offset, long size) {
        if (offset % MappingState.PAGE_SIZE != 0) {
            throw new MmapException(MmapException.Kind.NOT_PAGE_ALIGNED,
                "offset " + offset + " is not a multiple of the page size " + MappingState.PAGE_SIZE + " (arena of size " + this.size + ")");
        }
        if (size <= 0) {
            throw new MmapException(MmapException.Kind.INVALID_ARGUMENT, rangeText(offset, size) + ": size must be positive");
        }
        if (offset < 0 || offset > this.size || size > this.size - offset) {
            throw new MmapException(MmapException.Kind.INVALID_ADDRESS, rangeText(offset, size) + " is not inside the arena");
        }
    }

    private String rangeText(long offset, long size) {
        return "range [offset " + offset + ", size " + size + "] of arena of size " + this.size;
    }

    private static long pageRounded(long size) {
        if (size <= 0) {
            throw new MmapException(MmapException.Kind.INVALID_ARGUMENT, "arena size must be positive, got " + size);
        }
        long page = MappingState.PAGE_SIZE;
        if (size > Long.MAX_VALUE - (page - 1)) {
            throw new MmapException(MmapException.Kind.OVERFLOW, "arena size " + size + " overflows when rounded up to pages");
        }
        return (size + page - 1) / page * page;
    }

    private static long reserve(long length) {
        try {
            return AddressSpace.map(0, length, LibC.PROT_NONE,
                LibC.MAP_PRIVATE | LibC.MAP_ANONYMOUS | LibC.MAP_NORESERVE, -1, 0);
        } catch (SyscallException e) {
            throw MmapException.syscall("mmap", e.errno(), "reserving an arena of " + length + " bytes");
        }
    }

    private static void unmapQuietly(long address, long length) {
        try {
            LibC.munmapChecked(address, length);
        } catch (SyscallException e) {
            // The reservation stays; it is inaccessible and costs only address space.
        }
    }

    /** Gives the range back when the arena is closed or becomes unreachable. */
    private record Unmapper(long address, long length) implements Runnable {
        @Override
        public void run() {
            unmapQuietly(address, length);
        }
    }
}
