package io.jvmm.x86.acpi;

import static io.jvmm.x86.acpi.TableBytes.ascii;
import static io.jvmm.x86.acpi.TableBytes.u16;
import static io.jvmm.x86.acpi.TableBytes.u32;
import static io.jvmm.x86.acpi.TableBytes.u64;
import static io.jvmm.x86.acpi.TableBytes.u8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvmm.x86.acpi.TableBytes.MadtEntry;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Table layouts, checksums and cross-pointers against ACPI 6.4 chapter 5. */
class AcpiTablesTest {
    private final AcpiTableSet set = AcpiTables.build(AcpiFixtures.config(4, AcpiFixtures.withVirtio(2)));

    @Test
    void everyTableSumsToZeroAndItsLengthFieldIsItsSize() {
        for (AcpiTable t : set.tables()) {
            byte[] b = t.bytes();
            assertEquals(0, Checksum.sum(b, 0, b.length), t + " checksum");
            if (!t.signature().equals(Rsdp.SIGNATURE)) {
                assertEquals(t.signature(), ascii(b, 0, 4));
                assertEquals(b.length, u32(b, Sdt.LENGTH_OFFSET), t + " length");
                assertEquals("JVMM  ", ascii(b, Sdt.OEM_ID_OFFSET, 6));
                assertEquals("JVMM" + t.signature(), ascii(b, Sdt.OEM_TABLE_ID_OFFSET, 8));
            }
        }
    }

    @Test
    void rsdpIsRevisionTwoWithBothChecksumsAndPointsAtTheXsdt() {
        AcpiTable rsdp = set.table(Rsdp.SIGNATURE);
        byte[] b = rsdp.bytes();
        assertEquals(36, b.length);
        assertEquals(AcpiFixtures.AREA_BASE, rsdp.address());
        assertEquals(AcpiFixtures.AREA_BASE, set.rsdpAddress());
        assertEquals("RSD PTR ", ascii(b, 0, 8));
        assertEquals(0, Checksum.sum(b, 0, 20), "ACPI 1.0 checksum over the first 20 bytes");
        assertEquals(0, Checksum.sum(b, 0, 36), "extended checksum");
        assertEquals(2, u8(b, 15));
        assertEquals(0, u32(b, 16), "no RSDT");
        assertEquals(36, u32(b, 20));
        assertEquals(set.table(Xsdt.SIGNATURE).address(), u64(b, 24));
        assertEquals(0, u8(b, 33) | u8(b, 34) | u8(b, 35), "reserved");
    }

    @Test
    void xsdtListsTheFadtAndTheMadtButNotTheDsdt() {
        byte[] b = set.table(Xsdt.SIGNATURE).bytes();
        assertEquals(36 + 16, b.length);
        assertEquals(1, u8(b, Sdt.REVISION_OFFSET));
        assertEquals(set.table(Fadt.SIGNATURE).address(), u64(b, 36));
        assertEquals(set.table(Madt.SIGNATURE).address(), u64(b, 44));
    }

    /**
     * The FADT offsets, derived here by adding up the field sizes in the order of the spec's FADT
     * format table (5.2.9), must be those Fadt writes at.
     */
    @Test
    void fadtFieldOffsetsFollowTheSpecFieldOrder() {
        Map<String, Integer> sizes = new LinkedHashMap<>();
        sizes.put("header", 36);
        for (String f : new String[] {"FIRMWARE_CTRL", "DSDT"}) {
            sizes.put(f, 4);
        }
        sizes.put("reserved44", 1);
        sizes.put("PREFERRED_PM_PROFILE", 1);
        sizes.put("SCI_INT", 2);
        sizes.put("SMI_CMD", 4);
        for (String f : new String[] {"ACPI_ENABLE", "ACPI_DISABLE", "S4BIOS_REQ", "PSTATE_CNT"}) {
            sizes.put(f, 1);
        }
        for (String f : new String[] {"PM1A_EVT_BLK", "PM1B_EVT_BLK", "PM1A_CNT_BLK", "PM1B_CNT_BLK", "PM2_CNT_BLK",
            "PM_TMR_BLK", "GPE0_BLK", "GPE1_BLK"}) {
            sizes.put(f, 4);
        }
        for (String f : new String[] {"PM1_EVT_LEN", "PM1_CNT_LEN", "PM2_CNT_LEN", "PM_TMR_LEN", "GPE0_BLK_LEN",
            "GPE1_BLK_LEN", "GPE1_BASE", "CST_CNT"}) {
            sizes.put(f, 1);
        }
        for (String f : new String[] {"P_LVL2_LAT", "P_LVL3_LAT", "FLUSH_SIZE", "FLUSH_STRIDE"}) {
            sizes.put(f, 2);
        }
        for (String f : new String[] {"DUTY_OFFSET", "DUTY_WIDTH", "DAY_ALRM", "MON_ALRM", "CENTURY"}) {
            sizes.put(f, 1);
        }
        sizes.put("IAPC_BOOT_ARCH", 2);
        sizes.put("reserved111", 1);
        sizes.put("FLAGS", 4);
        sizes.put("RESET_REG", 12);
        sizes.put("RESET_VALUE", 1);
        sizes.put("ARM_BOOT_ARCH", 2);
        sizes.put("FADT_MINOR_VERSION", 1);
        sizes.put("X_FIRMWARE_CTRL", 8);
        sizes.put("X_DSDT", 8);
        for (String f : new String[] {"X_PM1A_EVT_BLK", "X_PM1B_EVT_BLK", "X_PM1A_CNT_BLK", "X_PM1B_CNT_BLK",
            "X_PM2_CNT_BLK", "X_PM_TMR_BLK", "X_GPE0_BLK", "X_GPE1_BLK", "SLEEP_CONTROL_REG", "SLEEP_STATUS_REG"}) {
            sizes.put(f, 12);
        }
        sizes.put("HYPERVISOR_VENDOR_IDENTITY", 8);
        Map<String, Integer> offsets = new LinkedHashMap<>();
        int off = 0;
        for (Map.Entry<String, Integer> e : sizes.entrySet()) {
            offsets.put(e.getKey(), off);
            off += e.getValue();
        }
        assertEquals(Fadt.LENGTH, off);
        assertEquals(offsets.get("FIRMWARE_CTRL"), Fadt.FIRMWARE_CTRL);
        assertEquals(offsets.get("DSDT"), Fadt.DSDT);
        assertEquals(offsets.get("PREFERRED_PM_PROFILE"), Fadt.PREFERRED_PM_PROFILE);
        assertEquals(offsets.get("SCI_INT"), Fadt.SCI_INT);
        assertEquals(offsets.get("SMI_CMD"), Fadt.SMI_CMD);
        assertEquals(offsets.get("PM1A_EVT_BLK"), Fadt.PM1A_EVT_BLK);
        assertEquals(offsets.get("PM_TMR_BLK"), Fadt.PM_TMR_BLK);
        assertEquals(offsets.get("IAPC_BOOT_ARCH"), Fadt.IAPC_BOOT_ARCH);
        assertEquals(offsets.get("FLAGS"), Fadt.FLAGS);
        assertEquals(offsets.get("RESET_REG"), Fadt.RESET_REG);
        assertEquals(offsets.get("RESET_VALUE"), Fadt.RESET_VALUE);
        assertEquals(offsets.get("ARM_BOOT_ARCH"), Fadt.ARM_BOOT_ARCH);
        assertEquals(offsets.get("FADT_MINOR_VERSION"), Fadt.FADT_MINOR_VERSION);
        assertEquals(offsets.get("X_FIRMWARE_CTRL"), Fadt.X_FIRMWARE_CTRL);
        assertEquals(offsets.get("X_DSDT"), Fadt.X_DSDT);
        assertEquals(offsets.get("X_PM1A_EVT_BLK"), Fadt.X_PM1A_EVT_BLK);
        assertEquals(offsets.get("X_PM_TMR_BLK"), Fadt.X_PM_TMR_BLK);
        assertEquals(offsets.get("SLEEP_CONTROL_REG"), Fadt.SLEEP_CONTROL_REG);
        assertEquals(offsets.get("SLEEP_STATUS_REG"), Fadt.SLEEP_STATUS_REG);
        assertEquals(offsets.get("HYPERVISOR_VENDOR_IDENTITY"), Fadt.HYPERVISOR_VENDOR_IDENTITY);
    }

    @Test
    void fadtIsHardwareReducedWithAResetRegisterAndOnlyX_Dsdt() {
        byte[] b = set.table(Fadt.SIGNATURE).bytes();
        assertEquals(276, b.length);
        assertEquals(6, u8(b, Sdt.REVISION_OFFSET));
        assertEquals(4, u8(b, Fadt.FADT_MINOR_VERSION));
        assertEquals((1 << 20) | (1 << 10), u32(b, Fadt.FLAGS), "HW_REDUCED_ACPI | RESET_REG_SUP");
        // GAS: SystemIO, 8 bits, offset 0, byte access, port 0xCF9.
        assertArrayEquals(AmlTest.bytes(0x01, 0x08, 0x00, 0x01, 0xf9, 0x0c, 0, 0, 0, 0, 0, 0),
            Arrays.copyOfRange(b, Fadt.RESET_REG, Fadt.RESET_REG + 12));
        assertEquals(0x06, u8(b, Fadt.RESET_VALUE));
        assertEquals(set.table(Dsdt.SIGNATURE).address(), u64(b, Fadt.X_DSDT));
        assertEquals(0, u32(b, Fadt.DSDT), "DSDT must be zero when X_DSDT is set");
        assertEquals(0, u32(b, Fadt.FIRMWARE_CTRL) | u64(b, Fadt.X_FIRMWARE_CTRL), "no FACS");
        assertEquals(0, u16(b, Fadt.SCI_INT) | u32(b, Fadt.SMI_CMD) | u32(b, Fadt.PM_TMR_BLK) | u32(b, Fadt.PM1A_EVT_BLK));
        assertEquals(Fadt.IAPC_8042 | Fadt.IAPC_VGA_NOT_PRESENT | Fadt.IAPC_MSI_NOT_SUPPORTED, u16(b, Fadt.IAPC_BOOT_ARCH));
    }

    @Test
    void bootFlagsFollowTheDevices() {
        AcpiConfig none = AcpiFixtures.config(1, List.of());
        assertEquals(Fadt.IAPC_CMOS_RTC_NOT_PRESENT | Fadt.IAPC_VGA_NOT_PRESENT | Fadt.IAPC_MSI_NOT_SUPPORTED,
            Fadt.iapcBootArch(none));
    }

    @Test
    void madtHasOneEnabledLocalApicPerVcpuThenTheIoApicOverrideAndNmi() {
        byte[] b = set.table(Madt.SIGNATURE).bytes();
        assertEquals(5, u8(b, Sdt.REVISION_OFFSET));
        assertEquals(0xfee0_0000L, u32(b, Madt.LOCAL_APIC_ADDRESS_OFFSET));
        assertEquals(1, u32(b, Madt.FLAGS_OFFSET), "PCAT_COMPAT");
        List<MadtEntry> entries = TableBytes.madtEntries(b);
        assertEquals(4 + 3, entries.size());
        for (int i = 0; i < 4; i++) {
            byte[] e = entries.get(i).bytes();
            assertArrayEquals(AmlTest.bytes(0, 8, i, i, 1, 0, 0, 0), e, "Local APIC " + i);
        }
        assertArrayEquals(AmlTest.bytes(1, 12, 0, 0, 0x00, 0x00, 0xc0, 0xfe, 0, 0, 0, 0), entries.get(4).bytes());
        assertArrayEquals(AmlTest.bytes(2, 10, 0, 0, 2, 0, 0, 0, 0x05, 0x00), entries.get(5).bytes());
        assertArrayEquals(AmlTest.bytes(4, 6, 0xff, 0x05, 0x00, 1), entries.get(6).bytes());
        assertEquals(44 + 4 * 8 + 12 + 10 + 6, b.length);
    }

    @Test
    void dsdtIsOneSystemBusScopeCoveringTheWholeBody() {
        byte[] b = set.table(Dsdt.SIGNATURE).bytes();
        assertEquals(2, u8(b, Sdt.REVISION_OFFSET));
        assertEquals(0x10, u8(b, 36), "ScopeOp");
        int[] len = TableBytes.pkgLength(b, 37);
        assertEquals(b.length - 37, len[0]);
        assertEquals("\\_SB_", ascii(b, 37 + len[1], 5));
    }

    @Test
    void tablesAreAlignedInOrderInsideTheAreaAndTheImageHoldsThem() {
        List<AcpiTable> t = set.tables();
        assertEquals(List.of("RSD PTR ", "XSDT", "FACP", "APIC", "DSDT"), t.stream().map(AcpiTable::signature).toList());
        for (int i = 0; i < t.size(); i++) {
            assertEquals(0, t.get(i).address() % 16, t.get(i) + " alignment");
            if (i > 0) {
                assertTrue(t.get(i).address() >= t.get(i - 1).end(), t.get(i) + " overlaps its predecessor");
            }
        }
        assertTrue(set.usedEnd() <= AcpiFixtures.AREA_BASE + AcpiFixtures.AREA_SIZE);
        byte[] image = set.image();
        assertEquals(set.usedEnd() - set.areaBase(), image.length);
        for (AcpiTable table : t) {
            int off = (int) (table.address() - set.areaBase());
            assertArrayEquals(table.bytes(), Arrays.copyOfRange(image, off, off + table.length()), table.toString());
        }
    }

    @Test
    void tablesThatDoNotFitAreRefused() {
        AcpiConfig c = AcpiFixtures.config(255, AcpiFixtures.withVirtio(8));
        AcpiConfig small = new AcpiConfig(c.vcpus(), c.lapicAddress(), c.ioapicId(), c.ioapicAddress(), c.pcatCompat(),
            c.overrides(), c.resetRegister(), c.devices(), c.tableAreaBase(), 0x800);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AcpiTables.build(small));
        assertTrue(e.getMessage().contains("table area ends at 0xe0800"), e.getMessage());
    }

    @Test
    void badConfigurationsAreRefused() {
        AcpiConfig c = AcpiFixtures.config(1, List.of());
        assertThrows(IllegalArgumentException.class, () -> c.withVcpus(0));
        assertThrows(IllegalArgumentException.class, () -> c.withVcpus(256));
        assertThrows(IllegalArgumentException.class, () -> new AcpiConfig(1, c.lapicAddress(), 0, c.ioapicAddress(),
            true, List.of(), c.resetRegister(), List.of(), 0xe0008, 0x1000));
        assertThrows(IllegalArgumentException.class, () -> new AcpiConfig(1, c.lapicAddress(), 0, c.ioapicAddress(),
            true, List.of(), c.resetRegister(), List.of(), 0xffff_fff0L, 0x1000));
        assertThrows(IllegalArgumentException.class, () -> new ResetRegister(0x10000, 6));
        assertThrows(IllegalArgumentException.class, () -> new InterruptOverride(16, 2, 5));
        assertThrows(IllegalArgumentException.class, () -> new AcpiDevice.VirtioMmio(0xd000_0000L, 0, 5));
    }

    @Test
    void devicesAreNamedPerKindWithUidsCountedPerHid() {
        String aml = new String(Dsdt.aml(List.of(
            new AcpiDevice.Uart16550(0x3f8, 4), new AcpiDevice.Uart16550(0x2f8, 3),
            new AcpiDevice.VirtioMmio(0xd000_0000L, 0x200, 5), new AcpiDevice.VirtioMmio(0xd000_0200L, 0x200, 6)))
            .toBytes(), java.nio.charset.StandardCharsets.ISO_8859_1);
        assertTrue(aml.contains("COM1") && aml.contains("COM2") && aml.contains("V000") && aml.contains("V001"), aml);
        assertEquals(2, AcpiIaslTest.count(aml, "_UID\u0001"), "second of each kind has _UID One");
    }
}
