package io.jvmm.devices;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class SerialOutputPumpTest {
    private static final Duration PROMPTLY = Duration.ofSeconds(10);

    /** A host stream whose reader has stopped reading: its writes wait until released. */
    private static final class StalledStream extends OutputStream {
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final ByteArrayOutputStream got = new ByteArrayOutputStream();

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            entered.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                throw new IOException(e);
            }
            synchronized (got) {
                got.write(b, off, len);
            }
        }
    }

    /** Records writes and whether the last one was followed by a flush. */
    private static final class RecordingStream extends OutputStream {
        final ByteArrayOutputStream got = new ByteArrayOutputStream();
        boolean flushedAfterLastWrite;

        @Override
        public synchronized void write(int b) {
            got.write(b);
            flushedAfterLastWrite = false;
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            got.write(b, off, len);
            flushedAfterLastWrite = false;
        }

        @Override
        public synchronized void flush() {
            flushedAfterLastWrite = true;
        }
    }

    @Test
    void everyByteReachesTheHostStreamInOrderAndFlushedAcrossTheRingsWrap() throws Exception {
        RecordingStream host = new RecordingStream();
        SerialOutputPump pump = new SerialOutputPump(host, "test-pump");
        Random random = new Random(42);
        byte[] text = new byte[3 * SerialOutputPump.CAPACITY + 17];
        random.nextBytes(text);
        int i = 0;
        while (i < text.length) {
            if (random.nextInt(8) == 0) {
                pump.write(text[i++]);
            } else {
                int n = Math.min(text.length - i, 1 + random.nextInt(5000));
                pump.write(text, i, n);
                i += n;
            }
        }
        pump.awaitWritten();
        synchronized (host) {
            assertArrayEquals(text, host.got.toByteArray());
            assertTrue(host.flushedAfterLastWrite, "awaitWritten returns after the host stream's flush");
        }
        pump.close();
    }

    @Test
    void writesAndFlushesDoNotWaitForAStalledHostStreamWhileTheRingHasRoom() throws Exception {
        StalledStream host = new StalledStream();
        SerialOutputPump pump = new SerialOutputPump(host, "test-pump");
        byte[] chunk = new byte[1024];
        assertTimeoutPreemptively(PROMPTLY, () -> {
            pump.write(chunk);
            assertTrue(host.entered.await(10, TimeUnit.SECONDS), "the pump's thread writes to the host");
            // The chunk the host holds still counts against the ring, so exactly CAPACITY fit.
            for (int written = chunk.length; written < SerialOutputPump.CAPACITY; written += chunk.length) {
                pump.write(chunk);
                pump.flush();
            }
        });
        host.release.countDown();
        pump.awaitWritten();
        synchronized (host.got) {
            assertEquals(SerialOutputPump.CAPACITY, host.got.size());
        }
        pump.close();
    }

    @Test
    void closeReleasesAWriterWaitingForRoomAndDropsWhatFollows() throws Exception {
        StalledStream host = new StalledStream();
        SerialOutputPump pump = new SerialOutputPump(host, "test-pump");
        pump.write('a');
        assertTrue(host.entered.await(10, TimeUnit.SECONDS), "the host holds the first byte");
        pump.write(new byte[SerialOutputPump.CAPACITY - 1]);
        Thread writer = startWriter(() -> pump.write('x'));
        awaitWaiting(writer);

        pump.close();

        writer.join(PROMPTLY.toMillis());
        assertFalse(writer.isAlive(), "close releases the waiting writer");
        assertTimeoutPreemptively(PROMPTLY, () -> {
            pump.write(new byte[2 * SerialOutputPump.CAPACITY]);
            pump.awaitWritten();
        }, "after close nothing waits");
        host.release.countDown();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (pump.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        assertFalse(pump.isAlive(), "the pump's thread ends once the host write in progress returns");
        synchronized (host.got) {
            assertEquals("a", host.got.toString(), "the host write in progress completes; the rest of the ring is dropped");
        }
    }

    @Test
    void theHostStreamsFailureIsThrownToLaterWritesAndToAwaitWritten() throws Exception {
        IOException full = new IOException("No space left on device");
        OutputStream failing = new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                throw full;
            }
        };
        SerialOutputPump pump = new SerialOutputPump(failing, "test-pump");
        pump.write('a');
        IOException e = assertThrows(IOException.class, pump::awaitWritten);
        assertSame(full, e.getCause());
        assertTrue(e.getMessage().contains("No space left on device"), e.getMessage());
        assertSame(full, assertThrows(IOException.class, () -> pump.write('b')).getCause());
        assertSame(full, assertThrows(IOException.class, pump::flush).getCause());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (pump.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        assertFalse(pump.isAlive(), "the pump's thread ends after the failure");
    }

    @Test
    void aPumpNeverWrittenToHasNoThreadAndArgumentsAreChecked() throws Exception {
        SerialOutputPump pump = new SerialOutputPump(OutputStream.nullOutputStream(), "test-pump");
        assertFalse(pump.isAlive());
        assertThrows(IndexOutOfBoundsException.class, () -> pump.write(new byte[4], 3, 2));
        assertThrows(IndexOutOfBoundsException.class, () -> pump.write(new byte[4], -1, 1));
        assertThrows(NullPointerException.class, () -> new SerialOutputPump(null, "x"));
        pump.close();
        pump.write(new byte[8]);
        assertFalse(pump.isAlive(), "a closed pump starts no thread");
    }

    @Test
    void aUartWritingThroughThePumpDeliversItsTextOnAwaitWritten() throws Exception {
        RecordingStream host = new RecordingStream();
        SerialOutputPump pump = new SerialOutputPump(host, "test-pump");
        Uart16550 uart = new Uart16550(0x3f8, pump, InterruptLine.NONE);
        for (byte b : "hello\nworld".getBytes()) {
            uart.write(Uart16550.RBR_THR_DLL, new byte[] {b});
        }
        uart.flush();
        pump.awaitWritten();
        synchronized (host) {
            assertEquals("hello\nworld", host.got.toString());
        }
        pump.close();
    }

    /** A write that may block, for a writer thread. */
    @FunctionalInterface
    private interface Write {
        void run() throws IOException;
    }

    /** Starts a thread named {@code test-writer} that makes {@code write}. */
    private static Thread startWriter(Write write) {
        Thread t = new Thread(() -> {
            try {
                write.run();
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        }, "test-writer");
        t.start();
        return t;
    }

    /** Waits until {@code t} waits (for room in the ring), at most 10 s. */
    private static void awaitWaiting(Thread t) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (t.getState() != Thread.State.WAITING && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        assertEquals(Thread.State.WAITING, t.getState(), "a full ring makes the writer wait");
    }

    private static byte[] pattern(int length, int seed) {
        byte[] b = new byte[length];
        new Random(seed).nextBytes(b);
        return b;
    }

    @Test
    void suspendingFlowControlReleasesAWaitingWriterAndKeepsEveryByteInOrder() throws Exception {
        StalledStream host = new StalledStream();
        SerialOutputPump pump = new SerialOutputPump(host, "test-pump");
        byte[] first = pattern(SerialOutputPump.CAPACITY, 1);
        byte[] beyond = pattern(3 * 1024, 2);
        byte[] later = pattern(5 * 1024, 3);
        pump.write(first);
        assertTrue(host.entered.await(10, TimeUnit.SECONDS), "the pump's thread writes to the host");
        Thread writer = startWriter(() -> pump.write(beyond));
        awaitWaiting(writer);

        pump.suspendFlowControl();

        writer.join(PROMPTLY.toMillis());
        assertFalse(writer.isAlive(), "the end of flow control releases the waiting writer");
        assertTimeoutPreemptively(PROMPTLY, () -> pump.write(later), "with flow control suspended nothing waits");
        assertFalse(pump.awaitWritten(Duration.ofMillis(50)), "the stalled host does not have the bytes");

        host.release.countDown();
        assertTrue(pump.awaitWritten(PROMPTLY), "the ring and what followed it reach the host");
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        expected.writeBytes(first);
        expected.writeBytes(beyond);
        expected.writeBytes(later);
        synchronized (host.got) {
            assertArrayEquals(expected.toByteArray(), host.got.toByteArray());
        }
        assertEquals(0, pump.droppedBytes());
        pump.close();
    }

    @Test
    void underResumedFlowControlAWriterWaitsForWhatWasKeptBeyondTheRing() throws Exception {
        StalledStream host = new StalledStream();
        SerialOutputPump pump = new SerialOutputPump(host, "test-pump");
        pump.suspendFlowControl();
        byte[] kept = pattern(SerialOutputPump.CAPACITY + 4096, 4);
        pump.write(kept);
        assertTrue(host.entered.await(10, TimeUnit.SECONDS), "the pump's thread writes to the host");
        pump.resumeFlowControl();
        Thread writer = startWriter(() -> pump.write('z'));
        awaitWaiting(writer);

        host.release.countDown();
        writer.join(PROMPTLY.toMillis());
        assertFalse(writer.isAlive(), "the writer goes on once the ring has room");
        assertTrue(pump.awaitWritten(PROMPTLY));
        byte[] expected = java.util.Arrays.copyOf(kept, kept.length + 1);
        expected[kept.length] = 'z';
        synchronized (host.got) {
            assertArrayEquals(expected, host.got.toByteArray(), "the new byte follows the kept ones");
        }
        pump.close();
    }

    @Test
    void whatPassesTheSpillLimitIsDroppedAndCounted() throws Exception {
        StalledStream host = new StalledStream();
        SerialOutputPump pump = new SerialOutputPump(host, "test-pump");
        pump.suspendFlowControl();
        byte[] all = pattern(SerialOutputPump.CAPACITY + SerialOutputPump.SPILL_LIMIT + 100, 5);
        pump.write(all, 0, 1);
        assertTrue(host.entered.await(10, TimeUnit.SECONDS), "the host holds the first byte");
        assertTimeoutPreemptively(PROMPTLY, () -> pump.write(all, 1, all.length - 1));
        assertEquals(100, pump.droppedBytes());

        host.release.countDown();
        assertTrue(pump.awaitWritten(PROMPTLY));
        synchronized (host.got) {
            assertArrayEquals(java.util.Arrays.copyOf(all, all.length - 100), host.got.toByteArray(),
                "the ring and the spill reach the host in order; only the excess is dropped");
        }
        pump.close();
    }

    @Test
    void aBoundedAwaitWrittenReturnsFalseForAStalledHostAndDoesNotWait() throws Exception {
        StalledStream host = new StalledStream();
        SerialOutputPump pump = new SerialOutputPump(host, "test-pump");
        pump.write('a');
        assertTrue(host.entered.await(10, TimeUnit.SECONDS));
        assertTimeoutPreemptively(PROMPTLY, () -> {
            assertFalse(pump.awaitWritten(Duration.ZERO));
            assertFalse(pump.awaitWritten(Duration.ofMillis(-5)));
            assertFalse(pump.awaitWritten(Duration.ofSeconds(Long.MIN_VALUE)), "a limit far in the past does not wait either");
            assertFalse(pump.awaitWritten(Duration.ofMillis(100)));
        });
        assertThrows(NullPointerException.class, () -> pump.awaitWritten(null));
        host.release.countDown();
        assertTrue(pump.awaitWritten(Duration.ofSeconds(Long.MAX_VALUE)), "a limit past a long's nanoseconds is no limit");
        pump.close();
    }
}
