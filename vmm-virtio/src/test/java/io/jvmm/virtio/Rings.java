package io.jvmm.virtio;

import io.jvmm.memory.GuestAddress;
import io.jvmm.memory.GuestMemory;

/** The driver side in tests: writes descriptors and the avail ring as a (possibly hostile) guest would. */
final class Rings {
    static final long DESC = 0x1000;
    static final long AVAIL = 0x9000;
    static final long USED = 0xa000;

    private final GuestMemory memory;
    final int size;
    private final long desc;
    private final long avail;
    private final long used;
    private int availIdx;

    Rings(GuestMemory memory, int size) {
        this(memory, size, DESC, AVAIL, USED);
    }

    Rings(GuestMemory memory, int size, long desc, long avail, long used) {
        this.memory = memory;
        this.size = size;
        this.desc = desc;
        this.avail = avail;
        this.used = used;
    }

    QueueConfig config(boolean indirect, boolean eventIdx) {
        return new QueueConfig(size, GuestAddress.of(desc), GuestAddress.of(avail), GuestAddress.of(used), indirect, eventIdx);
    }

    void descriptor(long table, int index, long addr, int len, int flags, int next) {
        long at = table + 16L * index;
        memory.writeLongAtAddr(addr, GuestAddress.of(at));
        memory.writeIntAtAddr(len, GuestAddress.of(at + 8));
        memory.writeShortAtAddr((short) flags, GuestAddress.of(at + 12));
        memory.writeShortAtAddr((short) next, GuestAddress.of(at + 14));
    }

    void descriptor(int index, long addr, int len, int flags, int next) {
        descriptor(desc, index, addr, len, flags, next);
    }

    /** Makes {@code head} available and publishes the index with a release store (§2.7.13). */
    void offer(int head) {
        memory.writeShortAtAddr((short) head, GuestAddress.of(avail + 4 + 2L * (availIdx % size)));
        availIdx = (availIdx + 1) & 0xffff;
        memory.writeShortReleaseAtAddr((short) availIdx, GuestAddress.of(avail + 2));
    }

    void setAvailIdx(int idx) {
        availIdx = idx & 0xffff;
        memory.writeShortReleaseAtAddr((short) availIdx, GuestAddress.of(avail + 2));
    }

    int usedIdx() {
        return Short.toUnsignedInt(memory.readShortAcquireFromAddr(GuestAddress.of(used + 2)));
    }

    int usedId(int slot) {
        return memory.readIntFromAddr(GuestAddress.of(used + 4 + 8L * slot));
    }

    int usedLen(int slot) {
        return memory.readIntFromAddr(GuestAddress.of(used + 8 + 8L * slot));
    }
}
