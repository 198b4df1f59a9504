package io.jvmm.memory;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvmm.memory.GuestMemoryException.Kind;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterProperty;
import net.jqwik.api.lifecycle.BeforeProperty;

/**
 * Random and edge addresses and lengths against every accessor: each call must either do what a
 * simple model (a linear scan over the regions) predicts, or throw the GuestMemoryException kind
 * the model predicts; anything else fails the property. The layout has adjacent regions, a gap, a
 * region above 2^63 and one just below 2^64, so that unsigned comparisons are exercised.
 */
class GuestMemoryProperties {
    private static final long PAGE = 4096;
    private static final long[][] LAYOUT = {
        {0x0, 0x3000},
        {0x3000, 0x2000},
        {0x1_0000, 0x2000},
        {0x8000_0000_0000_0000L, 0x2000},
        {0xffff_ffff_ffff_d000L, 0x2000},
    };

    private GuestMemory memory;

    @BeforeProperty
    void create() {
        // Given out of order on purpose.
        memory = GuestMemory.create(GuestRange.of(LAYOUT[3][0], LAYOUT[3][1]), GuestRange.of(LAYOUT[1][0], LAYOUT[1][1]),
            GuestRange.of(LAYOUT[4][0], LAYOUT[4][1]), GuestRange.of(LAYOUT[0][0], LAYOUT[0][1]),
            GuestRange.of(LAYOUT[2][0], LAYOUT[2][1]));
    }

    @AfterProperty
    void close() {
        memory.close();
    }

    // ---- the model ----

    private static int modelRegion(long a) {
        for (int i = 0; i < LAYOUT.length; i++) {
            if (Long.compareUnsigned(a - LAYOUT[i][0], LAYOUT[i][1]) < 0) {
                return i;
            }
        }
        return -1;
    }

    /** The failure an access of {@code length >= 0} bytes at {@code a} must raise, or null. */
    private static Kind modelAccess(long a, long length) {
        int i = modelRegion(a);
        if (i < 0) {
            return Kind.INVALID_GUEST_ADDRESS;
        }
        long room = LAYOUT[i][0] + LAYOUT[i][1] - a;
        return Long.compareUnsigned(length, room) > 0 ? Kind.INVALID_GUEST_RANGE : null;
    }

    private static long modelShmOffset(int region) {
        long offset = 0;
        for (int i = 0; i < region; i++) {
            offset += LAYOUT[i][1];
        }
        return offset;
    }

    /** Runs {@code call}; returns null on success, the kind of a GuestMemoryException; lets anything else escape. */
    private static Kind kindOf(Runnable call) {
        try {
            call.run();
            return null;
        } catch (GuestMemoryException e) {
            assertTrue(e.getMessage().contains("0x"), "messages carry hex addresses: " + e.getMessage());
            return e.kind();
        }
    }

    // ---- generators ----

    @Provide
    Arbitrary<Long> addresses() {
        List<Long> edges = new ArrayList<>(List.of(0L, -1L, Long.MAX_VALUE, Long.MIN_VALUE));
        for (long[] region : LAYOUT) {
            edges.add(region[0]);
            edges.add(region[0] + region[1]);
        }
        Arbitrary<Long> nearEdges = Arbitraries.of(edges).flatMap(e -> Arbitraries.longs().between(-16, 16).map(d -> e + d));
        Arbitrary<Long> inside = Arbitraries.integers().between(0, LAYOUT.length - 1)
            .flatMap(i -> Arbitraries.longs().between(0, LAYOUT[i][1] - 1).map(o -> LAYOUT[i][0] + o));
        return Arbitraries.frequencyOf(
            Tuple.of(4, nearEdges), Tuple.of(4, inside), Tuple.of(1, Arbitraries.longs()));
    }

    @Provide
    Arbitrary<Long> lengths() {
        return Arbitraries.frequencyOf(
            Tuple.of(6, Arbitraries.longs().between(-2, 0x3100)),
            Tuple.of(2, Arbitraries.of(PAGE, 2 * PAGE, 3 * PAGE, 0x5000L)),
            Tuple.of(1, Arbitraries.of(Long.MAX_VALUE, Long.MIN_VALUE, -PAGE)),
            Tuple.of(1, Arbitraries.longs()));
    }

    @Provide
    Arbitrary<Integer> widths() {
        return Arbitraries.of(1, 2, 4, 8);
    }

    // ---- properties ----

    @Property(tries = 1000)
    void scalarAccessRoundTripsOrFailsAsTheModelSays(@ForAll("addresses") long address, @ForAll("widths") int width,
            @ForAll long value, @ForAll boolean volatileAccess) {
        GuestAddress addr = GuestAddress.of(address);
        Kind expected = modelAccess(address, width);
        if (expected == null && volatileAccess && (address & (width - 1)) != 0) {
            expected = Kind.INVALID_ALIGNMENT;
        }
        assertEquals(expected, kindOf(() -> write(addr, width, value, volatileAccess)), "write");
        long[] read = new long[1];
        assertEquals(expected, kindOf(() -> read[0] = read(addr, width, volatileAccess)), "read");
        if (expected == null) {
            long mask = width == 8 ? -1L : (1L << (8 * width)) - 1;
            assertEquals(value & mask, read[0] & mask);
            byte[] bytes = new byte[width];
            memory.readExactAtAddr(bytes, addr);
            for (int k = 0; k < width; k++) {
                assertEquals((byte) (value >>> (8 * k)), bytes[k], "little-endian byte " + k);
            }
        }
    }

    private void write(GuestAddress addr, int width, long value, boolean volatileAccess) {
        switch (width) {
            case 1 -> {
                if (volatileAccess) {
                    memory.writeByteVolatileAtAddr((byte) value, addr);
                } else {
                    memory.writeByteAtAddr((byte) value, addr);
                }
            }
            case 2 -> {
                if (volatileAccess) {
                    memory.writeShortVolatileAtAddr((short) value, addr);
                } else {
                    memory.writeShortAtAddr((short) value, addr);
                }
            }
            case 4 -> {
                if (volatileAccess) {
                    memory.writeIntVolatileAtAddr((int) value, addr);
                } else {
                    memory.writeIntAtAddr((int) value, addr);
                }
            }
            default -> {
                if (volatileAccess) {
                    memory.writeLongVolatileAtAddr(value, addr);
                } else {
                    memory.writeLongAtAddr(value, addr);
                }
            }
        }
    }

    private long read(GuestAddress addr, int width, boolean volatileAccess) {
        return switch (width) {
            case 1 -> volatileAccess ? memory.readByteVolatileFromAddr(addr) : memory.readByteFromAddr(addr);
            case 2 -> volatileAccess ? memory.readShortVolatileFromAddr(addr) : memory.readShortFromAddr(addr);
            case 4 -> volatileAccess ? memory.readIntVolatileFromAddr(addr) : memory.readIntFromAddr(addr);
            default -> volatileAccess ? memory.readLongVolatileFromAddr(addr) : memory.readLongFromAddr(addr);
        };
    }

    @Property(tries = 500)
    void bulkCopiesStopAtTheRegionEndOrFailAsTheModelSays(@ForAll("addresses") long address,
            @ForAll @IntRange(min = 0, max = 0x3100) int length, @ForAll long seed) {
        GuestAddress addr = GuestAddress.of(address);
        byte[] data = new byte[length];
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < length; i++) {
            data[i] = (byte) random.nextInt(256);
        }
        byte[] back = new byte[length];
        int region = modelRegion(address);
        if (region < 0) {
            assertEquals(Kind.INVALID_GUEST_ADDRESS, kindOf(() -> memory.writeAtAddr(data, addr)));
            assertEquals(Kind.INVALID_GUEST_ADDRESS, kindOf(() -> memory.readAtAddr(back, addr)));
            assertEquals(Kind.INVALID_GUEST_ADDRESS, kindOf(() -> memory.writeAllAtAddr(data, addr)));
            assertEquals(Kind.INVALID_GUEST_ADDRESS, kindOf(() -> memory.readExactAtAddr(back, addr)));
            return;
        }
        long room = LAYOUT[region][0] + LAYOUT[region][1] - address;
        int count = (int) Math.min(length, room);
        assertEquals(count, memory.writeAtAddr(data, addr));
        assertEquals(count, memory.readAtAddr(back, addr));
        assertArrayEquals(Arrays.copyOf(data, count), Arrays.copyOf(back, count));
        if (length > room) {
            assertEquals(Kind.SHORT_WRITE, kindOf(() -> memory.writeAllAtAddr(data, addr)));
            assertEquals(Kind.SHORT_READ, kindOf(() -> memory.readExactAtAddr(back, addr)));
        } else {
            byte[] again = new byte[length];
            memory.writeAllAtAddr(data, addr);
            memory.readExactAtAddr(again, addr);
            assertArrayEquals(data, again);
        }
    }

    @Property(tries = 1000)
    void rangeQueriesSlicesAndStructuresAgreeWithTheModel(@ForAll("addresses") long address, @ForAll("lengths") long length) {
        GuestAddress addr = GuestAddress.of(address);
        int region = modelRegion(address);
        assertEquals(region >= 0, memory.addressInRange(addr));
        Kind inRegion = region < 0 ? Kind.INVALID_GUEST_ADDRESS : null;
        assertEquals(inRegion, kindOf(() -> memory.offsetFromBase(addr)));
        assertEquals(inRegion, kindOf(() -> memory.getHostAddress(addr)));
        if (region >= 0) {
            assertEquals(modelShmOffset(region) + (address - LAYOUT[region][0]), memory.offsetFromBase(addr));
        }

        Kind access = length < 0 ? null : modelAccess(address, length);
        boolean valid = length > 0 && access == null;
        assertEquals(valid, memory.isValidRange(addr, length));

        Kind hostRange = length <= 0 ? Kind.INVALID_SIZE : access;
        assertEquals(hostRange, kindOf(() -> memory.getHostAddressRange(addr, length)));
        if (hostRange == null) {
            assertEquals(memory.getHostAddress(addr), memory.getHostAddressRange(addr, length));
        }

        Kind sliceKind = length < 0 ? Kind.INVALID_SIZE : access;
        VolatileSlice[] slice = new VolatileSlice[1];
        assertEquals(sliceKind, kindOf(() -> slice[0] = memory.getSliceAtAddr(addr, length)));
        if (sliceKind == null) {
            assertEquals(length, slice[0].size());
            assertEquals(memory.getHostAddress(addr), slice[0].asPtr());
        }

        if (length >= 0 && length <= 0x3100) {
            ByteBuffer struct = ByteBuffer.allocate((int) length);
            assertEquals(access, kindOf(() -> memory.writeStructAtAddr(struct, addr)));
            assertEquals(access, kindOf(() -> memory.readStructFromAddr(addr, struct)));
        }
    }

    @Property(tries = 1000)
    void removeRangeZeroesWholePagesOrFailsAsTheModelSays(@ForAll("addresses") long address, @ForAll("lengths") long length) {
        GuestAddress addr = GuestAddress.of(address);
        Kind expected;
        if (length <= 0) {
            expected = Kind.INVALID_SIZE;
        } else {
            expected = modelAccess(address, length);
            if (expected == null && ((address | length) & (PAGE - 1)) != 0) {
                expected = Kind.MEMORY_NOT_ALIGNED;
            }
        }
        if (expected == null) {
            memory.writeLongAtAddr(-1L, addr);
        }
        assertEquals(expected, kindOf(() -> memory.removeRange(addr, length)));
        if (expected == null) {
            assertTrue(memory.getSliceAtAddr(addr, length).isAllZero());
        }
    }

    @Property(tries = 1000)
    void checkedOffsetAgreesWithTheModel(@ForAll("addresses") long address, @ForAll("lengths") long offset) {
        long sum = address + offset;
        boolean wraps = Long.compareUnsigned(sum, address) < 0;
        Optional<GuestAddress> expected = wraps || modelRegion(sum) < 0 ? Optional.empty() : Optional.of(GuestAddress.of(sum));
        assertEquals(expected, memory.checkedOffset(GuestAddress.of(address), offset));
    }

    @Property(tries = 1000)
    void rangeOverlapAgreesWithAScan(@ForAll("addresses") long start, @ForAll("addresses") long end) {
        boolean expected = false;
        if (Long.compareUnsigned(end, start) > 0) {
            for (long[] region : LAYOUT) {
                expected |= Long.compareUnsigned(region[0], end) < 0 && Long.compareUnsigned(start, region[0] + region[1]) < 0;
            }
        }
        assertEquals(expected, memory.rangeOverlap(GuestAddress.of(start), GuestAddress.of(end)));
    }
}
