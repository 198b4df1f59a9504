package io.jvmm.memory;

import io.jvmm.core.ClosedException;
import io.jvmm.core.SafeDescriptor;
import io.jvmm.core.AsRawDescriptor;
import io.jvmm.core.FileStatus;
import io.jvmm.core.LibC;
import io.jvmm.core.SyscallException;
import java.util.Objects;

/**
 * Describes a {@link MemoryMapping} and creates it. Without a descriptor the mapping is anonymous
 * {@code MAP_SHARED} memory (so {@code MADV_REMOVE} works on it, as in crosvm). With a descriptor it
 * maps the file or memfd from {@link #offset(long)}; a memfd sealed against writes is mapped
 * {@code MAP_PRIVATE}, because the kernel refuses a shared writable mapping of it.
 *
 * <p>The setters only record their argument (and refuse a {@code null}); {@link #build()} checks
 * everything. A builder is not thread-safe, and may build several mappings.
 */
public final class MemoryMappingBuilder {
    private final long size;
    private AsRawDescriptor descriptor;
    private long offset;
    private Protection protection = Protection.readWrite();
    private long alignment;
    private boolean populate;

    MemoryMappingBuilder(long size) {
        this.size = size;
    }

    /**
     * Maps {@code shm} (the mapping stays valid after {@code shm} is closed), replacing any
     * descriptor set before.
     *
     * @param shm the memfd to map; it must be open when {@link #build()} runs
     * @return this builder
     * @throws NullPointerException when {@code shm} is null
     */
    public MemoryMappingBuilder fromSharedMemory(SharedMemory shm) {
        this.descriptor = Objects.requireNonNull(shm, "shm");
        return this;
    }

    /**
     * Maps the file or memfd behind {@code fd}, replacing any descriptor set before. The mapping
     * stays valid after {@code fd} is closed.
     *
     * @param fd the descriptor to map; it must be open when {@link #build()} runs
     * @return this builder
     * @throws NullPointerException when {@code fd} is null
     */
    public MemoryMappingBuilder fromDescriptor(AsRawDescriptor fd) {
        this.descriptor = Objects.requireNonNull(fd, "fd");
        return this;
    }

    /**
     * The offset into the descriptor at which the mapping starts; ignored for anonymous memory.
     *
     * @param offset the offset in bytes, non-negative and a multiple of the page size (default 0)
     * @return this builder
     */
    public MemoryMappingBuilder offset(long offset) {
        this.offset = offset;
        return this;
    }

    /**
     * The access the mapping allows (default read-write); accessors enforce it too.
     *
     * @param protection the protection of the pages
     * @return this builder
     * @throws NullPointerException when {@code protection} is null
     */
    public MemoryMappingBuilder protection(Protection protection) {
        this.protection = Objects.requireNonNull(protection, "protection");
        return this;
    }

    /**
     * Places the mapping at a host address that is a multiple of {@code alignment} (for huge pages,
     * say). Costs a reservation of {@code size + alignment} bytes of address space while mapping.
     *
     * @param alignment in bytes: 0 (the default) or a power-of-two multiple of the page size; up to
     *     the page size changes nothing
     * @return this builder
     */
    public MemoryMappingBuilder align(long alignment) {
        this.alignment = alignment;
        return this;
    }

    /**
     * Pre-faults the file's pages ({@code MAP_POPULATE}); only for descriptor mappings.
     *
     * @return this builder
     */
    public MemoryMappingBuilder populate() {
        this.populate = true;
        return this;
    }

    /**
     * Creates the mapping. The checks run in the order listed below, all before any system call
     * that maps memory.
     *
     * <p>The length check protects against files that are too short now. A file that someone
     * shrinks later, while it is mapped, would make accesses past its new end raise SIGBUS, which
     * HotSpot reports late (an {@link InternalError} at some later point of the thread) or, in
     * native code, not at all (the JVM dies). So a mapping of a file that can shrink (a regular
     * file, a memfd without {@code F_SEAL_SHRINK}) keeps a duplicate of the descriptor and checks
     * the file's length before every access: bytes that are gone throw {@link MmapException}
     * {@code INVALID_RANGE}. That costs an {@code fstat} per access; seal memfds with
     * {@code F_SEAL_SHRINK} (as guest memory does) to skip it. Only a truncation racing with an
     * access can still get past the check.
     *
     * @return the new mapping, open, owned by the caller (close it)
     * @throws MmapException {@code INVALID_ARGUMENT} for a size that is not positive,
     *     {@code populate()} without a descriptor, or a descriptor whose owner is closed;
     *     {@code INVALID_OFFSET} for a negative fd offset; {@code NOT_PAGE_ALIGNED} for an
     *     unaligned fd offset; {@code OVERFLOW} when offset + size (or size + alignment)
     *     overflows; {@code INVALID_ALIGNMENT} for an alignment that is not a power-of-two multiple
     *     of the page size; {@code SYSTEM_CALL_FAILED} with the errno of {@code fstat}
     *     ({@code EBADF} for a bad descriptor), {@code fcntl} ({@code EMFILE} when the file check's
     *     descriptor cannot be duplicated) or {@code mmap} ({@code EACCES}, {@code ENODEV},
     *     {@code ENOMEM}); {@code INVALID_RANGE} when a regular file or memfd is shorter than
     *     offset + size (touching such pages would raise SIGBUS)
     */
    public MemoryMapping build() {
        long page = MappingState.PAGE_SIZE;
        validate(page);
        int prot = protection.toProt();
        if (descriptor == null) {
            int flags = LibC.MAP_SHARED | LibC.MAP_ANONYMOUS | LibC.MAP_NORESERVE;
            long address = alignment > page ? mapAligned(prot, flags, -1) : map(0, prot, flags, -1);
            return new MemoryMapping(new MappingState(address, size, protection, null));
        }
        // The length and seal checks and the mmap all run on one private copy of the descriptor:
        // on the caller's number, a close on another thread between check and mmap could hand the
        // number to a shorter file, and a mapping judged unshrinkable would then SIGBUS.
        try (SafeDescriptor own = pinnedCopy(descriptor, size)) {
            int fd = own.asRawDescriptor();
            FileStatus status = checkFileLength(fd);
            int flags = (isWriteSealed(fd) ? LibC.MAP_PRIVATE : LibC.MAP_SHARED) | (populate ? LibC.MAP_POPULATE : 0);
            FileGuard guard = FileGuard.forDescriptor(fd, status, offset);
            long address;
            try {
                address = alignment > page ? mapAligned(prot, flags, fd) : map(0, prot, flags, fd);
            } catch (RuntimeException e) {
                if (guard != null) {
                    guard.close();
                }
                throw e;
            }
            return new MemoryMapping(new MappingState(address, size, protection, guard));
        }
    }

    /**
     * A close-on-exec copy of {@code descriptor} (fcntl F_DUPFD_CLOEXEC) that this call owns, so
     * that checks and mmap see one file whatever other threads close meanwhile.
     *
     * @throws MmapException {@code INVALID_ARGUMENT} when the owner reports the descriptor closed;
     *     {@code SYSTEM_CALL_FAILED} with errno when the copy fails ({@code EBADF} for a number
     *     that is not open, {@code EMFILE})
     */
    static SafeDescriptor pinnedCopy(AsRawDescriptor descriptor, long size) {
        int number = descriptorNumber(descriptor, size);
        try {
            return new SafeDescriptor(LibC.fcntlChecked(number, FileGuard.F_DUPFD_CLOEXEC, 0));
        } catch (SyscallException e) {
            throw MmapException.syscall("fcntl(F_DUPFD_CLOEXEC)", e.errno(), "copying descriptor " + number
                + " for a mapping of size " + size);
        }
    }

    private void validate(long page) {
        if (size <= 0) {
            throw new MmapException(MmapException.Kind.INVALID_ARGUMENT, "mapping size must be positive, got " + size);
        }
        if (populate && descriptor == null) {
            throw new MmapException(MmapException.Kind.INVALID_ARGUMENT, "populate() needs a descriptor (size " + size + ")");
        }
        if (offset < 0) {
            throw new MmapException(MmapException.Kind.INVALID_OFFSET, "negative fd offset " + offset);
        }
        if (offset % page != 0) {
            throw new MmapException(MmapException.Kind.NOT_PAGE_ALIGNED, "fd offset " + offset + " is not a multiple of the page size " + page);
        }
        if (offset + size < 0 || size + page < 0) {
            throw new MmapException(MmapException.Kind.OVERFLOW, "fd offset " + offset + " + size " + size + " overflows");
        }
        if (alignment != 0 && (alignment < 0 || (alignment & (alignment - 1)) != 0 || alignment % page != 0)) {
            throw new MmapException(MmapException.Kind.INVALID_ALIGNMENT,
                "alignment " + alignment + " is not a power-of-two multiple of the page size " + page);
        }
        if (alignment > 0 && size + alignment < 0) {
            throw new MmapException(MmapException.Kind.OVERFLOW, "size " + size + " + alignment " + alignment + " overflows");
        }
    }

    /**
     * Refuses a mapping that would reach past the end of a regular file or memfd: touching a page
     * wholly beyond the end raises SIGBUS, which kills the JVM in native code and is at best an
     * {@link InternalError} in Java code. Bytes past the end but
     * inside the file's last page read as zeros (mmap(2)), so the limit is the size rounded up to a
     * page. Devices and other non-regular descriptors have no meaningful size; the kernel decides.
     */
    private FileStatus checkFileLength(int fd) {
        FileStatus status;
        try {
            status = LibC.fstatChecked(fd);
        } catch (SyscallException e) {
            throw MmapException.syscall("fstat", e.errno(), "descriptor " + fd + " (mapping of size " + size + ")");
        }
        if (status.isRegularFile() && offset + size > roundUpToPage(status.size())) {
            throw new MmapException(MmapException.Kind.INVALID_RANGE,
                "mapping [" + offset + ", " + (offset + size) + ") extends past the end of the file ("
                    + status.size() + " bytes)");
        }
        return status;
    }

    /** {@code value} rounded up to a page multiple; saturates at {@code Long.MAX_VALUE}. */
    private static long roundUpToPage(long value) {
        long page = MappingState.PAGE_SIZE;
        if (value > Long.MAX_VALUE - (page - 1)) {
            return Long.MAX_VALUE;
        }
        return (value + page - 1) / page * page;
    }

    /**
     * Whether {@code fd} is a memfd sealed against writes. The kernel refuses a shared writable
     * mapping of one ({@code EPERM}), so jvmm maps it private: the guest's writes stay in this
     * process, the sealed contents are never changed.
     */
    static boolean isWriteSealed(int fd) {
        try {
            int seals = LibC.fcntlChecked(fd, LibC.F_GET_SEALS, 0);
            return (seals & (LibC.F_SEAL_WRITE | LibC.F_SEAL_FUTURE_WRITE)) != 0;
        } catch (SyscallException e) {
            return false; // EINVAL: not a memfd, so it has no seals.
        }
    }

    /** The number behind {@code descriptor}; a closed owner is an argument error, not a crash. */
    static int descriptorNumber(AsRawDescriptor descriptor, long size) {
        try {
            return descriptor.asRawDescriptor();
        } catch (ClosedException | IllegalStateException e) {
            throw new MmapException(MmapException.Kind.INVALID_ARGUMENT,
                "descriptor is closed (mapping of size " + size + "): " + e.getMessage());
        }
    }

    private long map(long address, int prot, int flags, int fd) {
        try {
            return AddressSpace.map(address, size, prot, flags, fd, fd < 0 ? 0 : offset);
        } catch (SyscallException e) {
            throw MmapException.syscall("mmap", e.errno(), "size " + size + " offset " + offset + " prot " + protection);
        }
    }

    private static void unmapQuietly(long address, long length) {
        try {
            LibC.munmapChecked(address, length);
        } catch (SyscallException e) {
            // See mapAligned.
        }
    }

    /** Reserves size + alignment, maps inside it at the first aligned address, returns the slack. */
    private long mapAligned(int prot, int flags, int fd) {
        long reserve = size + alignment;
        long base;
        try {
            base = AddressSpace.map(0, reserve, LibC.PROT_NONE,
                LibC.MAP_PRIVATE | LibC.MAP_ANONYMOUS | LibC.MAP_NORESERVE, -1, 0);
        } catch (SyscallException e) {
            throw MmapException.syscall("mmap", e.errno(), "reserving " + reserve + " bytes for alignment " + alignment);
        }
        long aligned = (base + alignment - 1) & -alignment;
        long mapped;
        try {
            mapped = map(aligned, prot, flags | LibC.MAP_FIXED, fd);
        } catch (MmapException e) {
            unmapQuietly(base, reserve);
            throw e;
        }
        // The slack before and after the aligned mapping goes back; failing to return it only
        // leaves an inaccessible reservation behind, so it is not an error of build().
        long end = aligned + roundUpToPage(size);
        if (aligned > base) {
            unmapQuietly(base, aligned - base);
        }
        if (base + reserve > end) {
            unmapQuietly(end, base + reserve - end);
        }
        return mapped;
    }
}
