package io.jvmm.bench;

import com.sun.jna.Pointer;
import io.jvmm.memory.MemoryMapping;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Diagnostic: the cost of MemoryMapping's checks over a bare direct ByteBuffer on the same memory
 * and offsets, to tell the price of safety from machine noise.
 */
public class AccessPathBenchmarks extends NanosecondBenchmark {
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
