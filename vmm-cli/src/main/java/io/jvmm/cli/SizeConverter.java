package io.jvmm.cli;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Parses byte sizes as users write them: {@code 4096}, {@code 64K}, {@code 256M}, {@code 1G},
 * {@code 2GiB}, {@code 512b}. Suffixes are binary (K = 1024), case-insensitive, optionally
 * followed by {@code B} or {@code iB}. Range checks (at least 2 MiB, ...) belong to the option
 * that uses the size.
 */
public final class SizeConverter implements ITypeConverter<Long> {
    private static final Pattern SIZE = Pattern.compile("(\\d{1,19})\\s*(?:([kmgt])(?:i?b)?|b)?");
    private static final String[] UNITS = {"bytes", "KiB", "MiB", "GiB", "TiB"};

    @Override
    public Long convert(String value) {
        return parse(value);
    }

    /**
     * Parses a size as {@link #convert} does, for callers outside picocli.
     *
     * @param value the size as written, e.g. {@code 256M}; surrounding whitespace is ignored
     * @return the size in bytes, at least 0
     * @throws TypeConversionException (one sentence) when {@code value} is no size or does not
     *     fit in a signed 64-bit count of bytes
     */
    public static long parse(String value) {
        Matcher m = SIZE.matcher(value.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new TypeConversionException("invalid size '" + value + "': expected a number with an optional K, M, G or T suffix, e.g. 256M");
        }
        int shift = switch (m.group(2) == null ? "" : m.group(2)) {
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
            throw new TypeConversionException("invalid size '" + value + "': too large");
        }
        if (number > (Long.MAX_VALUE >> shift)) {
            throw new TypeConversionException("invalid size '" + value + "': too large");
        }
        return number << shift;
    }

    /**
     * A size in the largest binary unit that divides it exactly: {@code 256 MiB}, {@code 4097 bytes}.
     *
     * @param bytes the size in bytes
     * @return the size as a number, a space and {@code bytes}, {@code KiB}, {@code MiB}, {@code GiB} or {@code TiB};
     *     {@code 0 bytes} for zero
     */
    public static String format(long bytes) {
        int unit = 0;
        long v = bytes;
        while (unit < UNITS.length - 1 && v != 0 && v % 1024 == 0) {
            v /= 1024;
            unit++;
        }
        return v + " " + UNITS[unit];
    }

    /**
     * A size rounded to one decimal in the largest unit below it: {@code 23.4 GiB}.
     *
     * @param bytes the size in bytes
     * @return the size with one decimal in {@code KiB} to {@code TiB}, or the exact count and {@code bytes} below
     *     1 KiB
     */
    public static String formatApproximate(long bytes) {
        int unit = 0;
        double v = bytes;
        while (unit < UNITS.length - 1 && v >= 1024) {
            v /= 1024;
            unit++;
        }
        return unit == 0 ? bytes + " bytes" : String.format(Locale.ROOT, "%.1f %s", v, UNITS[unit]);
    }
}
