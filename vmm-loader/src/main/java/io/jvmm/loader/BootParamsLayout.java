package io.jvmm.loader;

/**
 * The layout of {@code struct boot_params} (the "zero page") and of the {@code struct setup_header}
 * inside it, from the kernel's {@code arch/x86/include/uapi/asm/bootparam.h} and
 * Documentation/arch/x86/boot.rst ("The Real-Mode Kernel Header", "Details of Header Fields") and
 * zero-page.rst. The one home of these offsets: the bzImage parser and the zero-page builder both
 * use them, because the setup header sits at 0x1f1 in the kernel file and in boot_params alike.
 * {@code BootParamsLayoutTest} compares every offset here with the installed kernel headers.
 */
public final class BootParamsLayout {
    /** sizeof(struct boot_params): one page. */
    public static final int SIZE = 4096;

    // ---- boot_params fields outside the setup header (zero-page.rst) ----
    /** u32: bits 32..63 of the initrd address (protocol 2.12+). */
    public static final int EXT_RAMDISK_IMAGE = 0x0c0;
    /** u32: bits 32..63 of the initrd size. */
    public static final int EXT_RAMDISK_SIZE = 0x0c4;
    /** u32: bits 32..63 of the command-line address. */
    public static final int EXT_CMD_LINE_PTR = 0x0c8;
    /**
     * u64: the ACPI RSDP's physical address (zero-page.rst, acpi_rsdp_addr; read by Linux since
     * 4.20 before it searches the BIOS area), so that the kernel finds the tables without a scan.
     */
    public static final int ACPI_RSDP_ADDR = 0x070;
    /** u8: number of valid entries in {@link #E820_TABLE}. */
    public static final int E820_ENTRIES = 0x1e8;
    /**
     * u8: must stay zero. The kernel's sanitize_boot_params() clears fields a loader did not mean to
     * set when it finds this byte non-zero (a loader that copied too much of the image).
     */
    public static final int SENTINEL = 0x1ef;
    /** struct boot_e820_entry[E820_MAX_ENTRIES]: {u64 addr; u64 size; u32 type}, packed. */
    public static final int E820_TABLE = 0x2d0;
    /** sizeof(struct boot_e820_entry): 8 + 8 + 4 bytes, packed. */
    public static final int E820_ENTRY_SIZE = 20;
    /** E820_MAX_ENTRIES_ZEROPAGE: the entries {@link #E820_TABLE} has room for. */
    public static final int E820_MAX_ENTRIES = 128;

    // ---- struct setup_header (boot.rst, "The Real-Mode Kernel Header"), absolute offsets ----
    /** Start of the setup header in both the kernel image and boot_params. */
    public static final int SETUP_HEADER = 0x1f1;
    /**
     * The setup header may reach at most here: struct boot_params continues with
     * edd_mbr_sig_buffer at 0x290 (the {@code _pad7} before it absorbs header growth).
     */
    public static final int SETUP_HEADER_LIMIT = 0x290;

    /** u8: setup code size in 512-byte sectors; 0 means 4. */
    public static final int SETUP_SECTS = 0x1f1;
    /** u16: if non-zero, the root is mounted read-only (boot.rst, root_flags; deprecated, use "ro"/"rw"). */
    public static final int ROOT_FLAGS = 0x1f2;
    /** u32: protected-mode code size in 16-byte paragraphs. */
    public static final int SYSSIZE = 0x1f4;
    /** u16: video mode; 0xFFFF is "normal" (boot.rst, "Special Command Line Options": vga=). */
    public static final int VID_MODE = 0x1fa;
    /** u16: 0xAA55. */
    public static final int BOOT_FLAG = 0x1fe;
    /** u8 0xEB, then s8: a short jump; 0x202 + that byte is the end of the setup header. */
    public static final int JUMP = 0x200;
    /** u32: "HdrS". */
    public static final int HEADER = 0x202;
    /** u16: boot protocol version, {@code (major << 8) | minor}. */
    public static final int VERSION = 0x206;
    /** u8: boot loader identifier; 0xFF = undefined loader. */
    public static final int TYPE_OF_LOADER = 0x210;
    /** u8: LOADED_HIGH, QUIET_FLAG, KEEP_SEGMENTS, CAN_USE_HEAP. */
    public static final int LOADFLAGS = 0x211;
    /** u32: where the protected-mode kernel was loaded (32-bit entry). */
    public static final int CODE32_START = 0x214;
    /** u32: initrd address (low 32 bits). */
    public static final int RAMDISK_IMAGE = 0x218;
    /** u32: initrd size (low 32 bits). */
    public static final int RAMDISK_SIZE = 0x21c;
    /** u16: end of the real-mode setup heap, minus 0x200. */
    public static final int HEAP_END_PTR = 0x224;
    /** u32: command-line address (low 32 bits). */
    public static final int CMD_LINE_PTR = 0x228;
    /** u32: highest address the initrd may occupy (its last byte). */
    public static final int INITRD_ADDR_MAX = 0x22c;
    /** u32: alignment a relocatable kernel runs at. */
    public static final int KERNEL_ALIGNMENT = 0x230;
    /** u8: non-zero when the protected-mode kernel can be loaded anywhere suitably aligned. */
    public static final int RELOCATABLE_KERNEL = 0x234;
    /** u8: log2 of the minimum alignment (2.10+). */
    public static final int MIN_ALIGNMENT = 0x235;
    /** u16: XLF_* flags (2.12+). */
    public static final int XLOADFLAGS = 0x236;
    /** u32: maximum command-line length without the terminating NUL (2.06+). */
    public static final int CMDLINE_SIZE = 0x238;
    /** u64: preferred load address (2.10+). */
    public static final int PREF_ADDRESS = 0x258;
    /** u32: memory the kernel needs from its runtime start before it reads the memory map (2.10+). */
    public static final int INIT_SIZE = 0x260;
    /** The header must reach at least here for protocol 2.12 (init_size is its last field we read). */
    public static final int SETUP_HEADER_MIN_END = INIT_SIZE + 4;

    // ---- values ----
    /** "HdrS" read as a little-endian u32. */
    public static final int HEADER_MAGIC = 0x5372_6448;
    /** The value {@link #BOOT_FLAG} must hold. */
    public static final int BOOT_FLAG_MAGIC = 0xaa55;
    /** The x86 short-jump opcode at {@link #JUMP}. */
    public static final int JUMP_OPCODE = 0xeb;
    /** Protocol 2.12 introduced xloadflags and the 64-bit entry flag. */
    public static final int MIN_PROTOCOL_VERSION = 0x020c;
    /** type_of_loader for a loader without an assigned id. */
    public static final int LOADER_TYPE_UNDEFINED = 0xff;
    /**
     * initrd_addr_max every x86-64 bzImage declares (0x7fffffff); the limit used for an ELF vmlinux,
     * which carries no setup header.
     */
    public static final long INITRD_ADDR_MAX_X86_64 = 0x7fff_ffffL;
    /** vid_mode "normal". */
    public static final int VID_MODE_NORMAL = 0xffff;

    /** loadflags bit 0: the protected-mode code is loaded at 0x100000 (a bzImage). */
    public static final int LOADED_HIGH = 1;
    /** loadflags bit 7: heap_end_ptr is valid. */
    public static final int CAN_USE_HEAP = 1 << 7;
    /** xloadflags bit 0: the kernel has the 64-bit entry point at load address + 0x200. */
    public static final int XLF_KERNEL_64 = 1;
    /** xloadflags bit 1: kernel, boot_params, command line and initrd may lie above 4 GiB. */
    public static final int XLF_CAN_BE_LOADED_ABOVE_4G = 1 << 1;

    /** A setup sector (boot.rst: "a sector refers to 512 bytes"). */
    public static final int SECTOR_SIZE = 512;
    /** setup_sects 0 stands for this many sectors (boot.rst, setup_sects). */
    public static final int DEFAULT_SETUP_SECTS = 4;
    /** The 64-bit entry point's offset from the protected-mode kernel's load address (boot.rst, "64-bit Boot Protocol"). */
    public static final int ENTRY_64_OFFSET = 0x200;

    private BootParamsLayout() {
    }
}
