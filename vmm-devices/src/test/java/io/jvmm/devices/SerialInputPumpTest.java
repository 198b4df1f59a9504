package io.jvmm.devices;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class SerialInputPumpTest {
    private final Uart16550 uart = new Uart16550(0x3f8, OutputStream.nullOutputStream(), InterruptLine.NONE);

    private int in(int register) {
        byte[] data = new byte[1];
        uart.read(register, data);
        return data[0] & 0xff;
    }

    @Test
    void everyHostByteReachesTheGuestInOrderThenThePumpEnds() throws Exception {
        byte[] text = new byte[1000];
        for (int i = 0; i < text.length; i++) {
            text[i] = (byte) i;
        }
        uart.write(Uart16550.IIR_FCR, new byte[] {Uart16550.FCR_ENABLE});
        try (SerialInputPump pump = SerialInputPump.start(new ByteArrayInputStream(text), uart)) {
            ByteArrayOutputStream received = new ByteArrayOutputStream();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (received.size() < text.length && System.nanoTime() < deadline) {
                assertTrue(uart.pendingInputBytes() <= Uart16550.RX_FIFO_CAPACITY);
                if ((in(Uart16550.LSR) & Uart16550.LSR_DR) != 0) {
                    received.write(in(Uart16550.RBR_THR_DLL));
                } else {
                    Thread.onSpinWait();
                }
            }
            assertArrayEquals(text, received.toByteArray());
            assertTrue(pump.awaitEnd(5_000), "end of stream ends the pump");
        }
    }

    @Test
    void closeStopsAPumpWaitingForTheGuest() throws Exception {
        SerialInputPump pump = SerialInputPump.start(new ByteArrayInputStream(new byte[100]), uart);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (uart.pendingInputBytes() == 0 && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertEquals(1, uart.pendingInputBytes(), "16450 mode: one byte delivered, the pump waits for room");
        assertTrue(pump.isAlive());
        pump.close();
        assertTrue(pump.awaitEnd(5_000));
    }
}
