package io.jvmm.bench;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The run settings every JMH benchmark of this module shares, so that the figures in
 * {@code docs/performance.md} compare like with like: average time per operation in nanoseconds,
 * one fork, three one-second warm-up and five one-second measurement iterations, state per thread.
 * JMH reads these annotations from a superclass; a benchmark class overrides one by declaring its
 * own (the nearest declaration wins), as {@link CopyPathBenchmarks} does for its measurement time.
 * {@code run.sh} passes {@code -f}, {@code -wi} and {@code -i} where a comparison wants more.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public abstract class NanosecondBenchmark {
    /** For subclasses only. */
    protected NanosecondBenchmark() {
    }
}
