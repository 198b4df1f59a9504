package io.jvmm.cli;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Parses durations as users write them: {@code 500ms}, {@code 10s}, {@code 2m}, {@code 1h}; a bare
 * number is seconds. Zero is refused: a run that may not run at all is a mistake.
 */
public final class DurationConverter implements ITypeConverter<Duration> {
    private static final Pattern DURATION = Pattern.compile("(\\d{1,12})\\s*(ms|s|m|h)?");

    @Override
    public Duration convert(String value) {
        Matcher m = DURATION.matcher(value.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new TypeConversionException("invalid duration '" + value + "': expected e.g. 500ms, 10s, 2m or 1h");
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2);
        Duration d = switch (unit) {
            case "ms" -> Duration.ofMillis(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofSeconds(n);
        };
        if (d.isZero()) {
            throw new TypeConversionException("invalid duration '" + value + "': must be positive");
        }
        try {
            d.toNanos();
        } catch (ArithmeticException e) {
            // Waits are in nanoseconds; 2^63 ns is 292 years.
            throw new TypeConversionException("invalid duration '" + value + "': too long");
        }
        return d;
    }

    /**
     * The way users write it: {@code 500ms}, {@code 10s}, {@code 2m}, {@code 1h}, {@code 1500ms}.
     *
     * @param d the duration; anything below a millisecond is dropped
     * @return the duration in the largest of h, m, s and ms that divides it exactly, which {@link #convert} reads back
     */
    public static String format(Duration d) {
        long ms = d.toMillis();
        if (ms % 3_600_000 == 0) {
            return ms / 3_600_000 + "h";
        }
        if (ms % 60_000 == 0) {
            return ms / 60_000 + "m";
        }
        if (ms % 1000 == 0) {
            return ms / 1000 + "s";
        }
        return ms + "ms";
    }
}
