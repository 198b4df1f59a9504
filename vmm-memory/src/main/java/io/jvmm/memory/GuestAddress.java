package io.jvmm.memory;

import java.util.Optional;

/**
 * A guest physical address. The value is an unsigned 64-bit number: ordering and arithmetic treat
 * it so, as the guest does.
 */
public record GuestAddress(long offset) implements Comparable<GuestAddress> {

    public static GuestAddress of(long offset) {
        return new GuestAddress(offset);
    }

    /** {@code this + other}, or empty when the unsigned sum passes 2^64. */
    public Optional<GuestAddress> checkedAdd(long other) {
        long sum = offset + other;
        if (Long.compareUnsigned(sum, offset) < 0) {
            return Optional.empty();
        }
        return Optional.of(new GuestAddress(sum));
    }

    /** {@code this + other}, wrapping modulo 2^64. */
    public GuestAddress uncheckedAdd(long other) {
        return new GuestAddress(offset + other);
    }

    /** The distance from {@code base} up to this address ({@code this - base}, wrapping). */
    public long offsetFrom(GuestAddress base) {
        return offset - base.offset;
    }

    /** {@code this & mask}. */
    public GuestAddress mask(long mask) {
        return new GuestAddress(offset & mask);
    }

    /**
     * Rounds up to a multiple of {@code alignment} (a power of two); empty when that passes 2^64.
     *
     * @throws IllegalArgumentException when {@code alignment} is not a power of two
     */
    public Optional<GuestAddress> align(long alignment) {
        requirePowerOfTwo(alignment);
        long mask = alignment - 1;
        if ((offset & mask) == 0) {
            return Optional.of(this);
        }
        return checkedAdd(mask).map(a -> a.mask(~mask));
    }

    /**
     * Rounds down to a multiple of {@code alignment} (a power of two).
     *
     * @throws IllegalArgumentException when {@code alignment} is not a power of two
     */
    public GuestAddress alignDown(long alignment) {
        requirePowerOfTwo(alignment);
        return mask(~(alignment - 1));
    }

    @Override
    public int compareTo(GuestAddress other) {
        return Long.compareUnsigned(offset, other.offset);
    }

    @Override
    public String toString() {
        return "GuestAddress(0x" + Long.toHexString(offset) + ")";
    }

    private static void requirePowerOfTwo(long alignment) {
        if (alignment == 0 || (alignment & (alignment - 1)) != 0) {
            throw new IllegalArgumentException("alignment must be a power of two, got " + Long.toUnsignedString(alignment));
        }
    }
}
