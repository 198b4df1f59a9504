package io.jvmm.memory;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

/** How many mappings this process holds, and how many the kernel allows ({@code proc(5)}). */
final class ProcessMappings {
    private static final Path MAX_MAP_COUNT = Path.of("/proc/sys/vm/max_map_count");
    private static final Path SELF_MAPS = Path.of("/proc/self/maps");

    private ProcessMappings() {
    }

    /** {@code vm.max_map_count}, or empty where /proc does not say. */
    static OptionalLong maxMapCount() {
        // Read as a stream: procfs files report a size of 0, which whole-file reads trust.
        try (BufferedReader in = Files.newBufferedReader(MAX_MAP_COUNT, StandardCharsets.US_ASCII)) {
            String line = in.readLine();
            return line == null ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(line.trim()));
        } catch (IOException | NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    /** The mappings this process holds now: the lines of /proc/self/maps (0 where it cannot be read). */
    static long count() {
        long lines = 0;
        byte[] buffer = new byte[64 * 1024];
        try (InputStream in = Files.newInputStream(SELF_MAPS)) {
            for (int n; (n = in.read(buffer)) > 0; ) {
                for (int i = 0; i < n; i++) {
                    if (buffer[i] == '\n') {
                        lines++;
                    }
                }
            }
        } catch (IOException e) {
            return 0;
        }
        return lines;
    }
}
