package io.jvmm.loader;

import java.util.Objects;

/**
 * One entry of the BIOS-style memory map the kernel reads from boot_params ({@code struct
 * boot_e820_entry}: u64 addr, u64 size, u32 type).
 */
public record E820Entry(long addr, long size, Type type) {
    /** The e820 types jvmm reports (ACPI spec, "Address Range Types"; Linux's enum e820_type). */
    public enum Type {
        RAM(1),
        RESERVED(2);

        private final int code;

        Type(int code) {
            this.code = code;
        }

        /** The value stored in the table. */
        public int code() {
            return code;
        }
    }

    public E820Entry {
        Objects.requireNonNull(type, "type");
        if (size == 0 || Long.compareUnsigned(addr + size, addr) < 0) {
            throw new IllegalArgumentException(String.format(
                "e820 entry [0x%x, +0x%x) is empty or passes 2^64", addr, size));
        }
    }

    /** One past the last byte. */
    public long end() {
        return addr + size;
    }

    @Override
    public String toString() {
        return String.format("e820[0x%x-0x%x %s]", addr, addr + size - 1, type);
    }
}
