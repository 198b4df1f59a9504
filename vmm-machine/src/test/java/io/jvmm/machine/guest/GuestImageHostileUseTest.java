package io.jvmm.machine.guest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvmm.memory.GuestAddress;
import io.jvmm.memory.GuestMemory;
import io.jvmm.memory.GuestRange;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Raw guest images given damaged and sparse files (issue 7): an error, never garbage in the guest. */
class GuestImageHostileUseTest {
    @TempDir
    Path dir;

    @Test
    void aRawImageFileThatShrinksBeforeItIsLoadedIsAnErrorNotGarbage() throws IOException {
        Path file = dir.resolve("image.bin");
        Files.write(file, new byte[3 << 20]);
        GuestImage image = new GuestImage("raw", new ImageContent.FileRange(file, Files.size(file)), 0x100000, 0x100000, CpuMode.LONG);
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(1 << 20);
        }
        try (GuestMemory memory = GuestMemory.create(GuestRange.of(0, 16 << 20))) {
            UncheckedIOException e = assertThrows(UncheckedIOException.class,
                () -> image.content().copyTo(memory, GuestAddress.of(image.loadAddress())));
            assertTrue(e.getMessage().contains("ended after"), e.getMessage());
        }
        assertThrows(IllegalStateException.class, image::image, "a file image has no byte array");
    }

    @Test
    void aSparseRawImageIsCopiedExactlyWithoutTouchingItsHoles() throws IOException {
        Path file = dir.resolve("sparse.bin");
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(5L << 20);
            f.seek(3L << 20);
            f.write(new byte[] {1, 2, 3});
            f.seek((5L << 20) - 1);
            f.write(9);
        }
        ImageContent content = new ImageContent.FileRange(file, Files.size(file));
        try (GuestMemory memory = GuestMemory.create(GuestRange.of(0, 16 << 20))) {
            memory.writeLongAtAddr(-1L, GuestAddress.of(0x100000 + 8));
            content.copyTo(memory, GuestAddress.of(0x100000));
            assertEquals(0x030201, memory.readIntFromAddr(GuestAddress.of(0x100000 + (3L << 20))) & 0xffffff);
            assertEquals(9, memory.readByteFromAddr(GuestAddress.of(0x100000 + (5L << 20) - 1)));
            // Guest memory of a fresh machine is zero; an all-zero piece is skipped, not written.
            assertEquals(-1L, memory.readLongFromAddr(GuestAddress.of(0x100000 + 8)));
        }
    }
}
