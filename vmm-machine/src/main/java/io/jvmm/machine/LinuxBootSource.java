package io.jvmm.machine;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * A Linux kernel to boot: the kernel file (bzImage or ELF vmlinux), an optional initrd and the
 * command line. Files are read when the {@link Machine} is created, by
 * {@link io.jvmm.loader.LinuxLoader}, which checks them.
 *
 * @param kernel the kernel file: a bzImage or an ELF vmlinux
 * @param initrd the initial ramdisk file, or empty for none
 * @param cmdline the kernel command line, e.g. {@code "console=ttyS0 reboot=k panic=-1"}; may be empty
 */
public record LinuxBootSource(Path kernel, Optional<Path> initrd, String cmdline) {
    /**
     * Checks only that no component is null; the files are neither opened nor checked here.
     *
     * @param kernel the kernel file: a bzImage or an ELF vmlinux
     * @param initrd the initial ramdisk file, or empty for none
     * @param cmdline the kernel command line; may be empty
     * @throws NullPointerException when a component is null
     */
    public LinuxBootSource {
        Objects.requireNonNull(kernel, "kernel");
        Objects.requireNonNull(initrd, "initrd");
        Objects.requireNonNull(cmdline, "cmdline");
    }
}
