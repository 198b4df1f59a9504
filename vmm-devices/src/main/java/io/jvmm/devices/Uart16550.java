package io.jvmm.devices;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A National Semiconductor PC16550D UART (the "16550A" Linux's 8250 driver detects), as found at
 * COM1 on a PC. Register semantics follow the PC16550D datasheet (June 1995), "8.0 Registers"; the
 * section numbers cited below are that datasheet's.
 *
 * <p>What is emulated and what is not:
 * <ul>
 *   <li>Transmission is instantaneous: a byte written to THR leaves at once (to the output stream,
 *       or to the receiver in loopback), so LSR.THRE and LSR.TEMT read 1 whenever the guest can
 *       look. The divisor latch and LCR are stored and read back but do not slow anything down.</li>
 *   <li>The receiver holds at most {@link #RX_FIFO_CAPACITY} bytes in FIFO mode and one byte (the
 *       RBR) in 16450 mode. Host input never overruns: {@link #enqueueInput} takes only what fits
 *       and {@link #enqueueInputBlocking} waits for the guest to make room. Overruns (LSR.OE, the
 *       receiver line status interrupt) happen only in loopback, as on the chip.</li>
 *   <li>The modem inputs of the (virtual) cable read as CTS, DSR and DCD asserted, RI not.</li>
 *   <li>The FIFO character-timeout indication (8.6, IIR = 0xCC) is reported as soon as the RX
 *       FIFO holds data below its trigger level: host input arrives in bursts, so the "no
 *       character for four character times" wait is taken to have already elapsed.</li>
 * </ul>
 *
 * <p>The interrupt output follows the PC wiring: the chip's INTRPT pin reaches the interrupt
 * controller only while MCR.OUT2 is set (PCs gate it through a buffer driven by OUT2), and in
 * loopback the OUT2 pin is forced inactive (8.7 "bit 4"), so the line is low there. The level is
 * "an enabled interrupt condition is pending" — exactly IIR bit 0 clear — and
 * {@link InterruptLine#setLevel} is called on every change, always under this object's lock so
 * level changes from the vCPU and input threads reach the line in order.
 *
 * <p>Output is buffered while the guest streams bytes (THR writes, each possibly preceded by one
 * LSR poll, which is how both Linux's console and polling drivers transmit) and handed to the
 * stream, then flushed, at a newline, when the buffer is full, as soon as the guest accesses any
 * other register (e.g. the IER write that ends a Linux console write, a prompt followed by polling
 * for input), and on {@link #flush()}. The VMM must call {@code flush()} when a run ends.
 *
 * <p>Thread safety: bus accesses come from the vCPU thread and input from another; every public
 * method synchronizes on this object, which is uncontended in the common case.
 */
public final class Uart16550 implements BusDevice {
    /** Registers occupy eight consecutive ports (8.0, Table II). */
    public static final int REGISTER_COUNT = 8;
    /** Depth of the receiver FIFO (1.0 "Features": 16-byte transmit and receive FIFOs). */
    public static final int RX_FIFO_CAPACITY = 16;
    /** The divisor a freshly reset VMM UART holds: 9600 baud from the PC's 1.8432 MHz clock. */
    public static final int DEFAULT_DIVISOR = 12;
    /** Baud rate at divisor 1: 1.8432 MHz / 16 (8.10 "Programmable Baud Generator"). */
    public static final int BASE_BAUD = 115_200;

    // Register offsets (Table II).
    /** Offset 0: RBR (read) and THR (write); DLL, the divisor latch low byte, while {@link #LCR_DLAB} is set. */
    public static final int RBR_THR_DLL = 0;
    /** Offset 1: IER; DLM, the divisor latch high byte, while {@link #LCR_DLAB} is set. */
    public static final int IER_DLM = 1;
    /** Offset 2: IIR (read) and FCR (write). */
    public static final int IIR_FCR = 2;
    /** Offset 3: LCR, the line control register; stored and read back, only {@link #LCR_DLAB} has an effect. */
    public static final int LCR = 3;
    /** Offset 4: MCR, the modem control register. */
    public static final int MCR = 4;
    /** Offset 5: LSR, the line status register; writes are ignored. */
    public static final int LSR = 5;
    /** Offset 6: MSR, the modem status register; writes are ignored. */
    public static final int MSR = 6;
    /** Offset 7: SCR, the scratch register; stored and read back, it controls nothing. */
    public static final int SCR = 7;

    // IER bits (8.5).
    /** IER bit 0: enable the received-data-available interrupt (and the character timeout in FIFO mode). */
    public static final int IER_ERBFI = 0x01;
    /** IER bit 1: enable the THR-empty interrupt; setting it raises that interrupt at once, THR being empty. */
    public static final int IER_ETBEI = 0x02;
    /** IER bit 2: enable the receiver line status interrupt (here only an overrun in loopback). */
    public static final int IER_ELSI = 0x04;
    /** IER bit 3: enable the modem status interrupt (an MSR delta bit set). */
    public static final int IER_EDSSI = 0x08;
    private static final int IER_WRITABLE = 0x0f;

    // IIR values (8.6, Table IV).
    /** IIR bits 0..3: no interrupt pending (bit 0 set). */
    public static final int IIR_NO_INTERRUPT = 0x01;
    /** IIR bits 0..3: receiver line status, priority 1 (highest); reset by reading LSR. */
    public static final int IIR_LINE_STATUS = 0x06;
    /**
     * IIR bits 0..3: received data available, priority 2; reset once RBR reads take the receiver
     * below the trigger level.
     */
    public static final int IIR_RX_DATA = 0x04;
    /**
     * IIR bits 0..3: character timeout, priority 2: FIFO data below the trigger level; reset once
     * RBR reads empty the FIFO.
     */
    public static final int IIR_CHAR_TIMEOUT = 0x0c;
    /** IIR bits 0..3: THR empty, priority 3; reset by reading IIR (with this source) or writing THR. */
    public static final int IIR_THR_EMPTY = 0x02;
    /** IIR bits 0..3: modem status, priority 4 (lowest); reset by reading MSR. */
    public static final int IIR_MODEM_STATUS = 0x00;
    /** IIR bits 6..7: set while the FIFOs are enabled ({@link #FCR_ENABLE}). */
    public static final int IIR_FIFOS_ENABLED = 0xc0;

    // FCR bits (8.4).
    /**
     * FCR bit 0: enable the FIFOs; changing it clears the receiver, and the other bits count only
     * when it is written as 1.
     */
    public static final int FCR_ENABLE = 0x01;
    /** FCR bit 1: clear the receiver FIFO; LSR errors are kept. */
    public static final int FCR_CLEAR_RX = 0x02;
    /** FCR bit 2: clear the transmitter FIFO; nothing to do here, as it is always empty. */
    public static final int FCR_CLEAR_TX = 0x04;
    /** FCR bit 3: DMA mode select; no effect, as the RXRDY and TXRDY pins are not wired. */
    public static final int FCR_DMA_MODE = 0x08;
    private static final int[] RX_TRIGGER_LEVELS = {1, 4, 8, 14};

    // LCR bits (8.1).
    /** LCR bit 7, the divisor latch access bit: offsets 0 and 1 reach DLL and DLM instead of RBR/THR and IER. */
    public static final int LCR_DLAB = 0x80;

    // MCR bits (8.7); bits 5..7 are always 0 on the 16550.
    /** MCR bit 0: DTR; in loopback it drives MSR.DSR. */
    public static final int MCR_DTR = 0x01;
    /** MCR bit 1: RTS; in loopback it drives MSR.CTS. */
    public static final int MCR_RTS = 0x02;
    /** MCR bit 2: OUT1; in loopback it drives MSR.RI. */
    public static final int MCR_OUT1 = 0x04;
    /** MCR bit 3: OUT2, which on a PC gates the interrupt output; in loopback it drives MSR.DCD. */
    public static final int MCR_OUT2 = 0x08;
    /**
     * MCR bit 4: loopback: THR feeds the receiver, MCR bits 0..3 the MSR inputs; host input waits
     * and the line is low.
     */
    public static final int MCR_LOOP = 0x10;
    private static final int MCR_WRITABLE = 0x1f;

    // LSR bits (8.3).
    /** LSR bit 0: data ready, the receiver holds at least one byte. */
    public static final int LSR_DR = 0x01;
    /** LSR bit 1: overrun error, which happens only in loopback; reset by reading LSR. */
    public static final int LSR_OE = 0x02;
    /** LSR bit 2: parity error; never set here. */
    public static final int LSR_PE = 0x04;
    /** LSR bit 3: framing error; never set here. */
    public static final int LSR_FE = 0x08;
    /** LSR bit 4: break interrupt; never set here. */
    public static final int LSR_BI = 0x10;
    /** LSR bit 5: THR empty; always 1, as transmission is instantaneous. */
    public static final int LSR_THRE = 0x20;
    /** LSR bit 6: transmitter empty; always 1. */
    public static final int LSR_TEMT = 0x40;
    /** LSR bit 7: an error in the receiver FIFO; never set here. */
    public static final int LSR_RX_FIFO_ERROR = 0x80;
    private static final int LSR_ERRORS = LSR_OE | LSR_PE | LSR_FE | LSR_BI;

    // MSR bits (8.8).
    /** MSR bit 0: CTS changed since MSR was last read. */
    public static final int MSR_DCTS = 0x01;
    /** MSR bit 1: DSR changed since MSR was last read. */
    public static final int MSR_DDSR = 0x02;
    /** MSR bit 2: RI went from asserted to deasserted since MSR was last read. */
    public static final int MSR_TERI = 0x04;
    /** MSR bit 3: DCD changed since MSR was last read. */
    public static final int MSR_DDCD = 0x08;
    /** MSR bit 4: clear to send; asserted outside loopback, {@link #MCR_RTS} in loopback. */
    public static final int MSR_CTS = 0x10;
    /** MSR bit 5: data set ready; asserted outside loopback, {@link #MCR_DTR} in loopback. */
    public static final int MSR_DSR = 0x20;
    /** MSR bit 6: ring indicator; deasserted outside loopback, {@link #MCR_OUT1} in loopback. */
    public static final int MSR_RI = 0x40;
    /** MSR bit 7: data carrier detect; asserted outside loopback, {@link #MCR_OUT2} in loopback. */
    public static final int MSR_DCD = 0x80;
    private static final int MSR_DELTAS = 0x0f;
    /** The virtual cable's modem inputs outside loopback: a terminal that is present and ready. */
    private static final int EXTERNAL_MODEM_INPUTS = MSR_CTS | MSR_DSR | MSR_DCD;

    private static final int OUTPUT_BUFFER_SIZE = 1024;
    private static final Logger LOG = LoggerFactory.getLogger(Uart16550.class);

    private final String label;
    private final OutputStream out;
    private final InterruptLine irq;

    // Receiver: a ring of RX_FIFO_CAPACITY bytes; in 16450 mode only one slot is used.
    private final byte[] rxFifo = new byte[RX_FIFO_CAPACITY];
    private int rxHead;
    private int rxCount;
    private int lastReceived;

    private int ier;
    private int lcr;
    private int mcr;
    private int lsrErrors;
    private int msrDeltas;
    private int scr;
    private int divisor = DEFAULT_DIVISOR;
    private boolean fifosEnabled;
    private int rxTriggerLevel = 1;
    /** The THRE interrupt source (Table IV): set when THR empties, reset by IIR read or THR write. */
    private boolean thrEmptyInterrupt;
    private boolean irqLevel;

    private final byte[] outBuffer = new byte[OUTPUT_BUFFER_SIZE];
    private int outLength;
    private boolean lastAccessWasThrWrite;
    private boolean outputFailed;

    /**
     * A UART whose transmitter writes to {@code out} and whose interrupt output drives {@code irq}.
     *
     * @param basePort the first of its {@link #REGISTER_COUNT} I/O ports (for its debug label)
     * @param out where transmitted bytes go; the UART does not close it
     * @param irq its interrupt line, {@link InterruptLine#NONE} for a polled-only UART
     * @throws IllegalArgumentException if the register block would not fit in the 64 KiB port space
     */
    public Uart16550(int basePort, OutputStream out, InterruptLine irq) {
        if (basePort < 0 || basePort > 0x10000 - REGISTER_COUNT) {
            throw new IllegalArgumentException(String.format(
                    "UART base port 0x%x: its %d registers must lie within ports 0..0xffff", basePort, REGISTER_COUNT));
        }
        this.label = String.format("uart16550@0x%x", basePort);
        this.out = Objects.requireNonNull(out, "out");
        this.irq = Objects.requireNonNull(irq, "irq");
    }

    @Override
    public String debugLabel() {
        return label;
    }

    /**
     * Reads {@code data.length} consecutive registers starting at {@code offset}, as an ISA bus
     * splits a wide access to an 8-bit device into byte cycles. Offsets outside the register block
     * read as all-ones (nothing drives the bus).
     */
    @Override
    public synchronized void read(long offset, byte[] data) {
        for (int i = 0; i < data.length; i++) {
            long register = offset + i;
            data[i] = (byte) (register >= 0 && register < REGISTER_COUNT ? readRegister((int) register) : 0xff);
        }
    }

    /** Writes {@code data.length} consecutive registers starting at {@code offset}; see {@link #read}. */
    @Override
    public synchronized void write(long offset, byte[] data) {
        for (int i = 0; i < data.length; i++) {
            long register = offset + i;
            if (register >= 0 && register < REGISTER_COUNT) {
                writeRegister((int) register, data[i] & 0xff);
            }
        }
    }

    private int readRegister(int register) {
        boolean streaming = register == LSR && lastAccessWasThrWrite;
        lastAccessWasThrWrite = false;
        if (!streaming) {
            flushOutput();
        }
        boolean dlab = (lcr & LCR_DLAB) != 0;
        switch (register) {
            case RBR_THR_DLL:
                return dlab ? divisor & 0xff : readReceiverBuffer();
            case IER_DLM:
                return dlab ? divisor >>> 8 : ier;
            case IIR_FCR:
                return readInterruptIdentification();
            case LCR:
                return lcr;
            case MCR:
                return mcr;
            case LSR:
                return readLineStatus();
            case MSR:
                return readModemStatus();
            case SCR:
                return scr;
            default:
                throw new AssertionError(register);
        }
    }

    private void writeRegister(int register, int value) {
        boolean dlab = (lcr & LCR_DLAB) != 0;
        boolean thrWrite = register == RBR_THR_DLL && !dlab;
        lastAccessWasThrWrite = thrWrite;
        if (!thrWrite) {
            flushOutput();
        }
        switch (register) {
            case RBR_THR_DLL:
                if (dlab) {
                    divisor = (divisor & 0xff00) | value;
                } else {
                    transmit(value);
                }
                break;
            case IER_DLM:
                if (dlab) {
                    divisor = (divisor & 0x00ff) | (value << 8);
                } else {
                    writeInterruptEnable(value);
                }
                break;
            case IIR_FCR:
                writeFifoControl(value);
                break;
            case LCR:
                lcr = value;
                break;
            case MCR:
                writeModemControl(value);
                break;
            case LSR:
            case MSR:
                // 8.3, 8.8: LSR and MSR are intended for read only; writes are ignored here.
                break;
            case SCR:
                scr = value;
                break;
            default:
                throw new AssertionError(register);
        }
        updateInterruptLine();
    }

    private int readReceiverBuffer() {
        if (rxCount == 0) {
            // The RBR keeps its last character after it has been read (8.2).
            return lastReceived;
        }
        int value = rxFifo[rxHead] & 0xff;
        rxHead = (rxHead + 1) % RX_FIFO_CAPACITY;
        rxCount--;
        lastReceived = value;
        notifyAll(); // an input thread in enqueueInputBlocking may now proceed
        updateInterruptLine();
        return value;
    }

    private int readInterruptIdentification() {
        int id = pendingInterrupt();
        if (id == IIR_THR_EMPTY) {
            // Table IV: the THRE interrupt is reset by reading IIR when THRE is its source.
            thrEmptyInterrupt = false;
            updateInterruptLine();
        }
        return id | (fifosEnabled ? IIR_FIFOS_ENABLED : 0);
    }

    private int readLineStatus() {
        int value = (rxCount > 0 ? LSR_DR : 0) | lsrErrors | LSR_THRE | LSR_TEMT;
        // 8.3: OE, PE, FE and BI are reset whenever the CPU reads LSR.
        lsrErrors = 0;
        updateInterruptLine();
        return value;
    }

    private int readModemStatus() {
        int value = modemInputs() | msrDeltas;
        // 8.8: bits 0..3 (the deltas) are reset when the CPU reads MSR.
        msrDeltas = 0;
        updateInterruptLine();
        return value;
    }

    private void transmit(int value) {
        // Table IV: writing THR resets the THRE interrupt. The line drops here and rises again when
        // the THR empties below, which gives an edge-triggered PIC one edge per byte, as the chip does.
        thrEmptyInterrupt = false;
        updateInterruptLine();
        if ((mcr & MCR_LOOP) != 0) {
            // 8.7 bit 4: the transmitter shift register is looped back into the receiver.
            receiveWithOverrun(value);
        } else {
            outBuffer[outLength++] = (byte) value;
            if (value == '\n' || outLength == outBuffer.length) {
                flushOutput();
            }
        }
        // Transmission is instantaneous, so the THR is empty again at once.
        thrEmptyInterrupt = true;
    }

    private void writeInterruptEnable(int value) {
        int old = ier;
        ier = value & IER_WRITABLE;
        if ((ier & IER_ETBEI) != 0 && (old & IER_ETBEI) == 0) {
            // Enabling the THRE interrupt while THR is empty raises it even if an earlier IIR read
            // had reset it; Linux's 8250 driver tests for exactly this at startup (UART_BUG_THRE)
            // and falls back to polling with a timer on UARTs that do not do it.
            thrEmptyInterrupt = true;
        }
    }

    private void writeFifoControl(int value) {
        boolean enable = (value & FCR_ENABLE) != 0;
        if (enable != fifosEnabled) {
            // 8.4 bit 0: changing between FIFO and 16450 mode clears both FIFOs.
            clearReceiver();
            fifosEnabled = enable;
        }
        if (!enable) {
            // 8.4 bit 0: the other FCR bits are programmed only while bit 0 is written as 1.
            return;
        }
        if ((value & FCR_CLEAR_RX) != 0) {
            clearReceiver();
        }
        // FCR_CLEAR_TX: the transmit FIFO is always empty (instant transmission). FCR_DMA_MODE
        // only changes the RXRDY/TXRDY pins, which nothing is wired to.
        rxTriggerLevel = RX_TRIGGER_LEVELS[(value >>> 6) & 3];
    }

    private void clearReceiver() {
        // 8.4 bits 1: the RX FIFO and its counter are reset; LSR errors are not.
        rxHead = 0;
        rxCount = 0;
        notifyAll();
    }

    private void writeModemControl(int value) {
        int oldInputs = modemInputs();
        mcr = value & MCR_WRITABLE;
        int newInputs = modemInputs();
        int changed = oldInputs ^ newInputs;
        // 8.8: DCTS, DDSR, DDCD flag any change of CTS, DSR, DCD; TERI flags RI going from 1 to 0.
        if ((changed & MSR_CTS) != 0) {
            msrDeltas |= MSR_DCTS;
        }
        if ((changed & MSR_DSR) != 0) {
            msrDeltas |= MSR_DDSR;
        }
        if ((changed & MSR_DCD) != 0) {
            msrDeltas |= MSR_DDCD;
        }
        if ((oldInputs & MSR_RI) != 0 && (newInputs & MSR_RI) == 0) {
            msrDeltas |= MSR_TERI;
        }
        if ((mcr & MCR_LOOP) == 0) {
            notifyAll(); // leaving loopback reconnects the serial input: a waiting input thread may go on
        }
    }

    /** The MSR status bits 4..7: the cable's inputs, or the MCR outputs looped back (8.7 bit 4). */
    private int modemInputs() {
        if ((mcr & MCR_LOOP) == 0) {
            return EXTERNAL_MODEM_INPUTS;
        }
        int looped = 0;
        if ((mcr & MCR_DTR) != 0) {
            looped |= MSR_DSR;
        }
        if ((mcr & MCR_RTS) != 0) {
            looped |= MSR_CTS;
        }
        if ((mcr & MCR_OUT1) != 0) {
            looped |= MSR_RI;
        }
        if ((mcr & MCR_OUT2) != 0) {
            looped |= MSR_DCD;
        }
        return looped;
    }

    private int rxCapacity() {
        return fifosEnabled ? RX_FIFO_CAPACITY : 1;
    }

    /** A character arrives through loopback; a full receiver overruns as 8.3 bit 1 describes. */
    private void receiveWithOverrun(int value) {
        if (rxCount < rxCapacity()) {
            pushReceived(value);
            return;
        }
        lsrErrors |= LSR_OE;
        if (!fifosEnabled) {
            // 16450 mode: the new character overwrites the unread one in the RBR.
            rxFifo[rxHead] = (byte) value;
        }
        // FIFO mode: the character in the shift register is lost, the FIFO is kept.
    }

    private void pushReceived(int value) {
        rxFifo[(rxHead + rxCount) % RX_FIFO_CAPACITY] = (byte) value;
        rxCount++;
    }

    /**
     * The highest-priority enabled pending interrupt (8.6, Table IV), as IIR bits 0..3.
     */
    private int pendingInterrupt() {
        if ((ier & IER_ELSI) != 0 && lsrErrors != 0) {
            return IIR_LINE_STATUS;
        }
        if ((ier & IER_ERBFI) != 0 && rxCount > 0) {
            if (!fifosEnabled || rxCount >= rxTriggerLevel) {
                return IIR_RX_DATA;
            }
            return IIR_CHAR_TIMEOUT;
        }
        if ((ier & IER_ETBEI) != 0 && thrEmptyInterrupt) {
            return IIR_THR_EMPTY;
        }
        if ((ier & IER_EDSSI) != 0 && msrDeltas != 0) {
            return IIR_MODEM_STATUS;
        }
        return IIR_NO_INTERRUPT;
    }

    private void updateInterruptLine() {
        boolean gateOpen = (mcr & (MCR_OUT2 | MCR_LOOP)) == MCR_OUT2;
        boolean level = gateOpen && pendingInterrupt() != IIR_NO_INTERRUPT;
        if (level != irqLevel) {
            irqLevel = level;
            irq.setLevel(level);
        }
    }

    private void flushOutput() {
        if (outLength == 0) {
            return;
        }
        int length = outLength;
        outLength = 0;
        if (outputFailed) {
            return;
        }
        try {
            out.write(outBuffer, 0, length);
            out.flush();
        } catch (IOException e) {
            // The guest cannot be told; report once and discard further output.
            outputFailed = true;
            LOG.warn("{}: output stream failed after {} pending bytes; discarding further output: {}",
                    label, length, e.toString());
        }
    }

    /**
     * Offers host input to the receiver without blocking. Takes as many bytes as fit in the
     * receiver (up to {@link #RX_FIFO_CAPACITY} in FIFO mode, one in 16450 mode, none while in
     * loopback, where the serial input is disconnected) and returns how many it took; the caller
     * keeps the rest, so nothing is lost and the receiver never grows.
     *
     * @param bytes  the input
     * @param offset the index of the first byte to offer
     * @param length the number of bytes to offer
     * @return the number of bytes taken, from 0 to {@code length}: the first ones of the range
     * @throws IndexOutOfBoundsException if {@code offset}/{@code length} do not lie within
     *     {@code bytes}
     */
    public synchronized int enqueueInput(byte[] bytes, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, bytes.length);
        if ((mcr & MCR_LOOP) != 0) {
            return 0;
        }
        int taken = Math.min(length, rxCapacity() - rxCount);
        for (int i = 0; i < taken; i++) {
            pushReceived(bytes[offset + i] & 0xff);
        }
        if (taken > 0) {
            updateInterruptLine();
        }
        return taken;
    }

    /**
     * {@link #enqueueInput(byte[], int, int)} over the whole array.
     *
     * @param bytes the input
     * @return the number of bytes taken, from the start of {@code bytes}
     */
    public int enqueueInput(byte[] bytes) {
        return enqueueInput(bytes, 0, bytes.length);
    }

    /**
     * Delivers all of {@code bytes[offset, offset+length)} to the receiver, waiting while it is
     * full for the guest to read (or clear) it, and while it is in loopback for the guest to leave
     * loopback. For an input thread pumping a host stream; the wait releases this object's lock.
     *
     * @param bytes  the input
     * @param offset the index of the first byte to deliver
     * @param length the number of bytes to deliver
     * @throws IndexOutOfBoundsException if {@code offset}/{@code length} do not lie within
     *     {@code bytes}
     * @throws InterruptedException if the thread is interrupted while waiting; bytes delivered
     *     before that stay delivered
     */
    public synchronized void enqueueInputBlocking(byte[] bytes, int offset, int length) throws InterruptedException {
        Objects.checkFromIndexSize(offset, length, bytes.length);
        int done = 0;
        while (done < length) {
            int taken = enqueueInput(bytes, offset + done, length - done);
            done += taken;
            if (done < length && taken == 0) {
                wait();
            }
        }
    }

    /**
     * Waits until the receiver has room for at least one byte (and is not in loopback) or the
     * timeout passes.
     *
     * @param timeout the longest wait, in {@code unit}s; 0 or less checks without waiting
     * @param unit    the unit of {@code timeout}
     * @return whether there is room now
     * @throws InterruptedException if the thread is interrupted while waiting
     */
    public synchronized boolean awaitInputRoom(long timeout, TimeUnit unit) throws InterruptedException {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        while (!hasInputRoom()) {
            long remaining = deadline - System.nanoTime();
            if (remaining <= 0) {
                return false;
            }
            TimeUnit.NANOSECONDS.timedWait(this, remaining);
        }
        return true;
    }

    private boolean hasInputRoom() {
        return (mcr & MCR_LOOP) == 0 && rxCount < rxCapacity();
    }

    /**
     * Hands buffered output to the stream and flushes it. Call when a run ends or pauses. A failing
     * stream throws nothing here: the failure is logged once and later output is discarded.
     */
    public synchronized void flush() {
        flushOutput();
    }

    /**
     * {@return the current baud-rate divisor (DLM:DLL), 0 to 0xffff; {@link #DEFAULT_DIVISOR} until
     * the guest writes it}
     */
    public synchronized int divisor() {
        return divisor;
    }

    /** {@return the baud rate the guest programmed ({@link #BASE_BAUD} / divisor, rounded down), 0 for divisor 0} */
    public synchronized int baudRate() {
        return divisor == 0 ? 0 : BASE_BAUD / divisor;
    }

    /**
     * {@return whether the interrupt line is currently asserted: the level the UART last drove it
     * to, initially low}
     */
    public synchronized boolean interruptAsserted() {
        return irqLevel;
    }

    /** {@return the number of bytes waiting in the receiver for the guest, 0 to {@link #RX_FIFO_CAPACITY}} */
    public synchronized int pendingInputBytes() {
        return rxCount;
    }
}
