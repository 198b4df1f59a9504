package io.jvmm.kvm;

import io.jvmm.devices.bus.IoBus;
import io.jvmm.devices.bus.MmioBus;
import io.jvmm.kvm.x86.X86Cpu;
import io.jvmm.kvm.x86.X86Layout;
import io.jvmm.memory.MemoryMapping;

/**
 * A VM for tests built directly on the vCPU API: RAM at guest address 0 in slot 0 (optionally
 * dirty-logged), one vCPU in real mode at {@link X86Layout#REAL_MODE_LOAD_ADDR} with {@code code}
 * loaded there, and empty buses.
 */
final class TinyRealModeVm implements AutoCloseable {
    static final long LOAD = X86Layout.REAL_MODE_LOAD_ADDR;

    final Kvm kvm;
    final Vm vm;
    final MemoryMapping ram;
    final Vcpu vcpu;
    final IoBus io = new IoBus();
    final MmioBus mmio = new MmioBus();
    final ExitCounter counter = new ExitCounter();

    TinyRealModeVm(long ramSize, int slotFlags, byte[] code) {
        kvm = Kvm.open();
        vm = kvm.createVm();
        ram = MemoryMapping.builder(ramSize).build();
        vm.setUserMemoryRegion(0, slotFlags, 0, ram);
        ram.writeSlice(code, LOAD);
        vcpu = vm.createVcpu(0);
        X86Cpu.enterRealMode(vcpu, LOAD, LOAD);
    }

    TinyRealModeVm(byte[] code) {
        this(1 << 20, 0, code);
    }

    VcpuExit run() {
        return vcpu.run(io, mmio, counter);
    }

    @Override
    public void close() {
        vcpu.close();
        vm.close();
        ram.close();
        kvm.close();
    }
}
