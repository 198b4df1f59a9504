package io.jvmm.machine;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * A Linux kernel to boot: the kernel file (bzImage or ELF vmlinux), an optional initrd and the
 * command line. Files are read when the {@link Machine} is created, by
 * {@link io.jvmm.loader.LinuxLoader}, which checks them.
 */
public record LinuxBootSource(Path kernel, Optional<Path> initrd, String cmdline) {
    public LinuxBootSource {
        Objects.requireNonNull(kernel, "kernel");
        Objects.requireNonNull(initrd, "initrd");
        Objects.requireNonNull(cmdline, "cmdline");
    }
}
