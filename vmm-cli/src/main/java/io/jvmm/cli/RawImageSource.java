package io.jvmm.cli;

import io.jvmm.core.IoErrors;
import io.jvmm.machine.GuestConfig;
import io.jvmm.machine.guest.CpuMode;
import io.jvmm.machine.guest.GuestImage;
import io.jvmm.machine.guest.ImageContent;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
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
     * Checks that the file is a readable regular file, not empty and no larger than guest memory,
     * then hands the placement checks (entry inside the image, load address in RAM, clear of the
     * VMM's tables) to {@link GuestImage} and {@link GuestConfig}. The bytes are not read here:
     * the machine streams the file into guest memory in pieces ({@link ImageContent.FileRange}),
     * so an image of gigabytes never passes through the Java heap.
     */
    @Override
    public void configure(GuestConfig.Builder config, long memorySize) {
        long size = checkedSize(memorySize);
        try {
            config.image(new GuestImage(file.toString(), new ImageContent.FileRange(file, size), loadAddress, entry, mode));
        } catch (IllegalArgumentException e) {
            throw new CliException(ExitCodes.VMM_ERROR, Main.oneLine(e), e);
        }
    }

    private long checkedSize(long memorySize) {
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(file, BasicFileAttributes.class);
        } catch (IOException e) {
            throw fail(IoErrors.describe(e));
        }
        if (!attributes.isRegularFile()) {
            throw fail(attributes.isDirectory() ? "not a regular file (a directory)" : "not a regular file");
        }
        try (FileChannel readable = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = readable.size();
            if (size == 0) {
                throw fail("the file is empty");
            }
            if (size > memorySize) {
                throw fail(String.format("%d bytes is larger than guest memory (%d bytes, --mem)", size, memorySize));
            }
            return size;
        } catch (IOException e) {
            throw fail("cannot be read: " + IoErrors.describe(e));
        }
    }

    private CliException fail(String why) {
        return new CliException(ExitCodes.VMM_ERROR, "raw image " + file + ": " + why);
    }
}
