package io.jvmm.cli;

import io.jvmm.machine.guest.CpuMode;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Parses {@code --mode}: {@code long} (64-bit long mode) or {@code real} (16-bit real mode). */
final class CpuModeConverter implements ITypeConverter<CpuMode> {
    @Override
    public CpuMode convert(String value) {
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "long" -> CpuMode.LONG;
            case "real" -> CpuMode.REAL;
            default -> throw new TypeConversionException("unknown CPU mode '" + value + "': expected long or real");
        };
    }

    /** The names, for picocli's {@code ${COMPLETION-CANDIDATES}}. */
    static final class Names implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return List.of("long", "real").iterator();
        }
    }
}
