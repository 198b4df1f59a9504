package io.jvmm.cli;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Parses guest-physical addresses: hexadecimal with {@code 0x}, or decimal; {@code _} may group
 * digits. Addresses of 2^63 and above are refused (no x86 guest has such physical memory).
 */
public final class AddressConverter implements ITypeConverter<Long> {
    @Override
    public Long convert(String value) {
        String v = value.trim().replace("_", "");
        long address;
        try {
            if (v.startsWith("0x") || v.startsWith("0X")) {
                address = Long.parseUnsignedLong(v.substring(2), 16);
            } else {
                address = Long.parseUnsignedLong(v);
            }
        } catch (NumberFormatException e) {
            throw new TypeConversionException("invalid address '" + value + "': expected e.g. 0x100000 or 1048576");
        }
        if (address < 0) {
            throw new TypeConversionException("invalid address '" + value + "': too large");
        }
        return address;
    }
}
