package io.jvmm.kvm.acpi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The tables checked by a real peer: ACPICA's {@code iasl} (Debian package {@code acpica-tools})
 * disassembles each table jvmm wrote, and recompiles the DSDT's disassembly. Any error or warning
 * from iasl fails the test; the disassembly must show what the configuration asked for. The files
 * stay under {@code target/acpi-iasl/} for a human to read.
 */
class AcpiIaslTest {
    private static final Path OUT = Paths.get("target", "acpi-iasl");

    @BeforeAll
    static void needIasl() {
        Assumptions.assumeTrue(iaslRuns(), "iasl not found on PATH (install Debian's acpica-tools to run these checks)");
    }

    private static boolean iaslRuns() {
        try {
            Process p = new ProcessBuilder("iasl", "-v").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Test
    void fourVcpusAndTwoVirtioDevicesDisassembleCleanly() throws Exception {
        AcpiTableSet set = AcpiTables.build(AcpiFixtures.config(4, AcpiFixtures.withVirtio(2)));
        Path dir = freshDir("vcpus4");
        String rsdp = "";
        String xsdt = disassemble(dir, "xsdt", set.table(Xsdt.SIGNATURE));
        String fadt = disassemble(dir, "facp", set.table(Fadt.SIGNATURE));
        String madt = disassemble(dir, "apic", set.table(Madt.SIGNATURE));
        String dsdt = disassemble(dir, "dsdt", set.table(Dsdt.SIGNATURE));

        assertTrue(rsdp.contains(String.format("XSDT Address : %016X", set.table(Xsdt.SIGNATURE).address())), rsdp);
        assertTrue(rsdp.contains("Revision : 02"), rsdp);
        assertTrue(xsdt.contains(String.format("ACPI Table Address   0 : %016X", set.table(Fadt.SIGNATURE).address())), xsdt);
        assertTrue(xsdt.contains(String.format("ACPI Table Address   1 : %016X", set.table(Madt.SIGNATURE).address())), xsdt);

        assertEquals(4, count(madt, "Subtable Type : 00 \\[Processor Local APIC\\]"), madt);
        assertTrue(madt.contains("Local Apic Address : FEE00000"), madt);
        assertTrue(madt.contains("Address : FEC00000"), madt);
        assertEquals(1, count(madt, "\\[Interrupt Source Override\\]"), madt);
        assertEquals(1, count(madt, "\\[Local APIC NMI\\]"), madt);
        assertTrue(madt.contains("Interrupt : 00000002"), madt);

        assertTrue(fadt.contains("Hardware Reduced (V5) : 1"), fadt);
        assertTrue(fadt.contains("Reset Register Supported (V2) : 1"), fadt);
        // The reset register's GAS at offset 116 (0x74), as in the spec's FADT table.
        assertTrue(fadt.contains("[074h 0116  12]                Reset Register : [Generic Address Structure]"), fadt);
        assertTrue(fadt.contains("Space ID : 01 [SystemIO]"), fadt);
        assertTrue(fadt.contains("Address : 0000000000000CF9"), fadt);
        assertTrue(fadt.contains("Value to cause reset : 06"), fadt);
        assertTrue(fadt.contains(String.format("64 DSDT Address : %016X", set.table(Dsdt.SIGNATURE).address())), fadt);

        assertTrue(dsdt.contains("EisaId (\"PNP0501\")"), dsdt);
        assertTrue(dsdt.contains("EisaId (\"PNP0303\")"), dsdt);
        assertTrue(dsdt.contains("EisaId (\"PNP0B00\")"), dsdt);
        assertEquals(2, count(dsdt, "Name \\(_HID, \"LNRO0005\"\\)"), dsdt);
        assertTrue(dsdt.contains("Memory32Fixed (ReadWrite,\n                    0xD0000000,"), dsdt);
        assertTrue(dsdt.contains("Memory32Fixed (ReadWrite,\n                    0xD0001000,"), dsdt);
        assertTrue(dsdt.contains("IO (Decode16,\n                    0x03F8,"), dsdt);
        assertTrue(dsdt.contains("IRQNoFlags ()\n                    {4}"), dsdt);
        recompile(dir, "dsdt");
    }

    // ---- iasl plumbing ----

    private static Path freshDir(String name) throws IOException {
        Path dir = OUT.resolve(name);
        Files.createDirectories(dir);
        try (var files = Files.list(dir)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Files.delete(p);
            }
        }
        return dir;
    }

    /** Writes {@code table} to {@code dir/base.dat}, runs {@code iasl -d}, returns the .dsl text. */
    static String disassemble(Path dir, String base, AcpiTable table) throws Exception {
        Path dat = dir.resolve(base + ".dat");
        Files.write(dat, table.bytes());
        String out = iasl(dir, "-d", base + ".dat");
        Path dsl = dir.resolve(base + ".dsl");
        assertTrue(Files.exists(dsl), "iasl wrote no " + dsl + ":\n" + out);
        return Files.readString(dsl, StandardCharsets.US_ASCII).replaceAll(" +:", " :");
    }

    /** Compiles {@code dir/base.dsl} back to AML; iasl must report no error, warning or remark. */
    static String recompile(Path dir, String base) throws Exception {
        return iasl(dir, "-p", base + "-recompiled", base + ".dsl");
    }

    private static String iasl(Path dir, String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add("iasl");
        cmd.add("-vi"); // no IDE-style banner noise
        for (String a : args) {
            cmd.add(a);
        }
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("iasl " + String.join(" ", args) + " did not finish in 60 s");
        }
        if (p.exitValue() != 0 || Pattern.compile("(?i)\\b(error|warning|remark)s?\\b").matcher(
                out.replaceAll("(?i)\\d+ (errors?|warnings?|remarks?)", "")).find()) {
            fail("iasl " + String.join(" ", args) + " exited " + p.exitValue() + " with diagnostics:\n" + out);
        }
        return out;
    }

    static int count(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }
}
