package io.jvmm.loader;

import io.jvmm.memory.GuestAddress;
import io.jvmm.memory.GuestRange;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Where guest RAM lies for a memory size, and the e820 map that tells the kernel so, for a
 * {@link BootLayout}. RAM starts at 0 and runs up to the layout's MMIO gap; what does not fit below
 * it continues past the gap (at 4 GiB on a PC, as in Firecracker), so that LAPIC, IOAPIC and PCI
 * holes never shadow RAM.
 */
public final class GuestRamLayout {
    /** Guest RAM is handed out in whole 4 KiB pages. */
    public static final long PAGE_SIZE = 4096;

    private GuestRamLayout() {
    }

    /**
     * The RAM ranges of a guest with {@code memorySize} bytes: one range below the MMIO gap, and a
     * second from the gap's end when the size passes {@link BootLayout#mmioGapStart()}. Pass them to
     * {@code GuestMemory.create}.
     *
     * @param layout     the platform's boot layout, for its MMIO gap
     * @param memorySize the guest's RAM in bytes: a positive multiple of {@link #PAGE_SIZE}
     * @return {@code [0, memorySize)} when it ends at or below the gap's start; otherwise
     *     {@code [0, mmioGapStart)} and {@code [mmioGapEnd, + memorySize - mmioGapStart)}; a fresh array
     * @throws IllegalArgumentException when the size is not a positive multiple of 4 KiB, or the
     *     ranges would pass 2^63
     */
    public static GuestRange[] ramRanges(BootLayout layout, long memorySize) {
        if (memorySize <= 0 || memorySize % PAGE_SIZE != 0) {
            throw new IllegalArgumentException(String.format(
                "guest memory size %d is not a positive multiple of %d bytes", memorySize, PAGE_SIZE));
        }
        if (memorySize <= layout.mmioGapStart()) {
            return new GuestRange[] {GuestRange.of(0, memorySize)};
        }
        long high = memorySize - layout.mmioGapStart();
        if (high > Long.MAX_VALUE - layout.mmioGapEnd()) {
            throw new IllegalArgumentException(String.format("guest memory size 0x%x is too large", memorySize));
        }
        return new GuestRange[] {
            GuestRange.of(0, layout.mmioGapStart()),
            GuestRange.of(layout.mmioGapEnd(), high),
        };
    }

    /**
     * The e820 map for {@code ram}: every RAM byte as RAM, except [reservedLowStart, highMemoryStart) — the EBDA
     * and the legacy VGA/ROM hole a PC never offers as RAM (boot.rst, "Memory Layout") — which is
     * one RESERVED entry whenever RAM reaches past reservedLowStart. Sorted by address.
     *
     * @param layout the platform's boot layout, for reservedLowStart and highMemoryStart
     * @param ram    the guest's RAM ranges, in any order (as from {@link #ramRanges(BootLayout, long)})
     * @return the e820 entries, sorted by address, unmodifiable
     * @throws IllegalArgumentException when the ranges are empty, overlap, or pass 2^63
     */
    public static List<E820Entry> e820(BootLayout layout, List<GuestRange> ram) {
        List<E820Entry> map = new ArrayList<>();
        boolean reachesHole = false;
        for (GuestRange r : sortedChecked(ram)) {
            long start = r.start().offset();
            long end = start + r.size();
            addRam(map, start, Math.min(end, layout.reservedLowStart()));
            addRam(map, Math.max(start, layout.highMemoryStart()), end);
            reachesHole |= end > layout.reservedLowStart();
        }
        // a layout may have no reserved area between low RAM and highMemoryStart
        if (reachesHole && layout.highMemoryStart() > layout.reservedLowStart()) {
            map.add(new E820Entry(layout.reservedLowStart(), layout.highMemoryStart() - layout.reservedLowStart(),
                E820Entry.Type.RESERVED));
        }
        map.sort(Comparator.comparingLong(E820Entry::addr));
        return List.copyOf(map);
    }

    private static void addRam(List<E820Entry> map, long start, long end) {
        if (end > start) {
            map.add(new E820Entry(start, end - start, E820Entry.Type.RAM));
        }
    }

    /** One past the last byte of the RAM range that holds {@code address}, or -1 when none does. */
    static long endOfRangeHolding(List<GuestRange> ram, long address) {
        for (GuestRange r : ram) {
            long start = r.start().offset();
            if (Long.compareUnsigned(address - start, r.size()) < 0) {
                return start + r.size();
            }
        }
        return -1;
    }

    /** Whether [address, address + size) lies inside one RAM range (size 0: address inside or at an end). */
    static boolean inOneRange(List<GuestRange> ram, long address, long size) {
        for (GuestRange r : ram) {
            long start = r.start().offset();
            long offset = address - start;
            if (Long.compareUnsigned(address, start) >= 0 && Long.compareUnsigned(offset, r.size()) <= 0
                && Long.compareUnsigned(size, r.size() - offset) <= 0) {
                return true;
            }
        }
        return false;
    }

    static List<GuestRange> sortedChecked(List<GuestRange> ram) {
        if (ram.isEmpty()) {
            throw new IllegalArgumentException("no guest RAM ranges");
        }
        List<GuestRange> sorted = new ArrayList<>(ram);
        sorted.sort(Comparator.comparing(GuestRange::start));
        long previousEnd = 0;
        for (int i = 0; i < sorted.size(); i++) {
            GuestRange r = sorted.get(i);
            long start = r.start().offset();
            if (r.size() <= 0 || start < 0 || start + r.size() < start) {
                throw new IllegalArgumentException("bad guest RAM range " + r + ": empty or past 2^63");
            }
            if (i > 0 && start < previousEnd) {
                throw new IllegalArgumentException("guest RAM ranges overlap at " + GuestAddress.of(start));
            }
            previousEnd = start + r.size();
        }
        return sorted;
    }
}
