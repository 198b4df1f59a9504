package io.jvmm.loader;

import java.util.Objects;

/**
 * One entry of the BIOS-style memory map the kernel reads from boot_params ({@code struct
 * boot_e820_entry}: u64 addr, u64 size, u32 type).
 *
 * @param addr guest-physical address of the first byte
 * @param size length in bytes, unsigned; non-zero, and {@code addr + size} must stay below 2^64
 * @param type what the range is
 */
public record E820Entry(long addr, long size, Type type) {
    /** The e820 types jvmm reports (ACPI spec, "Address Range Types"; Linux's enum e820_type). */
    public enum Type {
        /** Usable RAM: {@code E820_TYPE_RAM}, ACPI AddressRangeMemory (1). */
        RAM(1),
        /** Not to be used by the OS: {@code E820_TYPE_RESERVED}, ACPI AddressRangeReserved (2). */
        RESERVED(2);

        private final int code;

        Type(int code) {
            this.code = code;
        }

        /** {@return the value stored in the entry's u32 type field: 1 for RAM, 2 for RESERVED} */
        public int code() {
            return code;
        }
    }

    /**
     * Checks the entry.
     *
     * @param addr guest-physical address of the first byte
     * @param size length in bytes
     * @param type what the range is
     * @throws NullPointerException when {@code type} is null
     * @throws IllegalArgumentException when {@code size} is 0 or {@code addr + size} reaches 2^64 (unsigned)
     */
    public E820Entry {
        Objects.requireNonNull(type, "type");
        if (size == 0 || Long.compareUnsigned(addr + size, addr) < 0) {
            throw new IllegalArgumentException(String.format(
                "e820 entry [0x%x, +0x%x) is empty or passes 2^64", addr, size));
        }
    }

    /** {@return one past the last byte, {@code addr + size}} */
    public long end() {
        return addr + size;
    }

    @Override
    public String toString() {
        return String.format("e820[0x%x-0x%x %s]", addr, addr + size - 1, type);
    }
}
