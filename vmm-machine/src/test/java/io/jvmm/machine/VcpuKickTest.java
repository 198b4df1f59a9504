package io.jvmm.machine;

import static io.jvmm.machine.KvmTestSupport.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvmm.core.BusyException;
import io.jvmm.core.ClosedException;
import io.jvmm.kvm.VcpuExit;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Stopping a vCPU that never exits on its own: kick, and close while running. */
class VcpuKickTest {
    /** L: jmp L */
    private static final byte[] SPIN = bytes(0xEB, 0xFE);

    @BeforeEach
    void needsKvm() {
        KvmTestSupport.assumeKvm();
    }

    private static CompletableFuture<VcpuExit> runInThread(TinyRealModeVm t) {
        CompletableFuture<VcpuExit> result = new CompletableFuture<>();
        Thread thread = new Thread(() -> {
            try {
                result.complete(t.run());
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        }, "vcpu-test");
        thread.start();
        return result;
    }

    @Test
    void kickInterruptsAGuestSpinningInTheKernel() throws Exception {
        try (TinyRealModeVm t = new TinyRealModeVm(SPIN)) {
            CompletableFuture<VcpuExit> exit = runInThread(t);
            Thread.sleep(200); // let it enter the guest
            t.vcpu.kick();
            assertInstanceOf(VcpuExit.Interrupted.class, exit.get(10, TimeUnit.SECONDS));
            // The kick is consumed: the guest can be resumed and kicked again.
            CompletableFuture<VcpuExit> again = runInThread(t);
            Thread.sleep(100);
            t.vcpu.kick();
            assertInstanceOf(VcpuExit.Interrupted.class, again.get(10, TimeUnit.SECONDS));
            assertEquals(2, t.counter.get(VcpuExit.REASON_INTR));
        }
    }

    @Test
    void aKickBeforeRunMakesTheNextRunReturnAtOnce() {
        try (TinyRealModeVm t = new TinyRealModeVm(SPIN)) {
            t.vcpu.kick();
            assertInstanceOf(VcpuExit.Interrupted.class, t.run());
        }
    }

    @Test
    void closeStopsARunningVcpuAndLaterCallsFailCleanly() throws Exception {
        try (TinyRealModeVm t = new TinyRealModeVm(SPIN)) {
            CompletableFuture<VcpuExit> exit = runInThread(t);
            Thread.sleep(200);
            t.vcpu.close();
            assertInstanceOf(VcpuExit.Interrupted.class, exit.get(10, TimeUnit.SECONDS));
            ClosedException e = assertThrows(ClosedException.class, t::run);
            assertTrue(e.getMessage().contains("closed"), e.getMessage());
            assertThrows(ClosedException.class, t.vcpu::getRegs);
            t.vcpu.kick(); // harmless after close
            t.vcpu.close(); // idempotent
        }
    }

    @Test
    void aSecondThreadCannotRunTheSameVcpuConcurrently() throws Exception {
        try (TinyRealModeVm t = new TinyRealModeVm(SPIN)) {
            CompletableFuture<VcpuExit> exit = runInThread(t);
            Thread.sleep(200);
            BusyException e = assertThrows(BusyException.class, t.vcpu::run);
            assertTrue(e.getMessage().contains("already running"), e.getMessage());
            t.vcpu.kick();
            assertInstanceOf(VcpuExit.Interrupted.class, exit.get(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void aDeviceCannotCloseTheVcpuThatIsCallingIt() {
        // out 0x80, al ; hlt
        try (TinyRealModeVm t = new TinyRealModeVm(bytes(0xE6, 0x80, 0xF4))) {
            t.io.register(0x80, 1, new io.jvmm.devices.BusDevice() {
                @Override
                public String debugLabel() {
                    return "closer";
                }

                @Override
                public void read(long offset, byte[] data) {
                }

                @Override
                public void write(long offset, byte[] data) {
                    t.vcpu.close();
                }
            });
            BusyException e = assertThrows(BusyException.class, t::run);
            assertTrue(e.getMessage().contains("inside its own run loop"), e.getMessage());
            assertInstanceOf(VcpuExit.Hlt.class, t.run(), "the vCPU is still usable");
        }
    }
}
