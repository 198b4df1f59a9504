package io.jvmm.cli;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Parses byte sizes as users write them: {@code 4096}, {@code 64K}, {@code 256M}, {@code 1G},
 * {@code 2GiB}. Suffixes are binary (K = 1024), case-insensitive, with an optional {@code B} or
 * {@code iB}.
 */
public final class SizeConverter implements ITypeConverter<Long> {
    private static final Pattern SIZE = Pattern.compile("(\\d{1,19})\\s*([kmgt]?)(i?b)?");

    @Override
    public Long convert(String value) {
        return parse(value);
    }

    public static long parse(String value) {
        Matcher m = SIZE.matcher(value.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new TypeConversionException("invalid size '" + value + "': expected a number with an optional K, M, G or T suffix, e.g. 256M");
        }
        int shift = switch (m.group(2)) {
            case "k" -> 10;
            case "m" -> 20;
            case "g" -> 30;
            case "t" -> 40;
            default -> 0;
        };
        long number;
        try {
            number = Long.parseLong(m.group(1));
        } catch (NumberFormatException e) {
            throw new TypeConversionException("invalid size '" + value + "': number too large");
        }
        if (number > (Long.MAX_VALUE >> shift)) {
            throw new TypeConversionException("invalid size '" + value + "': too large");
        }
        return number << shift;
    }
}
