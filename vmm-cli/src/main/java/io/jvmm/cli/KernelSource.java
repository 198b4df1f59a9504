package io.jvmm.cli;

import io.jvmm.machine.GuestConfig;
import io.jvmm.loader.GuestRamLayout;
import io.jvmm.loader.LinuxLoader;
import io.jvmm.loader.LoaderException;
import io.jvmm.memory.GuestRange;
import io.jvmm.x86.X86Layout;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A Linux kernel ({@code --kernel FILE [--initrd FILE] [--cmdline STRING]}), booted by the 64-bit
 * boot protocol as docs/boot.md describes: bzImage or ELF vmlinux, initrd placed high, the zero
 * page with the e820 map, vCPU 0 entering the kernel's 64-bit entry point.
 */
record KernelSource(Path kernel, Optional<Path> initrd, String cmdline) implements GuestSource {
    /** The command line docs/boot.md recommends, used when {@code --cmdline} is not given. */
    static final String DEFAULT_CMDLINE = "console=ttyS0 reboot=k panic=-1 i8042.noaux pci=off";

    KernelSource {
        Objects.requireNonNull(kernel, "kernel");
        Objects.requireNonNull(initrd, "initrd");
        Objects.requireNonNull(cmdline, "cmdline");
    }

    @Override
    public String describe() {
        return "Linux kernel " + kernel + initrd.map(i -> " with initrd " + i).orElse("");
    }

    /**
     * Runs every check of the load — files readable, a kernel jvmm can enter, kernel and initrd
     * fitting in {@code memorySize}, the command line acceptable — without guest memory
     * ({@link LinuxLoader#check}), so a bad input is reported before /dev/kvm is opened; the
     * machine loads the same files again when it is created.
     */
    @Override
    public void configure(GuestConfig.Builder config, long memorySize) {
        List<GuestRange> ram;
        try {
            ram = List.of(GuestRamLayout.ramRanges(X86Layout.BOOT_LAYOUT, memorySize));
        } catch (IllegalArgumentException e) {
            // --mem was checked against the host's RAM, except where /proc/meminfo could not be read
            throw new CliException(ExitCodes.USAGE, "--mem: " + e.getMessage(), e);
        }
        try {
            LinuxLoader.check(X86Layout.BOOT_LAYOUT, ram, kernel, initrd, cmdline);
        } catch (LoaderException e) {
            throw new CliException(ExitCodes.VMM_ERROR, e.getMessage(), e);
        }
        config.kernel(kernel, initrd, cmdline);
    }
}
