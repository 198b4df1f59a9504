package io.jvmm.virtio;

/** One 16-byte descriptor as the guest wrote it (virtio 1.2 §2.7.5): unchecked values. */
public record Descriptor(long addr, int len, int flags, int next) {
    public static final int BYTES = 16;
    /** §2.7.5: the buffer continues via the next field. */
    public static final int F_NEXT = 1;
    /** §2.7.5: device-writable (otherwise device-readable). */
    public static final int F_WRITE = 2;
    /** §2.7.5.3: the buffer holds a table of descriptors. */
    public static final int F_INDIRECT = 4;

    public boolean hasNext() {
        return (flags & F_NEXT) != 0;
    }

    public boolean isWrite() {
        return (flags & F_WRITE) != 0;
    }

    public boolean isIndirect() {
        return (flags & F_INDIRECT) != 0;
    }

    /** The length as the unsigned 32-bit value it is. */
    public long length() {
        return Integer.toUnsignedLong(len);
    }
}
