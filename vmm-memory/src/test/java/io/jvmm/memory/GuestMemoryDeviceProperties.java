package io.jvmm.memory;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.BitSet;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.constraints.LongRange;

/**
 * Properties of getSlices and the dirty bitmap over two adjacent regions and a gap:
 * A [0, 0x3000), B [0x3000, 0x5000), gap, C [0x8000, 0x9000).
 */
class GuestMemoryDeviceProperties {
    private static final long PAGE = 4096;
    private static GuestMemory memory;

    @BeforeContainer
    static void create() {
        memory = GuestMemory.createWithDirtyTracking(GuestRange.of(0, 0x3000), GuestRange.of(0x3000, 0x2000), GuestRange.of(0x8000, PAGE));
    }

    @AfterContainer
    static void close() {
        memory.close();
    }

    /** getSlices either covers the range exactly with host slices, or refuses; never a partial list. */
    @Property(tries = 500)
    void slicesCoverTheRangeExactlyOrRefuse(@ForAll @LongRange(min = 0, max = 0xa000) long start,
                                            @ForAll @LongRange(min = 0, max = 0x6000) long len) {
        boolean valid = (start + len <= 0x5000) || (start >= 0x8000 && start < 0x9000 && start + len <= 0x9000);
        boolean startsInside = start < 0x5000 || (start >= 0x8000 && start < 0x9000);
        try {
            List<VolatileSlice> slices = memory.getSlices(GuestAddress.of(start), len);
            assertTrue(valid && startsInside, "accepted " + start + "+" + len);
            long total = 0;
            long expectHost = -1;
            for (VolatileSlice s : slices) {
                assertTrue(s.size() > 0);
                long guest = start + total;
                assertEquals(memory.getHostAddress(GuestAddress.of(guest)), s.asPtr());
                total += s.size();
            }
            assertEquals(len, total);
            assertTrue(slices.size() <= 2);
        } catch (GuestMemoryException e) {
            assertTrue(!valid || !startsInside, "refused " + start + "+" + len + ": " + e.getMessage());
        }
    }

    /** The pages a byte write marks are exactly the pages it touched, whatever the region split. */
    @Property(tries = 300)
    void writesMarkExactlyThePagesTheyTouch(@ForAll @LongRange(min = 0, max = 0x4fff) long start,
                                            @ForAll @LongRange(min = 1, max = 0x2000) long len) {
        long n = Math.min(len, 0x5000 - start);
        for (GuestMemoryRegion r : memory.regions()) {
            memory.drainDirtyPages(r);
        }
        byte[] data = new byte[(int) n];
        long done = 0;
        for (VolatileSlice s : memory.getSlices(GuestAddress.of(start), n)) {
            byte[] part = new byte[(int) s.size()];
            System.arraycopy(data, (int) done, part, 0, part.length);
            s.copyFrom(part);
            done += s.size();
        }
        BitSet expected = new BitSet();
        for (long p = start / PAGE; p <= (start + n - 1) / PAGE; p++) {
            expected.set((int) p);
        }
        BitSet got = new BitSet();
        BitSet a = memory.drainDirtyPages(memory.regions().get(0));
        BitSet b = memory.drainDirtyPages(memory.regions().get(1));
        got.or(a);
        b.stream().forEach(i -> got.set(i + 3));
        assertEquals(expected, got);
        byte[] back = new byte[(int) n];
        assertEquals(0, memory.drainDirtyPages(memory.regions().get(2)).cardinality());
        for (int i = 0; i < n; i++) {
            back[i] = memory.readByteFromAddr(GuestAddress.of(start + i));
        }
        assertArrayEquals(data, back);
    }
}
