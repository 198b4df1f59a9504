package io.jvmm.kvm;

import io.jvmm.memory.MappedRegion;

/**
 * One registered KVM memory slot: guest-physical {@code [guestPhysAddr, guestPhysAddr + size)}
 * backed by {@code region}. The {@link Vm} keeps the region reachable while the slot exists.
 */
public record MemorySlot(int slot, int flags, long guestPhysAddr, long size, MappedRegion region) {
    /** The first guest-physical address past the slot. */
    public long guestEnd() {
        return guestPhysAddr + size;
    }

    /** Whether {@code [start, start + length)} intersects this slot. */
    public boolean overlaps(long start, long length) {
        return start < guestEnd() && guestPhysAddr < start + length;
    }

    @Override
    public String toString() {
        return String.format("MemorySlot[%d guest [0x%x, 0x%x) flags=%d]", slot, guestPhysAddr, guestEnd(), flags);
    }
}
