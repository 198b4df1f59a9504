package io.jvmm.core;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class EventFdTest {
    @Test
    void closeWaitsForAnAddOrDrainInProgressOnAnotherThread() throws Exception {
        // add and drain run their syscall under the eventfd's monitor; a thread holding it plays
        // one in progress. A close that did not wait could free the number between that call's
        // check and its write(2), and the 8 bytes would go to whatever file reused the number.
        EventFd e = EventFd.create();
        java.util.concurrent.CountDownLatch inside = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.atomic.AtomicBoolean closedMeanwhile = new java.util.concurrent.atomic.AtomicBoolean(true);
        Thread signaller = new Thread(() -> {
            synchronized (e) {
                inside.countDown();
                try {
                    Thread.sleep(300);
                } catch (InterruptedException ignored) {
                    Thread.currentThread().interrupt();
                }
                closedMeanwhile.set(e.isClosed());
            }
        });
        signaller.start();
        assertTrue(inside.await(10, TimeUnit.SECONDS));
        e.close();
        signaller.join();
        assertFalse(closedMeanwhile.get(), "close went ahead while a call held the descriptor");
        assertTrue(e.isClosed());
    }

    @Test
    void drainReturnsTheSignalsSinceTheLastDrainAndThenZero() {
        try (EventFd e = EventFd.create()) {
            assertEquals(0, e.drain());
            e.signal();
            e.add(4);
            assertEquals(5, e.drain());
            assertEquals(0, e.drain());
        }
    }

    @Test
    void awaitReportsOnlyTheSignalledEventsAndTimesOutWithNone() {
        try (EventFd a = EventFd.create(); EventFd b = EventFd.create(); EventFd c = EventFd.create()) {
            EventSet set = new EventSet(List.of(a, b, c));
            assertEquals(0, set.await(10));
            b.signal();
            c.signal();
            assertEquals(0b110, set.await(-1));
            b.drain();
            assertEquals(0b100, set.await(0));
        }
    }

    @Test
    void awaitWakesWhenAnotherThreadSignals() throws Exception {
        try (EventFd stop = EventFd.create()) {
            EventSet set = new EventSet(List.of(stop));
            CompletableFuture<Long> waiter = CompletableFuture.supplyAsync(() -> set.await(-1));
            Thread.sleep(50);
            assertFalse(waiter.isDone());
            stop.signal();
            assertEquals(1L, waiter.get(5, TimeUnit.SECONDS));
        }
    }

    @Test
    void aClosedEventFdIsRefusedNotReused() {
        EventFd e = EventFd.create();
        e.close();
        e.close();
        assertThrows(ClosedException.class, e::signal);
        assertThrows(ClosedException.class, e::drain);
        assertThrows(ClosedException.class, () -> new EventSet(List.of(e)).await(0));
    }

    @Test
    void incrementsAnEventfdCannotTakeAreRefused() {
        try (EventFd e = EventFd.create()) {
            assertThrows(IllegalArgumentException.class, () -> e.add(0));
            assertThrows(IllegalArgumentException.class, () -> e.add(-1L));
        }
    }

    @Test
    void flockTellsAHolderFromAFreeFile() throws Exception {
        java.nio.file.Path f = java.nio.file.Files.createTempFile("jvmm-flock", ".img");
        try (SafeDescriptor one = SafeDescriptor.open(f.toString(), LibC.O_RDWR);
             SafeDescriptor two = SafeDescriptor.open(f.toString(), LibC.O_RDWR)) {
            assertEquals(0, LibC.flockErrno(one.asRawDescriptor(), LibC.LOCK_EX | LibC.LOCK_NB));
            assertEquals(Errno.EWOULDBLOCK, LibC.flockErrno(two.asRawDescriptor(), LibC.LOCK_EX | LibC.LOCK_NB));
            assertEquals(Errno.EWOULDBLOCK, LibC.flockErrno(two.asRawDescriptor(), LibC.LOCK_SH | LibC.LOCK_NB));
        } finally {
            java.nio.file.Files.delete(f);
        }
    }
}
