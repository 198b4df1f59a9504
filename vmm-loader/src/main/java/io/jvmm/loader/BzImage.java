package io.jvmm.loader;

import static io.jvmm.loader.BootParamsLayout.SETUP_HEADER;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Objects;

/**
 * A bzImage kernel: the real-mode boot sector and setup code (never run by jvmm, which uses the
 * 64-bit boot protocol) followed by the protected-mode kernel, which is what gets loaded
 * (boot.rst, "Loading The Rest of The Kernel").
 */
public final class BzImage implements KernelImage {
    private final byte[] file;
    private final SetupHeader header;

    private BzImage(byte[] file, SetupHeader header) {
        this.file = file;
        this.header = header;
    }

    /**
     * Parses {@code file}; the array is kept, not copied, and must not change afterwards.
     *
     * @param file the whole bzImage file
     * @return the image, with its setup header read and checked
     * @throws NullPointerException when {@code file} is null
     * @throws LoaderException see {@link SetupHeader#parse(ByteBuffer)}
     */
    public static BzImage parse(byte[] file) {
        Objects.requireNonNull(file, "file");
        return new BzImage(file, SetupHeader.parse(ByteBuffer.wrap(file)));
    }

    /** {@return the setup header's fields, as read and checked by {@link SetupHeader#parse(ByteBuffer)}} */
    public SetupHeader header() {
        return header;
    }


    /**
     * The protected-mode kernel: every byte after the setup sectors.
     *
     * @return a read-only view of the file from {@link SetupHeader#protectedModeOffset()} to its end,
     *     position 0, {@link #protectedModeSize()} bytes remaining
     */
    public ByteBuffer protectedModeKernel() {
        int offset = header.protectedModeOffset();
        return ByteBuffer.wrap(file, offset, file.length - offset).slice().asReadOnlyBuffer();
    }

    /**
     * {@return the size in bytes of the protected-mode kernel, every byte after the setup sectors;
     * more than 0x200, which {@link #parse(byte[])} checks}
     */
    public int protectedModeSize() {
        return file.length - header.protectedModeOffset();
    }

    /**
     * The setup header's bytes, from 0x1f1 up to 0x202 + the jump byte at 0x201, which a loader
     * copies into boot_params at the same offset (boot.rst, "64-bit Boot Protocol").
     *
     * @return a fresh copy of file bytes [0x1f1, {@link SetupHeader#headerEnd()})
     */
    public byte[] setupHeaderBytes() {
        byte[] bytes = new byte[header.headerEnd() - SETUP_HEADER];
        System.arraycopy(file, SETUP_HEADER, bytes, 0, bytes.length);
        return bytes;
    }
}
