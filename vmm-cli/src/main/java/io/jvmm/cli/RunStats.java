package io.jvmm.cli;

import io.jvmm.machine.RunResult;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What {@code jvmm run --stats} reports, as one JSON line. The key names are part of the CLI's
 * contract (scripts parse them):
 * <ul>
 *   <li>{@code exits}: exit counts by reason ({@code io}, {@code mmio}, {@code hlt} always, then
 *       any other reason that occurred, e.g. {@code intr} for kicks);</li>
 *   <li>{@code run_loop_ms}: from the first {@code KVM_RUN} until the last vCPU left its loop;</li>
 *   <li>{@code setup_ms}: from {@code KVM_CREATE_VM} to the first {@code KVM_RUN};</li>
 *   <li>{@code process_ms}: from the start of the process to the moment the line is written;</li>
 *   <li>{@code boot_complete_ms}, {@code boot_complete_process_ms}: when the guest wrote 123 to
 *       port 0x3f0 (Firecracker's boot-complete signal), from VM creation and from process start;
 *       {@code null} when it never did;</li>
 *   <li>{@code exits_total}, {@code reason} (how the run ended, e.g. {@code "reset"});</li>
 *   <li>{@code vcpu_exits}: the counts of {@code exits} for each vCPU, keyed by vCPU index
 *       ({@code "0"}, {@code "1"}, ...).</li>
 * </ul>
 * Times are milliseconds with three decimals.
 *
 * @param result the finished run
 * @param bootComplete VM creation to the boot-complete signal, if it came
 * @param bootCompleteNanos the {@link System#nanoTime()} of the signal, if it came
 * @param processStartNanos the process start on the {@link System#nanoTime()} scale
 */
record RunStats(RunResult result, Optional<Duration> bootComplete, OptionalLong bootCompleteNanos, long processStartNanos) {
    /** The JSON line, with {@code process_ms} measured up to {@code nowNanos}. */
    String toJson(long nowNanos) {
        JsonWriter json = new JsonWriter().beginObject("exits");
        for (Map.Entry<String, Long> e : result.exits().entrySet()) {
            json.number(e.getKey(), e.getValue());
        }
        json.endObject()
            .millis("run_loop_ms", result.runLoop())
            .millis("setup_ms", result.setup())
            .millis("process_ms", nowNanos - processStartNanos);
        if (bootComplete.isPresent() && bootCompleteNanos.isPresent()) {
            json.millis("boot_complete_ms", bootComplete.get())
                .millis("boot_complete_process_ms", bootCompleteNanos.getAsLong() - processStartNanos);
        } else {
            json.nullValue("boot_complete_ms").nullValue("boot_complete_process_ms");
        }
        json.number("exits_total", result.totalExits())
            .string("reason", result.reason().name().toLowerCase(Locale.ROOT))
            .beginObject("vcpu_exits");
        for (int i = 0; i < result.exitsByVcpu().size(); i++) {
            json.beginObject(Integer.toString(i));
            for (Map.Entry<String, Long> e : result.exitsByVcpu().get(i).entrySet()) {
                json.number(e.getKey(), e.getValue());
            }
            json.endObject();
        }
        return json.endObject().toString();
    }
}
