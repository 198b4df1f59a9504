package io.jvmm.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.jna.Pointer;
import io.jvmm.core.ClosedException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Closes mappings (and hands them to arenas) while other threads read and write through them and
 * through their slices. The only outcomes allowed are success and {@link ClosedException};
 * a fault on an unmapped or read-only page would take the test JVM down, which fails the build.
 */
@Timeout(120)
class CloseRaceStressTest {
    private static final long PAGE = MappingState.PAGE_SIZE;
    private static final int SIZE = 256 * 1024;
    private static final int BULK = 64 * 1024;
    private static final int WORKERS = 3;
    private static final int ROUNDS = 300;

    private final ExecutorService pool = Executors.newFixedThreadPool(WORKERS);
    private final ConcurrentLinkedQueue<Throwable> unexpected = new ConcurrentLinkedQueue<>();
    private final AtomicLong succeeded = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();

    @AfterEach
    void shutdown() throws InterruptedException {
        pool.shutdownNow();
        assertTrue(pool.awaitTermination(30, TimeUnit.SECONDS));
    }

    @Test
    void closeRacingWithEveryKindOfAccessOnlyEverThrowsIllegalState() throws Exception {
        SplittableRandom random = new SplittableRandom(20240611);
        for (int round = 0; round < ROUNDS; round++) {
            MemoryMapping target = round % 2 == 0 ? MemoryMapping.builder(SIZE).build() : memfdMapping();
            try (MemoryMapping partner = MemoryMapping.builder(SIZE).build()) {
                AtomicBoolean stop = new AtomicBoolean();
                List<Future<?>> running = start(WORKERS, random, (rnd, started) ->
                    hammerAll(target, partner, rnd, started, stop));
                LockSupport.parkNanos(random.nextLong(0, 300_000));
                target.close();
                LockSupport.parkNanos(50_000);
                stop.set(true);
                awaitAll(running);
            }
        }
        assertNothingUnexpected();
    }

    @Test
    void handOverToAnArenaRacingWithWritesNeverFaultsEvenWhenTheArenaGoesReadOnly() throws Exception {
        SplittableRandom random = new SplittableRandom(7);
        for (int round = 0; round < ROUNDS / 2; round++) {
            MemoryMapping target = round % 2 == 0 ? MemoryMapping.builder(SIZE).build() : memfdMapping();
            // The last page is the marker that must arrive in the arena; writers stay below it.
            target.writeLong(0x5EED0000L + round, SIZE - PAGE);
            AtomicBoolean stop = new AtomicBoolean();
            List<Future<?>> running = start(WORKERS, random, (rnd, started) -> hammerWrites(target, rnd, started, stop));
            LockSupport.parkNanos(random.nextLong(0, 300_000));
            try (MemoryMappingArena arena = MemoryMappingArena.from(target)) {
                assertEquals(0x5EED0000L + round, new Pointer(arena.asPtr()).getLong(SIZE - PAGE));
                // Exactly what would kill a straggling writer had the pages stayed where it aims.
                arena.remove(0, SIZE);
                arena.addAnonProtection(0, SIZE / 2, Protection.none());
                arena.addAnonProtection(SIZE / 2, SIZE / 2, Protection.read());
                LockSupport.parkNanos(50_000);
                stop.set(true);
                awaitAll(running);
            }
        }
        assertNothingUnexpected();
    }

    private static MemoryMapping memfdMapping() {
        try (SharedMemory shm = SharedMemory.create("close-race", SIZE)) {
            return MemoryMapping.builder(SIZE).fromSharedMemory(shm).build();
        }
    }

    interface Worker {
        void run(SplittableRandom random, CountDownLatch started);
    }

    private List<Future<?>> start(int count, SplittableRandom random, Worker worker) throws InterruptedException {
        CountDownLatch started = new CountDownLatch(count);
        List<Future<?>> futures = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            SplittableRandom own = random.split();
            futures.add(pool.submit(() -> worker.run(own, started)));
        }
        started.await();
        return futures;
    }

    private void awaitAll(List<Future<?>> running) throws Exception {
        for (Future<?> future : running) {
            future.get(30, TimeUnit.SECONDS);
        }
    }

    private void assertNothingUnexpected() {
        if (!unexpected.isEmpty()) {
            AssertionError error = new AssertionError(unexpected.size() + " unexpected outcomes; first: " + unexpected.peek());
            unexpected.forEach(error::addSuppressed);
            throw error;
        }
        assertTrue(succeeded.get() > 0, "no access ever got through: the race was not exercised");
        assertTrue(refused.get() > 0, "no access was ever refused: the race was not exercised");
    }

    /** Runs random accesses until told to stop, recording every outcome other than success or ISE. */
    private void loop(SplittableRandom random, CountDownLatch started, AtomicBoolean stop, Runnable[] operations) {
        started.countDown();
        while (!stop.get()) {
            try {
                operations[random.nextInt(operations.length)].run();
                succeeded.incrementAndGet();
            } catch (ClosedException closed) {
                refused.incrementAndGet();
            } catch (Throwable t) {
                unexpected.add(t);
                return;
            }
        }
    }

    private void hammerAll(MemoryMapping m, MemoryMapping partner, SplittableRandom r, CountDownLatch started,
                           AtomicBoolean stop) {
        byte[] bulk = TestSupport.pattern(BULK, 1);
        byte[] bulkIn = new byte[BULK];
        VolatileSlice whole = m.getSlice(0, SIZE);
        VolatileSlice partnerWhole = partner.getSlice(0, SIZE);
        ByteBuffer struct = ByteBuffer.allocate(24);
        Runnable[] operations = {
            () -> m.writeLong(r.nextLong(), r.nextInt(SIZE - 8)),
            () -> m.readLong(r.nextInt(SIZE - 8)),
            () -> m.writeInt(r.nextInt(), r.nextInt(SIZE - 4)),
            () -> m.readInt(r.nextInt(SIZE - 4)),
            () -> m.writeShort((short) 1, r.nextInt(SIZE - 2)),
            () -> m.readShort(r.nextInt(SIZE - 2)),
            () -> m.writeByte((byte) 1, r.nextInt(SIZE)),
            () -> m.readByte(r.nextInt(SIZE)),
            () -> m.writeLongVolatile(1, r.nextInt(SIZE / 8) * 8L),
            () -> m.readLongVolatile(r.nextInt(SIZE / 8) * 8L),
            () -> m.writeIntVolatile(1, r.nextInt(SIZE / 4) * 4L),
            () -> m.readIntVolatile(r.nextInt(SIZE / 4) * 4L),
            () -> m.writeShortVolatile((short) 1, r.nextInt(SIZE / 2) * 2L),
            () -> m.readShortVolatile(r.nextInt(SIZE / 2) * 2L),
            () -> m.writeByteVolatile((byte) 1, r.nextInt(SIZE)),
            () -> m.readByteVolatile(r.nextInt(SIZE)),
            () -> m.writeSlice(bulk, r.nextInt(SIZE - BULK)),
            () -> m.readSlice(bulkIn, r.nextInt(SIZE - BULK)),
            () -> m.writeStruct(struct, r.nextInt(SIZE - 24)),
            () -> m.readStruct(r.nextInt(SIZE - 24), 24),
            () -> whole.subSlice(r.nextInt(SIZE - BULK), BULK).copyFrom(bulk),
            () -> whole.offset(r.nextInt(SIZE - BULK)).copyTo(bulkIn),
            () -> whole.subSlice(r.nextInt(SIZE - BULK), BULK).writeBytes((byte) 7),
            () -> whole.subSlice(r.nextInt(SIZE - BULK), BULK).isAllZero(),
            () -> whole.subSlice(r.nextInt(SIZE - BULK), BULK).copyToVolatileSlice(partnerWhole.subSlice(0, BULK)),
            () -> partnerWhole.subSlice(BULK, BULK).copyToVolatileSlice(whole.subSlice(r.nextInt(SIZE - BULK), BULK)),
            () -> whole.copyToVolatileSlice(whole.offset(1)),
            () -> m.getSlice(r.nextInt(SIZE), 0),
            () -> m.flushRegion(r.nextInt(SIZE - BULK), BULK),
            () -> m.asyncPrefetch(0, SIZE),
            () -> m.dropPageCache(0, PAGE),
            () -> m.removeRange(PAGE, PAGE),
            () -> m.msync(),
            () -> {
                // Away from the pages that removeRange and dropPageCache touch: the kernel
                // refuses those on locked pages (EINVAL) whether or not anything is closing.
                m.lockOnFault(2 * PAGE, 2 * PAGE);
                m.unlock(2 * PAGE, 2 * PAGE);
            },
            m::asPtr,
        };
        loop(r, started, stop, operations);
    }

    private void hammerWrites(MemoryMapping m, SplittableRandom r, CountDownLatch started, AtomicBoolean stop) {
        int limit = (int) (SIZE - PAGE);
        byte[] bulk = TestSupport.pattern(BULK, 2);
        VolatileSlice below = m.getSlice(0, limit);
        Runnable[] operations = {
            () -> m.writeLong(r.nextLong(), r.nextInt(limit - 8)),
            () -> m.writeInt(r.nextInt(), r.nextInt(limit - 4)),
            () -> m.writeShort((short) 3, r.nextInt(limit - 2)),
            () -> m.writeByte((byte) 3, r.nextInt(limit)),
            () -> m.writeLongVolatile(3, r.nextInt(limit / 8) * 8L),
            () -> m.writeIntVolatile(3, r.nextInt(limit / 4) * 4L),
            () -> m.writeByteVolatile((byte) 3, r.nextInt(limit)),
            () -> m.writeSlice(bulk, r.nextInt(limit - BULK)),
            () -> m.writeStruct(ByteBuffer.wrap(bulk, 0, 64), r.nextInt(limit - 64)),
            () -> below.subSlice(r.nextInt(limit - BULK), BULK).copyFrom(bulk),
            () -> below.subSlice(r.nextInt(limit - BULK), BULK).writeBytes((byte) 9),
            () -> below.subSlice(0, BULK).copyToVolatileSlice(below.subSlice(BULK, BULK)),
            () -> m.removeRange(0, PAGE),
        };
        loop(r, started, stop, operations);
    }
}
