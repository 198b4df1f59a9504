package io.jvmm.loader;

/**
 * The guest-physical addresses a Linux load depends on, given to the loader by the platform (the
 * x86 platform's values are {@code io.jvmm.x86.X86Layout.BOOT_LAYOUT}). The loader owns no
 * address of its own, as linux-loader's {@code KernelLoader::load(mem, kernel_offset, image,
 * highmem_start)} takes its placement from the caller: a different platform map, or a test, passes
 * different values and the same checks apply.
 *
 * @param zeroPageAddress   where {@code struct boot_params} goes (boot.rst, "The zero page"); 4 KiB
 * @param cmdlineAddress    where the NUL-terminated command line goes (below 0xA0000 by boot.rst)
 * @param cmdlineCapacity   bytes reserved at {@code cmdlineAddress}, the NUL included
 * @param kernelLoadAddress where a bzImage's protected-mode kernel goes (boot.rst, "Loading The
 *                          Rest of The Kernel": 1 MiB on a PC)
 * @param highMemoryStart   the first byte above the legacy hole: no ELF segment may start below
 *                          it, and e820 reports RAM from here on
 * @param reservedLowStart  where the EBDA starts: RAM below it is usable, [this, highMemoryStart)
 *                          is reported reserved
 * @param mmioGapStart      the first byte of the 32-bit MMIO gap: RAM stops here
 * @param mmioGapEnd        one past the gap's last byte: RAM that did not fit below goes on here
 * @param identityMapEnd    the boot page tables identity-map [0, this): the kernel, its working
 *                          memory, the zero page and the command line must lie below it
 *                          (boot.rst, "64-bit Boot Protocol")
 */
public record BootLayout(long zeroPageAddress, long cmdlineAddress, int cmdlineCapacity, long kernelLoadAddress,
                         long highMemoryStart, long reservedLowStart, long mmioGapStart, long mmioGapEnd,
                         long identityMapEnd) {
    /**
     * Checks that the map is one a load can use.
     *
     * @param zeroPageAddress   where {@code struct boot_params} goes; non-negative
     * @param cmdlineAddress    where the command line goes; non-negative
     * @param cmdlineCapacity   bytes reserved for the command line, the NUL included; at least 1
     * @param kernelLoadAddress where a bzImage's protected-mode kernel goes; non-negative
     * @param highMemoryStart   the first byte above the legacy hole; non-negative
     * @param reservedLowStart  where the EBDA starts; in [0, {@code highMemoryStart}]
     * @param mmioGapStart      the first byte of the 32-bit MMIO gap; above {@code highMemoryStart}
     * @param mmioGapEnd        one past the gap's last byte; above {@code mmioGapStart}
     * @param identityMapEnd    one past the last identity-mapped byte; positive
     * @throws IllegalArgumentException when an address is negative or {@code identityMapEnd} is not positive,
     *     the command-line area has no room for the NUL, the reserved range is reversed, or the MMIO gap is
     *     empty, reversed or does not start above {@code highMemoryStart}
     */
    public BootLayout {
        if (zeroPageAddress < 0 || cmdlineAddress < 0 || kernelLoadAddress < 0 || highMemoryStart < 0
            || identityMapEnd <= 0) {
            throw new IllegalArgumentException("boot layout: addresses must be non-negative and the identity map"
                + " non-empty: " + hexFields(zeroPageAddress, cmdlineAddress, kernelLoadAddress, highMemoryStart, identityMapEnd));
        }
        if (cmdlineCapacity < 1) {
            throw new IllegalArgumentException("boot layout: the command-line area of " + cmdlineCapacity
                + " bytes has no room for the terminating NUL");
        }
        if (reservedLowStart < 0 || reservedLowStart > highMemoryStart) {
            throw new IllegalArgumentException(String.format(
                "boot layout: the reserved low range [0x%x, 0x%x) is reversed", reservedLowStart, highMemoryStart));
        }
        if (mmioGapStart <= highMemoryStart || mmioGapEnd <= mmioGapStart) {
            throw new IllegalArgumentException(String.format(
                "boot layout: the MMIO gap [0x%x, 0x%x) is empty or below high memory 0x%x",
                mmioGapStart, mmioGapEnd, highMemoryStart));
        }
    }

    private static String hexFields(long... values) {
        StringBuilder s = new StringBuilder();
        for (long v : values) {
            s.append(s.length() == 0 ? "" : ", ").append(String.format("0x%x", v));
        }
        return s.toString();
    }
}
