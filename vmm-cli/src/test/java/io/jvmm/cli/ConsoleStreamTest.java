package io.jvmm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ConsoleStreamTest {
    @Test
    void aFullDeviceIsRecordedOnceStopsTheRunAndDropsLaterOutput() throws IOException {
        AtomicInteger stops = new AtomicInteger();
        try (ConsoleStream console = new ConsoleStream(new FileOutputStream("/dev/full"))) {
            console.onFailure(stops::incrementAndGet);
            console.write("Hello".getBytes(), 0, 5);
            console.write('!');
            console.flush();
            assertEquals(1, stops.get(), "the run is stopped at the first failure, once");
            assertTrue(console.failure().orElseThrow().getMessage().contains("No space left on device"),
                console.failure().toString());
        }
    }

    @Test
    void aFailureBeforeTheMachineExistsStopsItAsSoonAsItIsKnown() throws IOException {
        ConsoleStream console = new ConsoleStream(new FileOutputStream("/dev/full"));
        console.write(1);
        AtomicInteger stops = new AtomicInteger();
        console.onFailure(stops::incrementAndGet);
        assertEquals(1, stops.get());
        console.close();
    }

    @Test
    void aWritableStreamGetsEveryByte() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ConsoleStream console = new ConsoleStream(out)) {
            console.write("abc".getBytes(), 1, 2);
            console.write('d');
        }
        assertEquals("bcd", out.toString());
        assertTrue(new ConsoleStream(out).failure().isEmpty());
    }
}
