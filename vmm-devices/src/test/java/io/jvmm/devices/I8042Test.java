package io.jvmm.devices;

import static io.jvmm.devices.I8042.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class I8042Test {
    private int resets;
    private final List<Boolean> keyboardLine = new ArrayList<>();
    private final List<Boolean> auxLine = new ArrayList<>();
    private final I8042 controller = new I8042(() -> resets++, keyboardLine::add, auxLine::add);

    private int status() {
        byte[] data = new byte[1];
        controller.read(COMMAND_OFFSET, data);
        return data[0] & 0xff;
    }

    private int readData() {
        byte[] data = new byte[1];
        controller.read(DATA_OFFSET, data);
        return data[0] & 0xff;
    }

    private void command(int command) {
        controller.write(COMMAND_OFFSET, new byte[] {(byte) command});
    }

    private void writeData(int value) {
        controller.write(DATA_OFFSET, new byte[] {(byte) value});
    }

    /** Linux's i8042_command(): wait for IBF clear, write, wait for OBF, read. */
    private int query(int command) {
        assertEquals(0, status() & STATUS_INPUT_FULL, "input buffer empty before a command");
        command(command);
        assertTrue((status() & STATUS_OUTPUT_FULL) != 0, String.format("command 0x%x answered", command));
        return readData();
    }

    @Test
    void spansTheDataToTheCommandPort() {
        assertEquals(5, I8042.PORT_SPAN);
        assertEquals(4, COMMAND_OFFSET);
        assertEquals("i8042", controller.debugLabel());
    }

    @Test
    void idleStatusHasBothBuffersEmptyAndTheKeylockOff() {
        int status = status();
        assertEquals(0, status & (STATUS_OUTPUT_FULL | STATUS_INPUT_FULL));
        assertEquals(STATUS_KEYLOCK_OFF, status & STATUS_KEYLOCK_OFF, "Linux warns 'Keylock active' otherwise");
        assertEquals(STATUS_SYSTEM_FLAG, status & STATUS_SYSTEM_FLAG, "POST passed");
    }

    @Test
    void selfTestAnswers0x55AndReadingEmptiesTheOutputBuffer() {
        assertEquals(SELF_TEST_PASSED, query(CMD_SELF_TEST));
        assertEquals(0, status() & STATUS_OUTPUT_FULL);
        assertEquals(STATUS_LAST_WRITE_COMMAND, status() & STATUS_LAST_WRITE_COMMAND);
    }

    @Test
    void interfaceTestsReportNoFault() {
        assertEquals(INTERFACE_TEST_PASSED, query(CMD_TEST_KEYBOARD));
        assertEquals(INTERFACE_TEST_PASSED, query(CMD_TEST_AUX));
    }

    @Test
    void commandByteIsReadAndWritten() {
        assertEquals(CTR_INITIAL, query(0x20));
        command(0x60);
        writeData(0x30);
        assertEquals(0, status() & STATUS_LAST_WRITE_COMMAND, "last write went to the data port");
        assertEquals(0x30, query(0x20));
        assertEquals(0x30, controller.commandByte());
        assertEquals(0, status() & STATUS_SYSTEM_FLAG, "the status system flag mirrors CTR bit 2");
    }

    @Test
    void internalRamBeyondTheCommandByteIsReadAndWritten() {
        command(0x65);
        writeData(0xa5);
        assertEquals(0xa5, query(0x25));
        assertEquals(CTR_INITIAL, query(0x20), "the CTR is untouched");
    }

    @Test
    void portDisableCommandsSetAndClearTheirCommandByteBits() {
        command(CMD_DISABLE_AUX);
        assertEquals(CTR_AUX_DISABLED, query(0x20) & CTR_AUX_DISABLED);
        command(CMD_ENABLE_AUX);
        assertEquals(0, query(0x20) & CTR_AUX_DISABLED);
        command(CMD_DISABLE_KEYBOARD);
        assertEquals(CTR_KEYBOARD_DISABLED, query(0x20) & CTR_KEYBOARD_DISABLED);
        command(CMD_ENABLE_KEYBOARD);
        assertEquals(0, query(0x20) & CTR_KEYBOARD_DISABLED);
    }

    @Test
    void auxLoopbackEchoesAsMouseDataOnIrq12() {
        command(CMD_WRITE_AUX_OUTPUT);
        writeData(0x5a);
        assertEquals(STATUS_OUTPUT_FULL | STATUS_AUX_DATA, status() & (STATUS_OUTPUT_FULL | STATUS_AUX_DATA));
        assertEquals(List.of(true), auxLine, "CTR enables the aux interrupt");
        assertEquals(List.of(), keyboardLine);
        assertEquals(0x5a, readData());
        assertEquals(List.of(true, false), auxLine);
        assertEquals(0, status() & STATUS_AUX_DATA);
    }

    @Test
    void keyboardOutputRaisesIrq1OnlyWhileItsInterruptIsEnabled() {
        command(CMD_WRITE_KEYBOARD_OUTPUT);
        writeData(0x1c);
        assertEquals(List.of(true), keyboardLine);
        assertEquals(0x1c, readData());
        assertEquals(List.of(true, false), keyboardLine);
        keyboardLine.clear();
        command(0x60);
        writeData(CTR_SYSTEM_FLAG);
        command(CMD_WRITE_KEYBOARD_OUTPUT);
        writeData(0x1c);
        assertEquals(List.of(), keyboardLine, "CTR bit 0 clear: no IRQ 1");
        assertEquals(STATUS_OUTPUT_FULL, status() & STATUS_OUTPUT_FULL);
    }

    @Test
    void outputPortReadsBackWhatWasWritten() {
        assertEquals(OUTPUT_PORT_RESET_DEASSERTED | OUTPUT_PORT_A20, query(CMD_READ_OUTPUT_PORT));
        command(CMD_WRITE_OUTPUT_PORT);
        writeData(0xdf); // what boot loaders write to enable A20
        assertEquals(0xdf, query(CMD_READ_OUTPUT_PORT));
        assertEquals(0, resets);
    }

    @Test
    void pulsingTheResetLineCallsOnReset() {
        command(CMD_PULSE_RESET);
        assertEquals(1, resets);
        command(0xff); // pulse nothing
        assertEquals(1, resets);
        command(0xf0); // pulse all four lines, reset among them
        assertEquals(2, resets);
    }

    @Test
    void writingTheOutputPortWithResetLowResets() {
        command(CMD_WRITE_OUTPUT_PORT);
        writeData(0xfe);
        assertEquals(1, resets);
    }

    @Test
    void linuxRebootThroughTheKeyboardControllerResetsOnTheFirstPulse() {
        // arch/x86/kernel/reboot.c, BOOT_KBD: up to ten times { kb_wait(); outb(0xfe, 0x64); }.
        for (int i = 0; i < 10 && resets == 0; i++) {
            int spins = 0;
            while ((status() & STATUS_INPUT_FULL) != 0 && spins++ < 0x10000) {
                Thread.onSpinWait();
            }
            command(0xfe);
        }
        assertEquals(1, resets);
    }

    @Test
    void unknownCommandsAndDeviceBytesAreIgnored() {
        command(0xc5);
        command(0xa1);
        writeData(0xf2); // to the keyboard: none attached
        command(CMD_WRITE_TO_AUX);
        writeData(0xff); // to the mouse: none attached
        assertEquals(0, status() & STATUS_OUTPUT_FULL);
        assertEquals(CTR_INITIAL, query(0x20), "a data byte without a pending command changes nothing");
        assertEquals(0, resets);
    }

    @Test
    void linuxProbeFinishesWithoutWaitingOnAnything() {
        // drivers/input/serio/i8042.c: flush, self-test, read CTR until stable, write CTR, AUX checks.
        int flushed = 0;
        while ((status() & STATUS_OUTPUT_FULL) != 0 && flushed++ < 16) {
            readData();
        }
        assertTrue(flushed < 16, "i8042_flush empties the controller");
        assertEquals(SELF_TEST_PASSED, query(CMD_SELF_TEST));
        int ctr = query(0x20);
        assertEquals(ctr, query(0x20), "two CTR reads agree");
        ctr = (ctr | CTR_KEYBOARD_DISABLED) & ~CTR_KEYBOARD_INTERRUPT;
        command(0x60);
        writeData(ctr);
        // i8042_check_aux: AUX loopback, then the bit-assignment test.
        command(CMD_WRITE_AUX_OUTPUT);
        writeData(0x5a);
        assertTrue((status() & STATUS_AUX_DATA) != 0, "the loop answer comes from the aux side");
        assertEquals(0x5a, readData());
        command(CMD_DISABLE_AUX);
        assertEquals(CTR_AUX_DISABLED, query(0x20) & CTR_AUX_DISABLED);
        command(CMD_ENABLE_AUX);
        assertEquals(0, query(0x20) & CTR_AUX_DISABLED);
        assertEquals(0, resets);
    }

    @Test
    void portsBetweenDataAndCommandReadAllOnes() {
        byte[] data = new byte[3];
        controller.read(1, data);
        for (byte b : data) {
            assertEquals(0xff, b & 0xff);
        }
        controller.write(1, new byte[] {(byte) 0xfe, (byte) 0xfe, (byte) 0xfe});
        assertEquals(0, resets, "0xfe written next to the command port is not a command");
    }

    @Test
    void controllerWithoutWiredLinesStillAnswers() {
        int[] count = {0};
        I8042 bare = new I8042(() -> count[0]++);
        bare.write(COMMAND_OFFSET, new byte[] {(byte) CMD_SELF_TEST});
        byte[] data = new byte[1];
        bare.read(DATA_OFFSET, data);
        assertEquals(SELF_TEST_PASSED, data[0] & 0xff);
        bare.write(COMMAND_OFFSET, new byte[] {(byte) CMD_PULSE_RESET});
        assertEquals(1, count[0]);
    }
}
