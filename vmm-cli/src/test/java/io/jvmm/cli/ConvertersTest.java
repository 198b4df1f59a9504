package io.jvmm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvmm.machine.guest.CpuMode;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine.TypeConversionException;

/** The option value converters: what users may type, and one clear sentence for what they may not. */
class ConvertersTest {
    private final SizeConverter sizes = new SizeConverter();
    private final DurationConverter durations = new DurationConverter();
    private final AddressConverter addresses = new AddressConverter();

    @Test
    void sizesTakeBinarySuffixesInAnyCase() {
        assertEquals(4096L, sizes.convert("4096"));
        assertEquals(512L, sizes.convert("512b"));
        assertEquals(64L << 10, sizes.convert("64K"));
        assertEquals(64L << 10, sizes.convert("64kib"));
        assertEquals(256L << 20, sizes.convert("256M"));
        assertEquals(256L << 20, sizes.convert("256MB"));
        assertEquals(1L << 30, sizes.convert("1g"));
        assertEquals(2L << 30, sizes.convert(" 2GiB "));
        assertEquals(3L << 40, sizes.convert("3T"));
        assertEquals(0L, sizes.convert("0"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "M", "12Q", "-1", "1.5G", "0x100", "1 2M", "10ib", "256MM"})
    void malformedSizesAreRefusedNamingTheValue(String value) {
        TypeConversionException e = assertThrows(TypeConversionException.class, () -> sizes.convert(value));
        assertTrue(e.getMessage().startsWith("invalid size '" + value + "'"), e.getMessage());
        assertEquals(1, e.getMessage().lines().count());
    }

    @Test
    void sizesThatOverflowSixtyFourBitsAreRefused() {
        assertEquals(Long.MAX_VALUE, sizes.convert(Long.toString(Long.MAX_VALUE)));
        assertThrows(TypeConversionException.class, () -> sizes.convert("9223372036854775808"));
        assertEquals(8388607L << 40, sizes.convert("8388607T"));
        TypeConversionException e = assertThrows(TypeConversionException.class, () -> sizes.convert("8388608T"));
        assertTrue(e.getMessage().contains("too large"), e.getMessage());
    }

    @Test
    void sizesFormatInTheLargestExactUnit() {
        assertEquals("256 MiB", SizeConverter.format(256L << 20));
        assertEquals("2 MiB", SizeConverter.format(2L << 20));
        assertEquals("4 KiB", SizeConverter.format(4096));
        assertEquals("4097 bytes", SizeConverter.format(4097));
        assertEquals("1536 KiB", SizeConverter.format(1536L << 10));
        assertEquals("0 bytes", SizeConverter.format(0));
        assertEquals("23.5 GiB", SizeConverter.formatApproximate(25_232_000_000L));
        assertEquals("1000 bytes", SizeConverter.formatApproximate(1000));
    }

    @Test
    void durationsTakeMillisecondsSecondsMinutesAndHours() {
        assertEquals(Duration.ofMillis(500), durations.convert("500ms"));
        assertEquals(Duration.ofSeconds(10), durations.convert("10s"));
        assertEquals(Duration.ofSeconds(10), durations.convert("10"));
        assertEquals(Duration.ofMinutes(2), durations.convert("2M"));
        assertEquals(Duration.ofHours(1), durations.convert("1h"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "s", "1.5s", "-1s", "10d", "ten", "0", "0ms", "999999999999h"})
    void badDurationsAreRefusedNamingTheValue(String value) {
        TypeConversionException e = assertThrows(TypeConversionException.class, () -> durations.convert(value));
        assertTrue(e.getMessage().startsWith("invalid duration '" + value + "'"), e.getMessage());
    }

    @Test
    void durationsFormatTheWayUsersWriteThem() {
        assertEquals("500ms", DurationConverter.format(Duration.ofMillis(500)));
        assertEquals("1500ms", DurationConverter.format(Duration.ofMillis(1500)));
        assertEquals("10s", DurationConverter.format(Duration.ofSeconds(10)));
        assertEquals("2m", DurationConverter.format(Duration.ofMinutes(2)));
        assertEquals("3h", DurationConverter.format(Duration.ofHours(3)));
    }

    @Test
    void addressesAreHexWithPrefixOrDecimal() {
        assertEquals(0x100000L, addresses.convert("0x100000"));
        assertEquals(0x100000L, addresses.convert("0X10_0000"));
        assertEquals(1048576L, addresses.convert("1048576"));
        assertEquals(0L, addresses.convert("0"));
        assertEquals(Long.MAX_VALUE, addresses.convert("0x7fffffffffffffff"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "0x", "x100", "0xg", "-1", "1M", "0x8000000000000000", "0x1_0000_0000_0000_0000"})
    void badAddressesAreRefusedNamingTheValue(String value) {
        TypeConversionException e = assertThrows(TypeConversionException.class, () -> addresses.convert(value));
        assertTrue(e.getMessage().startsWith("invalid address '" + value + "'"), e.getMessage());
    }

    @Test
    void cpuModesAndBuiltInGuestsGoByTheirLowerCaseNames() {
        CpuModeConverter modes = new CpuModeConverter();
        assertEquals(CpuMode.LONG, modes.convert("long"));
        assertEquals(CpuMode.REAL, modes.convert("REAL"));
        assertTrue(assertThrows(TypeConversionException.class, () -> modes.convert("protected")).getMessage()
            .contains("expected long or real"));
        assertEquals(BuiltInGuest.DEMO, new BuiltInGuest.Converter().convert("demo"));
        assertEquals(BuiltInGuest.REAL, new BuiltInGuest.Converter().convert("real"));
        assertTrue(assertThrows(TypeConversionException.class, () -> new BuiltInGuest.Converter().convert("linux"))
            .getMessage().contains("expected demo or real"));
    }
}
