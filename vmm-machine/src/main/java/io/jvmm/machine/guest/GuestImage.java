package io.jvmm.machine.guest;

import java.util.Objects;

/**
 * A flat guest program: bytes to copy to {@code loadAddress} in guest memory, and where and in
 * which mode to start the vCPU. Built-in guests ({@link BuiltInGuests}) and raw images loaded by
 * the CLI are both described this way; the bytes are an array or a file ({@link ImageContent}).
 *
 * <p>Entry state: in {@link CpuMode#REAL} the VMM sets CS = {@code loadAddress >> 4} and
 * IP = {@code entryAddress - loadAddress}; in {@link CpuMode#LONG} RIP = {@code entryAddress}
 * with flat 64-bit segments, the low memory identity-mapped and RSP =
 * {@link io.jvmm.x86.X86Layout#BOOT_STACK_POINTER}.
 *
 * @param name a short name for logs and the CLI
 * @param content the bytes
 * @param loadAddress guest-physical address of the first byte
 * @param entryAddress guest-physical address of the first instruction, inside the image
 * @param mode the processor mode the code is written for
 */
public record GuestImage(String name, ImageContent content, long loadAddress, long entryAddress, CpuMode mode) {
    /** Highest real-mode segment base: CS is a 16-bit paragraph number. */
    private static final long REAL_MODE_MAX_SEGMENT_BASE = 0xffff0;
    private static final long REAL_MODE_SEGMENT_SIZE = 0x10000;

    /**
     * Checks the image against the rules of its mode; whether it fits the guest's RAM is checked by
     * {@link io.jvmm.machine.GuestConfig.Builder#build()}.
     *
     * @param name a short name for logs and the CLI
     * @param content the bytes, at least one
     * @param loadAddress guest-physical address of the first byte, 0 or more
     * @param entryAddress guest-physical address of the first instruction, in
     *     [{@code loadAddress}, {@code loadAddress + size})
     * @param mode the processor mode the code is written for
     * @throws NullPointerException when {@code name}, {@code content} or {@code mode} is null
     * @throws IllegalArgumentException if the image is empty, the load address is negative or the
     *     image would wrap the address space, the entry lies outside the image, or (real mode) the
     *     load address is not a 16-byte-aligned segment base at most 0xffff0 or the image exceeds the
     *     64 KiB segment
     */
    public GuestImage {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(content, "content");
        Objects.requireNonNull(mode, "mode");
        long size = content.size();
        if (size == 0) {
            throw new IllegalArgumentException("guest image " + name + " is empty");
        }
        if (loadAddress < 0 || loadAddress > Long.MAX_VALUE - size) {
            throw new IllegalArgumentException(String.format(
                    "guest image %s: load address 0x%x with %d bytes is outside the address space", name, loadAddress, size));
        }
        if (entryAddress < loadAddress || entryAddress >= loadAddress + size) {
            throw new IllegalArgumentException(String.format(
                    "guest image %s: entry 0x%x lies outside the image [0x%x, 0x%x)",
                    name, entryAddress, loadAddress, loadAddress + size));
        }
        if (mode == CpuMode.REAL) {
            if ((loadAddress & 0xf) != 0 || loadAddress > REAL_MODE_MAX_SEGMENT_BASE) {
                throw new IllegalArgumentException(String.format(
                        "guest image %s: real-mode load address 0x%x must be a 16-byte-aligned segment base at most 0x%x",
                        name, loadAddress, REAL_MODE_MAX_SEGMENT_BASE));
            }
            if (size > REAL_MODE_SEGMENT_SIZE) {
                throw new IllegalArgumentException(String.format(
                        "guest image %s: %d bytes exceed the 64 KiB real-mode code segment", name, size));
            }
        }
    }

    /**
     * An image of the bytes of {@code image} (copied), held in memory.
     *
     * @param name a short name for logs and the CLI
     * @param image the bytes, at least one; copied
     * @param loadAddress guest-physical address of the first byte
     * @param entryAddress guest-physical address of the first instruction, inside the image
     * @param mode the processor mode the code is written for
     * @throws NullPointerException when an argument is null
     * @throws IllegalArgumentException as {@link #GuestImage(String, ImageContent, long, long, CpuMode)}
     */
    public GuestImage(String name, byte[] image, long loadAddress, long entryAddress, CpuMode mode) {
        this(name, ImageContent.of(Objects.requireNonNull(image, "image")), loadAddress, entryAddress, mode);
    }

    /**
     * A copy of the bytes of an image held in memory.
     *
     * @return a fresh copy of the bytes
     * @throws IllegalStateException for an image that is a file ({@link ImageContent.FileRange})
     */
    public byte[] image() {
        if (content instanceof ImageContent.Bytes bytes) {
            return bytes.bytes();
        }
        throw new IllegalStateException("guest image " + name + " is the file " + content + "; its bytes are read when it is loaded");
    }

    /** {@return how many bytes the image has, at least 1} */
    public long size() {
        return content.size();
    }

    /** {@return the first guest-physical address after the image: {@code loadAddress + size()}} */
    public long endAddress() {
        return loadAddress + content.size();
    }

    @Override
    public String toString() {
        return String.format("GuestImage[%s, %d bytes at 0x%x, entry 0x%x, %s]", name, size(), loadAddress, entryAddress, mode);
    }
}
