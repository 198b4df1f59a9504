package io.jvmm.machine.guest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvmm.x86.X86Layout;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Checks of the built-in guests that need no processor: where they load and start, that they carry
 * their contract's strings and constants, and that they stay small. Running them is the KVM
 * integration tests' job.
 */
class BuiltInGuestsTest {
    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private static byte[] asciz(String text) {
        byte[] bytes = (text + "\0").getBytes(StandardCharsets.US_ASCII);
        return bytes;
    }

    private static byte[] bytes(int... values) {
        byte[] out = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (byte) values[i];
        }
        return out;
    }

    @Test
    void demoGuestIsLoadedAndEnteredAtHimemInLongMode() {
        GuestImage demo = BuiltInGuests.longModeDemo();
        assertEquals(BuiltInGuests.DEMO_NAME, demo.name());
        assertEquals(CpuMode.LONG, demo.mode());
        assertEquals(X86Layout.HIMEM_START, demo.loadAddress());
        assertEquals(X86Layout.HIMEM_START, demo.entryAddress());
        assertTrue(demo.size() < 512, "tiny: " + demo.size() + " bytes");
    }

    @Test
    void demoGuestCarriesItsTwoStringsNulTerminated() {
        byte[] image = BuiltInGuests.longModeDemo().image();
        assertTrue(indexOf(image, asciz(BuiltInGuests.DEMO_GREETING)) > 0);
        assertTrue(indexOf(image, asciz(BuiltInGuests.DEMO_RESULT_PREFIX)) > 0);
    }

    @Test
    void demoGuestEndsByPulsingResetThroughTheI8042ThenHalting() {
        byte[] image = BuiltInGuests.longModeDemo().image();
        // mov al, 0xfe; out 0x64, al; cli; hlt; jmp back to cli
        int at = indexOf(image, bytes(0xb0, 0xfe, 0xe6, X86Layout.I8042_COMMAND_PORT, 0xfa, 0xf4, 0xeb, 0xfc));
        assertTrue(at > 0, "reset sequence present");
    }

    @Test
    void demoGuestSignalsBootCompleteOnItsPort() {
        byte[] image = BuiltInGuests.longModeDemo().image();
        int port = X86Layout.BOOT_COMPLETE_PORT;
        // mov al, 123; mov edx, 0x3f0; out dx, al
        assertTrue(indexOf(image, bytes(0xb0, X86Layout.BOOT_COMPLETE_VALUE, 0xba, port & 0xff, port >> 8, 0, 0, 0xee)) > 0);
    }

    @Test
    void demoOutputIsTheGreetingThenTheResultInSixteenHexDigits() {
        assertEquals(BuiltInGuests.DEMO_GREETING + BuiltInGuests.DEMO_RESULT_PREFIX + "0000000000000007\n",
                BuiltInGuests.demoOutput(0));
        assertEquals(BuiltInGuests.DEMO_GREETING + BuiltInGuests.DEMO_RESULT_PREFIX + "369d0369d0369cd7\n",
                BuiltInGuests.demoOutput(0x123456789abcdef0L));
        assertEquals(4, BuiltInGuests.demoResult(-1), "wraps modulo 2^64");
    }

    @Test
    void mailboxWordsLieInTheMailboxPageBelowTheBootStack() {
        assertEquals(X86Layout.MAILBOX_ADDR, BuiltInGuests.MAILBOX_INPUT_ADDR);
        assertEquals(X86Layout.MAILBOX_ADDR + 8, BuiltInGuests.MAILBOX_RESULT_ADDR);
        assertTrue(BuiltInGuests.MAILBOX_RESULT_ADDR + 8 <= X86Layout.MAILBOX_ADDR + 0x1000);
        // The demo guest nests calls two deep (16 bytes of stack): the stack must not reach the mailbox.
        assertTrue(X86Layout.BOOT_STACK_POINTER - 64 >= BuiltInGuests.MAILBOX_RESULT_ADDR + 8);
    }

    @Test
    void realModeGuestIsEnteredAtTheStartOfItsSegment() {
        GuestImage real = BuiltInGuests.realModeHello();
        assertEquals(CpuMode.REAL, real.mode());
        assertEquals(X86Layout.REAL_MODE_LOAD_ADDR, real.loadAddress());
        assertEquals(real.loadAddress(), real.entryAddress(), "CS = load >> 4, IP = 0");
        assertTrue(indexOf(real.image(), asciz(BuiltInGuests.REAL_MODE_GREETING)) > 0);
        // It sets DS from CS first (mov ax, cs; mov ds, ax), so it needs nothing but CS:IP.
        assertEquals(0, indexOf(real.image(), bytes(0x8c, 0xc8, 0x8e, 0xd8)));
        assertTrue(real.size() < 256);
    }

    @Test
    void exitBenchmarkGuestLoopsOnOneOutPerIteration() {
        GuestImage bench = BuiltInGuests.exitBenchmark();
        assertEquals(CpuMode.LONG, bench.mode());
        assertEquals(X86Layout.HIMEM_START, bench.entryAddress());
        int port = X86Layout.EXIT_BENCHMARK_PORT;
        byte[] image = bench.image();
        assertTrue(indexOf(image, bytes(0xba, port & 0xff, port >> 8, 0, 0)) > 0, "mov edx, EXIT_BENCHMARK_PORT");
        // loop: out dx, al; dec rcx; jnz loop
        assertTrue(indexOf(image, bytes(0xee, 0x48, 0xff, 0xc9, 0x75, 0xfa)) > 0);
        assertTrue(bench.size() < 64);
    }

    @Test
    void guestsAreBuiltTheSameWayEveryTime() {
        for (int i = 0; i < 2; i++) {
            assertEquals(BuiltInGuests.longModeDemo(), BuiltInGuests.longModeDemo());
            assertEquals(BuiltInGuests.realModeHello(), BuiltInGuests.realModeHello());
            assertEquals(BuiltInGuests.exitBenchmark(), BuiltInGuests.exitBenchmark());
        }
    }

    @Test
    void printedTextIsAsciiLinesEndingInNewline() {
        for (String line : List.of(BuiltInGuests.DEMO_GREETING, BuiltInGuests.REAL_MODE_GREETING, BuiltInGuests.demoOutput(42))) {
            assertTrue(line.endsWith("\n"));
            assertTrue(line.chars().allMatch(c -> c < 0x80 && c != 0), line);
        }
    }
}
