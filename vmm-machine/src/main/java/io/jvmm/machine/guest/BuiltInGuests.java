package io.jvmm.machine.guest;

import static io.jvmm.machine.guest.Register.AL;
import static io.jvmm.machine.guest.Register.AX;
import static io.jvmm.machine.guest.Register.BL;
import static io.jvmm.machine.guest.Register.DX;
import static io.jvmm.machine.guest.Register.EAX;
import static io.jvmm.machine.guest.Register.EBX;
import static io.jvmm.machine.guest.Register.ECX;
import static io.jvmm.machine.guest.Register.EDX;
import static io.jvmm.machine.guest.Register.ESI;
import static io.jvmm.machine.guest.Register.R8;
import static io.jvmm.machine.guest.Register.RAX;
import static io.jvmm.machine.guest.Register.RBX;
import static io.jvmm.machine.guest.Register.RCX;
import static io.jvmm.machine.guest.Register.RSI;
import static io.jvmm.machine.guest.Register.SI;

import io.jvmm.devices.I8042;
import io.jvmm.devices.Uart16550;
import io.jvmm.x86.X86Layout;

/**
 * The guests jvmm carries inside itself, assembled at run time by {@link X86Assembler}. Each is a
 * {@link GuestImage}; its contract with the host (what it prints, which mailbox words it reads
 * and writes, how it ends) is spelled out on its factory method and in the constants here, so
 * tests and the CLI check exactly what the guest promises.
 *
 * <p>The mailbox is the page at {@link X86Layout#MAILBOX_ADDR}; the host writes inputs there
 * before the first {@code KVM_RUN} and reads results after the run.
 *
 * <p>Every guest prints by polling LSR.THRE before each byte it writes to THR, as a polling
 * driver does, and ends with {@code cli; hlt} in a loop: without an in-kernel irqchip HLT exits to
 * the VMM, which ends the run.
 */
public final class BuiltInGuests {
    /** Offset in the mailbox of the 64-bit little-endian value the host gives the guest. */
    public static final int MAILBOX_INPUT_OFFSET = 0x0;
    /** Offset in the mailbox of the 64-bit little-endian value the guest gives back. */
    public static final int MAILBOX_RESULT_OFFSET = 0x8;
    /** {@link X86Layout#MAILBOX_ADDR} + {@link #MAILBOX_INPUT_OFFSET}. */
    public static final long MAILBOX_INPUT_ADDR = X86Layout.MAILBOX_ADDR + MAILBOX_INPUT_OFFSET;
    /** {@link X86Layout#MAILBOX_ADDR} + {@link #MAILBOX_RESULT_OFFSET}. */
    public static final long MAILBOX_RESULT_ADDR = X86Layout.MAILBOX_ADDR + MAILBOX_RESULT_OFFSET;

    /** First line the long-mode demo guest prints. */
    public static final String DEMO_GREETING = "Hello from the jvmm demo guest, running in 64-bit long mode!\n";
    /** Second line of the demo guest: this prefix, the result as 16 lower-case hex digits, a newline. */
    public static final String DEMO_RESULT_PREFIX = "jvmm demo guest: mailbox value * 3 + 7 = 0x";
    /** The only line the real-mode guest prints. */
    public static final String REAL_MODE_GREETING = "Hello from the jvmm real-mode guest, running in 16-bit real mode!\n";

    /** The {@link GuestImage#name()} of {@link #longModeDemo()}. */
    public static final String DEMO_NAME = "demo";
    /** The {@link GuestImage#name()} of {@link #realModeHello()}. */
    public static final String REAL_MODE_NAME = "real-mode";
    /** The {@link GuestImage#name()} of {@link #exitBenchmark()}. */
    public static final String EXIT_BENCHMARK_NAME = "exit-benchmark";

    private static final int COM1_THR = X86Layout.COM1_PORT + Uart16550.RBR_THR_DLL;
    private static final int COM1_LSR = X86Layout.COM1_PORT + Uart16550.LSR;

    private BuiltInGuests() {
    }

    /**
     * What the demo guest writes to {@link #MAILBOX_RESULT_ADDR} for a given input.
     *
     * @param input the 64-bit value at {@link #MAILBOX_INPUT_ADDR}
     * @return {@code input * 3 + 7}, modulo 2^64
     */
    public static long demoResult(long input) {
        return input * 3 + 7;
    }

    /**
     * Everything the demo guest prints to COM1 for a given mailbox input, in order.
     *
     * @param input the 64-bit value at {@link #MAILBOX_INPUT_ADDR}
     * @return {@link #DEMO_GREETING}, then {@link #DEMO_RESULT_PREFIX}, {@link #demoResult(long)} as 16 lower-case hex
     *     digits and a newline
     */
    public static String demoOutput(long input) {
        return DEMO_GREETING + DEMO_RESULT_PREFIX + String.format("%016x", demoResult(input)) + "\n";
    }

    /**
     * The default guest {@code jvmm run} boots. Loaded and entered at {@link X86Layout#HIMEM_START}
     * in 64-bit long mode; it needs RSP pointing at writable memory (it calls subroutines), which
     * the VMM's {@link X86Layout#BOOT_STACK_POINTER} provides. In order, it:
     * <ol>
     *   <li>prints {@link #DEMO_GREETING} on COM1;</li>
     *   <li>writes {@link X86Layout#BOOT_COMPLETE_VALUE} to {@link X86Layout#BOOT_COMPLETE_PORT}
     *       (Firecracker's boot-complete signal);</li>
     *   <li>reads the 64-bit value at {@link #MAILBOX_INPUT_ADDR} and writes
     *       {@link #demoResult(long)} of it to {@link #MAILBOX_RESULT_ADDR};</li>
     *   <li>prints {@link #DEMO_RESULT_PREFIX}, the result in hex and a newline (so the whole output is
     *       {@link #demoOutput(long)});</li>
     *   <li>pulses the reset line through the i8042 (0xFE to its command port), and halts if the
     *       reset is not honoured.</li>
     * </ol>
     *
     * @return a freshly assembled image named {@link #DEMO_NAME}
     */
    public static GuestImage longModeDemo() {
        X86Assembler asm = new X86Assembler(CpuMode.LONG, X86Layout.HIMEM_START);
        Label start = asm.newLabel("start");
        Label greeting = asm.newLabel("greeting");
        Label resultPrefix = asm.newLabel("result_prefix");
        Label hexDigit = asm.newLabel("hex_digit");
        Label decimalDigit = asm.newLabel("decimal_digit");
        Label halt = asm.newLabel("halt");
        Label print = asm.newLabel("print");
        Label putc = asm.newLabel("putc");

        asm.bind(start)
                .movAddress(ESI, greeting)
                .call(print)
                // Boot complete: Firecracker's signal, so --stats can time this guest too.
                .mov(AL, X86Layout.BOOT_COMPLETE_VALUE)
                .mov(EDX, X86Layout.BOOT_COMPLETE_PORT)
                .out(DX, AL)
                // result = input * 3 + 7, through the mailbox.
                .mov(EBX, X86Layout.MAILBOX_ADDR)
                .mov(RAX, MemoryOperand.at(RBX, MAILBOX_INPUT_OFFSET))
                .mov(RCX, RAX)
                .add(RCX, RAX)
                .add(RCX, RAX)
                .add(RCX, 7)
                .mov(MemoryOperand.at(RBX, MAILBOX_RESULT_OFFSET), RCX)
                .movAddress(ESI, resultPrefix)
                .call(print)
                // The result in hex, most significant nibble first.
                .mov(R8, RCX)
                .mov(ECX, 16)
                .bind(hexDigit)
                .rol(R8, 4)
                .mov(RAX, R8)
                .and(EAX, 0xf)
                .cmp(AL, 10)
                .j(Condition.B, decimalDigit)
                .add(AL, 'a' - 10 - '0')
                .bind(decimalDigit)
                .add(AL, '0')
                .call(putc)
                .dec(ECX)
                .j(Condition.NE, hexDigit)
                .mov(AL, '\n')
                .call(putc)
                // Reset through the keyboard controller, as Linux's reboot=k does.
                .mov(AL, I8042.CMD_PULSE_RESET)
                .out(X86Layout.I8042_COMMAND_PORT, AL)
                .bind(halt)
                .cli()
                .hlt()
                .jmp(halt);

        emitPrint(asm, print, putc);
        emitPutc(asm, putc);

        asm.bind(greeting).asciz(DEMO_GREETING);
        asm.bind(resultPrefix).asciz(DEMO_RESULT_PREFIX);
        AssembledCode code = asm.assemble();
        return new GuestImage(DEMO_NAME, code.bytes(), code.origin(), code.address(start), CpuMode.LONG);
    }

    /**
     * A 16-bit real-mode guest, loaded and entered at {@link X86Layout#REAL_MODE_LOAD_ADDR}
     * (CS = 0x1000, IP = 0). It sets DS = CS itself and uses no stack, so it depends on nothing but
     * CS:IP; it prints {@link #REAL_MODE_GREETING} on COM1 and halts.
     *
     * @return a freshly assembled image named {@link #REAL_MODE_NAME}
     */
    public static GuestImage realModeHello() {
        // Real-mode code is assembled relative to its code segment, which starts at the load address.
        X86Assembler asm = new X86Assembler(CpuMode.REAL, 0);
        Label start = asm.newLabel("start");
        Label greeting = asm.newLabel("greeting");
        Label next = asm.newLabel("next");
        Label poll = asm.newLabel("poll");
        Label halt = asm.newLabel("halt");
        asm.bind(start)
                .mov(AX, SegmentRegister.CS)
                .mov(SegmentRegister.DS, AX)
                .movAddress(SI, greeting)
                .bind(next)
                .mov(BL, MemoryOperand.at(SI))
                .test(BL, BL)
                .j(Condition.E, halt)
                .mov(DX, COM1_LSR)
                .bind(poll)
                .in(AL, DX)
                .test(AL, Uart16550.LSR_THRE)
                .j(Condition.E, poll)
                .mov(DX, COM1_THR)
                .mov(AL, BL)
                .out(DX, AL)
                .inc(SI)
                .jmp(next)
                .bind(halt)
                .cli()
                .hlt()
                .jmp(halt)
                .bind(greeting)
                .asciz(REAL_MODE_GREETING);
        AssembledCode code = asm.assemble();
        long load = X86Layout.REAL_MODE_LOAD_ADDR;
        return new GuestImage(REAL_MODE_NAME, code.bytes(), load, load + code.address(start), CpuMode.REAL);
    }

    /**
     * The exit-path benchmark guest, loaded and entered at {@link X86Layout#HIMEM_START} in 64-bit
     * long mode. It reads N, an unsigned 64-bit count, from {@link #MAILBOX_INPUT_ADDR}, writes the
     * byte 0 to {@link X86Layout#EXIT_BENCHMARK_PORT} N times (one port-I/O exit each, nothing else
     * in the loop but {@code dec} and {@code jnz}), then halts. It prints nothing and uses no stack.
     *
     * @return a freshly assembled image named {@link #EXIT_BENCHMARK_NAME}
     */
    public static GuestImage exitBenchmark() {
        X86Assembler asm = new X86Assembler(CpuMode.LONG, X86Layout.HIMEM_START);
        Label start = asm.newLabel("start");
        Label loop = asm.newLabel("loop");
        Label halt = asm.newLabel("halt");
        asm.bind(start)
                .mov(EBX, X86Layout.MAILBOX_ADDR)
                .mov(RCX, MemoryOperand.at(RBX, MAILBOX_INPUT_OFFSET))
                .mov(EDX, X86Layout.EXIT_BENCHMARK_PORT)
                .xor(EAX, EAX)
                .test(RCX, RCX)
                .j(Condition.E, halt)
                .bind(loop)
                .out(DX, AL)
                .dec(RCX)
                .j(Condition.NE, loop)
                .bind(halt)
                .cli()
                .hlt()
                .jmp(halt);
        AssembledCode code = asm.assemble();
        return new GuestImage(EXIT_BENCHMARK_NAME, code.bytes(), code.origin(), code.address(start), CpuMode.LONG);
    }

    /**
     * Emits, at {@code print}, a 64-bit routine that writes the NUL-terminated string at RSI to
     * COM1 by calling {@code putc} for each byte, then returns (RSI points at the NUL). Clobbers AL,
     * BL, DX and RSI. Shared by the built-in guests and the test kernels, so that there is one
     * serial print loop.
     *
     * @param asm   a long-mode assembler
     * @param print the label to bind to the routine's entry (unbound)
     * @param putc  the entry of a routine like {@link #emitPutc}'s (bound anywhere)
     */
    public static void emitPrint(X86Assembler asm, Label print, Label putc) {
        Label printDone = asm.newLabel("print_done");
        asm.bind(print)
                .mov(AL, MemoryOperand.at(RSI))
                .test(AL, AL)
                .j(Condition.E, printDone)
                .call(putc)
                .inc(RSI)
                .jmp(print)
                .bind(printDone)
                .ret();
    }

    /**
     * Emits, at {@code putc}, a 64-bit routine that writes AL to COM1 (THR at
     * {@link X86Layout#COM1_PORT}) once LSR.THRE is set, polling LSR, then returns. Clobbers BL
     * and DX; keeps AL.
     *
     * @param asm  a long-mode assembler
     * @param putc the label to bind to the routine's entry (unbound)
     */
    public static void emitPutc(X86Assembler asm, Label putc) {
        Label poll = asm.newLabel("putc_poll");
        asm.bind(putc)
                .mov(BL, AL)
                .mov(EDX, COM1_LSR)
                .bind(poll)
                .in(AL, DX)
                .test(AL, Uart16550.LSR_THRE)
                .j(Condition.E, poll)
                .mov(EDX, COM1_THR)
                .mov(AL, BL)
                .out(DX, AL)
                .ret();
    }
}
