package io.jvmm.devices;

import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An Intel 8042 PS/2 keyboard controller with its auxiliary (mouse) port and no keyboard or mouse
 * attached: enough for Linux's i8042 probe to finish without timeouts and for its {@code reboot=k}
 * path (pulse the reset line with command 0xFE) to end the run.
 *
 * <p>Registered once over {@link #PORT_SPAN} consecutive ports (the PC/AT's 0x60..0x64; the
 * platform chooses the base, jvmm's x86 machine {@code X86Layout.I8042_DATA_PORT}): offset 0 is the
 * data port, offset {@link #COMMAND_OFFSET} the command/status port; the ports between read as
 * all-ones and ignore writes.
 *
 * <p>Commands are handled at once, so the input buffer is never full (status IBF = 0) and a
 * response is in the output buffer (status OBF = 1) by the time the guest polls for it. The
 * controller answers what Linux's {@code drivers/input/serio/i8042.c} asks while probing:
 * self-test 0xAA answers 0x55, interface tests 0xA9/0xAB answer 0x00 (no fault), 0x20..0x3F read
 * and 0x60..0x7F write its RAM (byte 0 is the command byte, "CTR"), 0xA7/0xA8 and 0xAD/0xAE set and
 * clear the port-disable bits in the CTR, 0xD0/0xD1 read and write the output port, 0xD2/0xD3 echo
 * a byte as if the keyboard/mouse had sent it (Linux's AUX loopback test), 0xD4 sends a byte to the
 * (absent) mouse. Commands 0xF0..0xFF pulse output-port lines whose bit in the command's low
 * nibble is 0; bit 0 is the CPU reset line, so 0xFE resets. Unknown commands are ignored.
 *
 * <p>The output-buffer-full condition drives the keyboard interrupt (IRQ 1) when the byte came
 * from the keyboard side or the controller and CTR bit 0 is set, and the auxiliary interrupt
 * (IRQ 12) when it came from the mouse side and CTR bit 1 is set. Linux tests IRQ 12 delivery with
 * the AUX loopback; without a wired auxiliary line that test waits 250 ms and decides there is no
 * mouse port ({@code i8042.noaux} on the kernel command line skips it).
 *
 * <p>Thread-safe: accesses synchronize on the controller, and the interrupt lines are driven under
 * that lock; {@code onReset} runs after it is released.
 */
public final class I8042 implements BusDevice {
    /** Offset of the data port within the registered span. */
    public static final int DATA_OFFSET = 0;
    /** Offset of the command/status port within the registered span. */
    public static final int COMMAND_OFFSET = 4;
    /** The ports the controller spans, data port to command port. */
    public static final int PORT_SPAN = COMMAND_OFFSET + 1;

    // Status register bits (Linux i8042.h I8042_STR_*; IBM PS/2 Technical Reference, "Keyboard/Auxiliary Device Controller").
    /** Status bit 0, OBF: a byte waits in the output buffer; reading the data port empties it. */
    public static final int STATUS_OUTPUT_FULL = 0x01;
    /** Status bit 1, IBF: the controller has not yet taken the last byte written; always 0 here. */
    public static final int STATUS_INPUT_FULL = 0x02;
    /** Status bit 2, the system flag: a copy of {@link #CTR_SYSTEM_FLAG} (set once POST has passed). */
    public static final int STATUS_SYSTEM_FLAG = 0x04;
    /** Status bit 3: the last write went to the command port (1) or the data port (0). */
    public static final int STATUS_LAST_WRITE_COMMAND = 0x08;
    /** 1 = keyboard not inhibited by the keylock; Linux warns "Keylock active" when it reads 0. Always 1 here. */
    public static final int STATUS_KEYLOCK_OFF = 0x10;
    /**
     * Status bit 5: the byte in the output buffer came from the auxiliary (mouse) side; 0 while the
     * buffer is empty.
     */
    public static final int STATUS_AUX_DATA = 0x20;

    // Controller command byte (CTR) bits.
    /** CTR bit 0: raise IRQ 1 while the output buffer holds a byte from the keyboard side or the controller. */
    public static final int CTR_KEYBOARD_INTERRUPT = 0x01;
    /** CTR bit 1: raise IRQ 12 while the output buffer holds a byte from the mouse side. */
    public static final int CTR_AUX_INTERRUPT = 0x02;
    /** CTR bit 2: the system flag, which status bit 2 reflects. */
    public static final int CTR_SYSTEM_FLAG = 0x04;
    /** CTR bit 4: the keyboard interface is disabled ({@link #CMD_DISABLE_KEYBOARD}); stored only. */
    public static final int CTR_KEYBOARD_DISABLED = 0x10;
    /** CTR bit 5: the auxiliary interface is disabled ({@link #CMD_DISABLE_AUX}); stored only. */
    public static final int CTR_AUX_DISABLED = 0x20;
    /** CTR bit 6: translate keyboard scancodes to set 1; stored only, as no keyboard is attached. */
    public static final int CTR_TRANSLATE = 0x40;
    /** What firmware leaves behind: both interrupts on, POST passed, scancode translation on. */
    public static final int CTR_INITIAL =
            CTR_KEYBOARD_INTERRUPT | CTR_AUX_INTERRUPT | CTR_SYSTEM_FLAG | CTR_TRANSLATE;

    // Commands written to the command port.
    /** Commands 0x20..0x3F put RAM byte (command - 0x20) in the output buffer; 0x20 reads the CTR. */
    public static final int CMD_READ_RAM_FIRST = 0x20;
    /** The last read-RAM command. */
    public static final int CMD_READ_RAM_LAST = 0x3f;
    /** Commands 0x60..0x7F write the next data-port byte to RAM byte (command - 0x60); 0x60 writes the CTR. */
    public static final int CMD_WRITE_RAM_FIRST = 0x60;
    /** The last write-RAM command. */
    public static final int CMD_WRITE_RAM_LAST = 0x7f;
    /** Sets {@link #CTR_AUX_DISABLED}. */
    public static final int CMD_DISABLE_AUX = 0xa7;
    /** Clears {@link #CTR_AUX_DISABLED}. */
    public static final int CMD_ENABLE_AUX = 0xa8;
    /** Tests the auxiliary interface: answers {@link #INTERFACE_TEST_PASSED}. */
    public static final int CMD_TEST_AUX = 0xa9;
    /** Controller self-test: answers {@link #SELF_TEST_PASSED}. */
    public static final int CMD_SELF_TEST = 0xaa;
    /** Tests the keyboard interface: answers {@link #INTERFACE_TEST_PASSED}. */
    public static final int CMD_TEST_KEYBOARD = 0xab;
    /** Sets {@link #CTR_KEYBOARD_DISABLED}. */
    public static final int CMD_DISABLE_KEYBOARD = 0xad;
    /** Clears {@link #CTR_KEYBOARD_DISABLED}. */
    public static final int CMD_ENABLE_KEYBOARD = 0xae;
    /** Puts the output port in the output buffer. */
    public static final int CMD_READ_OUTPUT_PORT = 0xd0;
    /** The next data-port byte is written to the output port; bit 0 written as 0 resets the CPU. */
    public static final int CMD_WRITE_OUTPUT_PORT = 0xd1;
    /** The next data-port byte is put in the output buffer as if the keyboard had sent it. */
    public static final int CMD_WRITE_KEYBOARD_OUTPUT = 0xd2;
    /** The next data-port byte is put in the output buffer as if the mouse had sent it. */
    public static final int CMD_WRITE_AUX_OUTPUT = 0xd3;
    /** The next data-port byte goes to the mouse; there is none, so it is dropped. */
    public static final int CMD_WRITE_TO_AUX = 0xd4;
    /**
     * Commands 0xF0..0xFF pulse low the output-port lines whose bit in the low nibble is 0; only
     * bit 0 (reset) acts.
     */
    public static final int CMD_PULSE_FIRST = 0xf0;
    /** Pulse output-port bit 0, the CPU reset line, low. */
    public static final int CMD_PULSE_RESET = 0xfe;

    /** The answer to {@link #CMD_SELF_TEST}: the controller is fine. */
    public static final int SELF_TEST_PASSED = 0x55;
    /** The answer to {@link #CMD_TEST_KEYBOARD} and {@link #CMD_TEST_AUX}: no fault. */
    public static final int INTERFACE_TEST_PASSED = 0x00;

    /** Output port bit 0 drives the CPU reset line (active low): 1 = not in reset. */
    public static final int OUTPUT_PORT_RESET_DEASSERTED = 0x01;
    /** Output port bit 1, the A20 gate; stored and read back only, the model gates nothing. */
    public static final int OUTPUT_PORT_A20 = 0x02;

    private static final int NO_PENDING_COMMAND = -1;
    private static final Logger LOG = LoggerFactory.getLogger(I8042.class);

    private final Runnable onReset;
    private final InterruptLine keyboardIrq;
    private final InterruptLine auxIrq;

    /** Internal RAM; byte 0 is the command byte (CTR). */
    private final byte[] ram = new byte[32];
    private int outputPort = OUTPUT_PORT_RESET_DEASSERTED | OUTPUT_PORT_A20;
    private int outputBuffer;
    private boolean outputFull;
    private boolean outputFromAux;
    private boolean lastWriteWasCommand;
    private int pendingCommand = NO_PENDING_COMMAND;
    private boolean keyboardLevel;
    private boolean auxLevel;

    /**
     * A controller whose reset pulses call {@code onReset} (after the access, outside any lock,
     * once per pulse: Linux pulses up to ten times if the first does not take effect). It starts
     * with the CTR at {@link #CTR_INITIAL} and an empty output buffer.
     *
     * @param onReset     what a reset means on this machine: run on the writing (vCPU) thread once
     *     for each pulse command with bit 0 clear (such as {@link #CMD_PULSE_RESET}) and each
     *     output-port write with bit 0 clear
     * @param keyboardIrq IRQ 1, {@link InterruptLine#NONE} if not wired
     * @param auxIrq      IRQ 12, {@link InterruptLine#NONE} if not wired
     * @throws NullPointerException if an argument is null
     */
    public I8042(Runnable onReset, InterruptLine keyboardIrq, InterruptLine auxIrq) {
        this.onReset = Objects.requireNonNull(onReset, "onReset");
        this.keyboardIrq = Objects.requireNonNull(keyboardIrq, "keyboardIrq");
        this.auxIrq = Objects.requireNonNull(auxIrq, "auxIrq");
        ram[0] = (byte) CTR_INITIAL;
    }

    /**
     * A controller with no interrupt lines wired, for guests run without an interrupt controller.
     *
     * @param onReset what a reset means on this machine, as for
     *     {@link #I8042(Runnable, InterruptLine, InterruptLine)}
     * @throws NullPointerException if {@code onReset} is null
     */
    public I8042(Runnable onReset) {
        this(onReset, InterruptLine.NONE, InterruptLine.NONE);
    }

    @Override
    public String debugLabel() {
        return "i8042";
    }

    @Override
    public synchronized void read(long offset, byte[] data) {
        for (int i = 0; i < data.length; i++) {
            long port = offset + i;
            int value;
            if (port == DATA_OFFSET) {
                value = readData();
            } else if (port == COMMAND_OFFSET) {
                value = status();
            } else {
                value = 0xff;
            }
            data[i] = (byte) value;
        }
    }

    @Override
    public void write(long offset, byte[] data) {
        int resets = 0;
        synchronized (this) {
            for (int i = 0; i < data.length; i++) {
                long port = offset + i;
                int value = data[i] & 0xff;
                if (port == DATA_OFFSET) {
                    lastWriteWasCommand = false;
                    resets += writeData(value);
                } else if (port == COMMAND_OFFSET) {
                    lastWriteWasCommand = true;
                    resets += command(value);
                }
            }
            updateInterruptLines();
        }
        for (int i = 0; i < resets; i++) {
            onReset.run();
        }
    }

    private int status() {
        int ctr = ram[0];
        return (outputFull ? STATUS_OUTPUT_FULL : 0)
                | (ctr & CTR_SYSTEM_FLAG)
                | (lastWriteWasCommand ? STATUS_LAST_WRITE_COMMAND : 0)
                | STATUS_KEYLOCK_OFF
                | (outputFull && outputFromAux ? STATUS_AUX_DATA : 0);
    }

    private int readData() {
        // Reading the data port empties the output buffer; without new data it keeps its last byte.
        outputFull = false;
        updateInterruptLines();
        return outputBuffer;
    }

    /** Returns the number of reset pulses the command produced (0 or 1). */
    private int command(int command) {
        pendingCommand = NO_PENDING_COMMAND;
        if (command >= CMD_READ_RAM_FIRST && command <= CMD_READ_RAM_LAST) {
            respond(ram[command - CMD_READ_RAM_FIRST] & 0xff, false);
            return 0;
        }
        if (command >= CMD_WRITE_RAM_FIRST && command <= CMD_WRITE_RAM_LAST) {
            pendingCommand = command;
            return 0;
        }
        if (command >= CMD_PULSE_FIRST) {
            // Low nibble: 0 = pulse that output-port line low for 6 us; bit 0 is CPU reset.
            return (command & OUTPUT_PORT_RESET_DEASSERTED) == 0 ? 1 : 0;
        }
        switch (command) {
            case CMD_DISABLE_AUX -> ram[0] |= CTR_AUX_DISABLED;
            case CMD_ENABLE_AUX -> ram[0] &= ~CTR_AUX_DISABLED;
            case CMD_DISABLE_KEYBOARD -> ram[0] |= CTR_KEYBOARD_DISABLED;
            case CMD_ENABLE_KEYBOARD -> ram[0] &= ~CTR_KEYBOARD_DISABLED;
            case CMD_SELF_TEST -> respond(SELF_TEST_PASSED, false);
            case CMD_TEST_AUX, CMD_TEST_KEYBOARD -> respond(INTERFACE_TEST_PASSED, false);
            case CMD_READ_OUTPUT_PORT -> respond(outputPort, false);
            case CMD_WRITE_OUTPUT_PORT, CMD_WRITE_KEYBOARD_OUTPUT, CMD_WRITE_AUX_OUTPUT, CMD_WRITE_TO_AUX ->
                    pendingCommand = command;
            default -> LOG.debug("{}: ignoring unknown command 0x{}", debugLabel(), Integer.toHexString(command));
        }
        return 0;
    }

    /** Returns the number of reset pulses the write produced (0 or 1). */
    private int writeData(int value) {
        int command = pendingCommand;
        pendingCommand = NO_PENDING_COMMAND;
        if (command >= CMD_WRITE_RAM_FIRST && command <= CMD_WRITE_RAM_LAST) {
            ram[command - CMD_WRITE_RAM_FIRST] = (byte) value;
            return 0;
        }
        switch (command) {
            case CMD_WRITE_OUTPUT_PORT -> {
                outputPort = value;
                // Writing bit 0 as 0 drives the CPU reset line.
                return (value & OUTPUT_PORT_RESET_DEASSERTED) == 0 ? 1 : 0;
            }
            case CMD_WRITE_KEYBOARD_OUTPUT -> respond(value, false);
            case CMD_WRITE_AUX_OUTPUT -> respond(value, true);
            case CMD_WRITE_TO_AUX -> LOG.debug("{}: no mouse attached; dropping 0x{}", debugLabel(), Integer.toHexString(value));
            default -> LOG.debug("{}: no keyboard attached; dropping 0x{}", debugLabel(), Integer.toHexString(value));
        }
        return 0;
    }

    private void respond(int value, boolean fromAux) {
        outputBuffer = value;
        outputFull = true;
        outputFromAux = fromAux;
    }

    private void updateInterruptLines() {
        int ctr = ram[0];
        boolean keyboard = outputFull && !outputFromAux && (ctr & CTR_KEYBOARD_INTERRUPT) != 0;
        boolean aux = outputFull && outputFromAux && (ctr & CTR_AUX_INTERRUPT) != 0;
        if (keyboard != keyboardLevel) {
            keyboardLevel = keyboard;
            keyboardIrq.setLevel(keyboard);
        }
        if (aux != auxLevel) {
            auxLevel = aux;
            auxIrq.setLevel(aux);
        }
    }

    /**
     * {@return the controller command byte (CTR), 0 to 0xff, as the guest last wrote it;
     * {@link #CTR_INITIAL} until then}
     */
    public synchronized int commandByte() {
        return ram[0] & 0xff;
    }
}
