package io.jvmm.cli;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Facts about the host and this process from {@code /proc} (proc(5)), for {@code jvmm check},
 * the {@code --mem} limit and {@code --stats}. Each returns empty when the file is missing or
 * not in the expected format, and callers then go without.
 */
final class ProcFs {
    /**
     * Clock ticks per second of {@code /proc/<pid>/stat} times: USER_HZ, which the kernel ABI
     * fixes at 100 on x86 whatever the kernel's internal HZ (proc(5), "starttime").
     */
    static final long USER_HZ = 100;
    /** {@code starttime} is the 22nd field of {@code /proc/<pid>/stat} (proc(5)). */
    private static final int STARTTIME_FIELD = 22;

    private final Path proc;

    ProcFs(Path proc) {
        this.proc = proc;
    }

    static ProcFs host() {
        return new ProcFs(Path.of("/proc"));
    }

    /** The first CPU's {@code model name} from {@code /proc/cpuinfo}. */
    Optional<String> cpuModel() {
        return cpuinfoField("model name");
    }

    /** Which of the CPU flags that matter to a VMM the first CPU has: vmx, svm, hypervisor. */
    Set<String> virtualizationFlags() {
        Set<String> present = new TreeSet<>();
        cpuinfoField("flags").ifPresent(flags -> {
            for (String f : flags.split("\\s+")) {
                if (f.equals("vmx") || f.equals("svm") || f.equals("hypervisor")) {
                    present.add(f);
                }
            }
        });
        return present;
    }

    /** {@code MemTotal} from {@code /proc/meminfo}, in bytes. */
    OptionalLong memTotalBytes() {
        for (String line : lines("meminfo")) {
            if (line.startsWith("MemTotal:")) {
                String[] parts = line.substring("MemTotal:".length()).trim().split("\\s+");
                try {
                    long kib = Long.parseLong(parts[0]);
                    return parts.length > 1 && parts[1].equalsIgnoreCase("kB") ? OptionalLong.of(kib * 1024) : OptionalLong.empty();
                } catch (NumberFormatException e) {
                    return OptionalLong.empty();
                }
            }
        }
        return OptionalLong.empty();
    }

    /**
     * How long ago this process started, in nanoseconds: the system's uptime
     * ({@code /proc/uptime}) minus this process's {@code starttime} ({@code /proc/self/stat}),
     * both counted from boot, so good to a clock tick (10 ms). Falls back to the JVM's own start
     * time, which misses the JVM's first ~50 ms. {@code ProcessHandle.Info.startInstant()} is no
     * use here: it is derived from the boot time in whole seconds.
     */
    long processAgeNanos() {
        OptionalLong fromProc = processAgeFromProc();
        if (fromProc.isPresent()) {
            return fromProc.getAsLong();
        }
        long startMillis = ManagementFactory.getRuntimeMXBean().getStartTime();
        return (System.currentTimeMillis() - startMillis) * 1_000_000L;
    }

    OptionalLong processAgeFromProc() {
        List<String> stat = lines("self/stat");
        List<String> uptime = lines("uptime");
        if (stat.isEmpty() || uptime.isEmpty()) {
            return OptionalLong.empty();
        }
        try {
            // The command name (field 2) is in parentheses and may hold spaces and ')'.
            String line = stat.get(0);
            String[] rest = line.substring(line.lastIndexOf(')') + 2).split(" ");
            long startTicks = Long.parseLong(rest[STARTTIME_FIELD - 3]);
            String upSeconds = uptime.get(0).split("\\s+")[0];
            long upNanos = new java.math.BigDecimal(upSeconds).movePointRight(9).longValueExact();
            long age = upNanos - startTicks * (1_000_000_000L / USER_HZ);
            return age >= 0 ? OptionalLong.of(age) : OptionalLong.empty();
        } catch (RuntimeException e) {
            return OptionalLong.empty();
        }
    }

    private Optional<String> cpuinfoField(String name) {
        for (String line : lines("cpuinfo")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().toLowerCase(Locale.ROOT).equals(name)) {
                return Optional.of(line.substring(colon + 1).trim());
            }
        }
        return Optional.empty();
    }

    private List<String> lines(String file) {
        try (Stream<String> s = Files.lines(proc.resolve(file))) {
            return s.toList();
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
    }
}
