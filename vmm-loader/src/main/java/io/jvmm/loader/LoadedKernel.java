package io.jvmm.loader;

import io.jvmm.memory.GuestAddress;
import io.jvmm.memory.GuestRange;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Where a kernel was loaded and how to enter it (boot.rst, "64-bit Boot Protocol"): the vCPU starts
 * in 64-bit mode at {@link #entry} with RSI = {@link #zeroPage}, interrupts off, flat
 * __BOOT_CS/__BOOT_DS segments, and page tables that identity-map at least
 * [0, {@link #identityMapEnd()}).
 *
 * @param format          bzImage or ELF
 * @param entry           the 64-bit entry point: load address + 0x200 (bzImage) or the ELF entry
 * @param zeroPage        the boot_params page (RSI at entry)
 * @param kernel          the bytes written for the kernel (bzImage: its protected-mode part at the
 *                        load address; ELF: from the lowest segment to the end of the highest)
 * @param kernelFootprint memory the kernel uses before it reads the e820 map: for a bzImage
 *                        [runtime start, + init_size) (where it decompresses), for ELF {@code kernel}
 * @param cmdline         the NUL-terminated command line
 * @param cmdlineSize     its length in bytes, the NUL included
 * @param initrd          where the initrd was put, when one was given
 * @param e820            the memory map written into the zero page
 */
public record LoadedKernel(
    Format format,
    GuestAddress entry,
    GuestAddress zeroPage,
    GuestRange kernel,
    GuestRange kernelFootprint,
    GuestAddress cmdline,
    int cmdlineSize,
    Optional<GuestRange> initrd,
    List<E820Entry> e820) {

    /** The kernel file formats the loader takes. */
    public enum Format {
        /** A bzImage, entered at its 64-bit entry point (boot.rst, "64-bit Boot Protocol"). */
        BZIMAGE,
        /** An uncompressed ELF64 x86-64 vmlinux, entered at its ELF entry point. */
        ELF,
    }

    /**
     * Checks that nothing is missing and copies the e820 map.
     *
     * @param format          bzImage or ELF
     * @param entry           the 64-bit entry point
     * @param zeroPage        the boot_params page
     * @param kernel          the bytes written for the kernel
     * @param kernelFootprint memory the kernel uses before it reads the e820 map
     * @param cmdline         the NUL-terminated command line
     * @param cmdlineSize     its length in bytes, the NUL included
     * @param initrd          where the initrd was put; empty when none was given
     * @param e820            the memory map written into the zero page; copied into an unmodifiable list
     * @throws NullPointerException when a component other than {@code cmdlineSize} is null, or {@code e820}
     *     holds null
     */
    public LoadedKernel {
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(entry, "entry");
        Objects.requireNonNull(zeroPage, "zeroPage");
        Objects.requireNonNull(kernel, "kernel");
        Objects.requireNonNull(kernelFootprint, "kernelFootprint");
        Objects.requireNonNull(cmdline, "cmdline");
        Objects.requireNonNull(initrd, "initrd");
        e820 = List.copyOf(e820);
    }

    /**
     * One past the highest byte the entry page tables must identity-map: boot.rst asks for the
     * kernel's [start, + init_size), the zero page and the command line (the initrd need not be).
     *
     * @return the largest of the ends of the zero page (4 KiB), the command line ({@code cmdlineSize}
     *     bytes), {@code kernel} and {@code kernelFootprint}
     */
    public long identityMapEnd() {
        long end = zeroPage.offset() + BootParamsLayout.SIZE;
        end = Math.max(end, cmdline.offset() + cmdlineSize);
        end = Math.max(end, kernel.start().offset() + kernel.size());
        return Math.max(end, kernelFootprint.start().offset() + kernelFootprint.size());
    }
}
