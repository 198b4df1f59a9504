package io.jvmm.cli;

import io.jvmm.kvm.GuestConfig;
import io.jvmm.kvm.guest.CpuMode;
import io.jvmm.kvm.guest.GuestImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * A flat binary from a file ({@code --raw FILE --load-addr ADDR --entry ADDR [--mode long|real]}),
 * copied to {@code loadAddress} and entered at {@code entry} in {@code mode}.
 */
record RawImageSource(Path file, long loadAddress, long entry, CpuMode mode) implements GuestSource {
    RawImageSource {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(mode, "mode");
    }

    @Override
    public String describe() {
        return "raw image " + file;
    }

    /**
     * Reads the file after checking that it is a readable regular file no larger than guest
     * memory (so a huge file is never read into the heap), then hands the placement checks
     * (entry inside the image, load address in RAM, clear of the VMM's tables) to
     * {@link GuestImage} and {@link GuestConfig}.
     */
    @Override
    public void configure(GuestConfig.Builder config, long memorySize) {
        byte[] bytes = read(memorySize);
        try {
            config.image(new GuestImage(file.toString(), bytes, loadAddress, entry, mode));
        } catch (IllegalArgumentException e) {
            throw new CliException(ExitCodes.VMM_ERROR, Main.oneLine(e), e);
        }
    }

    private byte[] read(long memorySize) {
        if (!Files.exists(file)) {
            throw fail("no such file");
        }
        if (!Files.isRegularFile(file)) {
            throw fail("not a regular file");
        }
        if (!Files.isReadable(file)) {
            throw fail("permission denied");
        }
        try {
            long size = Files.size(file);
            if (size == 0) {
                throw fail("the file is empty");
            }
            if (size > memorySize) {
                throw fail(String.format("%d bytes is larger than guest memory (%d bytes, --mem)", size, memorySize));
            }
            byte[] bytes = Files.readAllBytes(file);
            if (bytes.length != size) {
                throw fail("the file changed while it was read");
            }
            return bytes;
        } catch (IOException e) {
            throw new CliException(ExitCodes.VMM_ERROR, "cannot read raw image " + file + ": " + IoErrors.describe(e), e);
        }
    }

    private CliException fail(String why) {
        return new CliException(ExitCodes.VMM_ERROR, "raw image " + file + ": " + why);
    }
}
