package io.jvmm.devices;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ResetControlTest {
    private final AtomicInteger resets = new AtomicInteger();
    private final ResetControl reg = new ResetControl(0x06, resets::incrementAndGet);

    @Test
    void theResetValueAndEveryWriteWithBit2SetResetAndNothingElse() {
        reg.write(0, new byte[] {0x02});
        assertEquals(0, resets.get(), "0x02 only prepares a hard reset (reboot=pci writes it first)");
        reg.write(0, new byte[] {0x06});
        assertEquals(1, resets.get(), "the FADT's RESET_VALUE, and reboot=pci's warm reset");
        reg.write(0, new byte[] {0x0e});
        assertEquals(2, resets.get(), "reboot=pci's cold reset, Linux's default reboot mode");
        reg.write(0, new byte[] {0x04});
        assertEquals(3, resets.get(), "a soft reset");
        for (int value : new int[] {0x00, 0x01, 0x02, 0x08, 0x0a, 0xf3}) {
            reg.write(0, new byte[] {(byte) value});
        }
        assertEquals(3, resets.get(), "without bit 2 nothing resets");
        ResetControl other = new ResetControl(0x01, resets::incrementAndGet);
        other.write(0, new byte[] {0x01});
        assertEquals(4, resets.get(), "a configured value without bit 2 resets too");
    }

    @Test
    void wideOrOffsetWritesAreIgnoredAndReadsShowTheLastValueWithoutTheResetBit() {
        reg.write(0, new byte[] {0x06, 0});
        reg.write(1, new byte[] {0x06});
        assertEquals(0, resets.get());
        reg.write(0, new byte[] {0x02});
        byte[] b = new byte[1];
        reg.read(0, b);
        assertEquals(0x02, b[0]);
        reg.write(0, new byte[] {0x06});
        reg.read(0, b);
        assertEquals(0x02, b[0], "bit 2 clears itself");
        assertThrows(IllegalArgumentException.class, () -> new ResetControl(0x100, () -> { }));
    }
}
