package io.jvmm.memory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Reads what the kernel says about this process's memory areas in /proc/self/smaps (proc(5)). */
final class Smaps {
    private Smaps() {
    }

    /**
     * One memory area (VMA).
     *
     * @param perms e.g. {@code "rw-s"}: read, write, execute, shared or private
     * @param flags the two-letter VmFlags, e.g. {@code "lo"} (locked), {@code "lf"} (lock on fault)
     */
    record Area(long start, long end, String perms, long rssKib, long lockedKib, List<String> flags) {
    }

    /** The area that contains {@code address}. */
    static Area area(long address) throws IOException {
        List<String> lines = Files.readAllLines(Path.of("/proc/self/smaps"));
        for (int i = 0; i < lines.size(); i++) {
            String[] header = lines.get(i).split(" +");
            int dash = header[0].indexOf('-');
            if (dash < 0 || header[0].endsWith(":") || header.length < 2) {
                continue;
            }
            long start = Long.parseUnsignedLong(header[0].substring(0, dash), 16);
            long end = Long.parseUnsignedLong(header[0].substring(dash + 1), 16);
            if (Long.compareUnsigned(address, start) < 0 || Long.compareUnsigned(address, end) >= 0) {
                continue;
            }
            long rss = -1;
            long locked = -1;
            List<String> flags = List.of();
            for (int j = i + 1; j < lines.size() && flags.isEmpty(); j++) {
                String line = lines.get(j);
                if (line.startsWith("Rss:")) {
                    rss = kib(line);
                } else if (line.startsWith("Locked:")) {
                    locked = kib(line);
                } else if (line.startsWith("VmFlags:")) {
                    flags = List.of(line.substring("VmFlags:".length()).trim().split(" "));
                }
            }
            return new Area(start, end, header[1], rss, locked, flags);
        }
        throw new IllegalStateException("no memory area contains 0x" + Long.toHexString(address));
    }

    private static long kib(String line) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
    }
}
