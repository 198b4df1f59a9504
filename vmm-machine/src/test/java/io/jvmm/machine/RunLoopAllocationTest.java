package io.jvmm.machine;

import static io.jvmm.machine.KvmTestSupport.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jvmm.kvm.VcpuExit;
import io.jvmm.devices.BusDevice;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The served-exit path allocates nothing: the vCPU thread's allocated-bytes counter barely moves
 * across thousands of port and MMIO exits. (A single object per exit would be at least 16 bytes.)
 */
class RunLoopAllocationTest {
    private static final int ITERATIONS = 5000;

    /**
     * mov cx, ITERATIONS ; mov dx, 0x80 ; mov ax, 0xd000 ; mov es, ax
     * L: out dx, al ; in al, dx ; mov [es:0], al ; loop L ; hlt
     * Three exits per iteration: port out, port in, MMIO write.
     */
    private static final byte[] LOOP = bytes(
        0xB9, ITERATIONS & 0xff, ITERATIONS >> 8,
        0xBA, 0x80, 0x00,
        0xB8, 0x00, 0xD0,
        0x8E, 0xC0,
        0xEE,                          // L (offset 11): out dx, al
        0xEC,                          // in al, dx
        0x26, 0xA2, 0x00, 0x00,        // mov [es:0], al
        0xE2, 0xF8,                    // loop L  (next ip 19, 19 - 8 = 11)
        0xF4);

    /** Counts accesses; allocates nothing. */
    private static final class CountingDevice implements BusDevice {
        long reads;
        long writes;

        @Override
        public String debugLabel() {
            return "counter";
        }

        @Override
        public void read(long offset, byte[] data) {
            reads++;
            data[0] = (byte) reads;
        }

        @Override
        public void write(long offset, byte[] data) {
            writes++;
        }
    }

    @BeforeEach
    void needsKvm() {
        KvmTestSupport.assumeKvm();
    }

    @Test
    void servedPortAndMmioExitsAllocateNothing() {
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        assumeTrue(threads.isThreadAllocatedMemorySupported(), "this JVM cannot count per-thread allocation");
        long tid = Thread.currentThread().getId();
        try (TinyRealModeVm warm = new TinyRealModeVm(0x80000, 0, LOOP); TinyRealModeVm t = new TinyRealModeVm(0x80000, 0, LOOP)) {
            for (TinyRealModeVm vm : new TinyRealModeVm[] {warm, t}) {
                CountingDevice port = new CountingDevice();
                CountingDevice mmio = new CountingDevice();
                vm.io.register(0x80, 1, port);
                vm.mmio.register(0xd0000, 0x1000, mmio);
            }
            // Warm up class loading, JNA linkage and the JIT on an identical VM.
            assertInstanceOf(VcpuExit.Hlt.class, warm.run());

            long before = threads.getThreadAllocatedBytes(tid);
            VcpuExit exit = t.run();
            long allocated = threads.getThreadAllocatedBytes(tid) - before;

            assertInstanceOf(VcpuExit.Hlt.class, exit);
            long served = t.counter.get(VcpuExit.REASON_IO) + t.counter.get(VcpuExit.REASON_MMIO);
            assertEquals(3L * ITERATIONS, served);
            assertTrue(allocated < served, "allocated " + allocated + " bytes over " + served + " served exits");
        }
    }
}
