package io.jvmm.kvm;

import io.jvmm.memory.MappedRegion;

/**
 * One registered KVM memory slot: guest-physical {@code [guestPhysAddr, guestPhysAddr + size)}
 * backed by {@code region}. The {@link Vm} keeps the region reachable while the slot exists.
 * Returned by {@link Vm#memorySlots()}, {@link Vm#addMemory} and {@link Vm#removeMemoryRegion};
 * a snapshot of the registration, not a handle: it does not change if the slot is re-registered.
 *
 * @param slot the KVM slot number, from 0 to below {@link Vm#maxMemorySlots()}
 * @param flags the slot's {@code KVM_MEM_*} flags ({@link Vm#MEM_LOG_DIRTY_PAGES}, {@link Vm#MEM_READONLY})
 * @param guestPhysAddr the guest-physical address of the slot's first byte, page aligned
 * @param size the slot's length in bytes, a positive multiple of the host page size
 * @param region the host mapping the guest's accesses reach
 */
public record MemorySlot(int slot, int flags, long guestPhysAddr, long size, MappedRegion region) {
    /** {@return the first guest-physical address past the slot ({@code guestPhysAddr + size})} */
    public long guestEnd() {
        return guestPhysAddr + size;
    }

    /**
     * Whether {@code [start, start + length)} intersects this slot.
     *
     * @param start the guest-physical address of the range's first byte
     * @param length the range's length in bytes
     * @return {@code true} if at least one byte of the range lies inside the slot
     */
    public boolean overlaps(long start, long length) {
        return start < guestEnd() && guestPhysAddr < start + length;
    }

    @Override
    public String toString() {
        return String.format("MemorySlot[%d guest [0x%x, 0x%x) flags=%d]", slot, guestPhysAddr, guestEnd(), flags);
    }
}
