package io.jvmm.machine;

import static io.jvmm.machine.guest.Register.AL;
import static io.jvmm.machine.guest.Register.AX;
import static io.jvmm.machine.guest.Register.BL;
import static io.jvmm.machine.guest.Register.CX;
import static io.jvmm.machine.guest.Register.DX;
import static io.jvmm.machine.guest.Register.EAX;
import static io.jvmm.machine.guest.Register.EBX;
import static io.jvmm.machine.guest.Register.ECX;
import static io.jvmm.machine.guest.Register.EDX;
import static io.jvmm.machine.guest.Register.R10;
import static io.jvmm.machine.guest.Register.R11;
import static io.jvmm.machine.guest.Register.R12;
import static io.jvmm.machine.guest.Register.R13;
import static io.jvmm.machine.guest.Register.R14;
import static io.jvmm.machine.guest.Register.R15;
import static io.jvmm.machine.guest.Register.R8;
import static io.jvmm.machine.guest.Register.R9;
import static io.jvmm.machine.guest.Register.RAX;
import static io.jvmm.machine.guest.Register.RBX;
import static io.jvmm.machine.guest.Register.RCX;
import static io.jvmm.machine.guest.Register.RDX;
import static io.jvmm.machine.guest.Register.RSI;
import static io.jvmm.machine.guest.Register.RSP;

import io.jvmm.devices.Uart16550;
import io.jvmm.machine.guest.BuiltInGuests;
import io.jvmm.machine.guest.Condition;
import io.jvmm.machine.guest.ControlRegister;
import io.jvmm.machine.guest.CpuMode;
import io.jvmm.machine.guest.Label;
import io.jvmm.machine.guest.MemoryOperand;
import io.jvmm.machine.guest.Register;
import io.jvmm.machine.guest.SegmentRegister;
import io.jvmm.machine.guest.X86Assembler;
import io.jvmm.x86.X86Layout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A bzImage made by the test: a boot-protocol 2.15 setup header followed by a protected-mode part
 * whose 64-bit entry point (offset 0x200) is a tiny program that reports, over COM1, what it finds
 * when entered the way a Linux kernel is: its own address, RSP, RSI, CR0/CR3/CR4, EFER and the boot
 * MSRs, CPUID leaves 1 and 0x4000_0000, the local APIC's id and LINT0/LINT1, and from the zero
 * page at RSI the loader type, command line, e820 table and initrd (with a checksum of its bytes).
 * Then it signals boot-complete (123 to port 0x3f0) and resets through the i8042, as Linux's
 * {@code reboot=k} does.
 *
 * <p>Header offsets and zero-page offsets are written as literals from boot.rst and zero-page.rst,
 * not taken from the loader's constants, so a wrong constant there fails the test. The payload is
 * position-independent (RIP-relative {@code lea} only) and assembled at origin 0, so the entry
 * address it reports comes from the CPU, not from the assembler.
 *
 * <p>Every line of the report is {@code key=value}, values in lower-case hex (16 digits) except
 * {@code cmdline}; {@code e820} repeats, one line per entry: {@code addr size type}.
 */
public final class SyntheticKernel {
    public static final int SETUP_SECTS = 1;
    public static final int PROTOCOL_VERSION = 0x020f;
    public static final long INIT_SIZE = 0x10_0000;
    public static final long KERNEL_ALIGNMENT = 0x10_0000;
    public static final long PREF_ADDRESS = 0x10_0000;
    public static final int CMDLINE_SIZE = 0x7ff;
    public static final String DONE = "done";

    private static final int COM1 = X86Layout.COM1_PORT;

    private SyntheticKernel() {
    }

    /** The bzImage file with the report program. */
    public static byte[] bzImage() {
        return bzImage(program());
    }

    /** A bzImage whose 64-bit entry runs {@code entry64} (position-independent code). */
    public static byte[] bzImage(byte[] entry64) {
        byte[] payload = payload(entry64);
        int setupBytes = (SETUP_SECTS + 1) * 512;
        // Padded to whole 16-byte paragraphs, as the kernel's build tool does (syssize).
        byte[] file = new byte[setupBytes + (payload.length + 15) / 16 * 16];
        ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        b.put(0x1f1, (byte) SETUP_SECTS);
        b.putInt(0x1f4, (payload.length + 15) / 16);        // syssize, 16-byte units
        b.putShort(0x1fe, (short) 0xaa55);                  // boot_flag
        b.put(0x200, (byte) 0xeb).put(0x201, (byte) 0x6a);  // jmp: header ends at 0x26c
        b.put(0x202, (byte) 'H').put(0x203, (byte) 'd').put(0x204, (byte) 'r').put(0x205, (byte) 'S');
        b.putShort(0x206, (short) PROTOCOL_VERSION);
        b.put(0x211, (byte) 0x01);                          // loadflags: LOADED_HIGH
        b.putInt(0x214, 0x10_0000);                         // code32_start
        b.putInt(0x22c, 0x7fff_ffff);                       // initrd_addr_max
        b.putInt(0x230, (int) KERNEL_ALIGNMENT);
        b.put(0x234, (byte) 1);                             // relocatable_kernel
        b.put(0x235, (byte) 20);                            // min_alignment: 1 MiB
        b.putShort(0x236, (short) 0x0001);                  // xloadflags: XLF_KERNEL_64
        b.putInt(0x238, CMDLINE_SIZE);
        b.putLong(0x258, PREF_ADDRESS);
        b.putInt(0x260, (int) INIT_SIZE);
        System.arraycopy(payload, 0, file, setupBytes, payload.length);
        return file;
    }

    /**
     * The protected-mode part: 0x200 bytes where the 32-bit entry would be (HLT, never entered),
     * then the 64-bit program.
     */
    public static byte[] payload(byte[] entry64) {
        byte[] out = new byte[0x200 + entry64.length];
        Arrays.fill(out, 0, 0x200, (byte) 0xf4);
        System.arraycopy(entry64, 0, out, 0x200, entry64.length);
        return out;
    }

    /** Parses the report: every key to its values, in order (several for {@code e820}). */
    public static Map<String, List<String>> parse(String output) {
        Map<String, List<String>> fields = new LinkedHashMap<>();
        for (String line : output.split("\n")) {
            int eq = line.indexOf('=');
            String key = eq < 0 ? line : line.substring(0, eq);
            String value = eq < 0 ? "" : line.substring(eq + 1);
            fields.computeIfAbsent(key, k -> new ArrayList<>()).add(value);
        }
        return fields;
    }

    /**
     * The checksum the payload computes over the initrd: a = sum of bytes, b = sum of the running a
     * (Fletcher's scheme without the modulus, both 32 bits), reported as b << 32 | a. Unlike a
     * plain sum it changes when bytes move.
     */
    public static long checksum(byte[] data) {
        int a = 0;
        int b = 0;
        for (byte x : data) {
            a += x & 0xff;
            b += a;
        }
        return ((long) b << 32) | (a & 0xffff_ffffL);
    }

    // Register use: R12 = boot_params (RSI at entry), R13 = RSP and R14 = the entry address until
    // reported. Subroutines clobber RAX, RCX, RSI, R8, R9, BL, DX; the main line keeps values in
    // R10, R11, R13, R15 across calls.
    private static byte[] program() {
        X86Assembler a = new X86Assembler(CpuMode.LONG, 0);
        Label start = a.newLabel("start");
        Label print = a.newLabel("print");
        Label putc = a.newLabel("putc");
        Label hex = a.newLabel("hex");
        Label field = a.newLabel("field");
        Map<String, Label> keys = new LinkedHashMap<>();

        a.bind(start)
            .lea(R14, start)
            .mov(R12, RSI)
            .mov(R13, RSP);
        report(a, keys, field, "entry", R14);
        report(a, keys, field, "rsi", R12);
        report(a, keys, field, "rsp", R13);
        a.mov(RAX, ControlRegister.CR0);
        report(a, keys, field, "cr0", RAX);
        a.mov(RAX, ControlRegister.CR3);
        report(a, keys, field, "cr3", RAX);
        a.mov(RAX, ControlRegister.CR4);
        report(a, keys, field, "cr4", RAX);
        msr(a, keys, field, "efer", 0xc000_0080L);
        msr(a, keys, field, "misc_enable", 0x1a0);
        msr(a, keys, field, "mtrr_def_type", 0x2ff);
        msr(a, keys, field, "sysenter_cs", 0x174);
        msr(a, keys, field, "lstar", 0xc000_0082L);

        // CPUID leaf 1 (APIC id, hypervisor bit) and the hypervisor signature leaf.
        a.mov(EAX, 1).xor(ECX, ECX).cpuid().mov(R10, RBX).mov(R11, RCX);
        report(a, keys, field, "cpuid1_ebx", R10);
        report(a, keys, field, "cpuid1_ecx", R11);
        // R13 and R14 are free again (reported above).
        a.mov(EAX, 0x4000_0000L).xor(ECX, ECX).cpuid().mov(R10, RAX).mov(R11, RBX).mov(R15, RCX).mov(R13, RDX);
        report(a, keys, field, "cpuid40_eax", R10);
        report(a, keys, field, "cpuid40_ebx", R11);
        report(a, keys, field, "cpuid40_ecx", R15);
        report(a, keys, field, "cpuid40_edx", R13);

        // The local APIC through its MMIO page (ID at 0x20, LVT LINT0 at 0x350, LINT1 at 0x360).
        a.mov(EBX, 0xfee0_0000L).mov(EAX, MemoryOperand.at(RBX, 0x20)).mov(R10, RAX)
            .mov(EAX, MemoryOperand.at(RBX, 0x350)).mov(R11, RAX)
            .mov(EAX, MemoryOperand.at(RBX, 0x360)).mov(R15, RAX);
        report(a, keys, field, "apic_id", R10);
        report(a, keys, field, "apic_lvt0", R11);
        report(a, keys, field, "apic_lvt1", R15);

        // The zero page.
        a.xor(EAX, EAX).mov(AL, MemoryOperand.at(R12, 0x210)).mov(R10, RAX);
        report(a, keys, field, "type_of_loader", R10);
        a.mov(EAX, MemoryOperand.at(R12, 0x228)).mov(R10, RAX);
        report(a, keys, field, "cmd_line_ptr", R10);
        // cmdline=<the string at cmd_line_ptr>
        a.lea(RSI, key(a, keys, "cmdline")).call(print)
            .mov(RSI, R10).call(print)
            .mov(AL, '\n').call(putc);
        a.mov(EAX, MemoryOperand.at(R12, 0x218)).mov(R10, RAX);
        report(a, keys, field, "ramdisk_image", R10);
        a.mov(EAX, MemoryOperand.at(R12, 0x21c)).mov(R11, RAX);
        report(a, keys, field, "ramdisk_size", R11);
        a.mov(EAX, MemoryOperand.at(R12, 0x0c0)).mov(R15, RAX);
        report(a, keys, field, "ext_ramdisk_image", R15);

        // Checksum of [ramdisk_image, + ramdisk_size): EDX = a, EBX = b.
        Label sumLoop = a.newLabel("sum_loop");
        Label sumDone = a.newLabel("sum_done");
        a.mov(RSI, R10).mov(RCX, R11).xor(EDX, EDX).xor(EBX, EBX)
            .test(RCX, RCX).j(Condition.E, sumDone)
            .bind(sumLoop)
            .xor(EAX, EAX).mov(AL, MemoryOperand.at(RSI))
            .add(EDX, EAX).add(EBX, EDX)
            .inc(RSI).dec(RCX).j(Condition.NE, sumLoop)
            .bind(sumDone)
            .mov(EAX, EDX).shl(RBX, 32).or(RAX, RBX).mov(R10, RAX);
        report(a, keys, field, "initrd_checksum", R10);

        // e820: the count, then one line per entry.
        Label e820Loop = a.newLabel("e820_loop");
        Label e820Done = a.newLabel("e820_done");
        a.xor(EAX, EAX).mov(AL, MemoryOperand.at(R12, 0x1e8)).mov(R10, RAX);
        report(a, keys, field, "e820_entries", R10);
        a.mov(R11, R12).add(R11, 0x2d0)
            .test(R10, R10).j(Condition.E, e820Done)
            .bind(e820Loop)
            .lea(RSI, key(a, keys, "e820")).call(print)
            .mov(RAX, MemoryOperand.at(R11)).call(hex)
            .mov(AL, ' ').call(putc)
            .mov(RAX, MemoryOperand.at(R11, 8)).call(hex)
            .mov(AL, ' ').call(putc)
            .mov(EAX, MemoryOperand.at(R11, 16)).call(hex)
            .mov(AL, '\n').call(putc)
            .add(R11, 20).dec(R10).j(Condition.NE, e820Loop)
            .bind(e820Done);

        // Boot complete (Firecracker's signal), "done", then reset through the i8042.
        Label halt = a.newLabel("halt");
        a.mov(AL, 123).mov(EDX, 0x3f0).out(DX, AL)
            .lea(RSI, key(a, keys, DONE)).call(print).mov(AL, '\n').call(putc)
            .mov(AL, 0xfe).out(0x64, AL)
            .bind(halt).cli().hlt().jmp(halt);

        emitSubroutines(a, print, putc, hex, field);
        // The keys, "key=" each (DONE has no '=').
        keys.forEach((name, label) -> a.bind(label).asciz(name.equals(DONE) ? name : name + "="));
        return a.assemble().bytes();
    }

    /** The 8259's vector base jvmm's interrupt program programs (ICW2), and the UART's vector. */
    public static final int PIC_VECTOR_BASE = 0x20;
    public static final int UART_VECTOR = PIC_VECTOR_BASE + 4;

    /**
     * A program that takes one interrupt from COM1 the way Linux's console does in virtual-wire
     * mode: it installs an IDT gate for {@link #UART_VECTOR}, initialises the 8259 pair (vectors
     * 0x20/0x28, only IRQ 4 unmasked), sets MCR.OUT2 and IER.ETBEI (THR is empty, so a THRE
     * interrupt is pending at once), enables interrupts and halts. The handler reads IIR (which
     * acknowledges THRE), counts, turns IER off and sends the PIC an EOI. Back in the main line it
     * reports {@code uart_irqs} and {@code uart_iir}, signals boot-complete and resets.
     */
    public static byte[] uartInterruptProgram() {
        X86Assembler a = new X86Assembler(CpuMode.LONG, 0);
        Label start = a.newLabel("start");
        Label handler = a.newLabel("handler");
        Label idt = a.newLabel("idt");
        Label idtr = a.newLabel("idtr");
        Label wait = a.newLabel("wait");
        Label print = a.newLabel("print");
        Label putc = a.newLabel("putc");
        Label hex = a.newLabel("hex");
        Label field = a.newLabel("field");
        Map<String, Label> keys = new LinkedHashMap<>();
        int gate = UART_VECTOR * 16;
        a.bind(start)
            // The 64-bit interrupt gate (SDM Vol. 3A, 6.14.1): offset, CS, type 0xE present, DPL 0.
            .lea(RBX, idt).lea(RAX, handler)
            .mov(MemoryOperand.at(RBX, gate), AX)
            .mov(CX, SegmentRegister.CS)
            .mov(MemoryOperand.at(RBX, gate + 2), CX)
            .mov(DX, 0x8e00)
            .mov(MemoryOperand.at(RBX, gate + 4), DX)
            .shr(RAX, 16).mov(MemoryOperand.at(RBX, gate + 6), AX)
            .shr(RAX, 16).mov(MemoryOperand.at(RBX, gate + 8), EAX)
            .lea(RSI, idtr).mov(AX, 256 * 16 - 1)
            .mov(MemoryOperand.at(RSI), AX)
            .mov(MemoryOperand.at(RSI, 2), RBX)
            .lidt(MemoryOperand.at(RSI))
            // 8259 pair: ICW1 (edge, cascade, ICW4), ICW2 vector bases, ICW3 wiring, ICW4 8086 mode.
            .mov(AL, 0x11).out(0x20, AL).out(0xa0, AL)
            .mov(AL, PIC_VECTOR_BASE).out(0x21, AL)
            .mov(AL, PIC_VECTOR_BASE + 8).out(0xa1, AL)
            .mov(AL, 0x04).out(0x21, AL)
            .mov(AL, 0x02).out(0xa1, AL)
            .mov(AL, 0x01).out(0x21, AL).out(0xa1, AL)
            .mov(AL, 0xef).out(0x21, AL)             // only IRQ 4 unmasked
            .mov(AL, 0xff).out(0xa1, AL)
            .xor(R15, R15).xor(R14, R14)
            // COM1: MCR = DTR | RTS | OUT2 (OUT2 gates the IRQ pin on a PC), IER = ETBEI.
            .mov(EDX, COM1 + Uart16550.MCR).mov(AL, 0x0b).out(DX, AL)
            .mov(EDX, COM1 + Uart16550.IER_DLM).mov(AL, 0x02).out(DX, AL)
            .sti()
            .bind(wait).hlt().test(R15, R15).j(Condition.E, wait)
            .cli();
        report(a, keys, field, "uart_irqs", R15);
        report(a, keys, field, "uart_iir", R14);
        Label halt = a.newLabel("halt");
        a.mov(AL, 123).mov(EDX, 0x3f0).out(DX, AL)
            .lea(RSI, key(a, keys, DONE)).call(print).mov(AL, '\n').call(putc)
            .mov(AL, 0xfe).out(0x64, AL)
            .bind(halt).cli().hlt().jmp(halt);

        // The interrupt handler: IIR into R14, count in R15, IER off, EOI.
        a.bind(handler)
            .mov(EDX, COM1 + Uart16550.IIR_FCR).xor(EAX, EAX).in(AL, DX).mov(R14, RAX)
            .inc(R15)
            .mov(EDX, COM1 + Uart16550.IER_DLM).xor(EAX, EAX).out(DX, AL)
            .mov(AL, 0x20).out(0x20, AL)
            .iretq();
        emitSubroutines(a, print, putc, hex, field);
        keys.forEach((name, label) -> a.bind(label).asciz(name.equals(DONE) ? name : name + "="));
        a.bind(idtr).bytes(new byte[10]);
        a.bind(idt).bytes(new byte[256 * 16]);
        return a.assemble().bytes();
    }

    /** field, hex, print and putc (see the register-use note above). */
    private static void emitSubroutines(X86Assembler a, Label print, Label putc, Label hex, Label field) {
        // field: prints the key at RSI, RAX in hex, a newline.
        a.bind(field)
            .mov(R9, RAX).call(print).mov(RAX, R9).call(hex)
            .mov(AL, '\n').call(putc)
            .ret();
        // hex: RAX as 16 lower-case hex digits.
        Label digit = a.newLabel("hex_digit");
        Label decimal = a.newLabel("hex_decimal");
        a.bind(hex)
            .mov(R8, RAX).mov(ECX, 16)
            .bind(digit)
            .rol(R8, 4).mov(RAX, R8).and(EAX, 0xf)
            .cmp(AL, 10).j(Condition.B, decimal)
            .add(AL, 'a' - 10 - '0')
            .bind(decimal)
            .add(AL, '0').call(putc)
            .dec(ECX).j(Condition.NE, digit)
            .ret();
        BuiltInGuests.emitPrint(a, print, putc);
        BuiltInGuests.emitPutc(a, putc);
    }

    private static Label key(X86Assembler a, Map<String, Label> keys, String name) {
        return keys.computeIfAbsent(name, n -> a.newLabel("key_" + n));
    }

    /** key=hex(value) through {@code field}; {@code value} must not be one the subroutines clobber (other than RAX). */
    private static void report(X86Assembler a, Map<String, Label> keys, Label field, String name,
                               Register value) {
        if (value != RAX) {
            a.mov(RAX, value);
        }
        a.lea(RSI, key(a, keys, name)).call(field);
    }

    private static void msr(X86Assembler a, Map<String, Label> keys, Label field, String name, long index) {
        a.mov(ECX, index).rdmsr().shl(RDX, 32).or(RAX, RDX);
        report(a, keys, field, name, RAX);
    }
}
