package io.jvmm.x86.acpi;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** A growable little-endian byte writer: ACPI tables and resource descriptors are little-endian. */
final class LeBuffer {
    private byte[] data;
    private int size;

    LeBuffer(int capacity) {
        data = new byte[Math.max(16, capacity)];
    }

    private void ensure(int more) {
        if (size + more > data.length) {
            data = Arrays.copyOf(data, Math.max(data.length * 2, size + more));
        }
    }

    LeBuffer u8(int v) {
        ensure(1);
        data[size++] = (byte) v;
        return this;
    }

    LeBuffer u16(int v) {
        return u8(v).u8(v >>> 8);
    }

    LeBuffer u32(long v) {
        return u16((int) v).u16((int) (v >>> 16));
    }

    LeBuffer u64(long v) {
        return u32(v).u32(v >>> 32);
    }

    LeBuffer bytes(byte[] b) {
        ensure(b.length);
        System.arraycopy(b, 0, data, size, b.length);
        size += b.length;
        return this;
    }

    LeBuffer zeros(int n) {
        ensure(n);
        size += n;
        return this;
    }

    /** {@code s} in ASCII, padded with spaces to {@code width} (OEM IDs and signatures). */
    LeBuffer ascii(String s, int width) {
        byte[] b = s.getBytes(StandardCharsets.US_ASCII);
        if (b.length > width) {
            throw new IllegalArgumentException("'" + s + "' is longer than " + width + " characters");
        }
        bytes(b);
        for (int i = b.length; i < width; i++) {
            u8(' ');
        }
        return this;
    }

    int size() {
        return size;
    }

    byte[] toArray() {
        return Arrays.copyOf(data, size);
    }
}
