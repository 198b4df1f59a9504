package io.jvmm.machine.guest;

import static io.jvmm.machine.guest.Register.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every encoding the assembler produces is compared with what GNU {@code as} produces for the same
 * instruction (AT&T syntax, so operands are reversed). All cases of one mode are assembled by one
 * {@code as} run; each case starts at a symbol {@code case_N}, found with {@code nm}, and its bytes
 * run to the next case. Labels in the AT&T text are written {@code L1}, {@code L2}, ... and made
 * unique per case; {@code ADDR(L1)} stands for L1's absolute address at the case's origin.
 */
class X86AssemblerTest {
    private static final long LONG_ORIGIN = 0x100000;
    private static final long REAL_ORIGIN = 0x7c00;

    private record Case(String gas, Consumer<X86Assembler> build) {
    }

    private static Case c(String gas, Consumer<X86Assembler> build) {
        return new Case(gas, build);
    }

    private static byte[] fill(int count) {
        byte[] nops = new byte[count];
        Arrays.fill(nops, (byte) 0x90);
        return nops;
    }

    private static List<Case> longModeCases() {
        List<Case> cases = new ArrayList<>();
        // Register moves.
        cases.add(c("mov %rbx,%rax", a -> a.mov(RAX, RBX)));
        cases.add(c("mov %ecx,%eax", a -> a.mov(EAX, ECX)));
        cases.add(c("mov %dx,%ax", a -> a.mov(AX, DX)));
        cases.add(c("mov %bl,%al", a -> a.mov(AL, BL)));
        cases.add(c("mov %r8,%rax", a -> a.mov(RAX, R8)));
        cases.add(c("mov %rcx,%r15", a -> a.mov(R15, RCX)));
        cases.add(c("mov %r9,%r10", a -> a.mov(R10, R9)));
        // Immediates.
        cases.add(c("mov $0x41,%al", a -> a.mov(AL, 0x41)));
        cases.add(c("mov $0xfe,%bl", a -> a.mov(BL, 0xfe)));
        cases.add(c("mov $0x3fd,%dx", a -> a.mov(DX, 0x3fd)));
        cases.add(c("mov $0x3fd,%edx", a -> a.mov(EDX, 0x3fd)));
        cases.add(c("mov $0xffffffff,%edx", a -> a.mov(EDX, 0xffffffffL)));
        cases.add(c("mov $5,%rax", a -> a.mov(RAX, 5)));
        cases.add(c("mov $-1,%rax", a -> a.mov(RAX, -1)));
        cases.add(c("mov $7,%r9", a -> a.mov(R9, 7)));
        cases.add(c("mov $0x7fffffff,%rsi", a -> a.mov(RSI, 0x7fffffffL)));
        cases.add(c("movabs $0x123456789,%rax", a -> a.mov(RAX, 0x123456789L)));
        cases.add(c("movabs $0x8000000000000000,%r12", a -> a.mov(R12, 0x8000000000000000L)));
        cases.add(c("mov $0xffffffff,%rax", a -> a.mov(RAX, 0xffffffffL)));
        // Loads and stores.
        cases.add(c("mov (%rbx),%rax", a -> a.mov(RAX, MemoryOperand.at(RBX))));
        cases.add(c("mov 8(%rbx),%rcx", a -> a.mov(RCX, MemoryOperand.at(RBX, 8))));
        cases.add(c("mov %rcx,8(%rbx)", a -> a.mov(MemoryOperand.at(RBX, 8), RCX)));
        cases.add(c("mov (%rsi),%al", a -> a.mov(AL, MemoryOperand.at(RSI))));
        cases.add(c("mov %al,(%rdi)", a -> a.mov(MemoryOperand.at(RDI), AL)));
        cases.add(c("mov 0x100(%rbx),%rax", a -> a.mov(RAX, MemoryOperand.at(RBX, 0x100))));
        cases.add(c("mov -8(%rbp),%rax", a -> a.mov(RAX, MemoryOperand.at(RBP, -8))));
        cases.add(c("mov (%rbp),%rax", a -> a.mov(RAX, MemoryOperand.at(RBP))));
        cases.add(c("mov (%rsp),%rax", a -> a.mov(RAX, MemoryOperand.at(RSP))));
        cases.add(c("mov 0x10(%rsp),%ecx", a -> a.mov(ECX, MemoryOperand.at(RSP, 0x10))));
        cases.add(c("mov (%r12),%rax", a -> a.mov(RAX, MemoryOperand.at(R12))));
        cases.add(c("mov (%r13),%rax", a -> a.mov(RAX, MemoryOperand.at(R13))));
        cases.add(c("mov %r9,0x10(%r10)", a -> a.mov(MemoryOperand.at(R10, 0x10), R9)));
        cases.add(c("mov 0x7f(%rbx),%eax", a -> a.mov(EAX, MemoryOperand.at(RBX, 0x7f))));
        cases.add(c("mov 0x80(%rbx),%eax", a -> a.mov(EAX, MemoryOperand.at(RBX, 0x80))));
        cases.add(c("mov -0x81(%rbx),%eax", a -> a.mov(EAX, MemoryOperand.at(RBX, -0x81))));
        cases.add(c("mov %dx,(%rbx)", a -> a.mov(MemoryOperand.at(RBX), DX)));
        // Segment registers.
        cases.add(c("mov %cs,%ax", a -> a.mov(AX, SegmentRegister.CS)));
        cases.add(c("mov %ax,%ds", a -> a.mov(SegmentRegister.DS, AX)));
        // Arithmetic and logic.
        cases.add(c("add %rax,%rcx", a -> a.add(RCX, RAX)));
        cases.add(c("add $7,%rcx", a -> a.add(RCX, 7)));
        cases.add(c("add $0x1000,%eax", a -> a.add(EAX, 0x1000)));
        cases.add(c("add $0x1000,%ecx", a -> a.add(ECX, 0x1000)));
        cases.add(c("add $0x80,%eax", a -> a.add(EAX, 0x80)));
        cases.add(c("add $0x7fffffff,%rax", a -> a.add(RAX, 0x7fffffff)));
        cases.add(c("add $0xffff,%ax", a -> a.add(AX, 0xffff)));
        cases.add(c("add $0xffffffff,%eax", a -> a.add(EAX, 0xffffffffL)));
        cases.add(c("add $0x27,%al", a -> a.add(AL, 0x27)));
        cases.add(c("sub $1,%al", a -> a.sub(AL, 1)));
        cases.add(c("sub %r8,%r9", a -> a.sub(R9, R8)));
        cases.add(c("sub $0x200,%r11", a -> a.sub(R11, 0x200)));
        cases.add(c("and $0xf,%eax", a -> a.and(EAX, 0xf)));
        cases.add(c("and $0xfff0,%ax", a -> a.and(AX, 0xfff0)));
        cases.add(c("and %cl,%al", a -> a.and(AL, CL)));
        cases.add(c("or $0x80,%dl", a -> a.or(DL, 0x80)));
        cases.add(c("or %rdx,%rax", a -> a.or(RAX, RDX)));
        cases.add(c("xor %eax,%eax", a -> a.xor(EAX, EAX)));
        cases.add(c("xor $0x55,%bl", a -> a.xor(BL, 0x55)));
        cases.add(c("cmp $10,%al", a -> a.cmp(AL, 10)));
        cases.add(c("cmp $10,%bl", a -> a.cmp(BL, 10)));
        cases.add(c("cmp $-1,%rax", a -> a.cmp(RAX, -1)));
        cases.add(c("cmp %rbx,%rax", a -> a.cmp(RAX, RBX)));
        cases.add(c("test %al,%al", a -> a.test(AL, AL)));
        cases.add(c("test %rcx,%rcx", a -> a.test(RCX, RCX)));
        cases.add(c("test %rax,%rcx", a -> a.test(RCX, RAX)));
        cases.add(c("test $0x20,%al", a -> a.test(AL, 0x20)));
        cases.add(c("test $0x20,%bl", a -> a.test(BL, 0x20)));
        cases.add(c("test $0x20,%ax", a -> a.test(AX, 0x20)));
        cases.add(c("test $0x100,%eax", a -> a.test(EAX, 0x100)));
        cases.add(c("test $1,%ecx", a -> a.test(ECX, 1)));
        cases.add(c("test $1,%r10", a -> a.test(R10, 1)));
        cases.add(c("inc %rsi", a -> a.inc(RSI)));
        cases.add(c("inc %al", a -> a.inc(AL)));
        cases.add(c("inc %dx", a -> a.inc(DX)));
        cases.add(c("dec %ecx", a -> a.dec(ECX)));
        cases.add(c("dec %r8", a -> a.dec(R8)));
        cases.add(c("rol $4,%r8", a -> a.rol(R8, 4)));
        cases.add(c("shl $1,%eax", a -> a.shl(EAX, 1)));
        cases.add(c("shr $3,%rax", a -> a.shr(RAX, 3)));
        cases.add(c("sar $1,%bl", a -> a.sar(BL, 1)));
        cases.add(c("ror $8,%dx", a -> a.ror(DX, 8)));
        // Port I/O.
        cases.add(c("in %dx,%al", a -> a.in(AL, DX)));
        cases.add(c("in %dx,%ax", a -> a.in(AX, DX)));
        cases.add(c("in %dx,%eax", a -> a.in(EAX, DX)));
        cases.add(c("in $0x60,%al", a -> a.in(AL, 0x60)));
        cases.add(c("out %al,%dx", a -> a.out(DX, AL)));
        cases.add(c("out %eax,%dx", a -> a.out(DX, EAX)));
        cases.add(c("out %al,$0x64", a -> a.out(0x64, AL)));
        cases.add(c("out %ax,$0x80", a -> a.out(0x80, AX)));
        // Single-byte instructions and data.
        cases.add(c("hlt; cli; sti; nop; ret", a -> a.hlt().cli().sti().nop().ret()));
        cases.add(c(".ascii \"hi\"; .asciz \"jvmm\\n\"", a -> a.ascii("hi").asciz("jvmm\n")));
        // Branches: relaxation picks rel8 exactly when the displacement fits.
        cases.add(c("jmp L1; nop; nop; nop; L1:", a -> {
            Label l1 = a.newLabel("L1");
            a.jmp(l1).nop().nop().nop().bind(l1);
        }));
        cases.add(c("L1: nop; jne L1", a -> {
            Label l1 = a.newLabel("L1");
            a.bind(l1).nop().j(Condition.NE, l1);
        }));
        cases.add(c("jmp L1; .fill 127,1,0x90; L1:", a -> {
            Label l1 = a.newLabel("L1");
            a.jmp(l1).bytes(fill(127)).bind(l1);
        }));
        cases.add(c("jmp L1; .fill 128,1,0x90; L1:", a -> {
            Label l1 = a.newLabel("L1");
            a.jmp(l1).bytes(fill(128)).bind(l1);
        }));
        cases.add(c("L1: .fill 126,1,0x90; jmp L1", a -> {
            Label l1 = a.newLabel("L1");
            a.bind(l1).bytes(fill(126)).jmp(l1);
        }));
        cases.add(c("L1: .fill 127,1,0x90; jmp L1", a -> {
            Label l1 = a.newLabel("L1");
            a.bind(l1).bytes(fill(127)).jmp(l1);
        }));
        cases.add(c("je L1; .fill 200,1,0x90; L1: jb L1; jae L1", a -> {
            Label l1 = a.newLabel("L1");
            a.j(Condition.E, l1).bytes(fill(200)).bind(l1).j(Condition.B, l1).j(Condition.AE, l1);
        }));
        cases.add(c("L1: .fill 300,1,0x90; jg L1; jle L1; js L1", a -> {
            Label l1 = a.newLabel("L1");
            a.bind(l1).bytes(fill(300)).j(Condition.G, l1).j(Condition.LE, l1).j(Condition.S, l1);
        }));
        // Growing the second jump pushes the first one out of rel8 range: relaxation must iterate.
        cases.add(c("je L1; je L2; .fill 124,1,0x90; L1: .fill 4,1,0x90; L2:", a -> {
            Label l1 = a.newLabel("L1");
            Label l2 = a.newLabel("L2");
            a.j(Condition.E, l1).j(Condition.E, l2).bytes(fill(124)).bind(l1).bytes(fill(4)).bind(l2);
        }));
        cases.add(c("call L1; nop; L1: ret; call L1", a -> {
            Label l1 = a.newLabel("L1");
            a.call(l1).nop().bind(l1).ret().call(l1);
        }));
        cases.add(c("mov $ADDR(L1),%esi; nop; L1: .asciz \"x\"", a -> {
            Label l1 = a.newLabel("L1");
            a.movAddress(ESI, l1).nop().bind(l1).asciz("x");
        }));
        // RIP-relative lea: forwards, backwards, onto itself, into r8..r15 and 32-bit registers.
        cases.add(c("lea L1(%rip),%rax; nop; L1:", a -> {
            Label l1 = a.newLabel("L1");
            a.lea(RAX, l1).nop().bind(l1);
        }));
        cases.add(c("L1: lea L1(%rip),%rax", a -> {
            Label l1 = a.newLabel("L1");
            a.bind(l1).lea(RAX, l1);
        }));
        cases.add(c("L1: .fill 300,1,0x90; lea L1(%rip),%r9", a -> {
            Label l1 = a.newLabel("L1");
            a.bind(l1).bytes(fill(300)).lea(R9, l1);
        }));
        cases.add(c("lea L1(%rip),%esi; L1: .asciz \"x\"", a -> {
            Label l1 = a.newLabel("L1");
            a.lea(ESI, l1).bind(l1).asciz("x");
        }));
        // Control registers, MSRs, CPUID.
        cases.add(c("mov %cr0,%rax", a -> a.mov(RAX, ControlRegister.CR0)));
        cases.add(c("mov %cr2,%rdx", a -> a.mov(RDX, ControlRegister.CR2)));
        cases.add(c("mov %cr3,%r9", a -> a.mov(R9, ControlRegister.CR3)));
        cases.add(c("mov %cr4,%rbx", a -> a.mov(RBX, ControlRegister.CR4)));
        cases.add(c("mov %cr8,%rax", a -> a.mov(RAX, ControlRegister.CR8)));
        cases.add(c("mov %rax,%cr4", a -> a.mov(ControlRegister.CR4, RAX)));
        cases.add(c("mov %r10,%cr3", a -> a.mov(ControlRegister.CR3, R10)));
        cases.add(c("cpuid; rdmsr; wrmsr", a -> a.cpuid().rdmsr().wrmsr()));
        cases.add(c("lidt (%rbx)", a -> a.lidt(MemoryOperand.at(RBX))));
        cases.add(c("lidt 0x10(%r12)", a -> a.lidt(MemoryOperand.at(R12, 0x10))));
        cases.add(c("iretq", X86Assembler::iretq));
        return cases;
    }

    private static List<Case> realModeCases() {
        List<Case> cases = new ArrayList<>();
        cases.add(c("mov %cs,%ax", a -> a.mov(AX, SegmentRegister.CS)));
        cases.add(c("mov %ax,%ds", a -> a.mov(SegmentRegister.DS, AX)));
        cases.add(c("mov %ax,%es", a -> a.mov(SegmentRegister.ES, AX)));
        cases.add(c("mov $0x3fd,%dx", a -> a.mov(DX, 0x3fd)));
        cases.add(c("mov $0x12345678,%eax", a -> a.mov(EAX, 0x12345678)));
        cases.add(c("mov $0x41,%al", a -> a.mov(AL, 0x41)));
        cases.add(c("mov %bl,%al", a -> a.mov(AL, BL)));
        cases.add(c("mov %dx,%ax", a -> a.mov(AX, DX)));
        cases.add(c("mov %edx,%eax", a -> a.mov(EAX, EDX)));
        cases.add(c("mov (%si),%bl", a -> a.mov(BL, MemoryOperand.at(SI))));
        cases.add(c("mov 4(%bx),%ax", a -> a.mov(AX, MemoryOperand.at(BX, 4))));
        cases.add(c("mov (%bp),%ax", a -> a.mov(AX, MemoryOperand.at(BP))));
        cases.add(c("mov %ax,0x1234(%di)", a -> a.mov(MemoryOperand.at(DI, 0x1234), AX)));
        cases.add(c("mov -2(%bx),%al", a -> a.mov(AL, MemoryOperand.at(BX, -2))));
        cases.add(c("test %bl,%bl", a -> a.test(BL, BL)));
        cases.add(c("test $0x20,%al", a -> a.test(AL, 0x20)));
        cases.add(c("test $0x20,%bx", a -> a.test(BX, 0x20)));
        cases.add(c("add $7,%ax", a -> a.add(AX, 7)));
        cases.add(c("add $0x1000,%ax", a -> a.add(AX, 0x1000)));
        cases.add(c("cmp $0x1234,%bx", a -> a.cmp(BX, 0x1234)));
        cases.add(c("sub %cx,%dx", a -> a.sub(DX, CX)));
        cases.add(c("add $0x10000,%eax", a -> a.add(EAX, 0x10000)));
        cases.add(c("inc %si", a -> a.inc(SI)));
        cases.add(c("dec %cx", a -> a.dec(CX)));
        cases.add(c("inc %eax", a -> a.inc(EAX)));
        cases.add(c("inc %al", a -> a.inc(AL)));
        cases.add(c("shl $1,%ax", a -> a.shl(AX, 1)));
        cases.add(c("shr $4,%al", a -> a.shr(AL, 4)));
        cases.add(c("in %dx,%al", a -> a.in(AL, DX)));
        cases.add(c("in %dx,%eax", a -> a.in(EAX, DX)));
        cases.add(c("out %al,%dx", a -> a.out(DX, AL)));
        cases.add(c("out %ax,%dx", a -> a.out(DX, AX)));
        cases.add(c("out %al,$0x64", a -> a.out(0x64, AL)));
        cases.add(c("cli; hlt", a -> a.cli().hlt()));
        cases.add(c("L1: nop; je L1; jmp L1", a -> {
            Label l1 = a.newLabel("L1");
            a.bind(l1).nop().j(Condition.E, l1).jmp(l1);
        }));
        cases.add(c("je L1; jmp L1; .fill 200,1,0x90; L1:", a -> {
            Label l1 = a.newLabel("L1");
            a.j(Condition.E, l1).jmp(l1).bytes(fill(200)).bind(l1);
        }));
        cases.add(c("call L1; L1: ret", a -> {
            Label l1 = a.newLabel("L1");
            a.call(l1).bind(l1).ret();
        }));
        cases.add(c("mov $ADDR(L1),%si; nop; L1: .asciz \"hello\"", a -> {
            Label l1 = a.newLabel("L1");
            a.movAddress(SI, l1).nop().bind(l1).asciz("hello");
        }));
        cases.add(c("mov %cr0,%eax", a -> a.mov(EAX, ControlRegister.CR0)));
        cases.add(c("mov %eax,%cr0", a -> a.mov(ControlRegister.CR0, EAX)));
        cases.add(c("cpuid; rdmsr", a -> a.cpuid().rdmsr()));
        cases.add(c("lidt (%bx)", a -> a.lidt(MemoryOperand.at(BX))));
        return cases;
    }

    @TestFactory
    Stream<DynamicTest> longModeEncodingsMatchGnuAs(@TempDir Path dir) throws Exception {
        return compareWithGas(dir, CpuMode.LONG, longModeCases());
    }

    @TestFactory
    Stream<DynamicTest> realModeEncodingsMatchGnuAs(@TempDir Path dir) throws Exception {
        return compareWithGas(dir, CpuMode.REAL, realModeCases());
    }

    private static Stream<DynamicTest> compareWithGas(Path dir, CpuMode mode, List<Case> cases) throws Exception {
        assumeTrue(toolAvailable("as") && toolAvailable("objcopy") && toolAvailable("nm"),
                "GNU binutils (as, objcopy, nm) not on PATH: the encodings cannot be compared with as");
        long origin = mode == CpuMode.LONG ? LONG_ORIGIN : REAL_ORIGIN;
        StringBuilder source = new StringBuilder(mode == CpuMode.LONG ? ".code64\n" : ".code16\n");
        source.append(".text\n");
        for (int i = 0; i < cases.size(); i++) {
            source.append("case_").append(i).append(":\n");
            source.append(renameLabels(cases.get(i).gas(), i, origin)).append('\n');
        }
        source.append("case_end:\n");
        Path asm = dir.resolve("cases.s");
        Path object = dir.resolve("cases.o");
        Path binary = dir.resolve("cases.bin");
        Files.writeString(asm, source);
        run(dir, "as", mode == CpuMode.LONG ? "--64" : "--32", "-o", object.toString(), asm.toString());
        run(dir, "objcopy", "-O", "binary", "-j", ".text", object.toString(), binary.toString());
        byte[] all = Files.readAllBytes(binary);
        Map<String, Integer> symbols = symbols(dir, object);

        List<DynamicTest> tests = new ArrayList<>();
        for (int i = 0; i < cases.size(); i++) {
            Case testCase = cases.get(i);
            byte[] expected = Arrays.copyOfRange(all, symbols.get("case_" + i),
                    symbols.get(i + 1 < cases.size() ? "case_" + (i + 1) : "case_end"));
            tests.add(DynamicTest.dynamicTest(mode + ": " + testCase.gas(), () -> {
                X86Assembler assembler = new X86Assembler(mode, origin);
                testCase.build().accept(assembler);
                byte[] actual = assembler.assemble().bytes();
                assertEquals(hex(expected), hex(actual), "encoding of: " + testCase.gas());
            }));
        }
        return tests.stream();
    }

    private static String renameLabels(String gas, int caseIndex, long origin) {
        String prefix = "c" + caseIndex + "_";
        Matcher address = Pattern.compile("ADDR\\((L\\d+)\\)").matcher(gas);
        String withAddresses = address.replaceAll(
                m -> "(" + prefix + m.group(1) + " - case_" + caseIndex + " + 0x" + Long.toHexString(origin) + ")");
        return withAddresses.replaceAll("\\b(L\\d+)\\b", prefix + "$1");
    }

    private static Map<String, Integer> symbols(Path dir, Path object) throws Exception {
        Map<String, Integer> symbols = new HashMap<>();
        for (String line : run(dir, "nm", object.toString()).split("\n")) {
            String[] fields = line.trim().split("\\s+");
            if (fields.length == 3) {
                symbols.put(fields[2], Integer.parseInt(fields[0], 16));
            }
        }
        return symbols;
    }

    private static boolean toolAvailable(String tool) {
        try {
            Process process = new ProcessBuilder(tool, "--version").redirectErrorStream(true).start();
            process.getInputStream().readAllBytes();
            return process.waitFor(30, TimeUnit.SECONDS) && process.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static String run(Path dir, String... command) throws Exception {
        Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new AssertionError(String.join(" ", command) + " failed:\n" + output);
        }
        return output;
    }

    private static String hex(byte[] bytes) {
        return HexFormat.ofDelimiter(" ").formatHex(bytes);
    }

    // ---------------------------------------------------------------- behaviour without as

    @Test
    void labelAddressesIncludeTheOrigin() {
        X86Assembler asm = new X86Assembler(CpuMode.LONG, 0x100000);
        Label data = asm.newLabel("data");
        asm.nop().nop().bind(data).asciz("x");
        AssembledCode code = asm.assemble();
        assertEquals(0x100002, code.address(data));
        assertEquals(0x100000, code.origin());
        assertArrayEquals(new byte[] {(byte) 0x90, (byte) 0x90, 'x', 0}, code.bytes());
    }

    @Test
    void referencingAnUnboundLabelFailsAtAssembly() {
        X86Assembler asm = new X86Assembler(CpuMode.LONG, 0);
        Label nowhere = asm.newLabel("nowhere");
        asm.jmp(nowhere);
        IllegalStateException e = assertThrows(IllegalStateException.class, asm::assemble);
        assertEquals("label referenced but never bound: nowhere", e.getMessage());
    }

    @Test
    void bindingALabelTwiceIsRefused() {
        X86Assembler asm = new X86Assembler(CpuMode.LONG, 0);
        Label here = asm.newLabel("here");
        asm.bind(here);
        assertThrows(IllegalStateException.class, () -> asm.bind(here));
        assertThrows(IllegalArgumentException.class, () -> asm.newLabel("here"));
    }

    @Test
    void labelsOfAnotherAssemblerAreRefused() {
        X86Assembler one = new X86Assembler(CpuMode.LONG, 0);
        X86Assembler other = new X86Assembler(CpuMode.LONG, 0);
        Label foreign = other.newLabel("foreign");
        assertThrows(IllegalArgumentException.class, () -> one.jmp(foreign));
        assertThrows(IllegalArgumentException.class, () -> one.bind(foreign));
    }

    @Test
    void operandsThatCannotBeEncodedAreRefused() {
        X86Assembler real = new X86Assembler(CpuMode.REAL, 0);
        assertThrows(IllegalArgumentException.class, () -> real.mov(RAX, 1), "64-bit register in real mode");
        assertThrows(IllegalArgumentException.class, () -> real.mov(AL, MemoryOperand.at(AX)), "AX is no 16-bit base");
        assertThrows(IllegalArgumentException.class, () -> real.movAddress(ESI, real.newLabel("x")));
        X86Assembler long64 = new X86Assembler(CpuMode.LONG, 0);
        assertThrows(IllegalArgumentException.class, () -> long64.mov(AL, 0x100), "does not fit 8 bits");
        assertThrows(IllegalArgumentException.class, () -> long64.mov(RAX, EBX), "widths differ");
        assertThrows(IllegalArgumentException.class, () -> long64.add(RAX, 0x80000000L), "no imm32 sign-extends to it");
        assertThrows(IllegalArgumentException.class, () -> long64.out(0x3f8, AL), "port needs DX");
        assertThrows(IllegalArgumentException.class, () -> long64.out(DX, BL), "I/O goes through the accumulator");
        assertThrows(IllegalArgumentException.class, () -> long64.in(AL, CX), "port register is DX");
        assertThrows(IllegalArgumentException.class, () -> long64.mov(AL, MemoryOperand.at(SI)), "16-bit base in long mode");
        assertThrows(IllegalArgumentException.class, () -> long64.mov(SegmentRegister.CS, AX), "mov cannot load CS");
        assertThrows(IllegalArgumentException.class, () -> long64.ascii("caf\u00e9"));
        assertThrows(IllegalArgumentException.class, () -> new X86Assembler(CpuMode.REAL, 0x10000));
        assertThrows(IllegalArgumentException.class, () -> long64.lea(AX, long64.newLabel("y")), "lea into 16 bits");
        assertThrows(IllegalArgumentException.class, () -> real.lea(EAX, real.newLabel("z")), "no RIP in real mode");
        assertThrows(IllegalArgumentException.class, () -> long64.mov(EAX, ControlRegister.CR0), "64-bit in long mode");
        assertThrows(IllegalArgumentException.class, () -> real.mov(AX, ControlRegister.CR0), "32-bit in real mode");
        assertThrows(IllegalArgumentException.class, () -> real.mov(EAX, ControlRegister.CR8), "CR8 only in long mode");
        assertThrows(IllegalArgumentException.class, real::iretq, "iretq only in long mode");
    }

    @Test
    void realModeCodeMustFitItsSegment() {
        X86Assembler asm = new X86Assembler(CpuMode.REAL, 0xff00);
        asm.bytes(fill(0x100));
        asm.assemble(); // exactly fills the segment
        asm.nop();
        assertThrows(IllegalStateException.class, asm::assemble);
    }
}
