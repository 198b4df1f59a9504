package io.jvmm.machine;

import io.jvmm.kvm.ExitCounter;
import io.jvmm.kvm.VcpuExit;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * How a run of the guest ended, with its statistics.
 *
 * @param reason why it ended
 * @param vcpu the vCPU whose exit ended the run, or -1 when it ended for another reason
 *     (timeout, stop request, reset requested by a device)
 * @param finalExit the exit that ended the run, or {@code null} (see {@link #terminalExit()})
 * @param exits exit counts by reason over all vCPUs ({@link ExitCounter#snapshot()} keys:
 *     {@code io}, {@code mmio}, {@code hlt}, then any other reason that occurred)
 * @param setup from VM creation ({@code KVM_CREATE_VM}) to the first {@code KVM_RUN}
 * @param runLoop from the first {@code KVM_RUN} until the last vCPU left its run loop
 * @param exitsByVcpu the exit counts of each vCPU, by vCPU index; they add up to {@code exits}
 */
public record RunResult(StopReason reason, int vcpu, VcpuExit finalExit, Map<String, Long> exits,
                        Duration setup, Duration runLoop, List<Map<String, Long>> exitsByVcpu) {
    /**
     * Copies {@code exits} and each map of {@code exitsByVcpu} into unmodifiable maps that keep their iteration order, so the
     * result does not follow later changes to the caller's maps.
     *
     * @param reason why it ended
     * @param vcpu the vCPU whose exit ended the run, or -1
     * @param finalExit the exit that ended the run, or {@code null}
     * @param exits exit counts by reason over all vCPUs
     * @param setup from VM creation to the first {@code KVM_RUN}
     * @param runLoop from the first {@code KVM_RUN} until the last vCPU left its run loop
     * @param exitsByVcpu the exit counts of each vCPU, by vCPU index
     * @throws NullPointerException when any argument but {@code finalExit} is null, or a map in {@code exitsByVcpu} is
     */
    public RunResult {
        Objects.requireNonNull(reason, "reason");
        exits = Collections.unmodifiableMap(new LinkedHashMap<>(exits));
        Objects.requireNonNull(setup, "setup");
        Objects.requireNonNull(runLoop, "runLoop");
        exitsByVcpu = exitsByVcpu.stream().map(m -> Collections.unmodifiableMap(new LinkedHashMap<>(m))).toList();
    }

    /**
     * A run of one vCPU, whose counts are {@code exits}: {@code exitsByVcpu} is the one map {@code exits}.
     *
     * @param reason why it ended
     * @param vcpu the vCPU whose exit ended the run, or -1 when it ended for another reason
     * @param finalExit the exit that ended the run, or {@code null}
     * @param exits exit counts by reason
     * @param setup from VM creation to the first {@code KVM_RUN}
     * @param runLoop from the first {@code KVM_RUN} until the vCPU left its run loop
     * @throws NullPointerException when any argument but {@code finalExit} is null
     */
    public RunResult(StopReason reason, int vcpu, VcpuExit finalExit, Map<String, Long> exits,
                     Duration setup, Duration runLoop) {
        this(reason, vcpu, finalExit, exits, setup, runLoop, List.of(exits));
    }

    /**
     * {@return the exit that ended the run, when a vCPU exit did; empty when a timeout or a stop request (such as the i8042's
     * reset) ended it}
     */
    public Optional<VcpuExit> terminalExit() {
        return Optional.ofNullable(finalExit);
    }

    /** {@return the total number of exits over all vCPUs: the sum of the values of {@link #exits()}} */
    public long totalExits() {
        return exits.values().stream().mapToLong(Long::longValue).sum();
    }

    /**
     * {@return one line for users: what ended the run, the vCPU when one did and the terminal exit unless it was a HLT, e.g.
     * {@code "guest halted (vcpu 0)"} or {@code "KVM could not enter the guest (vcpu 0): FailEntry[...]"}}
     */
    public String describe() {
        String what = switch (reason) {
            case HALT -> "guest halted";
            case RESET -> "guest reset";
            case SHUTDOWN -> "guest shut down (triple fault or shutdown request)";
            case FAIL_ENTRY -> "KVM could not enter the guest";
            case INTERNAL_ERROR -> "KVM internal error";
            case UNHANDLED_EXIT -> "unhandled vCPU exit";
            case TIMEOUT -> "timed out";
            case STOPPED -> "stopped";
        };
        StringBuilder sb = new StringBuilder(what);
        if (vcpu >= 0) {
            sb.append(" (vcpu ").append(vcpu).append(')');
        }
        if (finalExit != null && !(finalExit instanceof VcpuExit.Hlt)) {
            sb.append(": ").append(finalExit);
        }
        return sb.toString();
    }
}
