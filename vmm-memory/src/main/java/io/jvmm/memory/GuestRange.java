package io.jvmm.memory;

import java.util.Objects;

/** A range of guest physical memory: {@code size} bytes from {@code start}. */
public record GuestRange(GuestAddress start, long size) {
    public GuestRange {
        Objects.requireNonNull(start, "start");
    }

    public static GuestRange of(long start, long size) {
        return new GuestRange(GuestAddress.of(start), size);
    }
}
