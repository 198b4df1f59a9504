package io.jvmm.x86.acpi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The tables checked by a real peer, ACPICA (Debian package {@code acpica-tools}), the same code
 * Linux's ACPI subsystem is built from:
 *
 * <ul>
 *   <li>{@code iasl -d} disassembles each table jvmm wrote; the disassembly must show what the
 *       configuration asked for;
 *   <li>iasl compiles that disassembly back, and the result must equal jvmm's bytes except the
 *       header checksum and the "ASL compiler" ID and revision, which iasl writes as its own;
 *   <li>the RSDP, which iasl 20200925 cannot disassemble, is compiled by iasl from its field
 *       values and must equal jvmm's byte for byte (both checksums included);
 *   <li>{@code acpiexec} loads the FADT, MADT and DSDT into ACPICA's namespace and converts every
 *       device's _CRS to resources and back.
 * </ul>
 *
 * Any error, warning or remark fails the test. The files stay under {@code target/acpi-iasl/}.
 */
class AcpiIaslTest {
    private static final Path OUT = Paths.get("target", "acpi-iasl");
    /** Header bytes iasl rewrites: Checksum (9) and Creator ID and Revision (28..35). */
    private static final int[] IASL_OWNED = {9, 28, 29, 30, 31, 32, 33, 34, 35};

    /** Probed once: whether both ACPICA tools run here. */
    private static final boolean ACPICA_PRESENT = runs("iasl", "-v") && runs("acpiexec", "-v");

    private static boolean runs(String... cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * 1 vCPU with the legacy devices only; 4 vCPUs with 2 virtio devices; 255 vCPUs (the MADT
     * limit) with 100 virtio devices, whose \_SB scope needs a 3-byte PkgLength.
     */
    @ParameterizedTest(name = "{0} vCPUs, {1} virtio-mmio devices")
    @CsvSource({"1, 0", "4, 2", "255, 100"})
    void acpicaReadsBackWhatTheConfigurationAskedFor(int vcpus, int virtio) throws Exception {
        // Per test rather than in @BeforeAll, so the reason shows on each skipped test in the reports.
        Assumptions.assumeTrue(ACPICA_PRESENT,
            "iasl or acpiexec not found on PATH (Debian package acpica-tools); ACPICA checks skipped");
        AcpiTableSet set = AcpiTables.build(AcpiFixtures.config(vcpus, AcpiFixtures.withVirtio(virtio)));
        Path dir = freshDir("vcpus" + vcpus + "-virtio" + virtio);

        rsdpEqualsWhatIaslCompiles(dir, set);
        checkXsdt(set, roundTrip(dir, "xsdt", set.table(Xsdt.SIGNATURE), false));
        checkFadt(set, roundTrip(dir, "facp", set.table(Fadt.SIGNATURE), false));
        checkMadt(vcpus, roundTrip(dir, "apic", set.table(Madt.SIGNATURE), false));
        String dsdt = roundTrip(dir, "dsdt", set.table(Dsdt.SIGNATURE), true);
        checkDsdt(virtio, dsdt);
        if (virtio == 100) {
            byte[] b = set.table(Dsdt.SIGNATURE).bytes();
            assertEquals(3, TableBytes.pkgLength(b, 37)[1], "a 3-byte PkgLength for \\_SB");
        }
        acpiexecLoadsTheNamespace(dir, virtio);
    }

    /**
     * The AML writer's other terms, which jvmm's DSDT does not use yet, through the same peer: a
     * table holding every kind of integer, a string, nested packages, a buffer, methods with and
     * without flags, a multi-segment scope path and the descriptor forms the DSDT does not use
     * (IRQ with flags, level/low/shared Extended Interrupt) must disassemble cleanly and recompile
     * to the same bytes.
     */
    @org.junit.jupiter.api.Test
    void everyAmlTermRoundTripsThroughIasl() throws Exception {
        Assumptions.assumeTrue(ACPICA_PRESENT,
            "iasl or acpiexec not found on PATH (Debian package acpica-tools); ACPICA checks skipped");
        AmlTerm body = AmlTerm.concatTerms(
            Aml.scope("\\_SB",
                Aml.device("DEV0",
                    Aml.hid("ACPI0007"),
                    Aml.uid(0x1234),
                    Aml.sta(0x0f),
                    // No arguments: iasl remarks on unused ones (argument counts are covered by AmlTest).
                    Aml.method("MTH1", 0, true, 3, Aml.returnOf(Aml.integer(1))),
                    Aml.crs(new Resource.Irq(9, true, true, true), Resource.Io.fixed(0x510, 0x0c),
                        new Resource.Memory32Fixed(0xfed0_0000L, 0x400, false),
                        new Resource.ExtendedInterrupt(40, true, true, true)))),
            Aml.scope("\\_SB.DEV0",
                Aml.name("QW00", Aml.integer(0x1_2345_6789L)),
                Aml.name("DW00", Aml.integer(0x1234_5678L)),
                Aml.name("WD00", Aml.integer(0x1234)),
                Aml.name("BY00", Aml.integer(0x12)),
                Aml.name("ZER0", Aml.integer(0)),
                Aml.name("ALL1", Aml.integer(-1)),
                Aml.name("STR0", Aml.string("jvmm")),
                Aml.name("PKG0", Aml.packageOf(Aml.integer(1), Aml.string("x"), Aml.packageOf(Aml.integer(0)))),
                Aml.name("BUF0", Aml.buffer(new byte[] {1, 2, 3}))));
        AcpiTable table = new AcpiTable(Dsdt.SIGNATURE, 0, Sdt.table(Dsdt.SIGNATURE, Dsdt.REVISION, body.toBytes()));
        Path dir = freshDir("aml-terms");
        String dsl = roundTrip(dir, "dsdt", table, true);
        for (String expected : new String[] {
            "Name (_HID, \"ACPI0007\" /* Processor Device */)", "Name (_UID, 0x1234)",
            "Method (_STA, 0, NotSerialized) // _STA: Status { Return (0x0F) }",
            "Method (MTH1, 0, Serialized, 3) { Return (One) }",
            "IRQ (Level, ActiveLow, Shared, ) {9}",
            "IO (Decode16, 0x0510, // Range Minimum 0x0510, // Range Maximum 0x01, // Alignment 0x0C, // Length )",
            "Memory32Fixed (ReadOnly, 0xFED00000, // Address Base 0x00000400, // Address Length )",
            "Interrupt (ResourceConsumer, Level, ActiveLow, Shared, ,, ) { 0x00000028, }",
            "Scope (\\_SB.DEV0) {", "Name (QW00, 0x0000000123456789)", "Name (DW00, 0x12345678)",
            "Name (WD00, 0x1234)", "Name (BY00, 0x12)", "Name (ZER0, Zero)", "Name (ALL1, Ones)",
            "Name (STR0, \"jvmm\")", "Name (PKG0, Package (0x03) { One, \"x\", Package (0x01) { Zero } })",
            "Name (BUF0, Buffer (0x03) { 0x01, 0x02, 0x03 // ... })"}) {
            assertTrue(dsl.contains(expected), expected + " in\n" + dsl);
        }
    }

    private static void checkXsdt(AcpiTableSet set, String xsdt) {
        assertTrue(xsdt.contains(String.format("ACPI Table Address 0 : %016X", set.table(Fadt.SIGNATURE).address())), xsdt);
        assertTrue(xsdt.contains(String.format("ACPI Table Address 1 : %016X", set.table(Madt.SIGNATURE).address())), xsdt);
        assertEquals(2, count(xsdt, "ACPI Table Address"), xsdt);
    }

    private static void checkFadt(AcpiTableSet set, String fadt) {
        assertTrue(fadt.contains("Revision : 06"), fadt);
        assertTrue(fadt.contains("FADT Minor Revision : 04"), fadt);
        assertTrue(fadt.contains("Hardware Reduced (V5) : 1"), fadt);
        assertTrue(fadt.contains("Reset Register Supported (V2) : 1"), fadt);
        assertTrue(fadt.contains("8042 Present on ports 60/64 (V2) : 1"), fadt);
        assertTrue(fadt.contains("CMOS RTC Not Present (V5) : 0"), fadt);
        // The reset register's GAS at offset 0x74 = 116, as in the spec's FADT format table.
        assertTrue(fadt.contains("[074h 0116 12] Reset Register : [Generic Address Structure] "
            + "[074h 0116 1] Space ID : 01 [SystemIO] [075h 0117 1] Bit Width : 08 [076h 0118 1] Bit Offset : 00 "
            + "[077h 0119 1] Encoded Access Width : 01 [Byte Access:8] [078h 0120 8] Address : 0000000000000CF9"), fadt);
        assertTrue(fadt.contains("[080h 0128 1] Value to cause reset : 06"), fadt);
        assertTrue(fadt.contains("[028h 0040 4] DSDT Address : 00000000"), fadt);
        assertTrue(fadt.contains(String.format("[08Ch 0140 8] DSDT Address : %016X", set.table(Dsdt.SIGNATURE).address())), fadt);
        assertTrue(fadt.contains("[02Eh 0046 2] SCI Interrupt : 0000"), fadt);
        assertTrue(fadt.contains("[04Ch 0076 4] PM Timer Block Address : 00000000"), fadt);
    }

    private static void checkMadt(int vcpus, String madt) {
        assertEquals(vcpus, count(madt, "Subtable Type : 00 \\[Processor Local APIC\\]"), madt);
        assertEquals(vcpus, count(madt, fields("Processor ID : (\\p{XDigit}{2})", "Local Apic ID : \\1",
            "Flags \\(decoded below\\) : 00000001 Processor Enabled : 1 Runtime Online Capable : 0")), madt);
        assertEquals(1, count(madt, fields(String.format("Processor ID : %02X", vcpus - 1),
            String.format("Local Apic ID : %02X", vcpus - 1))), "the last vCPU's entry");
        assertTrue(madt.contains("Local Apic Address : FEE00000"), madt);
        assertTrue(madt.contains("PC-AT Compatibility : 1"), madt);
        assertEquals(1, count(madt, fields("Subtable Type : 01 \\[I/O APIC\\]", "Length : 0C", "I/O Apic ID : 00",
            "Reserved : 00", "Address : FEC00000", "Interrupt : 00000000")), madt);
        assertEquals(1, count(madt, fields("Subtable Type : 02 \\[Interrupt Source Override\\]", "Length : 0A", "Bus : 00",
            "Source : 00", "Interrupt : 00000002", "Flags \\(decoded below\\) : 0005 Polarity : 1 Trigger Mode : 1")), madt);
        assertEquals(1, count(madt, fields("Subtable Type : 04 \\[Local APIC NMI\\]", "Length : 06", "Processor ID : FF",
            "Flags \\(decoded below\\) : 0005 Polarity : 1 Trigger Mode : 1", "Interrupt Input LINT : 01")), madt);
    }

    /** A regex for disassembled fields in a row, each preceded by iasl's "[offset decimal size]" column. */
    private static String fields(String... regexes) {
        return String.join(" \\[[^\\]]*\\] ", regexes);
    }

    private static void checkDsdt(int virtio, String dsdt) {
        assertTrue(dsdt.contains("DefinitionBlock (\"\", \"DSDT\", 2, \"JVMM \", \"JVMMDSDT\", 0x00000001)"), dsdt);
        assertTrue(dsdt.contains("Scope (\\_SB) {"), dsdt);
        assertTrue(dsdt.contains("Device (COM1) { Name (_HID, EisaId (\"PNP0501\")"), dsdt);
        assertTrue(dsdt.contains("IO (Decode16, 0x03F8, // Range Minimum 0x03F8, // Range Maximum 0x01, // Alignment "
            + "0x08, // Length ) IRQNoFlags () {4}"), dsdt);
        assertTrue(dsdt.contains("Device (PS2K) { Name (_HID, EisaId (\"PNP0303\")"), dsdt);
        assertTrue(dsdt.contains("0x0060, // Range Minimum 0x0060, // Range Maximum 0x01, // Alignment 0x01, // Length"), dsdt);
        assertTrue(dsdt.contains("0x0064, // Range Minimum 0x0064, // Range Maximum 0x01, // Alignment 0x01, // Length "
            + ") IRQNoFlags () {1}"), dsdt);
        assertTrue(dsdt.contains("Device (RTC) { Name (_HID, EisaId (\"PNP0B00\")"), dsdt);
        assertTrue(dsdt.contains("0x0070, // Range Minimum 0x0070, // Range Maximum 0x01, // Alignment 0x02, // Length "
            + ") IRQNoFlags () {8}"), dsdt);
        assertEquals(virtio, count(dsdt, "Name \\(_HID, \"LNRO0005\"\\)"), dsdt);
        for (int i = 0; i < virtio; i++) {
            String window = String.format("Memory32Fixed (ReadWrite, 0x%08X, // Address Base 0x%08X, // Address Length ) "
                + "Interrupt (ResourceConsumer, Edge, ActiveHigh, Exclusive, ,, ) { 0x%08X, }",
                AcpiFixtures.VIRTIO_BASE + i * AcpiFixtures.VIRTIO_SIZE, AcpiFixtures.VIRTIO_SIZE, AcpiFixtures.VIRTIO_FIRST_GSI + i);
            assertTrue(dsdt.contains(String.format("Device (V%03X) {", i)), "V" + i);
            assertTrue(dsdt.contains(window), window);
        }
        // _UIDs of devices with the same _HID are distinct: the n-th virtio device has _UID n.
        if (virtio > 2) {
            assertTrue(dsdt.contains(String.format("Device (V%03X) { Name (_HID, \"LNRO0005\") // _HID: Hardware ID "
                + "Name (_UID, 0x%02X)", virtio - 1, virtio - 1)), dsdt);
        }
    }

    /** iasl compiles an RSDP from jvmm's field values (checksums left to iasl); the bytes must match. */
    private static void rsdpEqualsWhatIaslCompiles(Path dir, AcpiTableSet set) throws Exception {
        AcpiTable rsdp = set.table(Rsdp.SIGNATURE);
        Files.write(dir.resolve("rsdp.dat"), rsdp.bytes());
        String source = String.join("\n",
            "[0008] Signature : \"RSD PTR \"",
            "[0001] Checksum : 00",
            "[0006] Oem ID : \"JVMM  \"",
            "[0001] Revision : 02",
            "[0004] RSDT Address : 00000000",
            "[0004] Length : 00000024",
            String.format("[0008] XSDT Address : %016X", set.table(Xsdt.SIGNATURE).address()),
            "[0001] Extended Checksum : 00",
            "[0003] Reserved : 000000",
            "");
        Files.writeString(dir.resolve("rsdp-iasl.asl"), source, StandardCharsets.US_ASCII);
        iasl(dir, "-p", "rsdp-iasl", "rsdp-iasl.asl");
        assertArrayEquals(Files.readAllBytes(dir.resolve("rsdp-iasl.aml")), rsdp.bytes(), "RSDP as iasl compiles it");
    }

    /**
     * Disassembles {@code table}, compiles the disassembly back (with optimisations off for AML, so
     * iasl keeps jvmm's name paths), compares, and returns the disassembly with every run of white
     * space collapsed to one space.
     */
    private static String roundTrip(Path dir, String base, AcpiTable table, boolean aml) throws Exception {
        Files.write(dir.resolve(base + ".dat"), table.bytes());
        iasl(dir, "-d", base + ".dat");
        Path dsl = dir.resolve(base + ".dsl");
        assertTrue(Files.exists(dsl), "iasl wrote no " + dsl);
        String text = Files.readString(dsl, StandardCharsets.US_ASCII);
        List<String> args = new ArrayList<>();
        if (aml) {
            args.add("-oa");
        }
        args.addAll(List.of("-p", base + "-recompiled", base + ".dsl"));
        iasl(dir, args.toArray(new String[0]));
        byte[] ours = table.bytes();
        byte[] theirs = Files.readAllBytes(dir.resolve(base + "-recompiled.aml"));
        assertEquals(0, Checksum.sum(theirs, 0, theirs.length), "iasl's own checksum");
        for (int i : IASL_OWNED) {
            theirs[i] = ours[i];
        }
        assertArrayEquals(ours, theirs, base + " recompiled by iasl differs from what jvmm wrote");
        return text.replaceAll("\\s+", " ");
    }

    /** acpiexec loads the tables and converts each device's _CRS to ACPICA resources and back. */
    private static void acpiexecLoadsTheNamespace(Path dir, int virtio) throws Exception {
        List<String> devices = new ArrayList<>(List.of("COM1", "PS2K", "RTC_"));
        for (int i = 0; i < virtio; i++) {
            devices.add(String.format("V%03X", i));
        }
        // Commands on stdin: -b takes only a short command line.
        StringBuilder commands = new StringBuilder("namespace\n");
        for (String d : devices) {
            commands.append("resources \\_SB.").append(d).append('\n');
        }
        commands.append("quit\n");
        String out = run(dir, commands.toString(), "acpiexec", "facp.dat", "apic.dat", "dsdt.dat");
        String clean = Arrays.stream(out.split("\n"))
            // No device has _SRS: the resources command tries it and reports that.
            .filter(l -> !l.contains("AcpiSetCurrentResources failed: AE_NOT_FOUND"))
            // Resource-manager trace lines ("rscalc-0710 ... RsGetListLength") that acpiexec prints.
            .filter(l -> !l.matches("\\s*rs\\w+-\\d+ .*"))
            .reduce("", (a, b) -> a + b + "\n");
        Matcher bad = Pattern.compile("(?i)error|warning|exception|mismatch|failed").matcher(clean);
        if (bad.find()) {
            fail("acpiexec reported a problem near '" + bad.group() + "':\n" + clean);
        }
        assertTrue(out.replaceAll(" +", " ").contains(
            String.format("Table [DSDT: JVMMDSDT] (id 01) - %d Objects with %d Devices, 0 Regions, 0 Methods",
                4 * (3 + virtio) + 0, 3 + virtio)), out);
        assertEquals(devices.size(), count(clean, "Resource Conversion Comparison:\\s*\\n\\s*Evaluating _SRS"), out);
        assertEquals(virtio, count(out, "Extended IRQ Resource"), out);
        assertEquals(3, count(out, "\\] IRQ Resource"), out);
    }

    // ---- plumbing ----

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

    /** Runs iasl; fails on a non-zero exit or any error, warning or remark it reports. */
    private static String iasl(Path dir, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("iasl", "-vi"));
        cmd.addAll(List.of(args));
        String out = run(dir, "", cmd.toArray(new String[0]));
        String counted = out.replaceAll("\\b0 (Errors|Warnings|Remarks)\\b", "");
        Matcher bad = Pattern.compile("(?i)\\b(errors?|warnings?|remarks?)\\b").matcher(counted);
        if (bad.find()) {
            fail(String.join(" ", cmd) + " reported diagnostics:\n" + out);
        }
        return out;
    }

    private static String run(Path dir, String stdin, String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        try (var in = p.getOutputStream()) {
            in.write(stdin.getBytes(StandardCharsets.US_ASCII));
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail(String.join(" ", cmd) + " did not finish in 120 s");
        }
        if (p.exitValue() != 0) {
            fail(String.join(" ", cmd) + " exited " + p.exitValue() + ":\n" + out);
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
