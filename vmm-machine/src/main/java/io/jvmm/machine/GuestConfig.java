package io.jvmm.machine;

import io.jvmm.machine.guest.CpuMode;
import io.jvmm.machine.guest.GuestImage;
import io.jvmm.loader.GuestRamLayout;
import io.jvmm.x86.IdentityPageTables;
import io.jvmm.x86.X86Layout;
import io.jvmm.memory.GuestRange;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import io.jvmm.virtio.VirtioDevice;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What to build a {@link Machine} from: memory size, vCPU count, whether to use the in-kernel
 * irqchip, what to run — a flat guest image with its load address, entry point and CPU mode, or a
 * Linux kernel with its initrd and command line — and the serial console's streams.
 * {@link Builder#build()} checks everything that can be checked without KVM and without reading
 * files, and reports each problem in one sentence.
 *
 * <p>Without an image or kernel the machine starts with KVM's reset state and empty memory, for
 * callers that load something themselves before running it.
 */
public final class GuestConfig {
    /** Smallest guest: room for the low-memory layout (tables, stack, real-mode area) and 1 MiB more. */
    public static final long MIN_MEMORY = 2L << 20;
    /** Guest memory is a whole number of 4 KiB pages. */
    public static final long MEMORY_GRANULE = 4096;
    /** Default memory size: enough for the built-in guests. */
    public static final long DEFAULT_MEMORY = 128L << 20;
    /**
     * Default memory size with a kernel: Debian's cloud kernel needs about 64 MiB to decompress and
     * run (init_size 51.5 MiB from 16 MiB), plus its initramfs unpacked in page cache.
     */
    public static final long DEFAULT_KERNEL_MEMORY = 512L << 20;
    /** APIC ids are 8 bits, 0xff is the broadcast id. */
    public static final int MAX_VCPUS = 254;

    private final long memorySize;
    private final int vcpus;
    private final boolean irqchip;
    private final GuestImage image;
    private final LinuxBootSource kernel;
    private final OutputStream serialOutput;
    private final InputStream serialInput;
    private final List<VirtioDevice> virtioDevices;

    private GuestConfig(Builder b, long memorySize, boolean irqchip) {
        this.memorySize = memorySize;
        this.vcpus = b.vcpus;
        this.irqchip = irqchip;
        this.image = b.image;
        this.kernel = b.kernel;
        this.serialOutput = b.serialOutput;
        this.serialInput = b.serialInput;
        this.virtioDevices = List.copyOf(b.virtioDevices);
    }

    /** {@return a new builder with every setting at its default} */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * {@return the guest RAM in bytes: at least {@link #MIN_MEMORY}, a multiple of {@link #MEMORY_GRANULE}} Laid out as
     * {@link GuestRamLayout#ramRanges}, which splits it around the MMIO gap when it reaches the gap.
     */
    public long memorySize() {
        return memorySize;
    }

    /** {@return the number of vCPUs, 1 to {@link #MAX_VCPUS}; more than one only with the irqchip} */
    public int vcpus() {
        return vcpus;
    }

    /** {@return whether the VM gets the in-kernel PIC/IOAPIC/LAPIC and PIT (always with a kernel)} */
    public boolean irqchip() {
        return irqchip;
    }

    /** {@return the flat image to load and enter, if this machine runs one; never present together with a kernel} */
    public Optional<GuestImage> image() {
        return Optional.ofNullable(image);
    }

    /** {@return the Linux kernel to boot, if this machine boots one; never present together with an image} */
    public Optional<LinuxBootSource> kernel() {
        return Optional.ofNullable(kernel);
    }

    /** {@return where COM1's output goes; without one there is no UART (its ports read as all-ones)} */
    public Optional<OutputStream> serialOutput() {
        return Optional.ofNullable(serialOutput);
    }

    /**
     * {@return the virtio devices (unmodifiable), each behind a virtio-mmio transport in this order}
     * ({@link X86Layout#virtioMmioBase}, {@link X86Layout#virtioMmioGsi}); a Linux guest names
     * block devices vda, vdb, ... in the same order. {@link Machine#create} takes ownership.
     */
    public List<VirtioDevice> virtioDevices() {
        return virtioDevices;
    }

    /** {@return what COM1 receives, if anything; present only with a {@link #serialOutput()}} */
    public Optional<InputStream> serialInput() {
        return Optional.ofNullable(serialInput);
    }

    @Override
    public String toString() {
        return "GuestConfig[memory=" + memorySize + ", vcpus=" + vcpus + ", irqchip=" + irqchip
            + (image == null ? "" : ", " + image) + (kernel == null ? "" : ", " + kernel) + "]";
    }

    /** Mutable builder; {@link #build()} validates. */
    public static final class Builder {
        /** Null until set: the default depends on whether a kernel is booted. */
        private Long memorySize;
        private int vcpus = 1;
        /** Null until set: kernels get the irqchip, other guests not. */
        private Boolean irqchip;
        private GuestImage image;
        private LinuxBootSource kernel;
        private OutputStream serialOutput;
        private InputStream serialInput;
        private final List<VirtioDevice> virtioDevices = new ArrayList<>();

        private Builder() {
        }

        /**
         * Guest RAM in bytes (default {@link #DEFAULT_MEMORY}, {@link #DEFAULT_KERNEL_MEMORY} with a kernel).
         *
         * @param bytes the size; {@link #build()} requires at least {@link #MIN_MEMORY} and a multiple of
         *     {@link #MEMORY_GRANULE}, and room for the image
         * @return this builder
         */
        public Builder memorySize(long bytes) {
            this.memorySize = bytes;
            return this;
        }

        /**
         * Number of vCPUs (default 1); more than one needs the irqchip.
         *
         * @param count the vCPU count; {@link #build()} requires 1 to {@link #MAX_VCPUS}, and
         *     {@link Machine#create} no more than KVM allows
         * @return this builder
         */
        public Builder vcpus(int count) {
            this.vcpus = count;
            return this;
        }

        /**
         * Whether to create the in-kernel irqchip and PIT (default: on with a kernel, off
         * otherwise). Leave it off for raw and built-in guests: with it, a guest HLT waits in the
         * kernel for an interrupt instead of exiting, so HLT no longer ends the run. A kernel
         * cannot run without it.
         *
         * @param enabled whether to create them; {@code false} with a kernel fails {@link #build()}
         * @return this builder
         */
        public Builder irqchip(boolean enabled) {
            this.irqchip = enabled;
            return this;
        }

        /**
         * Boots a Linux kernel (bzImage or ELF vmlinux) with an optional initrd and a command line
         * (e.g. {@code "console=ttyS0 reboot=k panic=-1"}): the loader places them per boot.rst,
         * and vCPU 0 enters the kernel's 64-bit entry point. The files are read by
         * {@link Machine#create}, which throws {@link io.jvmm.loader.LoaderException} for a
         * missing or malformed one. Replaces an earlier kernel; an image as well fails {@link #build()}.
         *
         * @param kernelFile the kernel: a bzImage or an ELF vmlinux
         * @param initrd the initial ramdisk, or empty for none
         * @param cmdline the kernel command line; may be empty
         * @return this builder
         * @throws NullPointerException when an argument is null
         */
        public Builder kernel(Path kernelFile, Optional<Path> initrd, String cmdline) {
            return kernel(new LinuxBootSource(kernelFile, initrd, cmdline));
        }

        /**
         * As {@link #kernel(Path, Optional, String)}.
         *
         * @param source the kernel, initrd and command line
         * @return this builder
         * @throws NullPointerException when {@code source} is null
         */
        public Builder kernel(LinuxBootSource source) {
            this.kernel = Objects.requireNonNull(source, "source");
            return this;
        }

        /**
         * The image to load and enter. Replaces an earlier image; a kernel as well fails {@link #build()}, which
         * also checks that the image lies inside guest RAM (and, for long mode, below the identity-mapped limit and
         * clear of the GDT and page tables).
         *
         * @param guestImage the image, e.g. one of {@link io.jvmm.machine.guest.BuiltInGuests}
         * @return this builder
         * @throws NullPointerException when {@code guestImage} is null
         */
        public Builder image(GuestImage guestImage) {
            this.image = Objects.requireNonNull(guestImage, "image");
            return this;
        }

        /**
         * A flat binary loaded at {@code loadAddress} and entered at {@code entry} in {@code mode}, named {@code "raw"};
         * as {@link #image} with a {@link GuestImage} of a copy of {@code bytes}.
         *
         * @param bytes the code and data; copied
         * @param loadAddress guest-physical address of the first byte
         * @param entry guest-physical address of the first instruction, inside the image
         * @param mode the processor mode to enter the image in
         * @return this builder
         * @throws NullPointerException when {@code bytes} or {@code mode} is null
         * @throws IllegalArgumentException when the image is empty, the entry lies outside it, or
         *     (real mode) the load address is no segment base
         */
        public Builder rawImage(byte[] bytes, long loadAddress, long entry, CpuMode mode) {
            return image(new GuestImage("raw", bytes, loadAddress, entry, mode));
        }

        /**
         * COM1 (a 16550A at {@link X86Layout#COM1_PORT}) writes here; without a serial output there is no UART.
         *
         * @param out the stream for the guest's serial output, written and flushed by the machine's
         *     console thread ({@link io.jvmm.devices.SerialOutputPump}), never by a vCPU thread; it has
         *     the whole output of a run when {@code Machine.run} returns; not closed by the machine
         * @return this builder
         * @throws NullPointerException when {@code out} is null
         */
        public Builder serialOutput(OutputStream out) {
            this.serialOutput = Objects.requireNonNull(out, "out");
            return this;
        }

        /**
         * COM1 receives what this stream yields (needs {@link #serialOutput}), pumped by a daemon thread from
         * {@link Machine#create} on.
         *
         * @param in the stream the guest's serial input comes from; read until it ends or the machine is closed
         * @return this builder
         * @throws NullPointerException when {@code in} is null
         */
        public Builder serialInput(InputStream in) {
            this.serialInput = Objects.requireNonNull(in, "in");
            return this;
        }

        /**
         * Adds a virtio device (virtio-blk, virtio-rng, ...) on the next virtio-mmio window; the
         * machine closes it when it is closed, or when {@link Machine#create} fails. Needs a kernel:
         * the guest learns of its devices from the ACPI tables.
         *
         * @param device the device; at most {@link X86Layout#VIRTIO_MMIO_MAX_DEVICES} in all
         * @return this builder
         * @throws NullPointerException when {@code device} is null
         */
        public Builder virtioDevice(VirtioDevice device) {
            this.virtioDevices.add(Objects.requireNonNull(device, "device"));
            return this;
        }

        /**
         * Validates and builds. The builder can be changed and built again afterwards.
         *
         * @return the configuration; its virtio device list is a copy
         * @throws IllegalArgumentException with one sentence naming the first problem found
         */
        public GuestConfig build() {
            long memorySize = this.memorySize != null ? this.memorySize : kernel != null ? DEFAULT_KERNEL_MEMORY : DEFAULT_MEMORY;
            if (image != null && kernel != null) {
                throw new IllegalArgumentException("a machine runs either an image (" + image.name() + ") or a kernel ("
                    + kernel.kernel() + "), not both");
            }
            if (kernel != null && Boolean.FALSE.equals(irqchip)) {
                throw new IllegalArgumentException("a Linux kernel needs the in-kernel irqchip (PIC, IOAPIC, LAPIC) and PIT:"
                    + " its timer and console interrupts arrive through them");
            }
            boolean irqchip = this.irqchip != null ? this.irqchip : kernel != null;
            if (memorySize < MIN_MEMORY) {
                throw new IllegalArgumentException("guest memory must be at least " + (MIN_MEMORY >> 20) + " MiB, got " + memorySize + " bytes");
            }
            if (memorySize % MEMORY_GRANULE != 0) {
                throw new IllegalArgumentException("guest memory size " + memorySize + " is not a multiple of 4 KiB");
            }
            if (vcpus < 1 || vcpus > MAX_VCPUS) {
                throw new IllegalArgumentException("the number of vCPUs must be between 1 and " + MAX_VCPUS + ", got " + vcpus);
            }
            if (vcpus > 1 && !irqchip) {
                throw new IllegalArgumentException(vcpus + " vCPUs need the in-kernel irqchip: without local APICs the"
                    + " secondary vCPUs cannot wait for a start-up IPI and would run from the reset vector");
            }
            if (serialInput != null && serialOutput == null) {
                throw new IllegalArgumentException("serial input needs a serial output: there is no UART without one");
            }
            if (image != null) {
                validateImage(image, memorySize);
            }
            if (!virtioDevices.isEmpty() && kernel == null) {
                throw new IllegalArgumentException("virtio devices are described to the guest in the ACPI tables, which only a"
                    + " kernel gets: add --kernel");
            }
            if (virtioDevices.size() > X86Layout.VIRTIO_MMIO_MAX_DEVICES) {
                throw new IllegalArgumentException(virtioDevices.size() + " virtio devices requested; the machine has "
                    + X86Layout.VIRTIO_MMIO_MAX_DEVICES + " virtio-mmio windows");
            }
            return new GuestConfig(this, memorySize, irqchip);
        }
    }

    private static void validateImage(GuestImage image, long memorySize) {
        long load = image.loadAddress();
        long end = image.endAddress();
        if (image.size() > memorySize) {
            throw new IllegalArgumentException(String.format("image %s (%d bytes) is larger than guest memory (%d bytes)",
                image.name(), image.size(), memorySize));
        }
        GuestRange ram = null;
        for (GuestRange r : GuestRamLayout.ramRanges(X86Layout.BOOT_LAYOUT, memorySize)) {
            if (load >= r.start().offset() && load - r.start().offset() < r.size()) {
                ram = r;
            }
        }
        if (ram == null) {
            throw new IllegalArgumentException(String.format("load address 0x%x of image %s is outside guest memory (%s)",
                load, image.name(), describeRam(memorySize)));
        }
        long ramEnd = ram.start().offset() + ram.size();
        if (end > ramEnd) {
            throw new IllegalArgumentException(String.format("image %s at 0x%x (%d bytes) ends at 0x%x, past the end of guest memory at 0x%x",
                image.name(), load, image.size(), end, ramEnd));
        }
        if (image.mode() == CpuMode.LONG) {
            long tablesStart = X86Layout.GDT_ADDR;
            long tablesEnd = X86Layout.PML4_ADDR + IdentityPageTables.SIZE;
            if (load < tablesEnd && tablesStart < end) {
                throw new IllegalArgumentException(String.format(
                    "image %s at [0x%x, 0x%x) overlaps the GDT and page tables the VMM writes at [0x%x, 0x%x) for long mode",
                    image.name(), load, end, tablesStart, tablesEnd));
            }
            if (end > IdentityPageTables.mappedBytes()) {
                throw new IllegalArgumentException(String.format(
                    "image %s ends at 0x%x, above the identity-mapped first 0x%x bytes a long-mode guest starts with",
                    image.name(), end, IdentityPageTables.mappedBytes()));
            }
        }
    }

    private static String describeRam(long memorySize) {
        StringBuilder sb = new StringBuilder("RAM is ");
        String sep = "";
        for (GuestRange r : GuestRamLayout.ramRanges(X86Layout.BOOT_LAYOUT, memorySize)) {
            sb.append(sep).append(String.format("[0x%x, 0x%x)", r.start().offset(), r.start().offset() + r.size()));
            sep = " and ";
        }
        return sb.toString();
    }
}
