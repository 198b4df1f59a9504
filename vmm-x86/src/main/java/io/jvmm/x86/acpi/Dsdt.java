package io.jvmm.x86.acpi;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The Differentiated System Description Table, signature "DSDT" (ACPI 6.4, section 5.2.11.1): the
 * header and then an AML TermList. Revision 2, so AML integers are 64 bits (5.2.11.1: revision 1
 * or lower means 32-bit integers). The body is one {@code Scope (\_SB)} (5.3.1, the System Bus
 * tree) with a Device per {@link AcpiDevice}:
 *
 * <pre>
 * Scope (\_SB) {
 *     Device (COM1) { Name (_HID, EisaId ("PNP0501")) Name (_UID, 0) Name (_CRS, ResourceTemplate () {...}) }
 *     ...
 *     Device (V000) { Name (_HID, "LNRO0005") Name (_UID, 0) Name (_CRS, ...) }
 * }
 * </pre>
 *
 * Names: UARTs COM1..COM9, i8042s PS2K, PS21..PS29, RTCs RTC_, RTC1..RTC9, virtio-mmio devices
 * V000..VFFF (hex); _UID counts devices with the same _HID from 0.
 */
public final class Dsdt {
    /** The table's signature. */
    public static final String SIGNATURE = "DSDT";
    /** DSDT revision 2: AML integers are 64 bits wide. */
    public static final int REVISION = 2;

    private Dsdt() {
    }

    /**
     * The DSDT for {@code config}'s devices.
     *
     * @param config the machine, for its devices
     * @return the whole table: header, then the TermList of {@link #aml(List)}, with Length and Checksum set
     * @throws IllegalArgumentException when there are too many devices of one kind to name (see the class comment)
     */
    public static byte[] build(AcpiConfig config) {
        return Sdt.table(SIGNATURE, REVISION, aml(config.devices()).toBytes());
    }

    /**
     * The AML body: {@code Scope (\_SB)} with one Device per entry of {@code devices}.
     *
     * @param devices the devices, in order; each Device holds _HID, _UID and _CRS
     * @return the Scope term
     * @throws IllegalArgumentException when there are too many devices of one kind to name (see the class comment)
     */
    public static AmlTerm aml(List<AcpiDevice> devices) {
        Map<Class<?>, Integer> counts = new HashMap<>();
        List<AmlTerm> terms = new ArrayList<>();
        for (AcpiDevice d : devices) {
            int index = counts.merge(d.getClass(), 1, Integer::sum) - 1;
            Resource[] crs = d.resources().toArray(new Resource[0]);
            terms.add(Aml.device(deviceName(d, index), Aml.hid(d.hid()), Aml.uid(index), Aml.crs(crs)));
        }
        return Aml.scope("\\_SB", terms.toArray(new AmlTerm[0]));
    }

    /** The NameSeg of the {@code index}-th device of its kind. */
    static String deviceName(AcpiDevice d, int index) {
        if (d instanceof AcpiDevice.VirtioMmio) {
            if (index > 0xfff) {
                throw new IllegalArgumentException("more than 4096 virtio-mmio devices");
            }
            return String.format("V%03X", index);
        }
        String first;
        String prefix;
        if (d instanceof AcpiDevice.Uart16550) {
            return legacyName("COM", index + 1, 9, "UARTs");
        } else if (d instanceof AcpiDevice.I8042) {
            first = "PS2K";
            prefix = "PS2";
        } else {
            first = "RTC";
            prefix = "RTC";
        }
        return index == 0 ? first : legacyName(prefix, index, 9, d.getClass().getSimpleName() + " devices");
    }

    private static String legacyName(String prefix, int n, int max, String what) {
        if (n > max) {
            throw new IllegalArgumentException("more than " + max + " " + what + " in the DSDT");
        }
        return prefix + n;
    }
}
