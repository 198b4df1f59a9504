package io.jvmm.memory;

import io.jvmm.core.AsRawDescriptor;

/**
 * The narrow contract a hypervisor needs from host memory: where it starts and how long it is.
 * The host address is what {@code KVM_SET_USER_MEMORY_REGION} receives as
 * {@code userspace_addr}. Implementations that can place file mappings inside themselves (an
 * arena) override {@link #addFdMapping} and {@link #removeMapping}.
 */
public interface MappedRegion {
    /**
     * The host virtual address of the first byte; only for handing the region to the kernel (a
     * memory slot), never for access from Java.
     *
     * @return the address, page aligned
     * @throws io.jvmm.core.ClosedException when the region was closed (for regions that can be)
     */
    long asPtr();

    /** {@return the size in bytes, as given at creation; still answers after close} */
    long size();

    /**
     * Maps {@code size} bytes of {@code fd} from {@code fdOffset} at {@code offset} inside this
     * region.
     *
     * @param offset   the offset in bytes inside this region, page aligned
     * @param size     the number of bytes to map, positive
     * @param fd       the file or memfd to map
     * @param fdOffset the offset in bytes inside {@code fd}, page aligned
     * @param prot     the access the new pages allow
     * @throws MmapException {@code ADD_FD_MAPPING_UNSUPPORTED} unless the region supports it
     */
    default void addFdMapping(long offset, long size, AsRawDescriptor fd, long fdOffset, Protection prot) {
        throw new MmapException(MmapException.Kind.ADD_FD_MAPPING_UNSUPPORTED,
            getClass().getSimpleName() + " cannot add fd mappings (offset=" + offset + " size=" + size + ")");
    }

    /**
     * Removes what was mapped at {@code [offset, offset + size)}.
     *
     * @param offset the offset in bytes inside this region, page aligned
     * @param size   the number of bytes to remove, positive
     * @throws MmapException {@code REMOVE_MAPPING_UNSUPPORTED} unless the region supports it
     */
    default void removeMapping(long offset, long size) {
        throw new MmapException(MmapException.Kind.REMOVE_MAPPING_UNSUPPORTED,
            getClass().getSimpleName() + " cannot remove mappings (offset=" + offset + " size=" + size + ")");
    }
}
