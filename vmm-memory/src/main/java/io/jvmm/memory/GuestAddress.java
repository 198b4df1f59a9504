package io.jvmm.memory;

import java.util.Optional;

/**
 * A guest physical address. The value is an unsigned 64-bit number: ordering and arithmetic treat
 * it so, as the guest does.
 *
 * @param offset the address as an unsigned 64-bit number (a negative {@code long} is an address at or above 2^63)
 */
public record GuestAddress(long offset) implements Comparable<GuestAddress> {

    /**
     * The address {@code offset}; every value is valid.
     *
     * @param offset the address, unsigned 64-bit
     * @return {@code new GuestAddress(offset)}
     */
    public static GuestAddress of(long offset) {
        return new GuestAddress(offset);
    }

    /**
     * {@code this + other}, or empty when the unsigned sum passes 2^64.
     *
     * @param other the distance to add, unsigned 64-bit
     * @return the sum, or empty on overflow
     */
    public Optional<GuestAddress> checkedAdd(long other) {
        long sum = offset + other;
        if (Long.compareUnsigned(sum, offset) < 0) {
            return Optional.empty();
        }
        return Optional.of(new GuestAddress(sum));
    }

    /**
     * {@code this + other}, wrapping modulo 2^64.
     *
     * @param other the distance to add (a negative value subtracts, modulo 2^64)
     * @return the sum modulo 2^64
     */
    public GuestAddress uncheckedAdd(long other) {
        return new GuestAddress(offset + other);
    }

    /**
     * The distance from {@code base} up to this address ({@code this - base}, wrapping).
     *
     * @param base the lower address
     * @return {@code this - base} modulo 2^64: the unsigned distance when {@code base <= this}
     * @throws NullPointerException when {@code base} is null
     */
    public long offsetFrom(GuestAddress base) {
        return offset - base.offset;
    }

    /**
     * {@code this & mask}.
     *
     * @param mask the bits to keep
     * @return the address with every bit outside {@code mask} cleared
     */
    public GuestAddress mask(long mask) {
        return new GuestAddress(offset & mask);
    }

    /**
     * Rounds up to a multiple of {@code alignment} (a power of two); empty when that passes 2^64.
     *
     * @param alignment the alignment in bytes, a power of two (unsigned: {@code 1L << 63} is allowed)
     * @return this address when already aligned, else the next aligned one; empty when that is 2^64 or more
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
     * @param alignment the alignment in bytes, a power of two (unsigned: {@code 1L << 63} is allowed)
     * @return the highest aligned address at or below this one
     * @throws IllegalArgumentException when {@code alignment} is not a power of two
     */
    public GuestAddress alignDown(long alignment) {
        requirePowerOfTwo(alignment);
        return mask(~(alignment - 1));
    }

    /**
     * Compares the addresses as unsigned 64-bit numbers, so {@code 0x8000_0000_0000_0000} is above {@code 0x1}.
     *
     * @param other the address to compare with
     * @return negative, zero or positive as this address is below, equal to or above {@code other}
     * @throws NullPointerException when {@code other} is null
     */
    @Override
    public int compareTo(GuestAddress other) {
        return Long.compareUnsigned(offset, other.offset);
    }

    /** {@return the address in hexadecimal, e.g. {@code GuestAddress(0x100000)}} */
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
