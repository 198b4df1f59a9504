package io.jvmm.loader;

import static io.jvmm.loader.BootParamsLayout.*;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The fields of a bzImage's setup header (Documentation/arch/x86/boot.rst, "The Real-Mode Kernel
 * Header") that a 64-bit loader reads. Unsigned 32-bit fields are held in {@code long}s, zero
 * extended.
 *
 * @param setupSects      setup code sectors after the boot sector, with 0 already read as 4
 * @param version         boot protocol version, {@code (major << 8) | minor}; at least 2.12
 * @param loadflags       LOADED_HIGH etc. as the kernel ships them
 * @param xloadflags      XLF_* flags
 * @param code32Start     the kernel's default 32-bit entry (its standard load address)
 * @param initrdAddrMax   highest address the initrd may occupy (its last byte)
 * @param kernelAlignment alignment a relocatable kernel runs at (a power of two when relocatable)
 * @param relocatable     whether relocatable_kernel is non-zero
 * @param cmdlineSize     longest command line the kernel takes, without the NUL
 * @param prefAddress     preferred load address (LOAD_PHYSICAL_ADDR); 0 when none
 * @param initSize        bytes the kernel needs from its runtime start before it reads e820
 * @param headerEnd       offset just past the header: 0x202 + the jump byte at 0x201
 */
public record SetupHeader(
    int setupSects,
    int version,
    int loadflags,
    int xloadflags,
    long code32Start,
    long initrdAddrMax,
    long kernelAlignment,
    boolean relocatable,
    long cmdlineSize,
    long prefAddress,
    long initSize,
    int headerEnd) {

    /**
     * {@return the offset of the protected-mode kernel in the file, {@code (setupSects + 1) * 512}
     * (boot.rst, "Loading The Rest of The Kernel")}
     */
    public int protectedModeOffset() {
        return (setupSects + 1) * SECTOR_SIZE;
    }

    /** {@return the protocol version as major.minor with two minor digits: "2.15" for 0x020f} */
    public String versionString() {
        return versionString(version);
    }

    static String versionString(int version) {
        return String.format("%d.%02d", version >>> 8, version & 0xff);
    }

    /**
     * Reads and checks the setup header of {@code image} (the whole bzImage file): boot flag, "HdrS",
     * protocol 2.12 or later, a plausible header length, LOADED_HIGH, XLF_KERNEL_64, an alignment
     * that is a power of two, a protected-mode kernel that reaches past its 64-bit entry (+0x200), and a
     * file at least as long as its header's {@code syssize} says.
     *
     * @param image the whole bzImage file from index 0 to its limit; its position and order are ignored,
     *     and it is not modified
     * @return the header's fields
     * @throws LoaderException for every image that is not such a kernel, whatever its bytes
     */
    public static SetupHeader parse(ByteBuffer image) {
        ByteBuffer b = image.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        b.position(0);
        int length = b.limit();
        if (length < HEADER + 4) {
            throw new LoaderException(LoaderException.Reason.TRUNCATED, String.format(
                "kernel image is only %d bytes: too short for a bzImage setup header (\"HdrS\" at 0x%x)",
                length, HEADER));
        }
        if (b.getInt(HEADER) != HEADER_MAGIC) {
            throw new LoaderException(LoaderException.Reason.BAD_MAGIC, String.format(
                "not a Linux kernel: no \"HdrS\" at offset 0x%x (bzImage) and no ELF magic at 0", HEADER));
        }
        if (length < SETUP_HEADER_MIN_END) {
            throw new LoaderException(LoaderException.Reason.TRUNCATED, String.format(
                "truncated bzImage: %d bytes, but a protocol 2.12 setup header reaches 0x%x", length, SETUP_HEADER_MIN_END));
        }
        int bootFlag = Short.toUnsignedInt(b.getShort(BOOT_FLAG));
        if (bootFlag != BOOT_FLAG_MAGIC) {
            throw new LoaderException(LoaderException.Reason.BAD_MAGIC, String.format(
                "not a bzImage: boot_flag at 0x%x is 0x%04x, expected 0x%04x", BOOT_FLAG, bootFlag, BOOT_FLAG_MAGIC));
        }
        int version = Short.toUnsignedInt(b.getShort(VERSION));
        if (version < MIN_PROTOCOL_VERSION) {
            throw new LoaderException(LoaderException.Reason.UNSUPPORTED_FORMAT, String.format(
                "kernel boot protocol %s is older than %s, the first with a 64-bit entry point (Linux 3.8+ needed)",
                versionString(version), versionString(MIN_PROTOCOL_VERSION)));
        }
        // boot.rst, "jump": 0xEB and a signed offset from 0x202 that doubles as the header's length.
        int opcode = Byte.toUnsignedInt(b.get(JUMP));
        int headerEnd = HEADER + b.get(JUMP + 1);
        if (opcode != JUMP_OPCODE || headerEnd < SETUP_HEADER_MIN_END || headerEnd > SETUP_HEADER_LIMIT) {
            throw new LoaderException(LoaderException.Reason.MALFORMED, String.format(
                "malformed bzImage: the jump at 0x%x (%02x %02x) gives a setup header ending at 0x%x;"
                    + " protocol %s needs it to end between 0x%x and 0x%x",
                JUMP, opcode, Byte.toUnsignedInt(b.get(JUMP + 1)), headerEnd, versionString(version),
                SETUP_HEADER_MIN_END, SETUP_HEADER_LIMIT));
        }
        if (length < headerEnd) {
            throw new LoaderException(LoaderException.Reason.TRUNCATED, String.format(
                "truncated bzImage: %d bytes, but its setup header ends at 0x%x", length, headerEnd));
        }
        int loadflags = Byte.toUnsignedInt(b.get(LOADFLAGS));
        if ((loadflags & LOADED_HIGH) == 0) {
            throw new LoaderException(LoaderException.Reason.NO_64BIT_ENTRY,
                "kernel is a zImage (loadflags without LOADED_HIGH): only bzImage kernels can be entered in 64-bit mode");
        }
        int xloadflags = Short.toUnsignedInt(b.getShort(XLOADFLAGS));
        if ((xloadflags & XLF_KERNEL_64) == 0) {
            throw new LoaderException(LoaderException.Reason.NO_64BIT_ENTRY, String.format(
                "kernel has no 64-bit entry point (xloadflags 0x%04x lacks XLF_KERNEL_64): a 32-bit kernel?", xloadflags));
        }
        int sects = Byte.toUnsignedInt(b.get(SETUP_SECTS));
        int setupSects = sects == 0 ? DEFAULT_SETUP_SECTS : sects;
        int protectedModeOffset = (setupSects + 1) * SECTOR_SIZE;
        if (length <= protectedModeOffset + ENTRY_64_OFFSET) {
            throw new LoaderException(LoaderException.Reason.TRUNCATED, String.format(
                "truncated bzImage: %d bytes, but its %d setup sectors end at 0x%x and the protected-mode kernel"
                    + " must reach past its 64-bit entry at +0x%x", length, setupSects, protectedModeOffset,
                ENTRY_64_OFFSET));
        }
        // boot.rst, "syssize": the protected-mode code's size in 16-byte paragraphs (32 bits from
        // protocol 2.04). The kernel's build tool pads the file to exactly this size, so a file
        // that ends earlier lost part of its kernel: loading it would run into zeros (a triple
        // fault or a hang) instead of being refused here.
        long syssizeBytes = Integer.toUnsignedLong(b.getInt(SYSSIZE)) * 16;
        if (syssizeBytes == 0) {
            throw new LoaderException(LoaderException.Reason.MALFORMED,
                "malformed bzImage: syssize at 0x1f4 is 0, so the header gives no size for the protected-mode kernel");
        }
        if (length - protectedModeOffset < syssizeBytes) {
            throw new LoaderException(LoaderException.Reason.TRUNCATED, String.format(
                "truncated bzImage: %d bytes, but its header (syssize) says the protected-mode kernel after the"
                    + " %d setup bytes is %d bytes, so the file should be at least %d bytes",
                length, protectedModeOffset, syssizeBytes, protectedModeOffset + syssizeBytes));
        }
        boolean relocatable = b.get(RELOCATABLE_KERNEL) != 0;
        long alignment = Integer.toUnsignedLong(b.getInt(KERNEL_ALIGNMENT));
        if (relocatable && (alignment == 0 || (alignment & (alignment - 1)) != 0)) {
            throw new LoaderException(LoaderException.Reason.MALFORMED, String.format(
                "malformed bzImage: relocatable kernel with kernel_alignment 0x%x, not a power of two", alignment));
        }
        return new SetupHeader(
            setupSects,
            version,
            loadflags,
            xloadflags,
            Integer.toUnsignedLong(b.getInt(CODE32_START)),
            Integer.toUnsignedLong(b.getInt(INITRD_ADDR_MAX)),
            alignment,
            relocatable,
            Integer.toUnsignedLong(b.getInt(CMDLINE_SIZE)),
            b.getLong(PREF_ADDRESS),
            Integer.toUnsignedLong(b.getInt(INIT_SIZE)),
            headerEnd);
    }
}
