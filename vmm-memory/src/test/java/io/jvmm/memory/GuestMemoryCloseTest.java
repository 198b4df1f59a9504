package io.jvmm.memory;

import static io.jvmm.memory.GuestMemoryTesting.MIB;
import static io.jvmm.memory.GuestMemoryTesting.PAGE;
import static io.jvmm.memory.GuestMemoryTesting.guestMemfdMappings;
import static io.jvmm.memory.GuestMemoryTesting.guestMemfds;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvmm.core.ClosedException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class GuestMemoryCloseTest {
    private static GuestAddress at(long address) {
        return GuestAddress.of(address);
    }

    @Test
    void everyCallAfterCloseIsIllegalStateEvenWithBadArguments() {
        GuestMemory memory = GuestMemory.create(GuestRange.of(0, 4 * PAGE), GuestRange.of(MIB, PAGE));
        ByteArrayOutputStream snapshot = new ByteArrayOutputStream();
        memory.snapshot(snapshot);
        memory.close();

        Map<String, Executable> calls = new LinkedHashMap<>();
        calls.put("numRegions", memory::numRegions);
        calls.put("regions", memory::regions);
        calls.put("endAddr", memory::endAddr);
        calls.put("memorySize", memory::memorySize);
        calls.put("addressInRange", () -> memory.addressInRange(at(0)));
        calls.put("rangeOverlap", () -> memory.rangeOverlap(at(0), at(8)));
        calls.put("checkedOffset", () -> memory.checkedOffset(at(0), 8));
        calls.put("isValidRange", () -> memory.isValidRange(at(0), 8));
        calls.put("offsetFromBase", () -> memory.offsetFromBase(at(0)));
        calls.put("offsetFromBase(gap)", () -> memory.offsetFromBase(at(4 * PAGE)));
        calls.put("getHostAddress", () -> memory.getHostAddress(at(0)));
        calls.put("getHostAddressRange", () -> memory.getHostAddressRange(at(0), 8));
        calls.put("getHostAddressRange(size 0)", () -> memory.getHostAddressRange(at(0), 0));
        calls.put("writeAtAddr", () -> memory.writeAtAddr(new byte[8], at(0)));
        calls.put("readAtAddr", () -> memory.readAtAddr(new byte[8], at(0)));
        calls.put("writeAllAtAddr", () -> memory.writeAllAtAddr(new byte[8], at(0)));
        calls.put("writeAllAtAddr(short)", () -> memory.writeAllAtAddr(new byte[8], at(4 * PAGE - 4)));
        calls.put("readExactAtAddr", () -> memory.readExactAtAddr(new byte[8], at(0)));
        calls.put("writeStructAtAddr", () -> memory.writeStructAtAddr(ByteBuffer.allocate(8), at(0)));
        calls.put("readStructFromAddr", () -> memory.readStructFromAddr(at(0), ByteBuffer.allocate(8)));
        calls.put("readStructFromAddr(length)", () -> memory.readStructFromAddr(at(0), 8));
        calls.put("readStructFromAddr(negative)", () -> memory.readStructFromAddr(at(0), -1));
        calls.put("writeLongAtAddr", () -> memory.writeLongAtAddr(1, at(0)));
        calls.put("writeLongAtAddr(gap)", () -> memory.writeLongAtAddr(1, at(4 * PAGE)));
        calls.put("readLongFromAddr", () -> memory.readLongFromAddr(at(0)));
        calls.put("writeIntAtAddr", () -> memory.writeIntAtAddr(1, at(0)));
        calls.put("readIntFromAddr", () -> memory.readIntFromAddr(at(0)));
        calls.put("writeShortAtAddr", () -> memory.writeShortAtAddr((short) 1, at(0)));
        calls.put("readShortFromAddr", () -> memory.readShortFromAddr(at(0)));
        calls.put("writeByteAtAddr", () -> memory.writeByteAtAddr((byte) 1, at(0)));
        calls.put("readByteFromAddr", () -> memory.readByteFromAddr(at(0)));
        calls.put("writeLongVolatileAtAddr", () -> memory.writeLongVolatileAtAddr(1, at(0)));
        calls.put("writeLongVolatileAtAddr(misaligned)", () -> memory.writeLongVolatileAtAddr(1, at(1)));
        calls.put("readLongVolatileFromAddr", () -> memory.readLongVolatileFromAddr(at(0)));
        calls.put("writeIntVolatileAtAddr", () -> memory.writeIntVolatileAtAddr(1, at(0)));
        calls.put("readIntVolatileFromAddr", () -> memory.readIntVolatileFromAddr(at(0)));
        calls.put("writeShortVolatileAtAddr", () -> memory.writeShortVolatileAtAddr((short) 1, at(0)));
        calls.put("readShortVolatileFromAddr", () -> memory.readShortVolatileFromAddr(at(0)));
        calls.put("writeByteVolatileAtAddr", () -> memory.writeByteVolatileAtAddr((byte) 1, at(0)));
        calls.put("readByteVolatileFromAddr", () -> memory.readByteVolatileFromAddr(at(0)));
        calls.put("getSliceAtAddr", () -> memory.getSliceAtAddr(at(0), 8));
        calls.put("getSliceAtAddr(negative)", () -> memory.getSliceAtAddr(at(0), -8));
        calls.put("removeRange", () -> memory.removeRange(at(0), PAGE));
        calls.put("removeRange(empty)", () -> memory.removeRange(at(0), 0));
        calls.put("snapshot", () -> memory.snapshot(new ByteArrayOutputStream()));
        calls.put("restore", () -> memory.restore(new ByteArrayInputStream(snapshot.toByteArray())));
        for (Map.Entry<String, Executable> call : calls.entrySet()) {
            assertThrows(ClosedException.class, call.getValue(), call.getKey());
        }
        assertTrue(memory.toString().contains("closed"), memory.toString());
    }

    @Test
    void closeIsIdempotentAndReleasesTheMemfdAndItsMappings() {
        int before = guestMemfds();
        long mappedBefore = guestMemfdMappings();
        GuestMemory memory = GuestMemory.create(GuestRange.of(0, PAGE), GuestRange.of(MIB, PAGE), GuestRange.of(4 * MIB, PAGE));
        assertEquals(before + 1, guestMemfds(), "one memfd for all regions");
        assertEquals(mappedBefore + 3, guestMemfdMappings(), "one mapping per region");
        memory.close();
        memory.close();
        assertEquals(before, guestMemfds());
        assertEquals(mappedBefore, guestMemfdMappings(), "no region still maps the memfd");
        assertThrows(ClosedException.class, () -> memory.sharedMemory().asRawDescriptor());
    }

    @Test
    void regionsSlicesAndHostAddressesDieWithTheMemory() {
        GuestMemory memory = GuestMemory.create(GuestRange.of(0, PAGE), GuestRange.of(MIB, PAGE));
        GuestMemoryRegion region = memory.regions().get(1);
        VolatileSlice slice = memory.getSliceAtAddr(at(MIB), 16);
        memory.close();
        assertThrows(ClosedException.class, region::hostAddress);
        assertThrows(ClosedException.class, () -> region.mapping().asPtr());
        assertEquals(PAGE, region.size(), "plain values stay readable");
        assertEquals(at(MIB), region.guestBase());
        assertThrows(ClosedException.class, () -> slice.copyTo(new byte[16]));
        assertThrows(ClosedException.class, () -> slice.copyFrom(new byte[16]));
        assertThrows(ClosedException.class, slice::isAllZero);
        assertThrows(ClosedException.class, () -> slice.writeBytes((byte) 1));
    }

    @Test
    void concurrentClosesCloseOnce() throws InterruptedException {
        int before = guestMemfds();
        for (int round = 0; round < 20; round++) {
            GuestMemory memory = GuestMemory.create(GuestRange.of(0, PAGE), GuestRange.of(MIB, PAGE));
            CountDownLatch go = new CountDownLatch(1);
            AtomicReference<Throwable> failure = new AtomicReference<>();
            List<Thread> closers = new ArrayList<>();
            for (int t = 0; t < 3; t++) {
                Thread closer = new Thread(() -> {
                    try {
                        go.await();
                        memory.close();
                    } catch (Throwable e) {
                        failure.compareAndSet(null, e);
                    }
                });
                closer.start();
                closers.add(closer);
            }
            go.countDown();
            for (Thread closer : closers) {
                closer.join(5000);
            }
            assertNull(failure.get());
        }
        assertEquals(before, guestMemfds());
    }

    /**
     * Threads read and write through guest addresses, through slices taken before and during the
     * run, and take snapshots, while close() runs. Every worker must end with
     * ClosedException and nothing else; a fault would kill the JVM and the build with it.
     */
    @Test
    void closeRacingWithReadersAndWritersNeverFaultsAndEndsEveryWorkerInIllegalState() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1500);
        int rounds = 0;
        while (rounds < 5 || System.nanoTime() < deadline) {
            raceOnce(rounds++);
        }
    }

    private static void raceOnce(long seed) throws InterruptedException {
        long low = MIB;
        long high = 4 * MIB;
        GuestMemory memory = GuestMemory.create(GuestRange.of(high, MIB), GuestRange.of(0, low));
        VolatileSlice early = memory.getSliceAtAddr(at(0), 64 * 1024);
        int workers = 3;
        CountDownLatch running = new CountDownLatch(workers);
        AtomicInteger endedClosed = new AtomicInteger();
        AtomicReference<Throwable> unexpected = new AtomicReference<>();
        List<Thread> threads = new ArrayList<>();
        for (int w = 0; w < workers; w++) {
            SplittableRandom random = new SplittableRandom(seed * 31 + w);
            Thread worker = new Thread(() -> {
                byte[] buffer = new byte[4096];
                long ops = 0;
                try {
                    while (true) {
                        long base = random.nextBoolean() ? 0 : high;
                        GuestAddress addr = at(base + (random.nextLong(MIB - 4096) & ~7L));
                        switch (random.nextInt(9)) {
                            case 0 -> memory.writeLongAtAddr(ops, addr);
                            case 1 -> memory.readLongFromAddr(addr);
                            case 2 -> memory.writeAtAddr(buffer, addr);
                            case 3 -> memory.readAtAddr(buffer, addr);
                            case 4 -> memory.writeIntVolatileAtAddr((int) ops, addr);
                            case 5 -> memory.getSliceAtAddr(addr, 4096).copyFrom(buffer);
                            case 6 -> early.copyTo(buffer);
                            case 7 -> early.writeBytes((byte) ops);
                            default -> {
                                if (random.nextInt(50) == 0) {
                                    memory.snapshot(OutputStream.nullOutputStream());
                                } else {
                                    memory.getSliceAtAddr(addr, 4096).isAllZero();
                                }
                            }
                        }
                        if (++ops == 200) {
                            running.countDown();
                        }
                    }
                } catch (ClosedException closed) {
                    endedClosed.incrementAndGet();
                } catch (Throwable e) {
                    unexpected.compareAndSet(null, e);
                } finally {
                    if (ops < 200) {
                        running.countDown();
                    }
                }
            });
            worker.start();
            threads.add(worker);
        }
        assertTrue(running.await(10, TimeUnit.SECONDS), "workers did not get going");
        Thread.sleep(seed % 3);
        memory.close();
        for (Thread thread : threads) {
            thread.join(10_000);
            assertFalse(thread.isAlive(), "a worker kept running after close");
        }
        if (unexpected.get() != null) {
            throw new AssertionError("round " + seed + ": a worker failed with something other than ClosedException",
                unexpected.get());
        }
        assertEquals(workers, endedClosed.get(), "every worker ends with ClosedException");
        assertThrows(ClosedException.class, () -> early.copyTo(new byte[8]));
    }
}
