package io.jvmm.memory;

/**
 * One contiguous range of guest physical memory of a {@link GuestMemory}: {@link #size()} bytes from
 * {@link #guestBase()}, backed by the bytes {@code [shmOffset, shmOffset + size)} of the guest
 * memory's one memfd and mapped into this process at {@link #hostAddress()}.
 *
 * <p>A region is what a hypervisor registers as one memory slot: {@code
 * setUserMemoryRegion(slot, flags, region.guestBase(), region.mapping())} hands KVM
 * {@code mapping().asPtr()} as {@code userspace_addr} (KVM API, {@code KVM_SET_USER_MEMORY_REGION}).
 *
 * <p>The numbers are fixed values. {@link #hostAddress()} and {@link #mapping()}{@code .asPtr()}
 * throw {@link io.jvmm.core.ClosedException} once the guest memory is closed, so a stale region can
 * never hand out the address of released memory. Regions are created by {@link GuestMemory} only,
 * are immutable and may be shared between threads.
 */
public final class GuestMemoryRegion {
    private final int index;
    private final GuestAddress guestBase;
    private final long size;
    private final long shmOffset;
    private final MemoryMapping mapping;
    private final MappedRegion view;
    /** The guest base as a number, and the mapping's state: what the scalar accessors of {@link GuestMemory} use. */
    final long base;
    final MappingState state;
    /** The region's dirty log; null when the guest memory does not track dirty pages. */
    final DirtyBitmap dirty;

    GuestMemoryRegion(int index, GuestAddress guestBase, long size, long shmOffset, MemoryMapping mapping, DirtyBitmap dirty) {
        this.index = index;
        this.guestBase = guestBase;
        this.size = size;
        this.shmOffset = shmOffset;
        this.mapping = mapping;
        this.view = new RegionMapping(mapping);
        this.base = guestBase.offset();
        this.state = mapping.state();
        this.dirty = dirty;
    }

    /** {@return the position of this region in ascending guest-address order, from 0} */
    public int index() {
        return index;
    }

    /** {@return the guest physical address of the first byte, a multiple of the page size} */
    public GuestAddress guestBase() {
        return guestBase;
    }

    /** {@return the size in bytes, positive and a multiple of the page size} */
    public long size() {
        return size;
    }

    /** {@return the guest address just past the last byte ({@code guestBase + size}; always below 2^64)} */
    public GuestAddress endAddr() {
        return guestBase.uncheckedAdd(size);
    }

    /**
     * {@return the offset of the first byte inside the guest memory's backing memfd} Regions lie
     * back to back in the memfd in ascending guest order, so region 0 is at offset 0.
     */
    public long shmOffset() {
        return shmOffset;
    }

    /**
     * The host virtual address of the first byte.
     *
     * @return the address, page aligned
     * @throws io.jvmm.core.ClosedException once the guest memory is closed
     */
    public long hostAddress() {
        return mapping.asPtr();
    }

    /**
     * The host mapping of this region as the narrow {@link MappedRegion} a hypervisor needs
     * ({@code asPtr()}, {@code size()}). It cannot be closed through this view: the region's
     * lifetime is its {@link GuestMemory}'s.
     *
     * @return the view; its {@code asPtr()} throws {@link io.jvmm.core.ClosedException} once the guest memory
     *     is closed, its {@code size()} always answers
     */
    public MappedRegion mapping() {
        return view;
    }

    /** Internal: the owned mapping, for {@link GuestMemory} and its snapshot code. */
    MemoryMapping memoryMapping() {
        return mapping;
    }

    @Override
    public String toString() {
        return "GuestMemoryRegion[" + index + ": [0x" + Long.toHexString(guestBase.offset()) + ", 0x"
            + Long.toHexString(guestBase.offset() + size) + ") shmOffset=0x" + Long.toHexString(shmOffset) + "]";
    }

    /**
     * A view that exposes the address and size of a region's mapping but not its {@code close()},
     * so that code holding a region cannot end the guest memory's lifetime behind its back.
     */
    private static final class RegionMapping implements MappedRegion {
        private final MemoryMapping mapping;

        RegionMapping(MemoryMapping mapping) {
            this.mapping = mapping;
        }

        @Override
        public long asPtr() {
            return mapping.asPtr();
        }

        @Override
        public long size() {
            return mapping.size();
        }

        @Override
        public String toString() {
            return "GuestMemoryRegion.mapping[size=" + mapping.size() + "]";
        }
    }
}
