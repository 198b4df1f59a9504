package io.jvmm.bench;

import com.sun.jna.Pointer;
import io.jvmm.memory.MemoryMapping;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Diagnostic: a 64 KiB copy from a heap array into a mapping by the three ways the JDK and JNA
 * offer, to tell which one comes closest to C's memcpy (issue 9's copy goal).
 */
@Measurement(iterations = 10, time = 250, timeUnit = TimeUnit.MILLISECONDS)
public class CopyPathBenchmarks extends NanosecondBenchmark {
    static final int SIZE = 65536;
    @Param({"4096", "16384", "65536"})
    public int size;
    MemoryMapping mapping;
    ByteBuffer view;
    Pointer pointer;
    byte[] data;

    @Setup(Level.Trial)
    public void setUp() {
        data = new byte[size];
        mapping = MemoryMapping.builder(SIZE).build();
        pointer = new Pointer(mapping.asPtr());
        view = pointer.getByteBuffer(0, SIZE);
        view.put(0, data, 0, size);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        mapping.close();
    }

    @Benchmark
    public int mappingWriteSlice() {
        return mapping.writeSlice(data, 0);
    }

    @Benchmark
    public ByteBuffer byteBufferAbsolutePut() {
        return view.put(0, data, 0, size);
    }

    @Benchmark
    public Pointer jnaPointerWrite() {
        pointer.write(0, data, 0, size);
        return pointer;
    }

    @Benchmark
    public int mappingReadSlice() {
        return mapping.readSlice(data, 0);
    }

    @Benchmark
    public ByteBuffer byteBufferAbsoluteGet() {
        return view.get(0, data, 0, size);
    }

    @Benchmark
    public Pointer jnaPointerRead() {
        pointer.read(0, data, 0, size);
        return pointer;
    }
}
