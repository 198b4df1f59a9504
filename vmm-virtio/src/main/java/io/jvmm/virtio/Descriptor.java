package io.jvmm.virtio;

/**
 * One 16-byte descriptor as the guest wrote it (virtio 1.2 §2.7.5): unchecked values.
 *
 * @param addr  the guest physical address of the buffer ({@code le64 addr}), unsigned
 * @param len   the buffer's length in bytes ({@code le32 len}), unsigned: see {@link #length()}
 * @param flags the {@code le16 flags}: {@link #F_NEXT}, {@link #F_WRITE}, {@link #F_INDIRECT}, 0 to 0xffff
 * @param next  the index of the next descriptor when {@link #F_NEXT} is set ({@code le16 next}), 0 to 0xffff
 */
public record Descriptor(long addr, int len, int flags, int next) {
    /** The size of one descriptor in the table, in bytes. */
    public static final int BYTES = 16;
    /** §2.7.5: the buffer continues via the next field. */
    public static final int F_NEXT = 1;
    /** §2.7.5: device-writable (otherwise device-readable). */
    public static final int F_WRITE = 2;
    /** §2.7.5.3: the buffer holds a table of descriptors. */
    public static final int F_INDIRECT = 4;

    /** {@return whether {@link #F_NEXT} is set: the chain continues at {@link #next()}} */
    public boolean hasNext() {
        return (flags & F_NEXT) != 0;
    }

    /** {@return whether {@link #F_WRITE} is set: the buffer is device-writable} */
    public boolean isWrite() {
        return (flags & F_WRITE) != 0;
    }

    /** {@return whether {@link #F_INDIRECT} is set: the buffer is a table of descriptors} */
    public boolean isIndirect() {
        return (flags & F_INDIRECT) != 0;
    }

    /** {@return the length as the unsigned 32-bit value it is, 0 to 2^32 - 1} */
    public long length() {
        return Integer.toUnsignedLong(len);
    }
}
