package io.jvmm.virtio;

import io.jvmm.memory.GuestAddress;

/** One checked buffer of a chain: {@code length} bytes at {@code addr}, all inside guest RAM. */
public record Buffer(GuestAddress addr, long length) {
}
