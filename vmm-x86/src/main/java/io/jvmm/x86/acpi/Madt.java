package io.jvmm.x86.acpi;

/**
 * The Multiple APIC Description Table, signature "APIC" (ACPI 6.4, section 5.2.12). After the
 * header: Local Interrupt Controller Address u32 (offset 36), Flags u32 (offset 40; bit 0
 * PCAT_COMPAT), then interrupt controller structures, each starting with Type u8 and Length u8:
 *
 * <ul>
 *   <li>type 0, Processor Local APIC (5.2.12.2), 8 bytes: ACPI Processor UID u8, APIC ID u8,
 *       Flags u32 (bit 0 Enabled, bit 1 Online Capable, meaningful only when not enabled);
 *   <li>type 1, I/O APIC (5.2.12.3), 12 bytes: I/O APIC ID u8, reserved u8, address u32, Global
 *       System Interrupt Base u32;
 *   <li>type 2, Interrupt Source Override (5.2.12.5), 10 bytes: Bus u8 (0 = ISA), Source u8,
 *       GSI u32, MPS INTI Flags u16;
 *   <li>type 4, Local APIC NMI (5.2.12.7), 6 bytes: ACPI Processor UID u8 (0xFF = all), MPS INTI
 *       Flags u16, Local APIC LINT# u8.
 * </ul>
 *
 * Revision 5 is the ACPI 6.3/6.4 MADT revision (the one that defines Online Capable).
 */
public final class Madt {
    /** The table's signature ("APIC", not "MADT"). */
    public static final String SIGNATURE = "APIC";
    /** The MADT revision written in the header (see the class comment). */
    public static final int REVISION = 5;
    /** Offset of Local Interrupt Controller Address u32: every local APIC's MMIO base. */
    public static final int LOCAL_APIC_ADDRESS_OFFSET = 36;
    /** Offset of Flags u32 (Multiple APIC Flags). */
    public static final int FLAGS_OFFSET = 40;
    /** Offset of the first interrupt controller structure. */
    public static final int ENTRIES_OFFSET = 44;
    /** Flags bit 0, PCAT_COMPAT: the system also has dual 8259s, which OSPM must mask before using the APICs. */
    public static final int FLAG_PCAT_COMPAT = 1;

    /** Structure type 0: Processor Local APIC. */
    public static final int TYPE_LOCAL_APIC = 0;
    /** Structure type 1: I/O APIC. */
    public static final int TYPE_IO_APIC = 1;
    /** Structure type 2: Interrupt Source Override. */
    public static final int TYPE_INTERRUPT_OVERRIDE = 2;
    /** Structure type 4: Local APIC NMI. */
    public static final int TYPE_LOCAL_APIC_NMI = 4;
    /** Length in bytes of a Processor Local APIC structure. */
    public static final int LOCAL_APIC_LENGTH = 8;
    /** Length in bytes of an I/O APIC structure. */
    public static final int IO_APIC_LENGTH = 12;
    /** Length in bytes of an Interrupt Source Override structure. */
    public static final int INTERRUPT_OVERRIDE_LENGTH = 10;
    /** Length in bytes of a Local APIC NMI structure. */
    public static final int LOCAL_APIC_NMI_LENGTH = 6;
    /** Local APIC Flags bit 0, Enabled: the processor is ready for use (every vCPU's is set). */
    public static final int LOCAL_APIC_ENABLED = 1;
    /** ACPI Processor UID 0xFF in a Local APIC NMI structure: every processor. */
    public static final int ALL_PROCESSORS = 0xff;
    /** NMI arrives on LINT1 of every local APIC (the PC wiring; Intel MP spec "Virtual Wire Mode"). */
    public static final int NMI_LINT = 1;

    /**
     * The most vCPUs this table describes: Processor Local APIC entries hold 8-bit APIC IDs and
     * xAPIC ID 0xFF is the broadcast ID, so IDs run 0..254. More would need Processor Local x2APIC
     * entries (5.2.12.12) and x2APIC mode in the guest.
     */
    public static final int MAX_VCPUS = 255;

    private Madt() {
    }

    /**
     * The MADT for {@code config}: one Local APIC per vCPU, the I/O APIC, overrides, LINT1 NMI.
     *
     * @param config the machine: vCPU count, local and I/O APIC addresses, I/O APIC ID, PCAT_COMPAT, overrides
     * @return the whole table, {@code 44 + 8 * vcpus + 12 + 10 * overrides + 6} bytes, with Length and Checksum
     *     set; vCPU i has ACPI Processor UID i and APIC ID i, and the I/O APIC's GSI base is 0
     */
    public static byte[] build(AcpiConfig config) {
        LeBuffer b = new LeBuffer(ENTRIES_OFFSET + config.vcpus() * LOCAL_APIC_LENGTH + 64);
        b.u32(config.lapicAddress());
        b.u32(config.pcatCompat() ? FLAG_PCAT_COMPAT : 0);
        for (int i = 0; i < config.vcpus(); i++) {
            // ACPI processor UID = APIC ID = vCPU index: what KVM's vCPU ids and the CPUID topology give.
            b.u8(TYPE_LOCAL_APIC).u8(LOCAL_APIC_LENGTH).u8(i).u8(i).u32(LOCAL_APIC_ENABLED);
        }
        b.u8(TYPE_IO_APIC).u8(IO_APIC_LENGTH).u8(config.ioapicId()).u8(0)
            .u32(config.ioapicAddress()).u32(0);
        for (InterruptOverride o : config.overrides()) {
            b.u8(TYPE_INTERRUPT_OVERRIDE).u8(INTERRUPT_OVERRIDE_LENGTH).u8(0).u8(o.source())
                .u32(o.gsi()).u16(o.flags());
        }
        // NMI is edge-triggered by nature; the flags say so rather than "conforming to the bus".
        b.u8(TYPE_LOCAL_APIC_NMI).u8(LOCAL_APIC_NMI_LENGTH).u8(ALL_PROCESSORS)
            .u16(InterruptOverride.EDGE_ACTIVE_HIGH).u8(NMI_LINT);
        return Sdt.table(SIGNATURE, REVISION, b.toArray());
    }
}
