package io.jvmm.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.jna.Memory;
import io.jvmm.core.LibC;
import io.jvmm.core.SafeDescriptor;
import io.jvmm.core.SyscallException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Raw mode on a real pseudo-terminal, and the settings put back afterwards. */
class TerminalModeTest {
    /** asm-generic/ioctls.h: unlock the pty pair, get the slave's number. */
    private static final long TIOCSPTLCK = 0x40045431L;
    private static final long TIOCGPTN = 0x80045430L;
    private static final int O_NOCTTY = 0400;
    private static final int ICANON = 0x2;
    private static final int ECHO = 0x8;
    private static final int ISIG = 0x1;
    private static final int C_LFLAG = 12;

    @Test
    void aTerminalGoesRawForInputKeepsOutputProcessingAndIsRestored() {
        assumeTrue(Files.exists(Path.of("/dev/ptmx")), "no /dev/ptmx here");
        try (SafeDescriptor master = SafeDescriptor.open("/dev/ptmx", LibC.O_RDWR | O_NOCTTY);
             SafeDescriptor slave = openSlave(master)) {
            int fd = slave.asRawDescriptor();
            byte[] before = LibC.tcgetattrChecked(fd);
            assertTrue((lflag(before) & ICANON) != 0, "a new pty starts in canonical mode");
            Optional<TerminalMode> mode = TerminalMode.rawIfTerminal(fd);
            assertTrue(mode.isPresent());
            byte[] raw = LibC.tcgetattrChecked(fd);
            assertEquals(0, lflag(raw) & (ICANON | ECHO | ISIG), "no line editing, echo or keyboard signals");
            int oflag = TerminalMode.littleEndianInt(raw, LibC.TERMIOS_C_OFLAG);
            assertEquals(LibC.OPOST | LibC.ONLCR, oflag & (LibC.OPOST | LibC.ONLCR), "output still turns \\n into \\r\\n");
            mode.get().close();
            mode.get().close();
            assertArrayEquals(before, LibC.tcgetattrChecked(fd), "every setting is back");
        }
    }

    @Test
    void aPipeOrFileIsNoTerminalAndStaysAsItIs() {
        try (SafeDescriptor devNull = SafeDescriptor.open("/dev/null", LibC.O_RDONLY)) {
            assertTrue(TerminalMode.rawIfTerminal(devNull.asRawDescriptor()).isEmpty());
        }
        assertTrue(TerminalMode.rawIfTerminal(-1).isEmpty());
    }

    private static SafeDescriptor openSlave(SafeDescriptor master) {
        try (Memory word = new Memory(4)) {
            word.setInt(0, 0);
            LibC.ioctlChecked(master.asRawDescriptor(), TIOCSPTLCK, com.sun.jna.Pointer.nativeValue(word));
            LibC.ioctlChecked(master.asRawDescriptor(), TIOCGPTN, com.sun.jna.Pointer.nativeValue(word));
            return SafeDescriptor.open("/dev/pts/" + word.getInt(0), LibC.O_RDWR | O_NOCTTY);
        } catch (SyscallException e) {
            assumeTrue(false, "no pseudo-terminals here: " + e.getMessage());
            throw e;
        }
    }

    private static int lflag(byte[] termios) {
        return TerminalMode.littleEndianInt(termios, C_LFLAG);
    }
}
