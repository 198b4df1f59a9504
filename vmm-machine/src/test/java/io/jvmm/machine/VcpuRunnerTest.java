package io.jvmm.machine;

import io.jvmm.machine.KvmTestSupport;
import io.jvmm.machine.TinyRealModeVm;
import io.jvmm.kvm.VcpuExit;

import static io.jvmm.machine.KvmTestSupport.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvmm.devices.BusDevice;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class VcpuRunnerTest {
    private static final byte[] SPIN = bytes(0xEB, 0xFE); // L: jmp L
    /** mov al, 0xfe ; out 0x64, al ; L: jmp L — an i8042-style reset request, then spin. */
    private static final byte[] RESET_THEN_SPIN = bytes(0xB0, 0xFE, 0xE6, 0x64, 0xEB, 0xFE);

    @BeforeEach
    void needsKvm() {
        KvmTestSupport.assumeKvm();
    }

    private static VcpuRunner runner(TinyRealModeVm t) {
        return new VcpuRunner(List.of(t.vcpu), t.io, t.mmio, t.vm.createdAtNanos());
    }

    @Test
    void aSpinningGuestIsStoppedByTheTimeoutWithinTheDeadline() {
        try (TinyRealModeVm t = new TinyRealModeVm(SPIN)) {
            long start = System.nanoTime();
            RunResult r = runner(t).run(Duration.ofMillis(300));
            Duration took = Duration.ofNanos(System.nanoTime() - start);

            assertEquals(StopReason.TIMEOUT, r.reason());
            assertEquals(-1, r.vcpu());
            assertTrue(r.terminalExit().isEmpty());
            // Generous bound: the point is that the spinning vCPU was interrupted at all.
            assertTrue(took.compareTo(Duration.ofSeconds(5)) < 0, "took " + took);
            assertTrue(r.runLoop().compareTo(Duration.ofMillis(250)) > 0, "run loop " + r.runLoop());
            assertEquals(1L, r.exits().get("intr"));
        }
    }

    /** Duration.toNanos throws past ~292 years; such a timeout means "no limit in practice". */
    @Test
    void aTimeoutOfCenturiesRunsTheGuestLikeAnyOther() {
        try (TinyRealModeVm t = new TinyRealModeVm(bytes(0xF4))) { // hlt
            RunResult r = runner(t).run(Duration.ofDays(365L * 1000));
            assertEquals(StopReason.HALT, r.reason());
        }
    }

    @Test
    void haltEndsTheRunWithCountsAndTimings() {
        // out 0x80, al ; out 0x80, al ; hlt
        try (TinyRealModeVm t = new TinyRealModeVm(bytes(0xE6, 0x80, 0xE6, 0x80, 0xF4))) {
            RunResult r = runner(t).run(Duration.ofSeconds(30));
            assertEquals(StopReason.HALT, r.reason());
            assertEquals(0, r.vcpu());
            assertSame(VcpuExit.HLT, r.finalExit());
            assertEquals(List.of("io", "mmio", "hlt"), List.copyOf(r.exits().keySet()));
            assertEquals(2L, r.exits().get("io"));
            assertEquals(1L, r.exits().get("hlt"));
            assertTrue(r.setup().compareTo(Duration.ZERO) > 0);
            assertEquals("guest halted (vcpu 0)", r.describe());
        }
    }

    @Test
    void aDeviceCanEndTheRunFromTheVcpuThread() {
        try (TinyRealModeVm t = new TinyRealModeVm(RESET_THEN_SPIN)) {
            VcpuRunner runner = runner(t);
            t.io.register(0x64, 1, new BusDevice() {
                @Override
                public String debugLabel() {
                    return "reset-port";
                }

                @Override
                public void read(long offset, byte[] data) {
                }

                @Override
                public void write(long offset, byte[] data) {
                    if (data[0] == (byte) 0xFE) {
                        runner.requestStop(StopReason.RESET);
                    }
                }
            });
            RunResult r = runner.run(Duration.ofSeconds(30));
            assertEquals(StopReason.RESET, r.reason());
        }
    }

    @Test
    void aThrowingDeviceFailsTheRunWithItsException() {
        try (TinyRealModeVm t = new TinyRealModeVm(RESET_THEN_SPIN)) {
            t.io.register(0x64, 1, new BusDevice() {
                @Override
                public String debugLabel() {
                    return "broken";
                }

                @Override
                public void read(long offset, byte[] data) {
                }

                @Override
                public void write(long offset, byte[] data) {
                    throw new IllegalStateException("device broke");
                }
            });
            VcpuFailedException e = assertThrows(VcpuFailedException.class, () -> runner(t).run(Duration.ofSeconds(30)));
            assertEquals(0, e.vcpu());
            assertInstanceOf(IllegalStateException.class, e.getCause());
            assertTrue(e.getMessage().contains("device broke"), e.getMessage());
        }
    }

    @Test
    void anExternalStopRequestEndsARunningGuest() throws Exception {
        try (TinyRealModeVm t = new TinyRealModeVm(SPIN)) {
            VcpuRunner runner = runner(t);
            Thread stopper = new Thread(() -> {
                try {
                    Thread.sleep(200);
                } catch (InterruptedException e) {
                    return;
                }
                runner.requestStop(StopReason.STOPPED);
            });
            stopper.start();
            RunResult r = runner.run(Duration.ofSeconds(30));
            stopper.join();
            assertEquals(StopReason.STOPPED, r.reason());
            assertThrows(IllegalStateException.class, runner::run);
        }
    }
}
