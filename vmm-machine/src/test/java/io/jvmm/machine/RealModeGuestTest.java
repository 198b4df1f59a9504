package io.jvmm.machine;

import static io.jvmm.machine.KvmTestSupport.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.jvmm.kvm.ExitCounter;
import io.jvmm.kvm.Kvm;
import io.jvmm.kvm.Vcpu;
import io.jvmm.kvm.VcpuExit;
import io.jvmm.kvm.Vm;
import io.jvmm.devices.bus.IoBus;
import io.jvmm.devices.bus.MmioBus;
import io.jvmm.x86.X86Cpu;
import io.jvmm.x86.X86Layout;
import io.jvmm.memory.MemoryMapping;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RealModeGuestTest {
    private static final long MEMORY = 1 << 20;
    private static final long LOAD = X86Layout.REAL_MODE_LOAD_ADDR;

    /** mov dx,0x3f8 ; mov al,'H' ; out dx,al ; mov al,'i' ; out dx,al ; hlt */
    private static final byte[] HELLO = bytes(0xBA, 0xF8, 0x03, 0xB0, 'H', 0xEE, 0xB0, 'i', 0xEE, 0xF4);

    @BeforeEach
    void needsKvm() {
        KvmTestSupport.assumeKvm();
    }

    @Test
    void portWritesReachTheDeviceAndHltEndsTheRun() {
        try (Kvm kvm = Kvm.open(); Vm vm = kvm.createVm(); MemoryMapping ram = MemoryMapping.builder(MEMORY).build()) {
            vm.setUserMemoryRegion(0, 0, 0, ram);
            ram.writeSlice(HELLO, LOAD);
            try (Vcpu vcpu = vm.createVcpu(0)) {
                X86Cpu.enterRealMode(vcpu, LOAD, LOAD);
                IoBus io = new IoBus();
                RecordingDevice serial = new RecordingDevice("serial", (byte) 0);
                io.register(X86Layout.COM1_PORT, 8, serial);
                ExitCounter counter = new ExitCounter();

                VcpuExit exit = vcpu.run(new io.jvmm.machine.BusExitHandler(io, new MmioBus()), counter);

                assertInstanceOf(VcpuExit.Hlt.class, exit);
                assertArrayEquals("Hi".getBytes(), serial.written());
                assertEquals(2, counter.get(VcpuExit.REASON_IO));
                assertEquals(1, counter.get(VcpuExit.REASON_HLT));
                assertEquals(LOAD + HELLO.length, vcpu.getSregs().cs().base() + vcpu.getRegs().rip());
            }
        }
    }

    @Test
    void plainRunReportsEachPortExitWithItsData() {
        // mov dx,0x80 ; in al,dx ; inc al ; out dx,al ; hlt
        byte[] echo = bytes(0xBA, 0x80, 0x00, 0xEC, 0xFE, 0xC0, 0xEE, 0xF4);
        try (Kvm kvm = Kvm.open(); Vm vm = kvm.createVm(); MemoryMapping ram = MemoryMapping.builder(MEMORY).build()) {
            vm.setUserMemoryRegion(0, 0, 0, ram);
            ram.writeSlice(echo, LOAD);
            try (Vcpu vcpu = vm.createVcpu(0)) {
                X86Cpu.enterRealMode(vcpu, LOAD, LOAD);

                VcpuExit.Io in = assertInstanceOf(VcpuExit.Io.class, vcpu.run());
                assertEquals(VcpuExit.Direction.IN, in.direction());
                assertEquals(0x80, in.port());
                assertEquals(1, in.size());
                in.data()[0] = 0x41;
                VcpuExit.Io out = assertInstanceOf(VcpuExit.Io.class, vcpu.run());
                assertEquals(VcpuExit.Direction.OUT, out.direction());
                assertArrayEquals(new byte[] {0x42}, out.data());
                assertInstanceOf(VcpuExit.Hlt.class, vcpu.run());
            }
        }
    }
}
