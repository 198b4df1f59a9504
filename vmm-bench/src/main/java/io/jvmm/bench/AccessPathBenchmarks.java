package io.jvmm.bench;

import com.sun.jna.Pointer;
import io.jvmm.memory.MemoryMapping;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Diagnostic: the cost of MemoryMapping's checks over a bare direct ByteBuffer on the same memory
 * and offsets, to tell the price of safety from machine noise.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class AccessPathBenchmarks {
    MemoryMapping mapping;
    ByteBuffer raw;
    final long[] offsets = MemoryBenchmarks.offsets(MemoryBenchmarks.RANDOM_MAPPING_SIZE);
    final int[] intOffsets = new int[MemoryBenchmarks.BATCH];

    @Setup(Level.Trial)
    public void setUp() {
        mapping = MemoryMapping.builder(MemoryBenchmarks.RANDOM_MAPPING_SIZE).build();
        raw = new Pointer(mapping.asPtr()).getByteBuffer(0, MemoryBenchmarks.RANDOM_MAPPING_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < offsets.length; i++) {
            intOffsets[i] = (int) offsets[i];
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        mapping.close();
    }

    @Benchmark
    @OperationsPerInvocation(MemoryBenchmarks.BATCH)
    public long rawByteBufferReadLong() {
        ByteBuffer b = raw;
        int[] o = intOffsets;
        long acc = 0;
        for (int i = 0; i < MemoryBenchmarks.BATCH; i++) {
            acc += b.getLong(o[i]);
        }
        return acc;
    }

    @Benchmark
    @OperationsPerInvocation(MemoryBenchmarks.BATCH)
    public long mappingReadLong() {
        MemoryMapping m = mapping;
        long[] o = offsets;
        long acc = 0;
        for (int i = 0; i < MemoryBenchmarks.BATCH; i++) {
            acc += m.readLong(o[i]);
        }
        return acc;
    }
}
