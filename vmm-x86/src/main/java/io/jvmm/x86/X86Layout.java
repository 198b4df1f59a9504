package io.jvmm.x86;

import io.jvmm.devices.BootCompletePort;
import io.jvmm.loader.BootLayout;

/**
 * Every fixed guest-physical address jvmm uses on x86-64, in one place. The low-memory map follows
 * the conventions Linux expects with no BIOS (Documentation/arch/x86/boot.rst, "The 64-bit boot
 * protocol"; the same choices Firecracker's {@code arch/x86_64/layout.rs} makes):
 *
 * <pre>
 *   0x0000_0000  real-mode IVT / BDA (left zero)
 *   0x0000_0500  GDT                      (GDT_ADDR, 4 entries)
 *   0x0000_0520  IDT                      (IDT_ADDR, empty: interrupts stay off until the kernel's own)
 *   0x0000_7000  zero page (boot_params)  (ZERO_PAGE_ADDR, 4 KiB)
 *   0x0000_8000  built-in guest mailbox   (MAILBOX_ADDR, host/guest exchange)
 *   0x0000_8ff0  boot stack top           (BOOT_STACK_POINTER, grows down)
 *   0x0000_9000  PML4                     (PML4_ADDR)
 *   0x0000_a000  PDPT                     (PDPT_ADDR)
 *   0x0000_b000  page directories         (PD_ADDR, PD_COUNT x 4 KiB: identity map, 2 MiB pages)
 *   0x0001_0000  built-in / raw real-mode guest code (REAL_MODE_LOAD_ADDR)
 *   0x0002_0000  kernel command line      (CMDLINE_ADDR, up to CMDLINE_MAX_SIZE)
 *   0x0009_fc00  EBDA start: e820 RAM below it, reserved up to 1 MiB
 *   0x000a_0000  legacy VGA/ROM hole      (to HIMEM_START)
 *   0x0010_0000  kernel / built-in long-mode guest load address (HIMEM_START)
 *   ...          RAM, initrd placed high below initrd_addr_max
 *   0xc000_0000  32-bit MMIO gap          (MMIO_GAP_START .. 4 GiB; RAM above 3 GiB moves past 4 GiB)
 *   0xfffb_c000  KVM identity-map page    (IDENTITY_MAP_ADDR, KVM_SET_IDENTITY_MAP_ADDR)
 *   0xfffb_d000  KVM TSS, 3 pages         (TSS_ADDR, KVM_SET_TSS_ADDR)
 * </pre>
 */
public final class X86Layout {
    /** Global descriptor table: null, code64, data, TSS (Firecracker's order). */
    public static final long GDT_ADDR = 0x500;
    /** Entries of the boot GDT at {@link #GDT_ADDR}, 8 bytes each (see {@link Gdt}). */
    public static final int GDT_ENTRIES = 4;
    /** An empty IDT: the boot protocol enters with interrupts disabled. */
    public static final long IDT_ADDR = 0x520;

    /** {@code struct boot_params} (boot.rst: "the zero page"), pointed to by RSI at entry. */
    public static final long ZERO_PAGE_ADDR = 0x7000;
    /** Where the built-in guests and their host exchange values (one page). */
    public static final long MAILBOX_ADDR = 0x8000;
    /** Initial RSP/RBP for 64-bit entry: below the page tables, 16-byte aligned. */
    public static final long BOOT_STACK_POINTER = 0x8ff0;

    /** Identity-mapping page tables for 64-bit entry (boot.rst requires the kernel and zero page mapped). */
    public static final long PML4_ADDR = 0x9000;
    /** The page-directory-pointer table, the page after {@link #PML4_ADDR}. */
    public static final long PDPT_ADDR = 0xa000;
    /** The first of {@link #PD_COUNT} contiguous page directories, the page after {@link #PDPT_ADDR}. */
    public static final long PD_ADDR = 0xb000;
    /** Page directories after PD_ADDR; each maps 1 GiB with 2 MiB pages, so 4 cover the low 4 GiB. */
    public static final int PD_COUNT = 4;

    /** Load address of real-mode guests (CS = REAL_MODE_LOAD_ADDR >> 4). */
    public static final long REAL_MODE_LOAD_ADDR = 0x10000;

    /** Kernel command line (boot.rst: anywhere between the end of setup heap and 0xA0000). */
    public static final long CMDLINE_ADDR = 0x20000;
    /** Bytes reserved for the command line, including the terminating NUL. */
    public static final int CMDLINE_MAX_SIZE = 0x10000;

    /** End of conventional memory usable as RAM; the EBDA starts here. */
    public static final long EBDA_START = 0x9fc00;
    /** Start of the legacy VGA/ROM hole that e820 reports as reserved. */
    public static final long LEGACY_HOLE_START = 0xa0000;
    /** First byte above 1 MiB: the protected-mode kernel's default load address. */
    public static final long HIMEM_START = 0x100000;
    /**
     * Where the loader puts a bzImage's protected-mode kernel: the standard bzImage address
     * (boot.rst, "Loading The Rest of The Kernel"), as Firecracker and kvmtool do. A relocatable
     * kernel then moves itself to max(align_up(this, kernel_alignment), pref_address) before
     * decompressing (arch/x86/boot/compressed/head_64.S), 16 MiB for Debian's kernels, so the
     * loader keeps [that, + init_size) free as well. ELF kernels go to their own p_paddr.
     */
    public static final long KERNEL_LOAD_ADDR = HIMEM_START;

    /** Start of the 32-bit MMIO gap below 4 GiB (PCI holes, LAPIC, IOAPIC live here). */
    public static final long MMIO_GAP_START = 0xc000_0000L;
    /** One past the MMIO gap: 4 GiB, where RAM that did not fit below the gap continues. */
    public static final long MMIO_GAP_END = 0x1_0000_0000L;
    /** Where the in-kernel IOAPIC decodes (inside the MMIO gap): the I/O APIC's architectural default base. */
    public static final long IOAPIC_ADDR = 0xfec0_0000L;
    /** Where the in-kernel LAPIC decodes: IA32_APIC_BASE's reset value (SDM Vol. 3A, "Local APIC Status and Location"). */
    public static final long LAPIC_ADDR = 0xfee0_0000L;

    /** KVM_SET_IDENTITY_MAP_ADDR: one page KVM uses for real-mode emulation on Intel. */
    public static final long IDENTITY_MAP_ADDR = 0xfffb_c000L;
    /** KVM_SET_TSS_ADDR: three pages, must not overlap guest RAM or MMIO. */
    public static final long TSS_ADDR = 0xfffb_d000L;

    /** I/O port of the first 16550A UART (COM1), on IRQ 4. */
    public static final int COM1_PORT = 0x3f8;
    /** COM1's ISA IRQ (and GSI, with KVM's default routing). */
    public static final int COM1_IRQ = 4;
    /** i8042 keyboard controller data port. */
    public static final int I8042_DATA_PORT = 0x60;
    /** i8042 keyboard controller command (write) and status (read) port. */
    public static final int I8042_COMMAND_PORT = 0x64;
    /** The i8042 is registered as one device over 0x60..0x64 (data at offset 0, command at offset 4). */
    public static final int I8042_PORT_SPAN = I8042_COMMAND_PORT - I8042_DATA_PORT + 1;
    /**
     * CMOS RTC index and data ports (0x70, 0x71; offsets 0 and 1 of the device), as on every PC
     * since the AT; Linux's rtc-cmos finds the legacy RTC there without ACPI or PNP.
     */
    public static final int CMOS_RTC_PORT = 0x70;
    /** Ports the CMOS RTC decodes from {@link #CMOS_RTC_PORT}: index and data. */
    public static final int CMOS_RTC_PORT_SPAN = 2;
    /**
     * The ACPI tables (docs/acpi.md): the BIOS read-only area [0xE0000, 0x100000), where Linux
     * searches for the RSDP on 16-byte boundaries (ACPI 6.4, 5.2.5.1) when boot_params does not
     * say; e820 already reports it reserved (it lies in [EBDA_START, HIMEM_START)).
     */
    public static final long ACPI_TABLES_ADDR = 0xe0000;
    /** Bytes of the ACPI table area: from {@link #ACPI_TABLES_ADDR} up to 1 MiB (128 KiB). */
    public static final long ACPI_TABLES_SIZE = HIMEM_START - ACPI_TABLES_ADDR;
    /**
     * The reset register the FADT names (RESET_REG, RESET_VALUE): the PC chipset's Reset Control
     * Register at port 0xCF9, value 0x06 (hard reset), as QEMU's PIIX4/ICH9 models implement.
     */
    public static final int RESET_CONTROL_PORT = 0xcf9;
    /** The value written to {@link #RESET_CONTROL_PORT} for a reset: 0x06, hard reset (bit 1) and start (bit 2). */
    public static final int RESET_CONTROL_VALUE = 0x06;
    /**
     * The virtio-mmio windows (virtio 1.2 §4.2.2): one 4 KiB page each from here, in the MMIO gap
     * below 4 GiB, as Firecracker places them; the DSDT lists them as LNRO0005 devices.
     */
    public static final long VIRTIO_MMIO_BASE = 0xd000_0000L;
    /** Bytes between consecutive virtio-mmio windows, and the size of each: one 4 KiB page. */
    public static final long VIRTIO_MMIO_STRIDE = 0x1000;
    /**
     * Their interrupts: I/O APIC inputs from 16 up, above the ISA IRQs so that no legacy device
     * or 8259 routing shares them (KVM's default routing sends GSI n to I/O APIC pin n), one per
     * window, up to the I/O APIC's 24 pins.
     */
    public static final int VIRTIO_MMIO_FIRST_GSI = 16;
    /** The number of virtio-mmio windows: GSIs 16..23 fill the in-kernel I/O APIC's remaining pins. */
    public static final int VIRTIO_MMIO_MAX_DEVICES = 8;

    /**
     * The base of virtio-mmio window {@code index}.
     *
     * @param index the window, 0..{@link #VIRTIO_MMIO_MAX_DEVICES} - 1
     * @return {@code VIRTIO_MMIO_BASE + index * VIRTIO_MMIO_STRIDE}, a guest-physical address
     * @throws IllegalArgumentException when {@code index} is outside 0..{@link #VIRTIO_MMIO_MAX_DEVICES} - 1
     */
    public static long virtioMmioBase(int index) {
        return VIRTIO_MMIO_BASE + VIRTIO_MMIO_STRIDE * checkedVirtioIndex(index);
    }

    /**
     * The GSI of virtio-mmio window {@code index}.
     *
     * @param index the window, 0..{@link #VIRTIO_MMIO_MAX_DEVICES} - 1
     * @return {@code VIRTIO_MMIO_FIRST_GSI + index}: 16..23, the I/O APIC pin it raises
     * @throws IllegalArgumentException when {@code index} is outside 0..{@link #VIRTIO_MMIO_MAX_DEVICES} - 1
     */
    public static int virtioMmioGsi(int index) {
        return VIRTIO_MMIO_FIRST_GSI + checkedVirtioIndex(index);
    }

    private static int checkedVirtioIndex(int index) {
        if (index < 0 || index >= VIRTIO_MMIO_MAX_DEVICES) {
            throw new IllegalArgumentException("virtio-mmio window " + index + " does not exist (0 to " + (VIRTIO_MMIO_MAX_DEVICES - 1) + ")");
        }
        return index;
    }

    /** Firecracker's boot-complete signal: the guest writes {@link #BOOT_COMPLETE_VALUE} here. */
    public static final int BOOT_COMPLETE_PORT = 0x3f0;
    /** The value a guest writes to {@link #BOOT_COMPLETE_PORT} to signal boot complete ({@link BootCompletePort}). */
    public static final int BOOT_COMPLETE_VALUE = BootCompletePort.SIGNAL_VALUE;
    /**
     * The port the exit-path benchmark guest writes to: decoded by no standard PC device, so every
     * write is a plain port-I/O exit (see io.jvmm.machine.guest.BuiltInGuests#exitBenchmark).
     */
    public static final int EXIT_BENCHMARK_PORT = 0x700;

    /** The bytes the boot page tables identity-map: PD_COUNT page directories of 1 GiB each. */
    public static final long BOOT_IDENTITY_MAP_END = PD_COUNT * (1L << 30);

    /** The part of this map a Linux load needs, handed to {@code io.jvmm.loader.LinuxLoader}. */
    public static final BootLayout BOOT_LAYOUT = new BootLayout(ZERO_PAGE_ADDR, CMDLINE_ADDR, CMDLINE_MAX_SIZE,
        KERNEL_LOAD_ADDR, HIMEM_START, EBDA_START, MMIO_GAP_START, MMIO_GAP_END, BOOT_IDENTITY_MAP_END);

    private X86Layout() {
    }
}
