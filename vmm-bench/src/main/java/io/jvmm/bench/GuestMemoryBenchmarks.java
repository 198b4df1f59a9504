package io.jvmm.bench;

import io.jvmm.memory.GuestAddress;
import io.jvmm.memory.GuestMemory;
import io.jvmm.memory.GuestRange;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

/**
 * GuestMemory scalar accesses through a guest address, region lookup included, against the C
 * baseline's plain loads and stores ({@code vmm-bench/c/membench.c}): the same offsets (xorshift64,
 * seed 42, 8-byte aligned) inside a 256 MiB region. The guest memory has a second region above a
 * hole, as a real layout has (low memory, then memory above the 4 GiB PCI hole), so the lookup is
 * a real search and not a single-region shortcut.
 *
 * <p>The addresses are made with {@code GuestAddress.of} inside the loop, as device code does; the
 * record is expected to be scalar-replaced once the accessor inlines ({@code -prof gc} shows
 * whether anything is allocated).
 */
public class GuestMemoryBenchmarks extends NanosecondBenchmark {
    /** The region the random accesses hit: 256 MiB at guest address 0. */
    static final long LOW_BASE = 0;
    /** The second region: 64 MiB at 4 GiB, above a hole. */
    static final long HIGH_BASE = 1L << 32;
    static final long HIGH_SIZE = 64L << 20;

    GuestMemory memory;
    final long[] addresses = MemoryBenchmarks.offsets(MemoryBenchmarks.RANDOM_MAPPING_SIZE);

    @Setup(Level.Trial)
    public void setUp() {
        memory = GuestMemory.create(
            GuestRange.of(LOW_BASE, MemoryBenchmarks.RANDOM_MAPPING_SIZE),
            GuestRange.of(HIGH_BASE, HIGH_SIZE));
        for (int i = 0; i < addresses.length; i++) {
            addresses[i] += LOW_BASE;
        }
        // Touch every page, as the C baseline's memset does, so no benchmark measures page faults.
        memory.getSliceAtAddr(GuestAddress.of(LOW_BASE), MemoryBenchmarks.RANDOM_MAPPING_SIZE).writeBytes((byte) 1);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        memory.close();
    }

    @Benchmark
    @OperationsPerInvocation(MemoryBenchmarks.BATCH)
    public long readLongFromAddrRandom() {
        GuestMemory m = memory;
        long[] a = addresses;
        long acc = 0;
        for (int i = 0; i < MemoryBenchmarks.BATCH; i++) {
            acc += m.readLongFromAddr(GuestAddress.of(a[i]));
        }
        return acc;
    }

    @Benchmark
    @OperationsPerInvocation(MemoryBenchmarks.BATCH)
    public void writeLongAtAddrRandom() {
        GuestMemory m = memory;
        long[] a = addresses;
        for (int i = 0; i < MemoryBenchmarks.BATCH; i++) {
            m.writeLongAtAddr(i, GuestAddress.of(a[i]));
        }
    }

    @Benchmark
    @OperationsPerInvocation(MemoryBenchmarks.BATCH)
    public long readLongVolatileFromAddrRandom() {
        GuestMemory m = memory;
        long[] a = addresses;
        long acc = 0;
        for (int i = 0; i < MemoryBenchmarks.BATCH; i++) {
            acc += m.readLongVolatileFromAddr(GuestAddress.of(a[i]));
        }
        return acc;
    }

    @Benchmark
    @OperationsPerInvocation(MemoryBenchmarks.BATCH)
    public void writeLongVolatileAtAddrRandom() {
        GuestMemory m = memory;
        long[] a = addresses;
        for (int i = 0; i < MemoryBenchmarks.BATCH; i++) {
            m.writeLongVolatileAtAddr(i, GuestAddress.of(a[i]));
        }
    }

    /** Issue 11: the acquire load virtqueues use for {@code avail.idx}, against plain and volatile. */
    @Benchmark
    @OperationsPerInvocation(MemoryBenchmarks.BATCH)
    public long readLongAcquireFromAddrRandom() {
        GuestMemory m = memory;
        long[] a = addresses;
        long acc = 0;
        for (int i = 0; i < MemoryBenchmarks.BATCH; i++) {
            acc += m.readLongAcquireFromAddr(GuestAddress.of(a[i]));
        }
        return acc;
    }

    /** Issue 11: the release store virtqueues use for {@code used.idx}, against plain and volatile. */
    @Benchmark
    @OperationsPerInvocation(MemoryBenchmarks.BATCH)
    public void writeLongReleaseAtAddrRandom() {
        GuestMemory m = memory;
        long[] a = addresses;
        for (int i = 0; i < MemoryBenchmarks.BATCH; i++) {
            m.writeLongReleaseAtAddr(i, GuestAddress.of(a[i]));
        }
    }
}
