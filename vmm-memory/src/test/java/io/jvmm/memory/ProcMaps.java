package io.jvmm.memory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** What /proc/self/maps says about a range of this process's address space (proc(5)). */
final class ProcMaps {
    private ProcMaps() {
    }

    /** One line of /proc/self/maps: {@code [start, end)}, e.g. "rw-s", the file offset and the path (may be empty). */
    record Line(long start, long end, String perms, long fileOffset, String path) {
    }

    /** A stretch of address space with one set of permissions. */
    record Area(long start, long end, String perms) {
    }

    /** Every line of /proc/self/maps that overlaps {@code [start, start + length)}, clipped to it. */
    static List<Line> lines(long start, long length) {
        long end = start + length;
        List<Line> result = new ArrayList<>();
        List<String> all;
        try {
            all = Files.readAllLines(Path.of("/proc/self/maps"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (String line : all) {
            String[] f = line.trim().split("\\s+", 6);
            String[] range = f[0].split("-");
            long s = Long.parseUnsignedLong(range[0], 16);
            long e = Long.parseUnsignedLong(range[1], 16);
            if (Long.compareUnsigned(e, start) <= 0 || Long.compareUnsigned(s, end) >= 0) {
                continue;
            }
            long offset = Long.parseUnsignedLong(f[2], 16);
            long cs = Math.max(s, start);
            result.add(new Line(cs, Math.min(e, end), f[1], offset + (cs - s), f.length > 5 ? f[5] : ""));
        }
        return result;
    }

    /**
     * How {@code [start, start + length)} is covered: neighbouring areas of equal permissions are
     * merged, holes are left out, so a fully mapped range of one kind is a single area.
     */
    static List<Area> coverage(long start, long length) {
        List<Area> areas = new ArrayList<>();
        for (Line l : lines(start, length)) {
            Area last = areas.isEmpty() ? null : areas.get(areas.size() - 1);
            if (last != null && last.end() == l.start() && last.perms().equals(l.perms())) {
                areas.set(areas.size() - 1, new Area(last.start(), l.end(), l.perms()));
            } else {
                areas.add(new Area(l.start(), l.end(), l.perms()));
            }
        }
        return areas;
    }
}
