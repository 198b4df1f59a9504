package io.jvmm.virtio;

import io.jvmm.memory.GuestAddress;

/**
 * One checked buffer of a chain: {@code length} bytes at {@code addr}, all inside guest RAM (when
 * {@link SplitQueue} made it; the record itself checks nothing). The bytes may span adjacent regions.
 *
 * @param addr   the guest physical address of the first byte
 * @param length the length in bytes, 0 to 2^32 - 1
 */
public record Buffer(GuestAddress addr, long length) {
}
