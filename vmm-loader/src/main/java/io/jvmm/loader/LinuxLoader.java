package io.jvmm.loader;

import static io.jvmm.loader.LoaderException.Reason.DOES_NOT_FIT;
import static io.jvmm.loader.LoaderException.Reason.UNREADABLE_FILE;

import io.jvmm.core.IoErrors;
import io.jvmm.memory.GuestAddress;
import io.jvmm.memory.GuestMemory;
import io.jvmm.memory.GuestMemoryException;
import io.jvmm.memory.GuestMemoryRegion;
import io.jvmm.memory.GuestRange;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Supplier;

/**
 * Loads a Linux kernel (bzImage or ELF vmlinux), an optional initrd and a command line into guest
 * RAM for the 64-bit boot protocol (Documentation/arch/x86/boot.rst, "64-bit Boot Protocol"), and
 * builds the zero page with the e820 map. Every check runs before the first write: a refused load
 * leaves guest memory as it was.
 *
 * <p>Placement (addresses from the caller's {@link BootLayout}): the zero page at zeroPageAddress,
 * the command line at cmdlineAddress, a bzImage's protected-mode kernel at kernelLoadAddress (1 MiB
 * on a PC), an ELF kernel's segments at their p_paddr (at or above highMemoryStart). The initrd goes as high as it may: page aligned,
 * its last byte at most initrd_addr_max, inside one RAM range, and above both the loaded kernel and
 * the memory the kernel works in before it reads e820 ([runtime start, + init_size)); the same
 * place kvmtool and Firecracker choose, and where the kernel's decompressor does not look.
 */
public final class LinuxLoader {
    /** The initrd starts on a page boundary (the kernel reserves it in whole pages). */
    public static final long INITRD_ALIGNMENT = 4096;
    private LinuxLoader() {
    }

    /**
     * Loads {@code kernel} (a bzImage or an ELF vmlinux), the optional {@code initrd} and the
     * command line into {@code memory} and writes the zero page, with an e820 map of
     * {@code memory}'s regions. Everything is read and checked first; when this throws a
     * {@link LoaderException} other than {@code GUEST_MEMORY}, guest memory was not written.
     *
     * @param layout  where the platform wants the zero page, command line and kernel
     * @param memory  guest RAM, for instance {@code GuestMemory.create(GuestRamLayout.ramRanges(layout, size))}
     * @param kernel  the kernel file: a bzImage (boot protocol 2.12+, 64-bit entry) or an ELF64 x86-64 vmlinux
     * @param initrd  the initrd file, loaded as it is (not unpacked), or empty for none
     * @param cmdline the kernel command line, e.g. {@code "console=ttyS0 reboot=k panic=-1"}
     * @return where everything went and how to enter the kernel
     * @throws LoaderException for a missing, unreadable or malformed file, a kernel jvmm cannot
     *     enter, a kernel or initrd that does not fit, or a bad command line ({@link
     *     LoaderException#reason()} says which); {@code GUEST_MEMORY} when memory refused a planned
     *     write, which leaves it partly written
     * @throws io.jvmm.core.ClosedException when {@code memory} is closed
     * @throws IllegalStateException when {@code layout} puts two of the writes (kernel, command line, zero
     *     page, initrd) on the same bytes; nothing is written then
     */
    public static LoadedKernel load(BootLayout layout, GuestMemory memory, Path kernel, Optional<Path> initrd,
                                    String cmdline) {
        return load(layout, memory, kernel, initrd, cmdline, OptionalLong.empty());
    }

    /**
     * As {@link #load(BootLayout, GuestMemory, Path, Optional, String)}, and tells the kernel where the ACPI
     * tables are ({@code boot_params.acpi_rsdp_addr}); the caller writes the tables themselves.
     *
     * @param layout   where the platform wants the zero page, command line and kernel
     * @param memory   guest RAM
     * @param kernel   the kernel file: a bzImage or an ELF vmlinux
     * @param initrd   the initrd file, or empty for none
     * @param cmdline  the kernel command line
     * @param acpiRsdp the RSDP's guest-physical address, or empty for a machine without ACPI (acpi_rsdp_addr
     *                 stays 0)
     * @return where everything went and how to enter the kernel
     * @throws LoaderException as for {@link #load(BootLayout, GuestMemory, Path, Optional, String)}
     * @throws io.jvmm.core.ClosedException when {@code memory} is closed
     * @throws IllegalStateException as for {@link #load(BootLayout, GuestMemory, Path, Optional, String)}
     */
    public static LoadedKernel load(BootLayout layout, GuestMemory memory, Path kernel, Optional<Path> initrd,
                                    String cmdline, OptionalLong acpiRsdp) {
        LoadPlan plan = plan(layout, ramOf(memory), kernel, initrd, cmdline, acpiRsdp);
        try {
            plan.writeTo((address, data) -> memory.writeStructAtAddr(data, address));
        } catch (GuestMemoryException e) {
            throw new LoaderException(LoaderException.Reason.GUEST_MEMORY,
                "guest memory refused a write of the kernel load: " + e.getMessage(), e);
        }
        return plan.result();
    }

    /**
     * Everything {@link #load} checks, without guest memory: reads the files and plans the load
     * into {@code ram} (e.g. {@code List.of(GuestRamLayout.ramRanges(layout, size))}), and returns where everything
     * would go — the same {@link LoadedKernel} a {@code load} of the same files into memory of
     * those ranges returns. For callers that want to refuse bad input before creating a VM (the
     * CLI checks its options this way before it opens /dev/kvm).
     *
     * @param layout  where the platform wants the zero page, command line and kernel
     * @param ram     the guest's RAM ranges: non-empty, each non-empty, not overlapping, below 2^63
     * @param kernel  the kernel file: a bzImage or an ELF vmlinux
     * @param initrd  the initrd file, or empty for none
     * @param cmdline the kernel command line
     * @return where everything would go and how the kernel would be entered
     * @throws LoaderException exactly when {@link #load} would refuse the same inputs
     * @throws IllegalArgumentException when {@code ram} is empty, holds an empty range or one past 2^63, or
     *     its ranges overlap
     * @throws IllegalStateException when {@code layout} puts two of the writes on the same bytes
     */
    public static LoadedKernel check(BootLayout layout, List<GuestRange> ram, Path kernel, Optional<Path> initrd,
                                     String cmdline) {
        return plan(layout, ram, kernel, initrd, cmdline).result();
    }

    /**
     * {@code memory}'s regions as RAM ranges. Regions at or past 2^63 (which GuestMemory allows but
     * no x86 guest has) are left out: nothing is placed there and e820 does not list them.
     */
    static List<GuestRange> ramOf(GuestMemory memory) {
        List<GuestRange> ram = new ArrayList<>();
        for (GuestMemoryRegion r : memory.regions()) {
            long base = r.guestBase().offset();
            if (base >= 0 && base + r.size() > base) {
                ram.add(GuestRange.of(base, r.size()));
            }
        }
        if (ram.isEmpty()) {
            throw new LoaderException(DOES_NOT_FIT, "guest memory has no region below 2^63 to load a kernel into");
        }
        return ram;
    }

    /**
     * Reads the files and plans the load into {@code ram}; see {@link #plan}. The kernel and initrd
     * are read whole, after their sizes were checked against the RAM size.
     */
    static LoadPlan plan(BootLayout layout, List<GuestRange> ram, Path kernel, Optional<Path> initrd, String cmdline) {
        return plan(layout, ram, kernel, initrd, cmdline, OptionalLong.empty());
    }

    static LoadPlan plan(BootLayout layout, List<GuestRange> ram, Path kernel, Optional<Path> initrd, String cmdline,
                         OptionalLong acpiRsdp) {
        long ramSize = 0;
        for (GuestRange r : GuestRamLayout.sortedChecked(ram)) {
            ramSize += r.size();
        }
        KernelImage image = KernelImage.parse(readFile(kernel, "kernel image", ramSize));
        // The initrd is only sized here and streamed when written: it may be most of the guest's
        // RAM, which need not fit in the Java heap.
        Optional<Initrd> file = Optional.empty();
        if (initrd.isPresent()) {
            file = Optional.of(new Initrd(null, initrd.get(), checkedSize(initrd.get(), "initrd", ramSize)));
        }
        return planWith(layout, ram, image, file, cmdline, acpiRsdp);
    }

    /** The initrd's bytes: an array (tests), or a file of {@code size} bytes streamed into guest memory. */
    private record Initrd(byte[] bytes, Path file, long size) {
        static Initrd of(byte[] bytes) {
            return new Initrd(bytes, null, bytes.length);
        }

        LoadPlan.Write write(long address) {
            return bytes != null ? LoadPlan.Write.bytes(address, ByteBuffer.wrap(bytes), "initrd")
                : LoadPlan.Write.file(address, file, size, "initrd");
        }
    }

    /**
     * Works out every write of a load, checking that each lands inside one RAM range.
     *
     * @throws LoaderException when the command line is not acceptable, or the kernel, its working
     *     memory or the initrd does not fit
     */
    static LoadPlan plan(BootLayout layout, List<GuestRange> ram, KernelImage image, Optional<byte[]> initrd,
                         String cmdline) {
        return plan(layout, ram, image, initrd, cmdline, OptionalLong.empty());
    }

    static LoadPlan plan(BootLayout layout, List<GuestRange> ram, KernelImage image, Optional<byte[]> initrd,
                         String cmdline,
                         OptionalLong acpiRsdp) {
        return planWith(layout, ram, image, initrd.map(Initrd::of), cmdline, acpiRsdp);
    }

    private static LoadPlan planWith(BootLayout layout, List<GuestRange> ram, KernelImage image, Optional<Initrd> initrd,
                                     String cmdline, OptionalLong acpiRsdp) {
        List<GuestRange> sorted = GuestRamLayout.sortedChecked(ram);
        List<LoadPlan.Write> writes = new ArrayList<>();

        BootParams params;
        KernelCmdline line;
        long entry;
        GuestRange kernelRange;
        GuestRange footprint;
        long initrdMax;
        LoadedKernel.Format format;
        if (image instanceof BzImage bz) {
            format = LoadedKernel.Format.BZIMAGE;
            SetupHeader h = bz.header();
            line = new KernelCmdline(KernelCmdline.maxCharsFor(h, layout)).append(cmdline);
            long load = layout.kernelLoadAddress();
            int size = bz.protectedModeSize();
            require(sorted, load, size, () -> String.format(
                "kernel does not fit in guest RAM: its %d-byte protected-mode part goes at 0x%x, %s",
                size, load, ramEndingAt(sorted, load)));
            kernelRange = GuestRange.of(load, size);
            footprint = runtimeFootprint(h, load, size);
            // A kernel that is not relocatable runs at pref_address; below highMemoryStart its
            // decompressor would overwrite the zero page, page tables, command line and ACPI tables
            // the loader put there (the ELF path refuses segments there for the same reason).
            if (Long.compareUnsigned(footprint.start().offset(), layout.highMemoryStart()) < 0) {
                throw new LoaderException(DOES_NOT_FIT, String.format(
                    "kernel cannot run: it is not relocatable and runs at 0x%x, below 0x%x where the boot"
                        + " structures are", footprint.start().offset(), layout.highMemoryStart()));
            }
            require(sorted, footprint.start().offset(), footprint.size(), () -> String.format(
                "kernel does not fit in guest RAM: it runs at 0x%x and needs init_size 0x%x bytes there"
                    + " (up to 0x%x), %s", footprint.start().offset(), footprint.size(),
                footprint.start().offset() + footprint.size(), ramEndingAt(sorted, footprint.start().offset())));
            writes.add(LoadPlan.Write.bytes(load, bz.protectedModeKernel(), "kernel"));
            entry = load + BootParamsLayout.ENTRY_64_OFFSET;
            initrdMax = h.initrdAddrMax();
            // boot.rst: type_of_loader and vid_mode are obligatory; code32_start says where the
            // protected-mode kernel went. CAN_USE_HEAP stays clear: heap_end_ptr describes the
            // real-mode setup heap, and the 64-bit protocol never runs the real-mode setup code.
            params = BootParams.withSetupHeader(bz)
                .typeOfLoader(BootParamsLayout.LOADER_TYPE_UNDEFINED)
                .vidMode(BootParamsLayout.VID_MODE_NORMAL)
                .code32Start(load);
            params.loadflags(params.loadflags() & ~BootParamsLayout.CAN_USE_HEAP);
        } else {
            ElfKernel elf = (ElfKernel) image;
            format = LoadedKernel.Format.ELF;
            line = new KernelCmdline(KernelCmdline.maxCharsFor(layout)).append(cmdline);
            for (ElfKernel.Segment s : elf.segments()) {
                if (Long.compareUnsigned(s.paddr(), layout.highMemoryStart()) < 0) {
                    throw new LoaderException(DOES_NOT_FIT, String.format(
                        "ELF kernel segment at physical 0x%x lies below 0x%x, where the zero page, command line"
                            + " and page tables are", s.paddr(), layout.highMemoryStart()));
                }
                require(sorted, s.paddr(), s.memSize(), () -> String.format(
                    "ELF kernel segment [0x%x, 0x%x) does not fit in guest RAM: %s",
                    s.paddr(), s.paddrEnd(), ramEndingAt(sorted, s.paddr())));
                writes.add(LoadPlan.Write.bytes(s.paddr(), elf.segmentData(s), "kernel segment"));
                writes.add(LoadPlan.Write.zeros(s.paddr() + s.fileSize(), s.memSize() - s.fileSize(), "kernel bss"));
            }
            long low = elf.segments().get(0).paddr();
            long high = elf.segments().get(elf.segments().size() - 1).paddrEnd();
            kernelRange = GuestRange.of(low, high - low);
            footprint = kernelRange;
            entry = elf.entry();
            initrdMax = BootParamsLayout.INITRD_ADDR_MAX_X86_64;
            params = BootParams.empty()
                .bootFlagAndSignature()
                .typeOfLoader(BootParamsLayout.LOADER_TYPE_UNDEFINED)
                .vidMode(BootParamsLayout.VID_MODE_NORMAL)
                .cmdlineSize(KernelCmdline.maxCharsFor(layout));
        }

        byte[] cmdlineBytes = line.toBytesWithNul();
        require(sorted, layout.cmdlineAddress(), cmdlineBytes.length, () -> String.format(
            "guest RAM is too small for the command line at 0x%x: %s", layout.cmdlineAddress(),
            ramEndingAt(sorted, layout.cmdlineAddress())));
        require(sorted, layout.zeroPageAddress(), BootParamsLayout.SIZE, () -> String.format(
            "guest RAM is too small for the zero page at 0x%x: %s", layout.zeroPageAddress(),
            ramEndingAt(sorted, layout.zeroPageAddress())));
        writes.add(LoadPlan.Write.bytes(layout.cmdlineAddress(), ByteBuffer.wrap(cmdlineBytes), "command line"));
        params.commandLine(layout.cmdlineAddress());

        Optional<GuestRange> initrdRange = Optional.empty();
        if (initrd.isPresent()) {
            Initrd rd = initrd.get();
            long lowest = Math.max(end(kernelRange), end(footprint));
            GuestRange placed = placeInitrd(sorted, rd.size(), lowest, initrdMax, layout.mmioGapStart());
            initrdRange = Optional.of(placed);
            writes.add(rd.write(placed.start().offset()));
            params.ramdisk(placed.start().offset(), rd.size());
        }

        List<E820Entry> e820 = GuestRamLayout.e820(layout, sorted);
        if (e820.size() > BootParamsLayout.E820_MAX_ENTRIES) {
            throw new LoaderException(DOES_NOT_FIT, String.format(
                "guest RAM needs %d e820 entries, the zero page holds %d", e820.size(), BootParamsLayout.E820_MAX_ENTRIES));
        }
        params.e820(e820);
        acpiRsdp.ifPresent(params::acpiRsdpAddr);
        writes.add(LoadPlan.Write.bytes(layout.zeroPageAddress(), params.asByteBuffer(), "zero page"));

        LoadedKernel result = new LoadedKernel(format, GuestAddress.of(entry), GuestAddress.of(layout.zeroPageAddress()),
            kernelRange, footprint, GuestAddress.of(layout.cmdlineAddress()), cmdlineBytes.length, initrdRange, e820);
        if (Long.compareUnsigned(result.identityMapEnd(), layout.identityMapEnd()) > 0) {
            throw new LoaderException(DOES_NOT_FIT, String.format(
                "kernel would run up to 0x%x, past the 0x%x bytes the boot page tables identity-map",
                result.identityMapEnd(), layout.identityMapEnd()));
        }
        return new LoadPlan(result, writes);
    }

    /**
     * Where a bzImage works before it reads e820: its decompressor runs at
     * max(align_up(load, kernel_alignment), pref_address) when relocatable, else at pref_address
     * (boot.rst, init_size; arch/x86/boot/compressed/head_64.S, which also never goes below
     * LOAD_PHYSICAL_ADDR, the value of pref_address), and uses init_size bytes from there. At least
     * the loaded image's size is kept, in case init_size understates it.
     */
    static GuestRange runtimeFootprint(SetupHeader h, long load, long loadedSize) {
        long pref = h.prefAddress();
        long start;
        if (h.relocatable()) {
            long align = h.kernelAlignment();
            long aligned = (load + align - 1) & -align;
            start = Long.compareUnsigned(aligned, pref) >= 0 ? aligned : pref;
        } else {
            start = pref != 0 ? pref : load;
        }
        long size = Math.max(h.initSize(), loadedSize);
        if (start < 0 || start + size < start) {
            throw new LoaderException(DOES_NOT_FIT, String.format(
                "kernel cannot run: its runtime address 0x%x plus init_size 0x%x passes the address space", start, size));
        }
        return GuestRange.of(start, size);
    }

    /**
     * The highest page-aligned place for {@code size} bytes inside one RAM range, at or above
     * {@code lowest}, with the last byte at most {@code lastByteMax} (initrd_addr_max).
     */
    static GuestRange placeInitrd(List<GuestRange> sortedRam, long size, long lowest, long lastByteMax,
                                  long mmioGapStart) {
        long floor = alignUp(lowest, INITRD_ALIGNMENT);
        long ceiling = lastByteMax == Long.MAX_VALUE ? Long.MAX_VALUE : lastByteMax + 1;
        List<GuestRange> descending = new ArrayList<>(sortedRam);
        descending.sort(Comparator.comparing(GuestRange::start).reversed());
        for (GuestRange r : descending) {
            long start = Math.max(r.start().offset(), floor);
            long top = Math.min(r.start().offset() + r.size(), ceiling);
            if (size > top - start) {
                continue;
            }
            long address = (top - size) & -INITRD_ALIGNMENT;
            if (address >= start) {
                return GuestRange.of(address, size);
            }
        }
        throw new LoaderException(DOES_NOT_FIT, String.format(
            "initrd (%d bytes) does not fit in guest RAM between the kernel's end 0x%x and"
                + " initrd_addr_max 0x%x (guest RAM ends at 0x%x below the MMIO gap): give the guest more memory",
            size, floor, lastByteMax, lowRamEnd(sortedRam, mmioGapStart)));
    }

    private static long lowRamEnd(List<GuestRange> sortedRam, long mmioGapStart) {
        long end = 0;
        for (GuestRange r : sortedRam) {
            if (r.start().offset() < mmioGapStart) {
                end = Math.max(end, r.start().offset() + r.size());
            }
        }
        return end;
    }

    private static byte[] readFile(Path path, String what, long ramSize) {
        long size = checkedSize(path, what, ramSize);
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(path);
        } catch (IOException | SecurityException e) {
            throw new LoaderException(UNREADABLE_FILE, what + " " + path + ": cannot be read: " + describe(e), e);
        } catch (OutOfMemoryError e) {
            // One allocation of the file's size failed (or the file grew past 2 GiB meanwhile);
            // nothing else was half done, so this is a refused input like the others.
            throw new LoaderException(DOES_NOT_FIT, String.format(
                "%s %s (%d bytes) does not fit in the Java heap (-Xmx, now %d MiB)", what, path, size,
                Runtime.getRuntime().maxMemory() >> 20), e);
        }
        if (bytes.length != size) {
            throw new LoaderException(UNREADABLE_FILE, what + " " + path + " changed while it was read");
        }
        return bytes;
    }

    /** The size of the regular file {@code path}, checked: not empty, not larger than RAM, under 2 GiB. */
    private static long checkedSize(Path path, String what, long ramSize) {
        BasicFileAttributes attributes;
        try {
            // Follows links; a loop or a dangling link is reported with its own reason.
            attributes = Files.readAttributes(path, BasicFileAttributes.class);
        } catch (IOException | SecurityException e) {
            throw new LoaderException(UNREADABLE_FILE, what + " " + path + ": " + describe(e), e);
        }
        if (!attributes.isRegularFile()) {
            throw new LoaderException(UNREADABLE_FILE, String.format("%s %s: not a regular file%s", what, path,
                attributes.isDirectory() ? " (a directory)" : ""));
        }
        long size = attributes.size();
        if (size == 0) {
            throw new LoaderException(LoaderException.Reason.TRUNCATED, what + " " + path + " is empty");
        }
        if (size > ramSize) {
            throw new LoaderException(DOES_NOT_FIT, String.format(
                "%s %s is %d bytes, more than the guest's %d bytes of RAM", what, path, size, ramSize));
        }
        if (size > Integer.MAX_VALUE - 8) {
            throw new LoaderException(DOES_NOT_FIT, String.format(
                "%s %s is %d bytes: jvmm loads files up to 2 GiB", what, path, size));
        }
        return size;
    }

    static String describe(Exception e) {
        return e instanceof IOException io ? IoErrors.describe(io) : "permission denied (" + e.getMessage() + ")";
    }

    private static void require(List<GuestRange> ram, long address, long size,
                                Supplier<String> message) {
        if (!GuestRamLayout.inOneRange(ram, address, size)) {
            throw new LoaderException(DOES_NOT_FIT, message.get());
        }
    }

    private static String ramEndingAt(List<GuestRange> ram, long address) {
        long end = GuestRamLayout.endOfRangeHolding(ram, address);
        return end < 0 ? String.format("no guest RAM at 0x%x", address)
            : String.format("guest RAM there ends at 0x%x (give the guest more memory)", end);
    }

    private static long end(GuestRange r) {
        return r.start().offset() + r.size();
    }

    private static long alignUp(long value, long alignment) {
        return (value + alignment - 1) & -alignment;
    }
}
