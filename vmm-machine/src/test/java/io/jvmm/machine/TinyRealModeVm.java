package io.jvmm.machine;

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

/**
 * A VM for tests built directly on the vCPU API: RAM at guest address 0 in slot 0 (optionally
 * dirty-logged), one vCPU in real mode at {@link X86Layout#REAL_MODE_LOAD_ADDR} with {@code code}
 * loaded there, and empty buses.
 */
public final class TinyRealModeVm implements AutoCloseable {
    public static final long LOAD = X86Layout.REAL_MODE_LOAD_ADDR;

    public final Kvm kvm;
    public final Vm vm;
    public final MemoryMapping ram;
    public final Vcpu vcpu;
    public final IoBus io = new IoBus();
    public final MmioBus mmio = new MmioBus();
    public final ExitCounter counter = new ExitCounter();

    public TinyRealModeVm(long ramSize, int slotFlags, byte[] code) {
        kvm = Kvm.open();
        vm = kvm.createVm();
        ram = MemoryMapping.builder(ramSize).build();
        vm.setUserMemoryRegion(0, slotFlags, 0, ram);
        ram.writeSlice(code, LOAD);
        vcpu = vm.createVcpu(0);
        X86Cpu.enterRealMode(vcpu, LOAD, LOAD);
    }

    public TinyRealModeVm(byte[] code) {
        this(1 << 20, 0, code);
    }

    public VcpuExit run() {
        return vcpu.run(new io.jvmm.machine.BusExitHandler(io, mmio), counter);
    }

    @Override
    public void close() {
        vcpu.close();
        vm.close();
        ram.close();
        kvm.close();
    }
}
