package io.jvmm.devices;

import static io.jvmm.devices.Uart16550.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class Uart16550Test {
    /** Records every level the UART drives, in order. */
    private static final class LineRecorder implements InterruptLine {
        final List<Boolean> levels = new ArrayList<>();

        @Override
        public synchronized void setLevel(boolean asserted) {
            levels.add(asserted);
        }

        synchronized boolean level() {
            return !levels.isEmpty() && levels.get(levels.size() - 1);
        }

        synchronized List<Boolean> drain() {
            List<Boolean> copy = List.copyOf(levels);
            levels.clear();
            return copy;
        }
    }

    /** Remembers what reached the stream at each flush. */
    private static final class FlushRecorder extends OutputStream {
        final ByteArrayOutputStream written = new ByteArrayOutputStream();
        final List<String> flushed = new ArrayList<>();

        @Override
        public void write(int b) {
            written.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            written.write(b, off, len);
        }

        @Override
        public void flush() {
            flushed.add(written.toString(StandardCharsets.US_ASCII));
        }

        String text() {
            return written.toString(StandardCharsets.US_ASCII);
        }
    }

    private final LineRecorder irq = new LineRecorder();
    private final FlushRecorder out = new FlushRecorder();
    private final Uart16550 uart = new Uart16550(0x3f8, out, irq);

    private int in(int register) {
        byte[] data = new byte[1];
        uart.read(register, data);
        return data[0] & 0xff;
    }

    private void out(int register, int value) {
        uart.write(register, new byte[] {(byte) value});
    }

    private void send(String text) {
        for (byte b : text.getBytes(StandardCharsets.US_ASCII)) {
            out(RBR_THR_DLL, b);
        }
    }

    // ------------------------------------------------------------ reset state and plain registers

    @Test
    void resetStateMatchesTheDatasheet() {
        assertEquals(0x00, in(IER_DLM), "IER");
        assertEquals(IIR_NO_INTERRUPT, in(IIR_FCR), "IIR");
        assertEquals(0x00, in(LCR), "LCR");
        assertEquals(0x00, in(MCR), "MCR");
        assertEquals(LSR_THRE | LSR_TEMT, in(LSR), "LSR: transmitter empty, nothing received");
        assertEquals(MSR_CTS | MSR_DSR | MSR_DCD, in(MSR), "MSR: a terminal is present and ready");
        assertEquals(DEFAULT_DIVISOR, uart.divisor());
        assertFalse(uart.interruptAsserted());
        assertEquals("uart16550@0x3f8", uart.debugLabel());
    }

    @Test
    void divisorLatchIsReachedOnlyWithDlabSet() {
        out(LCR, LCR_DLAB | 0x03);
        out(RBR_THR_DLL, 0x01);
        out(IER_DLM, 0x00);
        assertEquals(0x01, in(RBR_THR_DLL), "DLL");
        assertEquals(0x00, in(IER_DLM), "DLM");
        assertEquals(1, uart.divisor());
        assertEquals(115_200, uart.baudRate());
        out(IER_DLM, 0x02);
        assertEquals(0x0201, uart.divisor());
        assertEquals("", out.text(), "a DLL write is not a transmitted byte");

        out(LCR, 0x03);
        assertEquals(0x00, in(IER_DLM), "with DLAB clear offset 1 is IER again");
        out(IER_DLM, IER_ERBFI);
        assertEquals(IER_ERBFI, in(IER_DLM));
        assertEquals(0x0201, uart.divisor(), "an IER write does not touch the latch");
        out(RBR_THR_DLL, 'x');
        uart.flush();
        assertEquals("x", out.text(), "with DLAB clear offset 0 is THR");
    }

    @Test
    void lineControlReadsBackEveryBit() {
        for (int value : new int[] {0x00, 0x03, 0x1b, 0x7f, 0xbf, 0xff}) {
            out(LCR, value);
            assertEquals(value, in(LCR));
        }
    }

    @Test
    void interruptEnableKeepsOnlyTheFourEnableBits() {
        out(IER_DLM, 0xff);
        assertEquals(0x0f, in(IER_DLM), "IER bits 4..7 are always 0 (Linux's probe relies on it)");
    }

    @Test
    void modemControlKeepsOnlyItsFiveBits() {
        out(MCR, 0xff);
        assertEquals(0x1f, in(MCR));
    }

    @Test
    void scratchRegisterHoldsAnyByte() {
        for (int value = 0; value < 256; value += 37) {
            out(SCR, value);
            assertEquals(value, in(SCR));
        }
    }

    @Test
    void baseMustLeaveRoomForAllEightRegisters() {
        assertThrows(IllegalArgumentException.class, () -> new Uart16550(0xfff9, out, irq));
        assertThrows(IllegalArgumentException.class, () -> new Uart16550(-1, out, irq));
        new Uart16550(0xfff8, out, irq);
    }

    // ------------------------------------------------------------ FIFO control and IIR FIFO bits

    @Test
    void iirFifoBitsFollowFifoEnable() {
        out(IIR_FCR, FCR_ENABLE);
        assertEquals(IIR_FIFOS_ENABLED | IIR_NO_INTERRUPT, in(IIR_FCR), "16550A: both FIFO bits set");
        out(IIR_FCR, 0);
        assertEquals(IIR_NO_INTERRUPT, in(IIR_FCR));
    }

    @Test
    void changingFifoModeOrClearRxEmptiesTheReceiver() {
        out(IIR_FCR, FCR_ENABLE);
        assertEquals(3, uart.enqueueInput("abc".getBytes(StandardCharsets.US_ASCII)));
        out(IIR_FCR, FCR_ENABLE | FCR_CLEAR_RX);
        assertEquals(0, in(LSR) & LSR_DR, "FCR bit 1 clears the RX FIFO");

        uart.enqueueInput("abc".getBytes(StandardCharsets.US_ASCII));
        out(IIR_FCR, 0);
        assertEquals(0, uart.pendingInputBytes(), "leaving FIFO mode clears the FIFOs");
    }

    @Test
    void fcrBitsOtherThanEnableAreIgnoredUnlessEnableIsWritten() {
        out(IIR_FCR, FCR_ENABLE);
        uart.enqueueInput("ab".getBytes(StandardCharsets.US_ASCII));
        out(IIR_FCR, FCR_CLEAR_RX); // bit 0 = 0: disables FIFOs (and so clears), does not program bit 1 alone
        assertEquals(IIR_NO_INTERRUPT, in(IIR_FCR));
        uart.enqueueInput("c".getBytes(StandardCharsets.US_ASCII));
        out(IIR_FCR, FCR_CLEAR_RX);
        assertEquals(1, uart.pendingInputBytes(), "in 16450 mode a clear-RX write without bit 0 does nothing");
    }

    // ------------------------------------------------------------ THRE interrupt and the IRQ line

    @Test
    void thrEmptyInterruptIsRaisedWhenEnabledAndClearedByReadingIir() {
        out(MCR, MCR_OUT2);
        out(IER_DLM, IER_ETBEI);
        assertEquals(List.of(true), irq.drain(), "THR is empty, so enabling ETBEI asserts the line");
        assertEquals(IIR_THR_EMPTY, in(IIR_FCR));
        assertEquals(List.of(false), irq.drain(), "reading IIR that reports THRE resets it");
        assertEquals(IIR_NO_INTERRUPT, in(IIR_FCR));
    }

    @Test
    void reEnablingThrInterruptAssertsItAgainAsLinuxThreTestExpects() {
        // serial8250_do_startup: IER=THRI, read IIR, IER=0, IER=THRI, read IIR; a UART that does not
        // report THRE the second time is marked UART_BUG_THRE and driven by a timer instead.
        out(MCR, MCR_OUT2);
        out(IER_DLM, IER_ETBEI);
        int iir1 = in(IIR_FCR);
        out(IER_DLM, 0);
        out(IER_DLM, IER_ETBEI);
        int iir2 = in(IIR_FCR);
        out(IER_DLM, 0);
        assertEquals(IIR_THR_EMPTY, iir1 & 0x0f);
        assertEquals(IIR_THR_EMPTY, iir2 & 0x0f);
    }

    @Test
    void writingThrDropsAndReassertsTheLineSoAnEdgeTriggeredPicSeesEachByte() {
        out(MCR, MCR_OUT2);
        out(IER_DLM, IER_ETBEI);
        irq.drain();
        out(RBR_THR_DLL, 'a');
        assertEquals(List.of(false, true), irq.drain());
        assertEquals(IIR_THR_EMPTY, in(IIR_FCR), "THR empty again after the byte left");
    }

    @Test
    void thrWriteAfterIirReadRaisesThreAgain() {
        out(MCR, MCR_OUT2);
        out(IER_DLM, IER_ETBEI);
        in(IIR_FCR);
        irq.drain();
        out(RBR_THR_DLL, 'a');
        assertEquals(List.of(true), irq.drain(), "the THR emptied again after the write");
    }

    @Test
    void disablingThrInterruptLowersTheLine() {
        out(MCR, MCR_OUT2);
        out(IER_DLM, IER_ETBEI);
        irq.drain();
        out(IER_DLM, 0);
        assertEquals(List.of(false), irq.drain());
        assertEquals(IIR_NO_INTERRUPT, in(IIR_FCR));
    }

    @Test
    void withoutOut2ThePendingInterruptDoesNotReachTheLine() {
        out(IER_DLM, IER_ETBEI);
        assertEquals(IIR_THR_EMPTY, in(IIR_FCR), "pending in IIR");
        out(IER_DLM, 0);
        out(IER_DLM, IER_ETBEI);
        assertEquals(List.of(), irq.drain(), "PCs gate INTRPT with OUT2");
        out(MCR, MCR_OUT2);
        assertEquals(List.of(true), irq.drain(), "setting OUT2 lets the pending interrupt through");
        out(MCR, 0);
        assertEquals(List.of(false), irq.drain());
    }

    @Test
    void loopbackForcesTheInterruptOutputLow() {
        out(MCR, MCR_OUT2);
        out(IER_DLM, IER_ETBEI);
        irq.drain();
        out(MCR, MCR_OUT2 | MCR_LOOP);
        assertEquals(List.of(false), irq.drain(), "OUT2 pin is forced inactive in loopback");
        assertEquals(IIR_THR_EMPTY, in(IIR_FCR), "the interrupt is still identified");
    }

    // ------------------------------------------------------------ priorities

    @Test
    void iirReportsLineStatusThenReceivedDataThenThrEmptyThenModemStatus() {
        out(MCR, MCR_LOOP);
        out(IER_DLM, IER_ERBFI | IER_ETBEI | IER_ELSI | IER_EDSSI);
        out(RBR_THR_DLL, 'a');
        out(RBR_THR_DLL, 'b'); // 16450 mode: overruns, 'b' replaces 'a' in the RBR
        out(MCR, MCR_LOOP | MCR_RTS); // looped RTS -> CTS changes: DCTS

        assertEquals(IIR_LINE_STATUS, in(IIR_FCR), "overrun error first");
        assertEquals(IIR_LINE_STATUS, in(IIR_FCR), "reading IIR does not clear a line status interrupt");
        assertEquals(LSR_DR | LSR_OE | LSR_THRE | LSR_TEMT, in(LSR));
        assertEquals(IIR_RX_DATA, in(IIR_FCR), "reading LSR cleared OE: received data next");
        assertEquals('b', in(RBR_THR_DLL));
        assertEquals(IIR_THR_EMPTY, in(IIR_FCR), "then THR empty, reset by this read");
        assertEquals(IIR_MODEM_STATUS, in(IIR_FCR), "then modem status");
        assertEquals(MSR_CTS | MSR_DCTS | MSR_DDSR | MSR_DDCD, in(MSR), "entering loopback changed CTS, DSR, DCD; RTS changed CTS again");
        assertEquals(IIR_NO_INTERRUPT, in(IIR_FCR), "reading MSR cleared the delta");
    }

    @Test
    void disabledSourcesAreNotReported() {
        out(MCR, MCR_LOOP);
        out(RBR_THR_DLL, 'a');
        out(RBR_THR_DLL, 'b');
        out(MCR, MCR_LOOP | MCR_RTS);
        assertEquals(IIR_NO_INTERRUPT, in(IIR_FCR), "IER = 0: nothing is reported");
        out(IER_DLM, IER_EDSSI);
        assertEquals(IIR_MODEM_STATUS, in(IIR_FCR));
    }

    // ------------------------------------------------------------ receiver and host input

    @Test
    void receivedDataRaisesTheLineUntilTheGuestDrainsIt() {
        out(MCR, MCR_OUT2);
        out(IER_DLM, IER_ERBFI);
        assertEquals(1, uart.enqueueInput(new byte[] {'k'}));
        assertEquals(List.of(true), irq.drain());
        assertEquals(LSR_DR | LSR_THRE | LSR_TEMT, in(LSR));
        assertEquals(IIR_RX_DATA, in(IIR_FCR));
        assertEquals('k', in(RBR_THR_DLL));
        assertEquals(List.of(false), irq.drain());
        assertEquals(0, in(LSR) & LSR_DR);
        assertEquals('k', in(RBR_THR_DLL), "an empty RBR still holds its last character");
    }

    @Test
    void hostInputTakesOnlyWhatFitsAndNeverOverruns() {
        byte[] burst = new byte[40];
        assertEquals(1, uart.enqueueInput(burst), "16450 mode: the RBR holds one byte");
        assertEquals(0, uart.enqueueInput(burst));
        in(RBR_THR_DLL);
        out(IIR_FCR, FCR_ENABLE);
        assertEquals(RX_FIFO_CAPACITY, uart.enqueueInput(burst), "FIFO mode: 16 bytes");
        assertEquals(0, uart.enqueueInput(burst, 16, 24));
        assertEquals(0, in(LSR) & LSR_OE, "refused host input is not an overrun");
        assertThrows(IndexOutOfBoundsException.class, () -> uart.enqueueInput(burst, 30, 11));
    }

    @Test
    void inputIsDeliveredInOrderThroughTheFifo() {
        out(IIR_FCR, FCR_ENABLE);
        uart.enqueueInput("hello".getBytes(StandardCharsets.US_ASCII));
        StringBuilder received = new StringBuilder();
        while ((in(LSR) & LSR_DR) != 0) {
            received.append((char) in(RBR_THR_DLL));
        }
        assertEquals("hello", received.toString());
    }

    @Test
    void fifoTriggerLevelChoosesBetweenDataAvailableAndTimeoutIndication() {
        out(IER_DLM, IER_ERBFI);
        out(IIR_FCR, FCR_ENABLE | 0xc0); // trigger level 14
        uart.enqueueInput(new byte[3]);
        assertEquals(IIR_FIFOS_ENABLED | IIR_CHAR_TIMEOUT, in(IIR_FCR), "below the trigger: character timeout");
        uart.enqueueInput(new byte[11]);
        assertEquals(IIR_FIFOS_ENABLED | IIR_RX_DATA, in(IIR_FCR), "at the trigger: data available");
        in(RBR_THR_DLL);
        assertEquals(IIR_FIFOS_ENABLED | IIR_CHAR_TIMEOUT, in(IIR_FCR));
    }

    @Test
    void loopbackOverrunInFifoModeKeepsTheFifoAndFlagsOe() {
        out(IIR_FCR, FCR_ENABLE);
        out(MCR, MCR_LOOP);
        for (int i = 0; i < RX_FIFO_CAPACITY + 1; i++) {
            out(RBR_THR_DLL, 'A' + i);
        }
        assertEquals(LSR_DR | LSR_OE | LSR_THRE | LSR_TEMT, in(LSR));
        assertEquals(LSR_DR | LSR_THRE | LSR_TEMT, in(LSR), "reading LSR resets OE");
        for (int i = 0; i < RX_FIFO_CAPACITY; i++) {
            assertEquals('A' + i, in(RBR_THR_DLL));
        }
        assertEquals(0, in(LSR) & LSR_DR, "the 17th byte was lost");
    }

    @Test
    void loopbackSendsTransmittedBytesToTheReceiverNotTheOutput() {
        out(MCR, MCR_LOOP);
        out(RBR_THR_DLL, 'z');
        uart.flush();
        assertEquals("", out.text());
        assertEquals('z', in(RBR_THR_DLL));
        assertEquals(0, uart.enqueueInput(new byte[] {'h'}), "the serial input is disconnected in loopback");
    }

    @Test
    void blockingInputWaitsForTheGuestAndLosesNothing() throws Exception {
        out(IIR_FCR, FCR_ENABLE);
        byte[] text = "The quick brown fox jumps over the lazy dog".getBytes(StandardCharsets.US_ASCII);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        CountDownLatch done = new CountDownLatch(1);
        Thread feeder = new Thread(() -> {
            try {
                uart.enqueueInputBlocking(text, 0, text.length);
            } catch (Throwable t) {
                failure.set(t);
            } finally {
                done.countDown();
            }
        }, "uart-test-feeder");
        feeder.start();
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (received.size() < text.length && System.nanoTime() < deadline) {
            assertTrue(uart.pendingInputBytes() <= RX_FIFO_CAPACITY, "the receiver never grows past its FIFO");
            if ((in(LSR) & LSR_DR) != 0) {
                received.write(in(RBR_THR_DLL));
            } else {
                Thread.onSpinWait();
            }
        }
        assertTrue(done.await(10, TimeUnit.SECONDS), "the feeder finished");
        assertEquals(null, failure.get());
        assertArrayEquals(text, received.toByteArray());
    }

    @Test
    void inputWaitingDuringLoopbackIsDeliveredWhenLoopbackEnds() throws Exception {
        out(MCR, MCR_LOOP);
        Thread feeder = new Thread(() -> {
            try {
                uart.enqueueInputBlocking(new byte[] {'q'}, 0, 1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        feeder.start();
        Thread.sleep(20);
        assertEquals(0, uart.pendingInputBytes(), "the serial input is disconnected in loopback");
        out(MCR, 0);
        feeder.join(5_000);
        assertFalse(feeder.isAlive(), "leaving loopback woke the waiting feeder");
        assertEquals('q', in(RBR_THR_DLL));
    }

    @Test
    void awaitInputRoomTimesOutWhileFullAndReturnsOnceTheGuestReads() throws Exception {
        uart.enqueueInput(new byte[] {'x'});
        assertFalse(uart.awaitInputRoom(10, TimeUnit.MILLISECONDS));
        in(RBR_THR_DLL);
        assertTrue(uart.awaitInputRoom(0, TimeUnit.MILLISECONDS));
    }

    // ------------------------------------------------------------ modem status and loopback mapping

    @Test
    void loopbackMapsModemControlOutputsToModemStatusInputs() {
        out(MCR, MCR_LOOP | MCR_RTS | MCR_OUT2); // Linux's probe writes LOOP | 0x0A and expects DCD | CTS
        assertEquals(MSR_DCD | MSR_CTS, in(MSR) & 0xf0);
        out(MCR, MCR_LOOP | MCR_DTR | MCR_OUT1);
        assertEquals(MSR_DSR | MSR_RI, in(MSR) & 0xf0);
        out(MCR, 0);
        assertEquals(MSR_CTS | MSR_DSR | MSR_DCD, in(MSR) & 0xf0, "outside loopback: the cable's inputs");
    }

    @Test
    void modemStatusDeltasRecordChangesAndClearOnRead() {
        out(MCR, MCR_LOOP | MCR_OUT1); // from external (CTS DSR DCD) to RI only
        assertEquals(MSR_RI | MSR_DCTS | MSR_DDSR | MSR_DDCD, in(MSR));
        assertEquals(MSR_RI, in(MSR), "deltas cleared by the read");
        out(MCR, MCR_LOOP);
        assertEquals(MSR_TERI, in(MSR), "RI going from 1 to 0 is a trailing edge");
    }

    // ------------------------------------------------------------ output buffering

    @Test
    void outputIsFlushedAtEachNewline() {
        send("line one\n");
        assertEquals(List.of("line one\n"), out.flushed);
        send("two\n");
        assertEquals(List.of("line one\n", "line one\ntwo\n"), out.flushed);
    }

    @Test
    void pollingLsrBetweenBytesKeepsTheLineBuffered() {
        for (byte b : "abc".getBytes(StandardCharsets.US_ASCII)) {
            in(LSR);
            out(RBR_THR_DLL, b);
        }
        in(LSR);
        assertEquals(List.of(), out.flushed, "one LSR poll after a THR write is still streaming");
        assertEquals("", out.text());
    }

    @Test
    void aPromptWithoutNewlineIsFlushedWhenTheGuestTurnsToSomethingElse() {
        send("login: ");
        in(LSR);
        assertEquals("", out.text());
        in(LSR); // polling for input now
        assertEquals("login: ", out.text());

        send("$ ");
        out(IER_DLM, 0); // end of a Linux console write: IER restored
        assertEquals("login: $ ", out.text());
    }

    @Test
    void flushDeliversPendingOutput() {
        send("partial");
        assertEquals("", out.text());
        uart.flush();
        assertEquals(List.of("partial"), out.flushed);
        uart.flush();
        assertEquals(1, out.flushed.size(), "nothing pending, nothing flushed");
    }

    @Test
    void longOutputWithoutNewlineIsFlushedWhenTheBufferFills() {
        for (int i = 0; i < 5000; i++) {
            out(RBR_THR_DLL, 'x');
        }
        assertTrue(out.text().length() >= 4096, "at most one buffer of output is held back");
        uart.flush();
        assertEquals(5000, out.text().length());
    }

    @Test
    void aFailingOutputStreamIsReportedOnceAndTheUartKeepsWorking() {
        int[] attempts = {0};
        OutputStream broken = new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                attempts[0]++;
                throw new IOException("broken pipe");
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                attempts[0]++;
                throw new IOException("broken pipe");
            }
        };
        Uart16550 failing = new Uart16550(0x2f8, broken, InterruptLine.NONE);
        byte[] data = {'\n'};
        failing.write(RBR_THR_DLL, data);
        failing.write(RBR_THR_DLL, data);
        failing.flush();
        assertEquals(1, attempts[0], "the stream is not retried after it failed");
        byte[] lsr = new byte[1];
        failing.read(LSR, lsr);
        assertEquals(LSR_THRE | LSR_TEMT, lsr[0] & 0xff);
    }

    // ------------------------------------------------------------ bus access shapes

    @Test
    void wideAccessesAreSplitIntoConsecutiveRegisters() {
        byte[] data = new byte[2];
        uart.read(LSR, data);
        assertEquals(LSR_THRE | LSR_TEMT, data[0] & 0xff, "LSR");
        assertEquals(MSR_CTS | MSR_DSR | MSR_DCD, data[1] & 0xff, "MSR");
        uart.write(LCR, new byte[] {0x03, MCR_OUT2});
        assertEquals(0x03, in(LCR));
        assertEquals(MCR_OUT2, in(MCR));
    }

    @Test
    void accessesBeyondTheRegisterBlockReadAllOnesAndAreIgnored() {
        byte[] data = new byte[4];
        uart.read(6, data);
        assertEquals(0xff, data[2] & 0xff);
        assertEquals(0xff, data[3] & 0xff);
        byte[] far = new byte[1];
        uart.read(8, far);
        assertEquals(0xff, far[0] & 0xff);
        uart.read(-1, far);
        assertEquals(0xff, far[0] & 0xff);
        uart.write(8, new byte[] {'x'});
        uart.write(-3, new byte[] {'x'});
        uart.flush();
        assertEquals("", out.text());
    }

    // ------------------------------------------------------------ the Linux 8250 driver's view

    @Test
    void linuxAutoconfigDetectsA16550aAndTrustsItsThre() {
        // drivers/tty/serial/8250/8250_port.c, autoconfig(): IER scratch test.
        int scratch = in(IER_DLM);
        out(IER_DLM, 0);
        int scratch2 = in(IER_DLM) & 0x0f;
        out(IER_DLM, 0x0f);
        int scratch3 = in(IER_DLM) & 0x0f;
        out(IER_DLM, scratch);
        assertEquals(0, scratch2);
        assertEquals(0x0f, scratch3);
        // Loopback test.
        out(MCR, MCR_LOOP | 0x0a);
        assertEquals(MSR_DCD | MSR_CTS, in(MSR) & 0xf0);
        out(MCR, 0);
        // FIFO type: IIR >> 6 == 3 means 16550A.
        out(LCR, 0xbf);
        out(IIR_FCR, 0);
        out(LCR, 0);
        out(IIR_FCR, FCR_ENABLE);
        assertEquals(3, in(IIR_FCR) >> 6);
        // autoconfig_16550a: with DLAB set IIR still reads non-zero (no EFR), 64-byte FIFO bits stay 0.
        out(LCR, LCR_DLAB);
        assertTrue(in(IIR_FCR) != 0);
        out(LCR, 0);
        out(IIR_FCR, FCR_ENABLE | 0x20);
        assertEquals(0, in(IIR_FCR) & 0x30, "no 16750 64-byte FIFO");
        out(IIR_FCR, FCR_ENABLE);
        // UUE bit (Xscale) does not stick.
        out(IER_DLM, 0x40);
        assertEquals(0, in(IER_DLM) & 0x40);
        out(IER_DLM, 0);

        // serial8250_do_startup: clear FIFOs, clear interrupt registers, LSR safety check.
        out(IIR_FCR, FCR_ENABLE);
        out(IIR_FCR, FCR_ENABLE | FCR_CLEAR_RX | FCR_CLEAR_TX);
        out(IIR_FCR, 0);
        in(LSR);
        in(RBR_THR_DLL);
        in(IIR_FCR);
        in(MSR);
        assertTrue(in(LSR) != 0xff);
        out(LCR, 0x03);
        out(MCR, MCR_OUT2 | MCR_RTS | MCR_DTR);
        irq.drain();
        // UART_BUG_TXEN test: IER=THRI, then LSR and IIR.
        out(IER_DLM, IER_ETBEI);
        int lsr = in(LSR);
        int iir = in(IIR_FCR);
        out(IER_DLM, 0);
        assertFalse((lsr & LSR_TEMT) != 0 && (iir & IIR_NO_INTERRUPT) != 0, "THRE interrupt seen: no TXEN bug");
        assertEquals(List.of(true, false), irq.drain(), "the line pulsed for the THRE interrupt");
    }

    @Test
    void linuxConsoleWriteThenInterruptDrivenTransmitReachTheOutputInOrder() {
        out(LCR, 0x03);
        out(MCR, MCR_OUT2 | MCR_RTS | MCR_DTR);
        out(IIR_FCR, FCR_ENABLE | 0x80);
        // serial8250_console_write: save IER, IER=0, poll THRE before each byte, poll BOTH_EMPTY, restore IER.
        int savedIer = IER_ERBFI | IER_ETBEI;
        out(IER_DLM, savedIer);
        in(IIR_FCR); // the interrupt handler consumed the THRE interrupt
        irq.drain();
        out(IER_DLM, 0);
        for (byte b : "[    0.000000] Linux\r\n".getBytes(StandardCharsets.US_ASCII)) {
            while ((in(LSR) & LSR_THRE) == 0) {
                Thread.onSpinWait();
            }
            out(RBR_THR_DLL, b);
        }
        assertEquals(LSR_THRE | LSR_TEMT, in(LSR) & (LSR_THRE | LSR_TEMT));
        out(IER_DLM, savedIer);
        assertTrue(irq.level(), "restoring ETBEI raises THRE so the tty layer resumes");
        // The interrupt handler: IIR says THRE, LSR says THRE, up to 16 bytes go out.
        assertEquals(IIR_THR_EMPTY, in(IIR_FCR) & 0x0f);
        assertFalse(irq.level());
        for (byte b : "login: ".getBytes(StandardCharsets.US_ASCII)) {
            out(RBR_THR_DLL, b);
        }
        // Nothing left to send: __stop_tx clears ETBEI.
        out(IER_DLM, IER_ERBFI);
        assertEquals("[    0.000000] Linux\r\nlogin: ", out.text());
        assertFalse(irq.level());
    }
}
