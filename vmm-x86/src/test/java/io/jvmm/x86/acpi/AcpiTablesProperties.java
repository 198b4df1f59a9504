package io.jvmm.x86.acpi;

import static io.jvmm.x86.acpi.TableBytes.u32;
import static io.jvmm.x86.acpi.TableBytes.u64;
import static io.jvmm.x86.acpi.TableBytes.u8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvmm.x86.acpi.TableBytes.MadtEntry;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

class AcpiTablesProperties {
    /**
     * For any vCPU count the MADT allows and any list of virtio-mmio devices (random windows and
     * interrupts, in random number up to 300, enough for 3-byte PkgLengths), every table sums to
     * zero, its Length field is its size, the pointers between tables agree with where they
     * lie, the MADT has exactly one enabled Local APIC per vCPU with UID = APIC ID = index, and the
     * DSDT's \_SB scope spans its whole body.
     */
    @Property(tries = 300)
    void tablesAreConsistentForAnyVcpuCountAndDeviceList(
            @ForAll @IntRange(min = 1, max = Madt.MAX_VCPUS) int vcpus,
            @ForAll @Size(max = 300) List<@IntRange(min = 0, max = 0xffff) Integer> virtioPages,
            @ForAll @IntRange(min = 0, max = 0xfff) int areaPage) {
        List<AcpiDevice> devices = new ArrayList<>(AcpiFixtures.legacyDevices());
        for (int i = 0; i < virtioPages.size(); i++) {
            int page = virtioPages.get(i);
            devices.add(new AcpiDevice.VirtioMmio(0xc000_0000L + page * 0x1000L, 0x200 + (page % 8) * 0x200, 5 + page % 200));
        }
        AcpiConfig config = new AcpiConfig(vcpus, 0xfee0_0000L, 0, 0xfec0_0000L, areaPage % 2 == 0,
            List.of(InterruptOverride.isaTimerToGsi2()), ResetRegister.pcResetControl(), devices,
            0xe0000L + areaPage * 16L, 0x20000);
        AcpiTableSet set = AcpiTables.build(config);

        for (AcpiTable t : set.tables()) {
            byte[] b = t.bytes();
            assertEquals(0, Checksum.sum(b, 0, b.length), t.toString());
            assertEquals(0, t.address() % 16, t.toString());
            assertTrue(t.address() >= config.tableAreaBase() && t.end() <= config.tableAreaBase() + config.tableAreaSize());
            if (t.signature().equals(Rsdp.SIGNATURE)) {
                assertEquals(0, Checksum.sum(b, 0, Rsdp.V1_LENGTH));
                assertEquals(set.table(Xsdt.SIGNATURE).address(), u64(b, Rsdp.XSDT_ADDRESS_OFFSET));
            } else {
                assertEquals(b.length, u32(b, Sdt.LENGTH_OFFSET), t.toString());
            }
        }
        assertEquals(config.tableAreaBase(), set.rsdpAddress());
        byte[] xsdt = set.table(Xsdt.SIGNATURE).bytes();
        assertEquals(set.table(Fadt.SIGNATURE).address(), u64(xsdt, 36));
        assertEquals(set.table(Madt.SIGNATURE).address(), u64(xsdt, 44));
        assertEquals(set.table(Dsdt.SIGNATURE).address(), u64(set.table(Fadt.SIGNATURE).bytes(), Fadt.X_DSDT));

        byte[] madt = set.table(Madt.SIGNATURE).bytes();
        assertEquals(config.pcatCompat() ? 1 : 0, u32(madt, Madt.FLAGS_OFFSET));
        List<MadtEntry> lapics = TableBytes.madtEntries(madt).stream().filter(e -> e.type() == Madt.TYPE_LOCAL_APIC).toList();
        assertEquals(vcpus, lapics.size());
        for (int i = 0; i < vcpus; i++) {
            byte[] e = lapics.get(i).bytes();
            assertEquals(i, u8(e, 2), "ACPI processor UID");
            assertEquals(i, u8(e, 3), "APIC ID");
            assertEquals(Madt.LOCAL_APIC_ENABLED, u32(e, 4));
        }
        assertEquals(44 + 8 * vcpus + 12 + 10 + 6, madt.length);

        byte[] dsdt = set.table(Dsdt.SIGNATURE).bytes();
        int[] len = TableBytes.pkgLength(dsdt, 37);
        assertEquals(dsdt.length - 37, len[0], "\\_SB PkgLength");
        int expectedDevices = 3 + virtioPages.size();
        // DeviceOp is 5B 82; no window, size or GSI generated above contains those two bytes in a row.
        assertEquals(expectedDevices, AcpiIaslTest.count(new String(dsdt, java.nio.charset.StandardCharsets.ISO_8859_1),
            java.util.regex.Pattern.quote("\u005b\u0082")), "Device opcodes");
    }
}
