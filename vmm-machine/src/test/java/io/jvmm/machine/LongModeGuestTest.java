package io.jvmm.machine;

import static io.jvmm.machine.KvmTestSupport.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvmm.kvm.ExitCounter;
import io.jvmm.kvm.Kvm;
import io.jvmm.kvm.MemorySlot;
import io.jvmm.kvm.Sregs;
import io.jvmm.kvm.Vcpu;
import io.jvmm.kvm.VcpuExit;
import io.jvmm.kvm.Vm;
import io.jvmm.devices.bus.IoBus;
import io.jvmm.devices.bus.MmioBus;
import io.jvmm.loader.GuestRamLayout;
import io.jvmm.x86.X86Cpu;
import io.jvmm.x86.X86Layout;
import io.jvmm.memory.GuestAddress;
import io.jvmm.memory.GuestMemory;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class LongModeGuestTest {
    private static final long LOAD = X86Layout.HIMEM_START;

    /**
     * Prints "OK" on COM1, reads the mailbox, writes value + 1 back, round-trips it through the
     * stack, stores 0x1234 to MMIO at 0xd000_0000 (in the identity-mapped MMIO gap), and halts.
     */
    private static final byte[] GUEST = bytes(
        0x66, 0xBA, 0xF8, 0x03,                         // mov dx, 0x3f8
        0xB0, 'O', 0xEE,                                // mov al, 'O' ; out dx, al
        0xB0, 'K', 0xEE,                                // mov al, 'K' ; out dx, al
        0x48, 0x8B, 0x04, 0x25, 0x00, 0x80, 0x00, 0x00, // mov rax, [0x8000]
        0x48, 0xFF, 0xC0,                               // inc rax
        0x48, 0x89, 0x04, 0x25, 0x08, 0x80, 0x00, 0x00, // mov [0x8008], rax
        0x50, 0x5B,                                     // push rax ; pop rbx
        0x48, 0x89, 0x1C, 0x25, 0x10, 0x80, 0x00, 0x00, // mov [0x8010], rbx
        0xBB, 0x00, 0x00, 0x00, 0xD0,                   // mov ebx, 0xd0000000
        0xC7, 0x03, 0x34, 0x12, 0x00, 0x00,             // mov dword [rbx], 0x1234
        0xF4);                                          // hlt

    @BeforeEach
    void needsKvm() {
        KvmTestSupport.assumeKvm();
    }

    @Test
    void sixtyFourBitGuestTalksToPortsMemoryStackAndMmioThenHalts() {
        try (Kvm kvm = Kvm.open(); Vm vm = kvm.createVm();
             GuestMemory memory = GuestMemory.create(GuestRamLayout.ramRanges(X86Layout.BOOT_LAYOUT, 2 << 20))) {
            List<MemorySlot> slots = vm.addMemory(memory);
            assertEquals(1, slots.size());
            memory.writeAllAtAddr(GUEST, GuestAddress.of(LOAD));
            memory.writeLongAtAddr(0x1122_3344_5566_7787L, GuestAddress.of(X86Layout.MAILBOX_ADDR));
            try (Vcpu vcpu = vm.createVcpu(0)) {
                X86Cpu.enterLongMode(vcpu, memory, LOAD, X86Layout.BOOT_STACK_POINTER);
                IoBus io = new IoBus();
                MmioBus mmio = new MmioBus();
                RecordingDevice serial = new RecordingDevice("serial", (byte) 0);
                RecordingDevice mmioDevice = new RecordingDevice("mmio", (byte) 0);
                io.register(X86Layout.COM1_PORT, 8, serial);
                mmio.register(0xd000_0000L, 0x1000, mmioDevice);

                VcpuExit exit = vcpu.run(new io.jvmm.machine.BusExitHandler(io, mmio), new ExitCounter());

                assertInstanceOf(VcpuExit.Hlt.class, exit);
                assertArrayEquals("OK".getBytes(), serial.written());
                assertEquals(0x1122_3344_5566_7788L, memory.readLongFromAddr(GuestAddress.of(X86Layout.MAILBOX_ADDR + 8)));
                assertEquals(0x1122_3344_5566_7788L, memory.readLongFromAddr(GuestAddress.of(X86Layout.MAILBOX_ADDR + 16)));
                assertArrayEquals(bytes(0x34, 0x12, 0, 0), mmioDevice.written());
                Sregs sregs = vcpu.getSregs();
                assertTrue((sregs.efer() & X86Cpu.EFER_LMA) != 0, sregs.toString());
                assertTrue(sregs.cs().l(), sregs.toString());
                assertEquals(LOAD + GUEST.length, vcpu.getRegs().rip());
                assertEquals(X86Layout.BOOT_STACK_POINTER, vcpu.getRegs().rsp());
            }
        }
    }
}
