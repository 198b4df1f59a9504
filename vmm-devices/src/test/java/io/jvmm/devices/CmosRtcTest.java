package io.jvmm.devices;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.time.InstantSource;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class CmosRtcTest {
    /** Tuesday, 2026-12-01 20:35:07.250 UTC. */
    private static final Instant T = Instant.parse("2026-12-01T20:35:07.250Z");

    private final AtomicReference<Instant> now = new AtomicReference<>(T);
    private final InstantSource clock = now::get;
    private final CmosRtc rtc = new CmosRtc(clock);

    private int read(int reg) {
        rtc.write(CmosRtc.INDEX_OFFSET, new byte[] {(byte) reg});
        byte[] b = new byte[1];
        rtc.read(CmosRtc.DATA_OFFSET, b);
        return b[0] & 0xff;
    }

    private void write(int reg, int value) {
        rtc.write(CmosRtc.INDEX_OFFSET, new byte[] {(byte) reg});
        rtc.write(CmosRtc.DATA_OFFSET, new byte[] {(byte) value});
    }

    @Test
    void theTimeIsTheHostClocksInBcdAnd24HourModeAsFirmwareLeavesIt() {
        assertEquals(0x07, read(CmosRtc.REG_SECONDS));
        assertEquals(0x35, read(CmosRtc.REG_MINUTES));
        assertEquals(0x20, read(CmosRtc.REG_HOURS));
        assertEquals(3, read(CmosRtc.REG_DAY_OF_WEEK), "Sunday = 1, so Tuesday = 3");
        assertEquals(0x01, read(CmosRtc.REG_DAY_OF_MONTH));
        assertEquals(0x12, read(CmosRtc.REG_MONTH));
        assertEquals(0x26, read(CmosRtc.REG_YEAR));
    }

    @Test
    void theClockFollowsTheHostAcrossAMinute() {
        now.set(T.plusSeconds(53));
        assertEquals(0x00, read(CmosRtc.REG_SECONDS));
        assertEquals(0x36, read(CmosRtc.REG_MINUTES));
    }

    @Test
    void statusRegistersSayTheClockIsValidNeverUpdatingAndRaisesNothing() {
        // Linux's mc146818_avoid_UIP waits while UIP is set; all-ones (no device) never clears it.
        assertEquals(0, read(CmosRtc.REG_A) & CmosRtc.A_UIP);
        assertEquals(CmosRtc.A_INITIAL, read(CmosRtc.REG_A));
        assertEquals(CmosRtc.B_24_HOUR, read(CmosRtc.REG_B));
        assertEquals(0, read(CmosRtc.REG_C));
        assertEquals(CmosRtc.D_VRT, read(CmosRtc.REG_D));
        write(CmosRtc.REG_D, 0);
        assertEquals(CmosRtc.D_VRT, read(CmosRtc.REG_D), "register D is read-only");
    }

    @Test
    void binaryAnd12HourModesFollowRegisterB() {
        write(CmosRtc.REG_B, CmosRtc.B_DM_BINARY | CmosRtc.B_24_HOUR);
        assertEquals(35, read(CmosRtc.REG_MINUTES));
        assertEquals(20, read(CmosRtc.REG_HOURS));
        write(CmosRtc.REG_B, 0);  // BCD, 12-hour
        assertEquals(0x80 | 0x08, read(CmosRtc.REG_HOURS), "8 PM");
        now.set(Instant.parse("2026-12-01T00:10:00Z"));
        assertEquals(0x12, read(CmosRtc.REG_HOURS), "12 AM");
    }

    @Test
    void aTimeWrittenUnderTheSetBitTakesEffectWhenItClearsAndThenRuns() {
        write(CmosRtc.REG_B, CmosRtc.B_SET | CmosRtc.B_24_HOUR);
        write(CmosRtc.REG_YEAR, 0x99);
        write(CmosRtc.REG_MONTH, 0x02);
        write(CmosRtc.REG_DAY_OF_MONTH, 0x28);
        write(CmosRtc.REG_HOURS, 0x23);
        write(CmosRtc.REG_MINUTES, 0x59);
        write(CmosRtc.REG_SECONDS, 0x58);
        now.set(T.plusSeconds(30));
        assertEquals(0x58, read(CmosRtc.REG_SECONDS), "held while SET");
        write(CmosRtc.REG_B, CmosRtc.B_24_HOUR);
        assertEquals(0x58, read(CmosRtc.REG_SECONDS));
        now.set(T.plusSeconds(32));
        assertEquals(0x00, read(CmosRtc.REG_SECONDS));
        assertEquals(0x00, read(CmosRtc.REG_HOURS));
        assertEquals(0x01, read(CmosRtc.REG_DAY_OF_MONTH));
        assertEquals(0x03, read(CmosRtc.REG_MONTH), "1999 is no leap year");
        assertEquals(0x99, read(CmosRtc.REG_YEAR));
    }

    @Test
    void anImpossibleDateLeavesTheClockAsItWas() {
        write(CmosRtc.REG_B, CmosRtc.B_SET | CmosRtc.B_24_HOUR);
        write(CmosRtc.REG_MONTH, 0x1a);  // not BCD
        write(CmosRtc.REG_B, CmosRtc.B_24_HOUR);
        assertEquals(0x12, read(CmosRtc.REG_MONTH));
        assertEquals(0x35, read(CmosRtc.REG_MINUTES));
    }

    @Test
    void cmosRamKeepsWhatIsWrittenAndTheIndexIgnoresTheNmiBit() {
        write(0x40, 0xa5);
        assertEquals(0xa5, read(0x40));
        rtc.write(CmosRtc.INDEX_OFFSET, new byte[] {(byte) (0x80 | 0x40)});
        byte[] b = new byte[1];
        rtc.read(CmosRtc.DATA_OFFSET, b);
        assertEquals(0xa5, b[0] & 0xff);
    }

    @Test
    void theIndexPortAndWideAccessesReadAllOnes() {
        byte[] b = new byte[1];
        rtc.read(CmosRtc.INDEX_OFFSET, b);
        assertEquals(0xff, b[0] & 0xff);
        byte[] w = new byte[2];
        rtc.read(CmosRtc.DATA_OFFSET, w);
        assertEquals(0xff, w[0] & 0xff);
        assertEquals(0xff, w[1] & 0xff);
    }

    @Test
    void theSystemClockVersionIsCloseToNow() {
        CmosRtc system = new CmosRtc();
        system.write(CmosRtc.INDEX_OFFSET, new byte[] {CmosRtc.REG_B});
        system.write(CmosRtc.DATA_OFFSET, new byte[] {CmosRtc.B_DM_BINARY | CmosRtc.B_24_HOUR});
        system.write(CmosRtc.INDEX_OFFSET, new byte[] {CmosRtc.REG_MINUTES});
        byte[] b = new byte[1];
        system.read(CmosRtc.DATA_OFFSET, b);
        int minute = Instant.now().atZone(java.time.ZoneOffset.UTC).getMinute();
        assertTrue(Math.abs(minute - b[0]) <= 1 || Math.abs(minute - b[0]) == 59, "minute " + b[0] + " vs " + minute);
    }
}
