package io.jvmm.loader;

import static io.jvmm.loader.BootParamsLayout.*;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Objects;

/**
 * A {@code struct boot_params} ("zero page") being filled in: a 4096-byte little-endian buffer,
 * zeroed, written field by field at the offsets of {@link BootParamsLayout}. The 64-bit boot
 * protocol (boot.rst, "64-bit Boot Protocol") has the loader zero the page, copy the kernel's setup
 * header into it at 0x1f1, fill in the fields marked "write"/"modify" and those of zero-page.rst,
 * and pass its address in RSI.
 */
public final class BootParams {
    private final ByteBuffer page = ByteBuffer.allocate(SIZE).order(ByteOrder.LITTLE_ENDIAN);

    private BootParams() {
    }

    /** {@return an all-zero page: for kernels without a setup header (ELF vmlinux)} */
    public static BootParams empty() {
        return new BootParams();
    }

    /**
     * A zero page holding {@code image}'s setup header, copied from 0x1f1 up to 0x202 + the jump
     * byte at 0x201, the length boot.rst gives; nothing past that end is copied.
     *
     * @param image the bzImage whose setup header is copied
     * @return a new page, zero except for the copied header
     */
    public static BootParams withSetupHeader(BzImage image) {
        return withSetupHeaderBytes(image.setupHeaderBytes());
    }

    /**
     * A zero page holding {@code header}, the bytes from offset 0x1f1 of a kernel image.
     *
     * @param header the setup header's bytes, copied to boot_params offset 0x1f1
     * @return a new page, zero except for the copied header
     * @throws NullPointerException when {@code header} is null
     * @throws IllegalArgumentException when the bytes would reach past {@link BootParamsLayout#SETUP_HEADER_LIMIT}
     */
    public static BootParams withSetupHeaderBytes(byte[] header) {
        Objects.requireNonNull(header, "header");
        if (header.length > SETUP_HEADER_LIMIT - SETUP_HEADER) {
            throw new IllegalArgumentException(String.format(
                "setup header of %d bytes would pass 0x%x in boot_params", header.length, SETUP_HEADER_LIMIT));
        }
        BootParams params = new BootParams();
        params.page.put(SETUP_HEADER, header);
        return params;
    }

    /**
     * Sets type_of_loader: 0xFF for a loader without an assigned id (boot.rst, type_of_loader).
     *
     * @param id the loader id, 0..0xFF
     * @return this page
     * @throws IllegalArgumentException when {@code id} does not fit in 8 bits
     */
    public BootParams typeOfLoader(int id) {
        page.put(TYPE_OF_LOADER, u8(id, "type_of_loader"));
        return this;
    }

    /**
     * Sets vid_mode, obligatory for loaders: {@link BootParamsLayout#VID_MODE_NORMAL} for "normal".
     *
     * @param mode the video mode, 0..0xFFFF
     * @return this page
     * @throws IllegalArgumentException when {@code mode} does not fit in 16 bits
     */
    public BootParams vidMode(int mode) {
        page.putShort(VID_MODE, u16(mode, "vid_mode"));
        return this;
    }

    /**
     * Sets the loadflags byte (boot.rst, loadflags: LOADED_HIGH, KEEP_SEGMENTS, CAN_USE_HEAP, ...),
     * replacing the kernel's.
     *
     * @param flags the new loadflags, 0..0xFF
     * @return this page
     * @throws IllegalArgumentException when {@code flags} does not fit in 8 bits
     */
    public BootParams loadflags(int flags) {
        page.put(LOADFLAGS, u8(flags, "loadflags"));
        return this;
    }

    /** {@return the loadflags byte as it stands (the kernel's, once a header was copied), 0..0xFF} */
    public int loadflags() {
        return Byte.toUnsignedInt(page.get(LOADFLAGS));
    }

    /**
     * Sets code32_start: where the protected-mode kernel was loaded (boot.rst, code32_start).
     *
     * @param address the guest-physical load address, below 4 GiB
     * @return this page
     * @throws IllegalArgumentException when {@code address} does not fit in 32 bits
     */
    public BootParams code32Start(long address) {
        page.putInt(CODE32_START, u32(address, "code32_start"));
        return this;
    }

    /**
     * The command line's address: the low 32 bits in cmd_line_ptr, the high ones in
     * ext_cmd_line_ptr (zero-page.rst).
     *
     * @param address the command line's guest-physical address; every 64 bits are kept
     * @return this page
     */
    public BootParams commandLine(long address) {
        page.putInt(CMD_LINE_PTR, (int) address);
        page.putInt(EXT_CMD_LINE_PTR, (int) (address >>> 32));
        return this;
    }

    /**
     * Sets cmdline_size: for kernels without a setup header, which would otherwise carry it.
     *
     * @param size the longest command line the kernel takes, without the NUL
     * @return this page
     * @throws IllegalArgumentException when {@code size} does not fit in 32 bits (unsigned)
     */
    public BootParams cmdlineSize(long size) {
        page.putInt(CMDLINE_SIZE, u32(size, "cmdline_size"));
        return this;
    }

    /**
     * The initrd: address and size split over ramdisk_image/ramdisk_size and
     * ext_ramdisk_image/ext_ramdisk_size (zero-page.rst). Size 0 means no initrd.
     *
     * @param address the initrd's guest-physical address; every 64 bits are kept
     * @param size    its length in bytes; every 64 bits are kept
     * @return this page
     */
    public BootParams ramdisk(long address, long size) {
        page.putInt(RAMDISK_IMAGE, (int) address);
        page.putInt(EXT_RAMDISK_IMAGE, (int) (address >>> 32));
        page.putInt(RAMDISK_SIZE, (int) size);
        page.putInt(EXT_RAMDISK_SIZE, (int) (size >>> 32));
        return this;
    }

    /**
     * Sets where the ACPI RSDP is (acpi_rsdp_addr); 0, the default, makes the kernel search for it.
     *
     * @param address the RSDP's guest-physical address, or 0
     * @return this page
     */
    public BootParams acpiRsdpAddr(long address) {
        page.putLong(ACPI_RSDP_ADDR, address);
        return this;
    }

    /**
     * boot_flag and the "HdrS" signature, which a kernel entered without a copied setup header
     * (ELF vmlinux) still finds where a bzImage would have put them.
     *
     * @return this page
     */
    public BootParams bootFlagAndSignature() {
        page.putShort(BOOT_FLAG, (short) BOOT_FLAG_MAGIC);
        page.putInt(HEADER, HEADER_MAGIC);
        return this;
    }

    /**
     * Writes the e820 table and its entry count; entries past the new count are cleared.
     *
     * @param entries the memory map, in the order the kernel is to read it
     * @return this page
     * @throws IllegalArgumentException when there are more than {@link BootParamsLayout#E820_MAX_ENTRIES}
     */
    public BootParams e820(List<E820Entry> entries) {
        if (entries.size() > E820_MAX_ENTRIES) {
            throw new IllegalArgumentException(String.format(
                "%d e820 entries, boot_params holds at most %d", entries.size(), E820_MAX_ENTRIES));
        }
        for (int i = 0; i < E820_MAX_ENTRIES; i++) {
            int at = E820_TABLE + i * E820_ENTRY_SIZE;
            E820Entry e = i < entries.size() ? entries.get(i) : null;
            page.putLong(at, e == null ? 0 : e.addr());
            page.putLong(at + 8, e == null ? 0 : e.size());
            page.putInt(at + 16, e == null ? 0 : e.type().code());
        }
        page.put(E820_ENTRIES, (byte) entries.size());
        return this;
    }

    /** {@return a read-only little-endian view of the page, position 0, limit 4096; later writes show through} */
    public ByteBuffer asByteBuffer() {
        return page.asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN).clear();
    }

    private static byte u8(int value, String field) {
        if ((value & ~0xff) != 0) {
            throw new IllegalArgumentException(field + " 0x" + Integer.toHexString(value) + " does not fit in 8 bits");
        }
        return (byte) value;
    }

    private static short u16(int value, String field) {
        if ((value & ~0xffff) != 0) {
            throw new IllegalArgumentException(field + " 0x" + Integer.toHexString(value) + " does not fit in 16 bits");
        }
        return (short) value;
    }

    private static int u32(long value, String field) {
        if ((value & ~0xffff_ffffL) != 0) {
            throw new IllegalArgumentException(field + " 0x" + Long.toHexString(value) + " does not fit in 32 bits");
        }
        return (int) value;
    }
}
