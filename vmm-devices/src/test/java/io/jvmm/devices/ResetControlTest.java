package io.jvmm.devices;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ResetControlTest {
    private final AtomicInteger resets = new AtomicInteger();
    private final ResetControl reg = new ResetControl(0x06, resets::incrementAndGet);

    @Test
    void theResetValueResetsAndOnlyIt() {
        reg.write(0, new byte[] {0x02});
        assertEquals(0, resets.get(), "0x02 only prepares a hard reset (reboot=pci writes it first)");
        reg.write(0, new byte[] {0x06});
        assertEquals(1, resets.get());
        reg.write(0, new byte[] {0x0e});
        assertEquals(1, resets.get(), "only the FADT's RESET_VALUE resets");
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
