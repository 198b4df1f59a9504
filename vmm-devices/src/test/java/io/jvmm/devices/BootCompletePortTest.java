package io.jvmm.devices;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class BootCompletePortTest {
    private final List<Long> signals = new ArrayList<>();
    private final BootCompletePort port = new BootCompletePort(signals::add);

    private void outb(int value) {
        port.write(0, new byte[] {(byte) value});
    }

    @Test
    void firstWriteOf123IsTimestampedAndReported() {
        long before = System.nanoTime();
        outb(BootCompletePort.SIGNAL_VALUE);
        long after = System.nanoTime();
        assertEquals(1, signals.size());
        long at = signals.get(0);
        assertTrue(at >= before && at <= after, "timestamp taken during the write");
        assertEquals(OptionalLong.of(at), port.bootCompleteNanos());
    }

    @Test
    void otherValuesAndWidthsAreNotTheSignal() {
        outb(0);
        outb(122);
        outb(0xff);
        port.write(0, new byte[] {123, 0}); // outw: not what the guest's outb sends
        port.write(1, new byte[] {123});
        assertEquals(List.of(), signals);
        assertEquals(OptionalLong.empty(), port.bootCompleteNanos());
    }

    @Test
    void onlyTheFirstSignalCounts() {
        outb(123);
        long first = port.bootCompleteNanos().orElseThrow();
        outb(123);
        assertEquals(1, signals.size());
        assertEquals(first, port.bootCompleteNanos().orElseThrow());
    }

    @Test
    void readsSeeAllOnes() {
        byte[] data = {0, 0};
        port.read(0, data);
        assertEquals((byte) 0xff, data[0]);
        assertEquals((byte) 0xff, data[1]);
        assertEquals("boot-complete", port.debugLabel());
    }

    @Test
    void recordingOnlyPortKeepsTheTime() {
        BootCompletePort quiet = new BootCompletePort();
        quiet.write(0, new byte[] {123});
        assertTrue(quiet.bootCompleteNanos().isPresent());
    }
}
