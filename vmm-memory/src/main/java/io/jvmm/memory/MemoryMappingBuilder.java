package io.jvmm.memory;

import io.jvmm.core.AsRawDescriptor;
import io.jvmm.core.LibC;
import io.jvmm.core.SyscallException;

/**
 * Describes a {@link MemoryMapping} and creates it. Without a descriptor the mapping is anonymous
 * {@code MAP_SHARED} memory (so {@code MADV_REMOVE} works on it, as in crosvm). With a descriptor it
 * maps the file or memfd from {@link #offset(long)}; a memfd sealed against writes is mapped
 * {@code MAP_PRIVATE}, because the kernel refuses a shared writable mapping of it.
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

    /** Maps {@code shm} (the mapping stays valid after {@code shm} is closed). */
    public MemoryMappingBuilder fromSharedMemory(SharedMemory shm) {
        this.descriptor = shm;
        return this;
    }

    /** Maps the file or memfd behind {@code fd}. */
    public MemoryMappingBuilder fromDescriptor(AsRawDescriptor fd) {
        this.descriptor = fd;
        return this;
    }

    /** The offset into the descriptor at which the mapping starts (page aligned). */
    public MemoryMappingBuilder offset(long offset) {
        this.offset = offset;
        return this;
    }

    public MemoryMappingBuilder protection(Protection protection) {
        this.protection = protection;
        return this;
    }

    /** Places the mapping at a host address that is a multiple of {@code alignment}. */
    public MemoryMappingBuilder align(long alignment) {
        this.alignment = alignment;
        return this;
    }

    /** Pre-faults the file's pages ({@code MAP_POPULATE}); only for descriptor mappings. */
    public MemoryMappingBuilder populate() {
        this.populate = true;
        return this;
    }

    /**
     * Creates the mapping.
     *
     * @throws MmapException {@code INVALID_ARGUMENT} for a size that is not positive or
     *     {@code populate()} without a descriptor; {@code INVALID_OFFSET} for a negative fd offset;
     *     {@code NOT_PAGE_ALIGNED} for an unaligned fd offset; {@code OVERFLOW} when offset + size
     *     overflows; {@code INVALID_ALIGNMENT} for an alignment that is not a power-of-two multiple of
     *     the page size; {@code INVALID_RANGE} when a regular file is shorter than offset + size
     *     (touching such pages would raise SIGBUS); {@code SYSTEM_CALL_FAILED} with errno otherwise
     */
    public MemoryMapping build() {
        long page = LibC.pageSize();
        validate(page);
        int prot = protection.toProt();
        int flags;
        int fd;
        if (descriptor == null) {
            flags = LibC.MAP_SHARED | LibC.MAP_ANONYMOUS | LibC.MAP_NORESERVE;
            fd = -1;
        } else {
            fd = descriptorNumber();
            checkFileLength(fd);
            flags = (isWriteSealed(fd) ? LibC.MAP_PRIVATE : LibC.MAP_SHARED) | (populate ? LibC.MAP_POPULATE : 0);
        }
        long address = alignment > page ? mapAligned(prot, flags, fd) : map(0, prot, flags, fd);
        return new MemoryMapping(new MappingState(address, size, protection));
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

    private int descriptorNumber() {
        try {
            return descriptor.asRawDescriptor();
        } catch (IllegalStateException e) {
            throw new MmapException(MmapException.Kind.INVALID_ARGUMENT, "descriptor is closed: " + e.getMessage());
        }
    }

    /** Refuses a mapping that would reach past the end of a regular file or memfd. */
    private void checkFileLength(int fd) {
        long end = LibC.lseekErrno(fd, 0, LibC.SEEK_END);
        if (end < 0) {
            if (-end == io.jvmm.core.Errno.EBADF) {
                throw MmapException.syscall("lseek", (int) -end, "descriptor " + fd);
            }
            return; // not seekable (a device): the kernel decides.
        }
        if (end > 0 && offset + size > roundUpToPage(end)) {
            throw new MmapException(MmapException.Kind.INVALID_RANGE,
                "mapping [" + offset + ", " + (offset + size) + ") extends past the end of the file (" + end + " bytes)");
        }
    }

    private static long roundUpToPage(long value) {
        long page = LibC.pageSize();
        return (value + page - 1) / page * page;
    }

    private static boolean isWriteSealed(int fd) {
        try {
            int seals = LibC.fcntlChecked(fd, LibC.F_GET_SEALS, 0);
            return (seals & (LibC.F_SEAL_WRITE | LibC.F_SEAL_FUTURE_WRITE)) != 0;
        } catch (SyscallException e) {
            return false; // EINVAL: not a memfd, no seals.
        }
    }

    private long map(long address, int prot, int flags, int fd) {
        try {
            return LibC.mmapChecked(address, size, prot, flags, fd, fd < 0 ? 0 : offset);
        } catch (SyscallException e) {
            throw MmapException.syscall("mmap", e.errno(), "size " + size + " offset " + offset + " prot " + protection);
        }
    }

    /** Reserves size + alignment, maps inside it at the first aligned address, returns the slack. */
    private long mapAligned(int prot, int flags, int fd) {
        long reserve = size + alignment;
        long base;
        try {
            base = LibC.mmapChecked(0, reserve, LibC.PROT_NONE,
                LibC.MAP_PRIVATE | LibC.MAP_ANONYMOUS | LibC.MAP_NORESERVE, -1, 0);
        } catch (SyscallException e) {
            throw MmapException.syscall("mmap", e.errno(), "reserving " + reserve + " bytes for alignment " + alignment);
        }
        long aligned = (base + alignment - 1) & -alignment;
        long mapped;
        try {
            mapped = map(aligned, prot, flags | LibC.MAP_FIXED, fd);
        } catch (MmapException e) {
            LibC.munmapChecked(base, reserve);
            throw e;
        }
        long end = aligned + roundUpToPage(size);
        if (aligned > base) {
            LibC.munmapChecked(base, aligned - base);
        }
        if (base + reserve > end) {
            LibC.munmapChecked(end, base + reserve - end);
        }
        return mapped;
    }
}
