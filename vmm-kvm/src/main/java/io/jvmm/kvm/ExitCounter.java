package io.jvmm.kvm;

import io.jvmm.kvm.sys.KvmConstants;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Counts vCPU exits by KVM exit reason. Counting is one array increment, so the run loop can count
 * every exit without allocating. Not thread-safe: one counter per vCPU thread; read it
 * ({@link #snapshot()}) after that thread has finished, or accept a slightly stale view.
 */
public final class ExitCounter {
    /** Exit reasons at or above this share the last bucket. */
    private static final int BUCKETS = 64;

    private final long[] counts = new long[BUCKETS];

    /** A counter with every count at 0. */
    public ExitCounter() {
    }

    /**
     * Counts one exit with KVM exit reason {@code exitReason} (KVM_EXIT_INTR for an interrupted run).
     *
     * @param exitReason a {@code KVM_EXIT_*} value; one below 0 or at or above 63 is counted in
     *     the last bucket (63), reported as {@code "other"}
     */
    public void count(int exitReason) {
        counts[exitReason >= 0 && exitReason < BUCKETS ? exitReason : BUCKETS - 1]++;
    }

    /**
     * How many exits of reason {@code exitReason} were counted.
     *
     * @param exitReason a {@code KVM_EXIT_*} value
     * @return the count; 0 for a reason below 0 or above 63, and for 63 the count of every reason
     *     the last bucket collects
     */
    public long get(int exitReason) {
        return exitReason >= 0 && exitReason < BUCKETS ? counts[exitReason] : 0;
    }

    /** {@return the total of all exits counted, every bucket included} */
    public long total() {
        long sum = 0;
        for (long c : counts) {
            sum += c;
        }
        return sum;
    }

    /**
     * Adds {@code other}'s counts into this one (summing several vCPUs). {@code other} is read
     * without synchronisation, so its thread should have finished counting.
     *
     * @param other the counter to add; it is left unchanged
     */
    public void add(ExitCounter other) {
        for (int i = 0; i < BUCKETS; i++) {
            counts[i] += other.counts[i];
        }
    }

    /**
     * Counts by statistics name ({@link KvmConstants#exitReasonName}): {@code io}, {@code mmio} and
     * {@code hlt} always, then every other reason that occurred, in exit-reason order.
     *
     * @return a new map in that order, which the caller may modify; reasons collected in the last
     *     bucket appear as {@code "other"}
     */
    public Map<String, Long> snapshot() {
        Map<String, Long> out = new LinkedHashMap<>();
        out.put("io", counts[KvmConstants.KVM_EXIT_IO]);
        out.put("mmio", counts[KvmConstants.KVM_EXIT_MMIO]);
        out.put("hlt", counts[KvmConstants.KVM_EXIT_HLT]);
        for (int i = 0; i < BUCKETS; i++) {
            if (counts[i] != 0 && i != KvmConstants.KVM_EXIT_IO && i != KvmConstants.KVM_EXIT_MMIO && i != KvmConstants.KVM_EXIT_HLT) {
                out.put(i == BUCKETS - 1 ? "other" : KvmConstants.exitReasonName(i), counts[i]);
            }
        }
        return out;
    }

    @Override
    public String toString() {
        return "ExitCounter" + snapshot();
    }
}
