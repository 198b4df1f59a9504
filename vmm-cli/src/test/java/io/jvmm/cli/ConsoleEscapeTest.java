package io.jvmm.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ConsoleEscapeTest {
    private final ByteArrayOutputStream help = new ByteArrayOutputStream();

    private ConsoleEscape keys(byte[] typed) {
        return new ConsoleEscape(new ByteArrayInputStream(typed), new PrintStream(help, true, StandardCharsets.UTF_8));
    }

    @Test
    void ordinaryKeysControlCharactersIncludedReachTheGuestUnchanged() throws IOException {
        byte[] typed = {'l', 's', '\r', 0x03, 0x1b, '[', 'A', 0x7f, 0x04};
        assertArrayEquals(typed, keys(typed).readAllBytes());
    }

    @Test
    void ctrlAxQuitsOnceAndEndsTheInput() throws IOException {
        ConsoleEscape keys = keys(new byte[] {'a', 'b', 0x01, 'x', 'c', 'd'});
        AtomicInteger quits = new AtomicInteger();
        keys.onQuit(quits::incrementAndGet);
        assertArrayEquals(new byte[] {'a', 'b'}, keys.readAllBytes(), "what followed the quit never reaches the guest");
        assertTrue(keys.quitRequested());
        assertEquals(1, quits.get());
        assertEquals(-1, keys.read());
    }

    @Test
    void ctrlACtrlASendsOneCtrlAAndHelpGoesToTheUser() throws IOException {
        ConsoleEscape keys = keys(new byte[] {0x01, 0x01, 'z', 0x01, 'h', 0x01, 'q', 'y'});
        assertArrayEquals(new byte[] {0x01, 'z', 'y'}, keys.readAllBytes());
        assertFalse(keys.quitRequested());
        assertTrue(help.toString(StandardCharsets.UTF_8).contains("Ctrl-A x quit"), help::toString);
    }

    @Test
    void anEscapeSplitAcrossReadsStillQuits() throws IOException {
        InputStream oneByteAtATime = new InputStream() {
            private final byte[] bytes = {'k', 0x01, 'x'};
            private int next;

            @Override
            public int read() {
                return next < bytes.length ? bytes[next++] : -1;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                int c = read();
                if (c < 0) {
                    return -1;
                }
                b[off] = (byte) c;
                return 1;
            }
        };
        ConsoleEscape keys = new ConsoleEscape(oneByteAtATime, new PrintStream(help));
        byte[] buffer = new byte[8];
        assertEquals(1, keys.read(buffer, 0, 8));
        assertEquals('k', buffer[0]);
        assertEquals(-1, keys.read(buffer, 0, 8), "the escape alone gives the guest nothing, then the quit ends the stream");
        assertTrue(keys.quitRequested());
        AtomicInteger late = new AtomicInteger();
        keys.onQuit(late::incrementAndGet);
        assertEquals(1, late.get(), "a stop registered after the quit runs at once");
    }
}
