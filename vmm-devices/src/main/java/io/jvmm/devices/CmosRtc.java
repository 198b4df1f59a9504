package io.jvmm.devices;

import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.Objects;

/**
 * The PC's CMOS real-time clock (a Motorola MC146818A, as in every PC since the AT) with its 128
 * bytes of CMOS RAM: the guest's wall clock at boot. Linux's {@code rtc-cmos} driver and its
 * {@code read_persistent_clock64} read the time here; without it they find the RTC "broken or not
 * accessible" and the clock starts at the epoch.
 *
 * <p>Registered over two ports: offset {@link #INDEX_OFFSET} takes a register index (bit 7 masks
 * NMIs on a PC and is ignored here), offset {@link #DATA_OFFSET} reads and writes the indexed
 * register. The time is the clock's (UTC, as Linux and QEMU's default {@code -rtc base=utc}
 * assume) plus an offset the guest sets by writing the time registers. Register semantics follow
 * the MC146818A data sheet ("Register A" .. "Register D", "Time, Calendar and Alarm Locations"):
 * BCD or binary per register B's DM bit, 24- or 12-hour per its 24/12 bit, writes with the SET bit
 * held and applied when it is cleared.
 *
 * <p>Deliberate simplifications: the time registers are computed from the clock at each read, so
 * an update is never in progress and UIP (register A bit 7) reads 0; a guest that reads the fields
 * one by one still guards against a second boundary as Linux's {@code mc146818_avoid_UIP} does (it
 * reads the seconds twice). No interrupt (IRQ 8) is raised: periodic, alarm and update-ended flags
 * in register C stay 0. The century is not stored at 0x32 (Linux reads it only when an ACPI FADT
 * names that register, and years below 70 mean 20xx).
 *
 * <p>Thread-safe: one vCPU thread at a time accesses it, but the monitor keeps index and data
 * consistent if several do.
 */
public final class CmosRtc implements BusDevice {
    /** Offset of the index port (0x70 on a PC) within the registered span. */
    public static final int INDEX_OFFSET = 0;
    /** Offset of the data port (0x71 on a PC). */
    public static final int DATA_OFFSET = 1;
    /** The ports the clock spans: the index port and the data port. */
    public static final int PORT_COUNT = 2;

    // Time, calendar and alarm registers (MC146818A "Address Map").
    /** Register 0x00: seconds, 0 to 59. */
    public static final int REG_SECONDS = 0x00;
    /** Register 0x01: seconds alarm; stored and read back, no alarm fires. */
    public static final int REG_SECONDS_ALARM = 0x01;
    /** Register 0x02: minutes, 0 to 59. */
    public static final int REG_MINUTES = 0x02;
    /** Register 0x03: minutes alarm; stored and read back, no alarm fires. */
    public static final int REG_MINUTES_ALARM = 0x03;
    /** Register 0x04: hours, 0 to 23 in 24-hour mode; 1 to 12 with bit 7 for PM in 12-hour mode. */
    public static final int REG_HOURS = 0x04;
    /** Register 0x05: hours alarm; stored and read back, no alarm fires. */
    public static final int REG_HOURS_ALARM = 0x05;
    /** Register 0x06: day of the week, 1 to 7, Sunday = 1. */
    public static final int REG_DAY_OF_WEEK = 0x06;
    /** Register 0x07: day of the month, 1 to 31. */
    public static final int REG_DAY_OF_MONTH = 0x07;
    /** Register 0x08: month, 1 to 12. */
    public static final int REG_MONTH = 0x08;
    /** Register 0x09: year of the century, 0 to 99; a written year below 70 means 20xx, others 19xx. */
    public static final int REG_YEAR = 0x09;
    /** Register A: UIP, the time-base divider (DV) and rate select (RS); stored and read back, UIP always reads 0. */
    public static final int REG_A = 0x0a;
    /** Register B: SET, PIE, AIE, UIE, SQWE, DM, 24/12, DSE; only SET, DM and 24/12 have an effect here. */
    public static final int REG_B = 0x0b;
    /** Register C: the interrupt flags; read-only, always 0 here. */
    public static final int REG_C = 0x0c;
    /** Register D: bit 7 is VRT; read-only, always reads {@link #D_VRT}. */
    public static final int REG_D = 0x0d;
    /** Bytes of CMOS RAM, the registers included; 0x0e to 0x7f are plain RAM, kept as written. */
    public static final int REGISTER_COUNT = 128;

    /** Register A bit 7: update in progress (always 0 here, see the class comment). */
    public static final int A_UIP = 0x80;
    /** Register A after firmware: 32.768 kHz time base (DV = 010), 1024 Hz periodic rate (RS = 0110). */
    public static final int A_INITIAL = 0x26;
    /** Register B bit 7: the guest is setting the time; updates are held until it clears. */
    public static final int B_SET = 0x80;
    /** Register B bit 2: binary (1) or BCD (0) data mode. */
    public static final int B_DM_BINARY = 0x04;
    /** Register B bit 1: 24-hour (1) or 12-hour (0) mode. */
    public static final int B_24_HOUR = 0x02;
    /** Register B after firmware (what SeaBIOS leaves): BCD, 24-hour, no interrupts. */
    public static final int B_INITIAL = B_24_HOUR;
    /** Register D bit 7: valid RAM and time (the battery is fine). */
    public static final int D_VRT = 0x80;
    /** Hour bit 7 in 12-hour mode: PM. */
    private static final int HOUR_PM = 0x80;

    private final InstantSource clock;
    private final byte[] ram = new byte[REGISTER_COUNT];
    private int index;
    /** Guest time minus clock time, set when the guest writes the time. */
    private Duration offset = Duration.ZERO;
    /** The time registers as written while {@link #B_SET} is held; null when not setting. */
    private byte[] pending;

    /**
     * A clock that follows {@code clock}, with registers A, B and D as firmware leaves them
     * ({@link #A_INITIAL}, {@link #B_INITIAL}, {@link #D_VRT}) and the rest of CMOS RAM zero.
     *
     * @param clock the host clock the guest's time follows (the system clock outside tests)
     * @throws NullPointerException if {@code clock} is null
     */
    public CmosRtc(InstantSource clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
        ram[REG_A] = (byte) A_INITIAL;
        ram[REG_B] = (byte) B_INITIAL;
        ram[REG_D] = (byte) D_VRT;
    }

    /** A clock that follows the host's system clock. */
    public CmosRtc() {
        this(InstantSource.system());
    }

    @Override
    public String debugLabel() {
        return "cmos-rtc";
    }

    @Override
    public synchronized void read(long offsetInSpan, byte[] data) {
        Arrays.fill(data, (byte) 0xff);
        if (offsetInSpan != DATA_OFFSET || data.length != 1) {
            // The index port is write-only on a PC; wider accesses are not something a guest does.
            return;
        }
        data[0] = (byte) readRegister(index);
    }

    @Override
    public synchronized void write(long offsetInSpan, byte[] data) {
        if (data.length != 1) {
            return;
        }
        int value = data[0] & 0xff;
        if (offsetInSpan == INDEX_OFFSET) {
            index = value & 0x7f;
        } else if (offsetInSpan == DATA_OFFSET) {
            writeRegister(index, value);
        }
    }

    private int readRegister(int reg) {
        switch (reg) {
            case REG_SECONDS, REG_MINUTES, REG_HOURS, REG_DAY_OF_WEEK, REG_DAY_OF_MONTH, REG_MONTH, REG_YEAR:
                return pending != null ? pending[reg] & 0xff : timeField(reg, now());
            case REG_A:
                return ram[REG_A] & ~A_UIP & 0xff;
            case REG_C:
                return 0;  // no interrupt flags: this RTC raises no interrupts
            case REG_D:
                return D_VRT;
            default:
                return ram[reg] & 0xff;
        }
    }

    private void writeRegister(int reg, int value) {
        switch (reg) {
            case REG_SECONDS, REG_MINUTES, REG_HOURS, REG_DAY_OF_WEEK, REG_DAY_OF_MONTH, REG_MONTH, REG_YEAR -> {
                if (pending != null) {
                    pending[reg] = (byte) value;
                } else {
                    // Without SET the write lands between two updates: take it as setting that field now.
                    byte[] fields = currentFields();
                    fields[reg] = (byte) value;
                    applyFields(fields);
                }
            }
            case REG_A -> ram[REG_A] = (byte) (value & ~A_UIP);
            case REG_B -> writeB(value);
            case REG_C, REG_D -> { }  // read-only
            default -> ram[reg] = (byte) value;
        }
    }

    private void writeB(int value) {
        boolean wasSetting = pending != null;
        boolean setting = (value & B_SET) != 0;
        if (setting && !wasSetting) {
            pending = currentFields();
        }
        // The mode bits of the new value decide how the held fields are read back.
        ram[REG_B] = (byte) value;
        if (!setting && wasSetting) {
            byte[] fields = pending;
            pending = null;
            applyFields(fields);
        }
    }

    /** The time registers for the current guest time, in the current data mode. */
    private byte[] currentFields() {
        byte[] fields = new byte[REG_YEAR + 1];
        LocalDateTime t = now();
        for (int reg : new int[] {REG_SECONDS, REG_MINUTES, REG_HOURS, REG_DAY_OF_WEEK, REG_DAY_OF_MONTH, REG_MONTH, REG_YEAR}) {
            fields[reg] = (byte) timeField(reg, t);
        }
        return fields;
    }

    /** Makes the guest time the one the registers say; fields that make no date leave it as it was. */
    private void applyFields(byte[] fields) {
        try {
            int hour = decode(fields[REG_HOURS] & 0x7f);
            if ((ram[REG_B] & B_24_HOUR) == 0) {
                hour = hour % 12 + ((fields[REG_HOURS] & HOUR_PM) != 0 ? 12 : 0);
            }
            int year = decode(fields[REG_YEAR] & 0xff);
            LocalDateTime set = LocalDateTime.of(year < 70 ? 2000 + year : 1900 + year, decode(fields[REG_MONTH] & 0xff),
                decode(fields[REG_DAY_OF_MONTH] & 0xff), hour, decode(fields[REG_MINUTES] & 0xff),
                decode(fields[REG_SECONDS] & 0xff));
            offset = Duration.between(clock.instant(), set.toInstant(ZoneOffset.UTC));
        } catch (DateTimeException e) {
            // An impossible date (month 13, BCD digits above 9): the clock keeps its time, as a
            // guest that reads it back will see.
        }
    }

    private LocalDateTime now() {
        Instant t = clock.instant().plus(offset);
        return LocalDateTime.ofEpochSecond(t.getEpochSecond(), 0, ZoneOffset.UTC);
    }

    private int timeField(int reg, LocalDateTime t) {
        return switch (reg) {
            case REG_SECONDS -> encode(t.getSecond());
            case REG_MINUTES -> encode(t.getMinute());
            case REG_HOURS -> hours(t.getHour());
            case REG_DAY_OF_WEEK -> encode(t.getDayOfWeek().getValue() % 7 + 1);  // Sunday = 1
            case REG_DAY_OF_MONTH -> encode(t.getDayOfMonth());
            case REG_MONTH -> encode(t.getMonthValue());
            case REG_YEAR -> encode(t.getYear() % 100);
            default -> throw new IllegalArgumentException("not a time register: " + reg);
        };
    }

    private int hours(int hour24) {
        if ((ram[REG_B] & B_24_HOUR) != 0) {
            return encode(hour24);
        }
        int h12 = hour24 % 12 == 0 ? 12 : hour24 % 12;
        return encode(h12) | (hour24 >= 12 ? HOUR_PM : 0);
    }

    private boolean binary() {
        return (ram[REG_B] & B_DM_BINARY) != 0;
    }

    private int encode(int value) {
        return binary() ? value : (value / 10) << 4 | value % 10;
    }

    /** A register value in the current data mode; a BCD byte with a digit above 9 is refused. */
    private int decode(int value) {
        if (binary()) {
            return value;
        }
        int hi = value >> 4;
        int lo = value & 0xf;
        if (hi > 9 || lo > 9) {
            throw new DateTimeException(String.format("not a BCD byte: 0x%02x", value));
        }
        return hi * 10 + lo;
    }
}
