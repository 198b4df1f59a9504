package io.jvmm.bench;

import io.jvmm.memory.MemoryMapping;
import io.jvmm.memory.VolatileSlice;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * MemoryMapping against the C baseline in {@code vmm-bench/c/membench.c}: the same operations on
 * the same kind of memory with the same offsets. Run both with {@code vmm-bench/run.sh}.
 */
public class MemoryBenchmarks extends NanosecondBenchmark {
    static final int BATCH = 1024;
    static final long RANDOM_MAPPING_SIZE = 256L << 20;

    /** Bulk copy sizes: 64 KiB and 16 MiB, as in the C baseline. */
    @State(Scope.Thread)
    public static class Bulk {
        @Param({"65536", "16777216"})
        public int size;
        MemoryMapping mapping;
        VolatileSlice slice;
        byte[] heap;

        @Setup(Level.Trial)
        public void setUp() {
            mapping = MemoryMapping.builder(size).build();
            heap = new byte[size];
            java.util.Arrays.fill(heap, (byte) 2);
            slice = mapping.getSlice(0, size);
            slice.writeBytes((byte) 1);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            mapping.close();
        }
    }

    /** A 256 MiB mapping and BATCH aligned offsets from the C baseline's xorshift64 sequence. */
    @State(Scope.Thread)
    public static class Random {
        MemoryMapping mapping;
        final long[] offsets = offsets(RANDOM_MAPPING_SIZE);

        @Setup(Level.Trial)
        public void setUp() {
            mapping = MemoryMapping.builder(RANDOM_MAPPING_SIZE).build();
            mapping.getSlice(0, RANDOM_MAPPING_SIZE).writeBytes((byte) 1);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            mapping.close();
        }
    }

    /** A 64 KiB mapping (it stays in L2) and BATCH aligned offsets inside it, as membench's hot cases. */
    @State(Scope.Thread)
    public static class Hot {
        static final long SIZE = 64 * 1024;
        MemoryMapping mapping;
        final long[] offsets = offsets(SIZE);

        @Setup(Level.Trial)
        public void setUp() {
            mapping = MemoryMapping.builder(SIZE).build();
            mapping.getSlice(0, SIZE).writeBytes((byte) 1);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            mapping.close();
        }
    }

    /** xorshift64 with seed 42, exactly as membench.c, scaled to 8-byte aligned offsets. */
    static long[] offsets(long size) {
        long[] result = new long[BATCH];
        long s = 42;
        for (int i = 0; i < BATCH; i++) {
            s ^= s << 13;
            s ^= s >>> 7;
            s ^= s << 17;
            result[i] = Long.remainderUnsigned(s, size / 8) * 8;
        }
        return result;
    }

    @Benchmark
    public int writeSlice(Bulk b) {
        return b.mapping.writeSlice(b.heap, 0);
    }

    @Benchmark
    public int readSlice(Bulk b) {
        return b.mapping.readSlice(b.heap, 0);
    }

    /** VolatileSlice.writeBytes over the whole mapping, against C memset. */
    @Benchmark
    public void writeBytes(Bulk b) {
        b.slice.writeBytes((byte) 3);
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long readLongRandom(Random r) {
        return readLongs(r.mapping, r.offsets);
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void writeLongRandom(Random r) {
        writeLongs(r.mapping, r.offsets);
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long readLongVolatileRandom(Random r) {
        MemoryMapping m = r.mapping;
        long[] offsets = r.offsets;
        long acc = 0;
        for (int i = 0; i < BATCH; i++) {
            acc += m.readLongVolatile(offsets[i]);
        }
        return acc;
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void writeLongVolatileRandom(Random r) {
        MemoryMapping m = r.mapping;
        long[] offsets = r.offsets;
        for (int i = 0; i < BATCH; i++) {
            m.writeLongVolatile(i, offsets[i]);
        }
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long readLongHot(Hot h) {
        return readLongs(h.mapping, h.offsets);
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void writeLongHot(Hot h) {
        writeLongs(h.mapping, h.offsets);
    }

    /** The plain-load loop of the random and hot cases (membench's READ). */
    private static long readLongs(MemoryMapping m, long[] offsets) {
        long acc = 0;
        for (int i = 0; i < BATCH; i++) {
            acc += m.readLong(offsets[i]);
        }
        return acc;
    }

    /** The plain-store loop of the random and hot cases (membench's WRITE). */
    private static void writeLongs(MemoryMapping m, long[] offsets) {
        for (int i = 0; i < BATCH; i++) {
            m.writeLong(i, offsets[i]);
        }
    }
}
