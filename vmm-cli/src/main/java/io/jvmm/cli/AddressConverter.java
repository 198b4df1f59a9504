package io.jvmm.cli;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Parses guest addresses: hexadecimal with {@code 0x}, or decimal. Unsigned 64-bit. */
public final class AddressConverter implements ITypeConverter<Long> {
    @Override
    public Long convert(String value) {
        String v = value.trim();
        try {
            if (v.startsWith("0x") || v.startsWith("0X")) {
                return Long.parseUnsignedLong(v.substring(2).replace("_", ""), 16);
            }
            return Long.parseUnsignedLong(v.replace("_", ""));
        } catch (NumberFormatException e) {
            throw new TypeConversionException("invalid address '" + value + "': expected e.g. 0x100000 or 1048576");
        }
    }
}
