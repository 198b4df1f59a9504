package io.jvmm.cli;

import static io.jvmm.machine.guest.Register.AL;
import static io.jvmm.machine.guest.Register.DX;
import static io.jvmm.machine.guest.Register.EAX;
import static io.jvmm.machine.guest.Register.EDX;
import static io.jvmm.machine.guest.Register.RAX;
import static io.jvmm.machine.guest.Register.RSI;
import static io.jvmm.machine.guest.Register.R12;

import io.jvmm.devices.I8042;
import io.jvmm.machine.guest.BuiltInGuests;
import io.jvmm.machine.guest.CpuMode;
import io.jvmm.machine.guest.Label;
import io.jvmm.machine.guest.MemoryOperand;
import io.jvmm.machine.guest.X86Assembler;
import io.jvmm.x86.X86Layout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * The smallest bzImage that behaves like the test kernel for {@code jvmm run --kernel}: a boot
 * protocol 2.15 header (offsets written as literals from boot.rst) and a position-independent
 * 64-bit entry at +0x200 that prints {@link #MARKER}, a newline, {@code cmdline=} and the command
 * line it finds through the zero page (RSI), writes 123 to port 0x3f0, and resets through the
 * i8042. Small enough for PVM, which emulates each of its instructions.
 */
final class MinimalKernel {
    static final String MARKER = "JVMM-MINIMAL-KERNEL-OK";

    private MinimalKernel() {
    }

    static byte[] bzImage() {
        return bzImage(0x10_0000);
    }

    /** With {@code init_size} (the memory the kernel claims from 1 MiB up) set to {@code initSize}. */
    static byte[] bzImage(long initSize) {
        byte[] code = program();
        byte[] payload = new byte[0x200 + code.length];
        Arrays.fill(payload, 0, 0x200, (byte) 0xf4);
        System.arraycopy(code, 0, payload, 0x200, code.length);
        int setupSects = 1;
        // Padded to whole 16-byte paragraphs, as the kernel's build tool does (syssize).
        byte[] file = new byte[(setupSects + 1) * 512 + (payload.length + 15) / 16 * 16];
        ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        b.put(0x1f1, (byte) setupSects);
        b.putInt(0x1f4, (payload.length + 15) / 16);
        b.putShort(0x1fe, (short) 0xaa55);
        b.put(0x200, (byte) 0xeb).put(0x201, (byte) 0x6a);
        b.put(0x202, (byte) 'H').put(0x203, (byte) 'd').put(0x204, (byte) 'r').put(0x205, (byte) 'S');
        b.putShort(0x206, (short) 0x020f);
        b.put(0x211, (byte) 0x01);                  // LOADED_HIGH
        b.putInt(0x214, 0x10_0000);
        b.putInt(0x22c, 0x7fff_ffff);               // initrd_addr_max
        b.putInt(0x230, 0x10_0000);                 // kernel_alignment
        b.put(0x234, (byte) 1);                     // relocatable
        b.putShort(0x236, (short) 0x0001);          // XLF_KERNEL_64
        b.putInt(0x238, 0x7ff);                     // cmdline_size
        b.putLong(0x258, 0x10_0000);                // pref_address
        b.putInt(0x260, (int) initSize);            // init_size
        System.arraycopy(payload, 0, file, (setupSects + 1) * 512, payload.length);
        return file;
    }

    private static byte[] program() {
        X86Assembler a = new X86Assembler(CpuMode.LONG, 0);
        Label marker = a.newLabel("marker");
        Label print = a.newLabel("print");
        Label putc = a.newLabel("putc");
        Label halt = a.newLabel("halt");
        a.mov(R12, RSI)
            .lea(RSI, marker).call(print)
            .mov(EAX, MemoryOperand.at(R12, 0x228)).mov(RSI, RAX).call(print)   // cmd_line_ptr
            .mov(AL, '\n').call(putc)
            .mov(AL, X86Layout.BOOT_COMPLETE_VALUE).mov(EDX, X86Layout.BOOT_COMPLETE_PORT).out(DX, AL)
            .mov(AL, I8042.CMD_PULSE_RESET).out(X86Layout.I8042_COMMAND_PORT, AL)
            .bind(halt).cli().hlt().jmp(halt);
        BuiltInGuests.emitPrint(a, print, putc);
        BuiltInGuests.emitPutc(a, putc);
        a.bind(marker).asciz(MARKER + "\ncmdline=");
        return a.assemble().bytes();
    }
}
