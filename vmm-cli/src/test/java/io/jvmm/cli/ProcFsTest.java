package io.jvmm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading host facts from /proc files, against made-up ones and the real one. */
class ProcFsTest {
    @TempDir
    Path proc;

    @Test
    void cpuModelFlagsAndMemoryComeFromTheFirstCpuAndMeminfo() throws IOException {
        Files.writeString(proc.resolve("cpuinfo"), """
            processor\t: 0
            vendor_id\t: GenuineIntel
            model name\t: Intel(R) Xeon(R) CPU @ 2.20GHz
            flags\t\t: fpu vme vmx sse2 hypervisor lm

            processor\t: 1
            model name\t: something else
            """);
        Files.writeString(proc.resolve("meminfo"), "MemTotal:       24641236 kB\nMemFree:  1 kB\n");
        ProcFs fs = new ProcFs(proc);
        assertEquals(Optional.of("Intel(R) Xeon(R) CPU @ 2.20GHz"), fs.cpuModel());
        assertEquals(Set.of("vmx", "hypervisor"), fs.virtualizationFlags());
        assertEquals(OptionalLong.of(24641236L * 1024), fs.memTotalBytes());
    }

    @Test
    void missingOrOddFilesGiveNothing() throws IOException {
        ProcFs fs = new ProcFs(proc);
        assertEquals(Optional.empty(), fs.cpuModel());
        assertEquals(Set.of(), fs.virtualizationFlags());
        assertEquals(OptionalLong.empty(), fs.memTotalBytes());
        assertEquals(OptionalLong.empty(), fs.processAgeFromProc());
        Files.writeString(proc.resolve("meminfo"), "MemTotal: lots\n");
        assertEquals(OptionalLong.empty(), fs.memTotalBytes());
    }

    @Test
    void processAgeIsUptimeMinusStartTimeEvenWithParenthesesInTheName() throws IOException {
        Files.createDirectories(proc.resolve("self"));
        // Fields 3.. after "(comm)": state ppid pgrp session tty_nr tpgid flags minflt cminflt
        // majflt cmajflt utime stime cutime cstime priority nice num_threads itrealvalue starttime
        Files.writeString(proc.resolve("self/stat"),
            "4242 (java) (x)) S 1 4242 4242 0 -1 4194560 100 0 0 0 5 3 0 0 20 0 12 0 123456 999 1\n");
        Files.writeString(proc.resolve("uptime"), "1235.61 2000.00\n");
        // 1235.61 s - 123456 ticks / 100 = 1235.61 - 1234.56 = 1.05 s
        assertEquals(OptionalLong.of(1_050_000_000L), new ProcFs(proc).processAgeFromProc());
    }

    @Test
    void thisProcessHasAPlausibleAge() {
        long age = ProcFs.host().processAgeNanos();
        long jvmAge = (System.currentTimeMillis() - java.lang.management.ManagementFactory.getRuntimeMXBean().getStartTime()) * 1_000_000L;
        // The process started before the JVM recorded its start, up to a 10 ms clock tick.
        assertTrue(age + 10_000_000L >= jvmAge, age + " vs JVM " + jvmAge);
        assertTrue(age < jvmAge + 60_000_000_000L, age + " vs JVM " + jvmAge);
    }
}
