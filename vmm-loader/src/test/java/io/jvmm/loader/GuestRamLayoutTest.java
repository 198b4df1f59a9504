package io.jvmm.loader;

import static io.jvmm.loader.TestKernels.PC;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvmm.memory.GuestRange;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class GuestRamLayoutTest {
    private static final long MIB = 1L << 20;
    private static final long GIB = 1L << 30;
    private static final long GAP = 0xc000_0000L;

    private static E820Entry ram(long start, long end) {
        return new E820Entry(start, end - start, E820Entry.Type.RAM);
    }

    private static final E820Entry LOW_RAM = ram(0, 0x9fc00);
    private static final E820Entry HOLE = new E820Entry(0x9fc00, 0x100000 - 0x9fc00, E820Entry.Type.RESERVED);

    private static List<E820Entry> e820For(long size) {
        return GuestRamLayout.e820(PC, List.of(GuestRamLayout.ramRanges(PC, size)));
    }

    @Test
    void guestOf128MiBIsOneRangeWithTheLegacyHoleReserved() {
        assertArrayEquals(new GuestRange[] {GuestRange.of(0, 128 * MIB)}, GuestRamLayout.ramRanges(PC, 128 * MIB));
        assertEquals(List.of(LOW_RAM, HOLE, ram(MIB, 128 * MIB)), e820For(128 * MIB));
    }

    @Test
    void guestOf512MiB() {
        assertEquals(List.of(LOW_RAM, HOLE, ram(MIB, 512 * MIB)), e820For(512 * MIB));
    }

    @Test
    void guestOfExactly3GiBEndsAtTheGapWithNoHighRange() {
        assertArrayEquals(new GuestRange[] {GuestRange.of(0, GAP)}, GuestRamLayout.ramRanges(PC, 3 * GIB));
        assertEquals(List.of(LOW_RAM, HOLE, ram(MIB, GAP)), e820For(3 * GIB));
    }

    @Test
    void onePageMoreThan3GiBGoesAbove4GiB() {
        assertArrayEquals(new GuestRange[] {GuestRange.of(0, GAP), GuestRange.of(4 * GIB, 4096)},
            GuestRamLayout.ramRanges(PC, 3 * GIB + 4096));
        assertEquals(List.of(LOW_RAM, HOLE, ram(MIB, GAP), ram(4 * GIB, 4 * GIB + 4096)), e820For(3 * GIB + 4096));
    }

    @Test
    void guestOf4GiBPutsItsLastGiBAbove4GiB() {
        assertArrayEquals(new GuestRange[] {GuestRange.of(0, GAP), GuestRange.of(4 * GIB, GIB)},
            GuestRamLayout.ramRanges(PC, 4 * GIB));
        assertEquals(List.of(LOW_RAM, HOLE, ram(MIB, GAP), ram(4 * GIB, 5 * GIB)), e820For(4 * GIB));
    }

    @Test
    void guestOf16GiB() {
        assertEquals(List.of(LOW_RAM, HOLE, ram(MIB, GAP), ram(4 * GIB, 4 * GIB + 13 * GIB)), e820For(16 * GIB));
    }

    @Test
    void tinyGuestBelowTheEbdaHasNoReservedEntry() {
        assertEquals(List.of(ram(0, 0x10000)), e820For(0x10000));
    }

    /** A layout (BootLayout accepts it) with no legacy hole at all: no empty RESERVED entry. */
    @Test
    void aLayoutWithoutALegacyHoleHasNoReservedEntry() {
        BootLayout noHole = new BootLayout(0x7000, 0x20000, 0x10000, 0x100000, 0x100000, 0x100000,
            0xc000_0000L, 0x1_0000_0000L, 4L << 30);
        assertEquals(List.of(ram(0, 0x100000), ram(0x100000, 0x4000000)),
            GuestRamLayout.e820(noHole, List.of(GuestRange.of(0, 0x4000000))));
    }

    @Test
    void guestEndingInsideTheHoleReportsTheHoleReserved() {
        assertEquals(List.of(LOW_RAM, HOLE), e820For(0xc0000));
    }

    @ParameterizedTest
    @ValueSource(longs = {128 * MIB, 512 * MIB, 3 * GIB, 3 * GIB + 4096, 4 * GIB, 64 * GIB + 12288})
    void e820RamIsExactlyGuestRamLessTheLegacyHole(long size) {
        GuestRange[] ranges = GuestRamLayout.ramRanges(PC, size);
        List<E820Entry> map = GuestRamLayout.e820(PC, List.of(ranges));
        long ramBytes = 0;
        long previousEnd = 0;
        for (E820Entry e : map) {
            assertTrue(e.addr() >= previousEnd, "sorted, no overlap: " + map);
            previousEnd = e.end();
            if (e.type() == E820Entry.Type.RAM) {
                ramBytes += e.size();
                assertTrue(GuestRamLayout.inOneRange(List.of(ranges), e.addr(), e.size()), e + " is backed by RAM");
                assertTrue(e.end() <= GAP || e.addr() >= 4 * GIB, e + " stays out of the MMIO gap");
            }
        }
        assertEquals(size - (0x100000 - 0x9fc00), ramBytes);
    }

    @Test
    void sizesThatAreNotWholePagesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> GuestRamLayout.ramRanges(PC, 0));
        assertThrows(IllegalArgumentException.class, () -> GuestRamLayout.ramRanges(PC, -4096));
        assertThrows(IllegalArgumentException.class, () -> GuestRamLayout.ramRanges(PC, 128 * MIB + 1));
        assertThrows(IllegalArgumentException.class, () -> GuestRamLayout.ramRanges(PC, Long.MAX_VALUE - 4095));
    }

    @Test
    void overlappingRangesAreRefused() {
        assertThrows(IllegalArgumentException.class,
            () -> GuestRamLayout.e820(PC, List.of(GuestRange.of(0, 2 * MIB), GuestRange.of(MIB, MIB))));
        assertThrows(IllegalArgumentException.class, () -> GuestRamLayout.e820(PC, List.of()));
    }
}
