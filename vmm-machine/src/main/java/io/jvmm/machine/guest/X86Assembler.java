package io.jvmm.machine.guest;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A tiny x86 assembler for the guests jvmm builds itself: the few instructions they need, in 16-bit
 * real-mode or 64-bit long-mode encodings, emitted exactly as GNU {@code as} emits them (its tests
 * compare with {@code as} output). Encodings follow the Intel SDM Vol. 2, chapter 2 "Instruction
 * Format" and the opcode tables of chapters 3-5.
 *
 * <p>Operands are written in Intel order (destination first). Branches target {@link Label}s, which
 * may be bound later; {@link #assemble()} lays the code out and picks the short (rel8) form of every
 * jump whose target is close enough and the near form otherwise, growing jumps until the layout is
 * stable, as {@code as} relaxes them. Where an instruction has several encodings the choice is
 * {@code as}'s: the shortest, and the ModR/M "store" direction (opcode 0x89 and friends) for
 * register-to-register moves.
 *
 * <p>Every method that emits appends one instruction (or the given data) and returns this assembler, for chaining; when
 * it throws, nothing was emitted. In the encodings, as in the SDM's opcode tables, {@code /r} is a ModR/M byte with a
 * register in its reg field and {@code /n} one with the opcode extension n there; {@code +r} adds the low 3 bits of the
 * register number to the opcode; {@code cb}, {@code cw} and {@code cd} are relative offsets of 1, 2 and 4 bytes, and
 * {@code ib}, {@code iw}, {@code id} and {@code io} immediates of 1, 2, 4 and 8 bytes, all little-endian.
 *
 * <p>Register operands: one whose width is not the mode's default (16 bits in long mode, 32 bits in real mode) gets the
 * operand-size prefix 66; a 64-bit one gets REX.W, and R8..R15 get REX.R or REX.B (SDM Vol. 2, 2.1.1 "Instruction
 * Prefixes" and 2.2.1 "REX Prefixes"). 64-bit registers do not exist in real mode: using one there throws
 * {@link IllegalArgumentException}, as does a pair of registers of different widths.
 *
 * <p>Memory operands ({@link MemoryOperand}): in long mode the base must be a 64-bit register; the ModR/M byte has mod 00
 * (no displacement), 01 (disp8, -128..127) or 10 (disp32) and the base in r/m; RSP and R12 add the SIB byte 24, RBP and
 * R13 always take a displacement (SDM Vol. 2, Tables 2-2 and 2-3). In real mode the base must be BX, SI, DI or BP (r/m
 * 111, 100, 101, 110) with a disp8 or disp16, the displacement -0x8000..0xffff, and [BP] always takes a displacement
 * (Table 2-1). Any other base or displacement throws {@link IllegalArgumentException}.
 *
 * <p>Immediates must fit the destination: -2^(w-1) to 2^w - 1 for a w-bit register, so that 0xff and -1 are the same
 * byte; with a 64-bit register only {@link #mov(Register, long)} takes any value, the others a sign-extended 32-bit one
 * (-2^31 to 2^31 - 1). A value that does not fit throws {@link IllegalArgumentException}.
 *
 * <p>Null arguments throw {@link NullPointerException}, except where a method says otherwise.
 *
 * <p>Not thread-safe; one assembler builds one program.
 */
public final class X86Assembler {
    private static final int PREFIX_OPERAND_SIZE = 0x66;
    private static final int REX = 0x40;
    private static final int REX_W = 0x08;
    private static final int REX_R = 0x04;
    private static final int REX_B = 0x01;

    // The group-1 ALU operations, by their ModR/M /digit (SDM Vol. 2, Table A-6 "Opcode Extensions").
    private static final int ALU_ADD = 0;
    private static final int ALU_OR = 1;
    private static final int ALU_AND = 4;
    private static final int ALU_SUB = 5;
    private static final int ALU_XOR = 6;
    private static final int ALU_CMP = 7;

    // Group-2 shifts and rotates, by /digit.
    private static final int SHIFT_ROL = 0;
    private static final int SHIFT_ROR = 1;
    private static final int SHIFT_SHL = 4;
    private static final int SHIFT_SHR = 5;
    private static final int SHIFT_SAR = 7;

    private final CpuMode mode;
    private final long origin;
    private final List<Item> items = new ArrayList<>();
    private final Map<Label, Integer> boundAt = new IdentityHashMap<>();
    private final Map<String, Label> labelsByName = new HashMap<>();

    /** What the assembler has been told to emit, laid out only at {@link #assemble()}. */
    private sealed interface Item permits Fixed, Branch, AbsoluteAddress, RipRelative {
    }

    private record Fixed(byte[] bytes) implements Item {
    }

    private enum BranchKind { JMP, JCC, CALL }

    private record Branch(BranchKind kind, int conditionCode, Label target) implements Item {
    }

    /** An instruction ending in the absolute address of a label, {@code width} bytes wide. */
    private record AbsoluteAddress(byte[] prefix, Label target, int width) implements Item {
    }

    /** An instruction ending in a disp32 relative to the next instruction (RIP-relative addressing). */
    private record RipRelative(byte[] prefix, Label target) implements Item {
    }

    /**
     * An empty program for {@code mode} whose first byte is at {@code origin}.
     *
     * @param mode the encoding: 16-bit code for {@link CpuMode#REAL}, 64-bit code for {@link CpuMode#LONG}
     * @param origin the address of the first byte: a linear address in long mode, an offset within
     *     the code segment in real mode (labels' addresses and absolute references are relative to it)
     * @throws NullPointerException if {@code mode} is null
     * @throws IllegalArgumentException if {@code origin} is negative, or above 0xffff in real mode
     */
    public X86Assembler(CpuMode mode, long origin) {
        this.mode = Objects.requireNonNull(mode, "mode");
        if (origin < 0 || (mode == CpuMode.REAL && origin > 0xffff)) {
            throw new IllegalArgumentException(String.format("origin 0x%x out of range for %s mode", origin, mode));
        }
        this.origin = origin;
    }

    /** {@return the mode this assembler encodes for, as given to the constructor} */
    public CpuMode mode() {
        return mode;
    }

    // ---------------------------------------------------------------- labels and layout

    /**
     * A new, unbound label. It emits nothing; {@link #bind} it where it should point.
     *
     * @param name the label's name, unique within this assembler; error messages use it
     * @return the label, usable only with this assembler
     * @throws IllegalArgumentException if this assembler already has a label of that name
     */
    public Label newLabel(String name) {
        Objects.requireNonNull(name, "name");
        if (labelsByName.containsKey(name)) {
            throw new IllegalArgumentException("duplicate label name: " + name);
        }
        Label label = new Label(name, this);
        labelsByName.put(name, label);
        return label;
    }

    /**
     * Binds {@code label} to the current position: the address of the next byte emitted, or the end of the
     * program if nothing follows. Emits nothing.
     *
     * @param label a label of this assembler, not yet bound
     * @return this assembler
     * @throws IllegalArgumentException if the label belongs to another assembler
     * @throws IllegalStateException if it is already bound
     */
    public X86Assembler bind(Label label) {
        requireOwn(label);
        if (boundAt.containsKey(label)) {
            throw new IllegalStateException("label already bound: " + label);
        }
        boundAt.put(label, items.size());
        return this;
    }

    /**
     * Lays out the program and resolves every label. The assembler is left as it was: more can be emitted
     * and the program assembled again.
     *
     * @return the machine code, with the address of every label bound so far
     * @throws IllegalStateException if a referenced label is unbound, the address a {@link #movAddress} loads
     *     does not fit its 16 (real mode) or 32 (long mode) bits, or the real-mode code passes the end of its
     *     64 KiB segment ({@code origin + size > 0x10000})
     */
    public AssembledCode assemble() {
        int count = items.size();
        boolean[] near = new boolean[count];
        int[] offsets = new int[count + 1];
        boolean grew;
        do {
            layOut(near, offsets);
            grew = false;
            for (int i = 0; i < count; i++) {
                if (items.get(i) instanceof Branch branch && branch.kind() != BranchKind.CALL && !near[i]) {
                    long displacement = (long) offsets[boundIndex(branch.target())] - offsets[i + 1];
                    if (displacement < Byte.MIN_VALUE || displacement > Byte.MAX_VALUE) {
                        near[i] = true;
                        grew = true;
                    }
                }
            }
        } while (grew);
        int size = offsets[count];
        if (mode == CpuMode.REAL && origin + size > 0x10000) {
            throw new IllegalStateException(String.format(
                    "real-mode code of %d bytes at offset 0x%x does not fit its 64 KiB segment", size, origin));
        }

        ByteArrayOutputStream out = new ByteArrayOutputStream(size);
        for (int i = 0; i < count; i++) {
            Item item = items.get(i);
            if (item instanceof Fixed fixed) {
                out.writeBytes(fixed.bytes());
            } else if (item instanceof Branch branch) {
                emitBranch(out, branch, near[i], offsets[boundIndex(branch.target())] - offsets[i + 1]);
            } else if (item instanceof AbsoluteAddress absolute) {
                out.writeBytes(absolute.prefix());
                long address = origin + offsets[boundIndex(absolute.target())];
                if (absolute.width() < 8 && (address >>> (8 * absolute.width())) != 0) {
                    throw new IllegalStateException(String.format(
                            "address 0x%x of label %s does not fit in %d bytes", address, absolute.target(), absolute.width()));
                }
                writeLittleEndian(out, address, absolute.width());
            } else if (item instanceof RipRelative relative) {
                out.writeBytes(relative.prefix());
                writeLittleEndian(out, offsets[boundIndex(relative.target())] - offsets[i + 1], 4);
            }
        }
        Map<Label, Long> addresses = new IdentityHashMap<>();
        boundAt.forEach((label, index) -> addresses.put(label, origin + offsets[index]));
        return new AssembledCode(mode, origin, out.toByteArray(), addresses);
    }

    private void layOut(boolean[] near, int[] offsets) {
        int position = 0;
        for (int i = 0; i < items.size(); i++) {
            offsets[i] = position;
            position += size(items.get(i), near[i]);
        }
        offsets[items.size()] = position;
    }

    private int size(Item item, boolean near) {
        if (item instanceof Fixed fixed) {
            return fixed.bytes().length;
        }
        if (item instanceof AbsoluteAddress absolute) {
            return absolute.prefix().length + absolute.width();
        }
        if (item instanceof RipRelative relative) {
            return relative.prefix().length + 4;
        }
        Branch branch = (Branch) item;
        int relWidth = mode == CpuMode.LONG ? 4 : 2;
        return switch (branch.kind()) {
            case CALL -> 1 + relWidth;
            case JMP -> near ? 1 + relWidth : 2;
            case JCC -> near ? 2 + relWidth : 2;
        };
    }

    private void emitBranch(ByteArrayOutputStream out, Branch branch, boolean near, long displacement) {
        int relWidth = mode == CpuMode.LONG ? 4 : 2;
        switch (branch.kind()) {
            case CALL -> {
                out.write(0xe8);
                writeLittleEndian(out, displacement, relWidth);
            }
            case JMP -> {
                out.write(near ? 0xe9 : 0xeb);
                writeLittleEndian(out, displacement, near ? relWidth : 1);
            }
            case JCC -> {
                if (near) {
                    out.write(0x0f);
                    out.write(0x80 + branch.conditionCode());
                    writeLittleEndian(out, displacement, relWidth);
                } else {
                    out.write(0x70 + branch.conditionCode());
                    out.write((int) displacement);
                }
            }
        }
    }

    private int boundIndex(Label label) {
        Integer index = boundAt.get(label);
        if (index == null) {
            throw new IllegalStateException("label referenced but never bound: " + label);
        }
        return index;
    }

    private void requireOwn(Label label) {
        Objects.requireNonNull(label, "label");
        if (label.owner() != this) {
            throw new IllegalArgumentException("label " + label + " belongs to another assembler");
        }
    }

    // ---------------------------------------------------------------- data

    /**
     * Raw bytes, emitted as given.
     *
     * @param data the bytes; copied
     * @return this assembler
     */
    public X86Assembler bytes(byte... data) {
        items.add(new Fixed(data.clone()));
        return this;
    }

    /**
     * The characters of {@code text} as ASCII bytes, without a terminator.
     *
     * @param text the characters, each U+0000..U+007F
     * @return this assembler
     * @throws IllegalArgumentException if {@code text} has a non-ASCII character
     */
    public X86Assembler ascii(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) > 0x7f) {
                throw new IllegalArgumentException(String.format(
                        "non-ASCII character U+%04X at index %d of %s", (int) text.charAt(i), i, text));
            }
        }
        items.add(new Fixed(text.getBytes(StandardCharsets.US_ASCII)));
        return this;
    }

    /**
     * {@link #ascii} followed by a NUL byte: a C string.
     *
     * @param text the characters, each U+0000..U+007F; a NUL among them ends the string early for the guest
     * @return this assembler
     * @throws IllegalArgumentException if {@code text} has a non-ASCII character
     */
    public X86Assembler asciz(String text) {
        ascii(text);
        return bytes((byte) 0);
    }

    // ---------------------------------------------------------------- control flow

    /**
     * {@code jmp label}: EB cb when the target is within -128..127 bytes of the next instruction, else E9 cw
     * (real mode) or E9 cd (long mode); {@link #assemble()} picks the form (SDM Vol. 2, JMP).
     *
     * @param target a label of this assembler, bound before or after this instruction
     * @return this assembler
     * @throws IllegalArgumentException if the label belongs to another assembler
     */
    public X86Assembler jmp(Label target) {
        requireOwn(target);
        items.add(new Branch(BranchKind.JMP, 0, target));
        return this;
    }

    /**
     * {@code jcc label}, a jump taken when {@code condition} holds: 70+cc cb when the target is within
     * -128..127 bytes of the next instruction, else 0F 80+cc cw (real mode) or 0F 80+cc cd (long mode);
     * {@link #assemble()} picks the form (SDM Vol. 2, Jcc).
     *
     * @param condition the condition; its {@link Condition#code()} is cc
     * @param target a label of this assembler, bound before or after this instruction
     * @return this assembler
     * @throws IllegalArgumentException if the label belongs to another assembler
     */
    public X86Assembler j(Condition condition, Label target) {
        requireOwn(target);
        items.add(new Branch(BranchKind.JCC, condition.code(), target));
        return this;
    }

    /**
     * {@code call label}: E8 cw (real mode, pushes IP) or E8 cd (long mode, pushes RIP); there is no short
     * form (SDM Vol. 2, CALL). Needs a valid stack.
     *
     * @param target a label of this assembler, bound before or after this instruction
     * @return this assembler
     * @throws IllegalArgumentException if the label belongs to another assembler
     */
    public X86Assembler call(Label target) {
        requireOwn(target);
        items.add(new Branch(BranchKind.CALL, 0, target));
        return this;
    }

    /**
     * {@code ret}: C3, the near return, which pops IP (real mode) or RIP (long mode) (SDM Vol. 2, RET).
     *
     * @return this assembler
     */
    public X86Assembler ret() {
        return bytes((byte) 0xc3);
    }

    /**
     * {@code hlt}: F4, halts until an interrupt (SDM Vol. 2, HLT). Privileged. Without an in-kernel irqchip it
     * exits to the VMM ({@code KVM_EXIT_HLT}), which ends the run.
     *
     * @return this assembler
     */
    public X86Assembler hlt() {
        return bytes((byte) 0xf4);
    }

    /**
     * {@code cli}: FA, clears IF: maskable interrupts are held off (SDM Vol. 2, CLI).
     *
     * @return this assembler
     */
    public X86Assembler cli() {
        return bytes((byte) 0xfa);
    }

    /**
     * {@code sti}: FB, sets IF: maskable interrupts are taken from the end of the next instruction on
     * (SDM Vol. 2, STI).
     *
     * @return this assembler
     */
    public X86Assembler sti() {
        return bytes((byte) 0xfb);
    }

    /**
     * {@code nop}: 90, the one-byte no-operation (SDM Vol. 2, NOP).
     *
     * @return this assembler
     */
    public X86Assembler nop() {
        return bytes((byte) 0x90);
    }

    /**
     * {@code lidt [mem]}: 0F 01 /3, loads IDTR from a 10-byte (long mode: limit, 64-bit base) or
     * 6-byte (real mode) descriptor. Privileged (SDM Vol. 2, LGDT/LIDT).
     *
     * @param descriptor where the descriptor is: the 16-bit limit, then the base
     * @return this assembler
     * @throws IllegalArgumentException if the memory operand does not suit the mode (see the class comment)
     */
    public X86Assembler lidt(MemoryOperand descriptor) {
        Objects.requireNonNull(descriptor, "descriptor");
        // The operand size is fixed by the mode; 32 keeps modRm from adding REX.W or 0x66.
        return emit(modRm(mode == CpuMode.LONG ? 32 : 16, new int[] {0x0f, 0x01}, 3, null, descriptor, NO_IMMEDIATE));
    }

    /**
     * {@code iretq}: 48 CF, the 64-bit interrupt return (long mode only): pops RIP, CS, RFLAGS, RSP and SS
     * (SDM Vol. 2, IRET/IRETD/IRETQ).
     *
     * @return this assembler
     * @throws IllegalArgumentException outside long mode
     */
    public X86Assembler iretq() {
        if (mode != CpuMode.LONG) {
            throw new IllegalArgumentException("iretq exists only in long mode");
        }
        return bytes((byte) 0x48, (byte) 0xcf);
    }

    /**
     * {@code cpuid}: 0F A2 (leaf in EAX, sub-leaf in ECX; results in EAX, EBX, ECX, EDX). Under KVM it
     * exits to the hypervisor, which answers from the vCPU's CPUID table (SDM Vol. 2, CPUID).
     *
     * @return this assembler
     */
    public X86Assembler cpuid() {
        return bytes((byte) 0x0f, (byte) 0xa2);
    }

    /**
     * {@code rdmsr}: 0F 32 (MSR index in ECX; value in EDX:EAX). Privileged (SDM Vol. 2, RDMSR).
     *
     * @return this assembler
     */
    public X86Assembler rdmsr() {
        return bytes((byte) 0x0f, (byte) 0x32);
    }

    /**
     * {@code wrmsr}: 0F 30 (MSR index in ECX, value in EDX:EAX). Privileged (SDM Vol. 2, WRMSR).
     *
     * @return this assembler
     */
    public X86Assembler wrmsr() {
        return bytes((byte) 0x0f, (byte) 0x30);
    }

    // ---------------------------------------------------------------- moves

    /**
     * {@code mov dst, src} between registers of one width: 88 /r (8-bit) or 89 /r, ModR/M mod 11 with src
     * in the reg field and dst in r/m, the direction {@code as} picks (SDM Vol. 2, MOV).
     *
     * @param dst the register written
     * @param src the register read, as wide as {@code dst}
     * @return this assembler
     * @throws IllegalArgumentException if the widths differ or a register does not exist in the mode
     */
    public X86Assembler mov(Register dst, Register src) {
        requireSameWidth(dst, src);
        return emit(modRm(dst.width(), opcodeFor(dst, 0x88), src.number(), dst, null, NO_IMMEDIATE));
    }

    /**
     * {@code mov reg, imm}: B0+r ib, B8+r iw/id; for 64-bit registers REX.W C7 /0 id when the value fits
     * a sign-extended 32-bit immediate, else REX.W B8+r io ({@code movabs}) (SDM Vol. 2, MOV). In long mode
     * a 32-bit destination has the upper half of its 64-bit register cleared, as by every 32-bit write.
     *
     * @param dst the register written
     * @param value the immediate: -2^(w-1) to 2^w - 1 for a w-bit register, any value for a 64-bit one
     * @return this assembler
     * @throws IllegalArgumentException if {@code value} does not fit the register, or {@code dst} does not
     *     exist in the mode
     */
    public X86Assembler mov(Register dst, long value) {
        requireUsable(dst);
        requireFits(dst, value);
        int width = dst.width();
        if (width == 64 && fitsInt32(value)) {
            return emit(modRm(64, new int[] {0xc7}, 0, dst, null, immediate(value, 4)));
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        writePrefixes(out, width, 0, dst.number());
        out.write((width == 8 ? 0xb0 : 0xb8) + (dst.number() & 7));
        writeLittleEndian(out, value, width / 8);
        return emit(out.toByteArray());
    }

    /**
     * {@code mov reg, address-of-label}: B8+r with a 16-bit (real mode) or 32-bit (long mode, zero
     * extended into the full register) absolute address: {@link AssembledCode#address} of the label.
     * {@link #assemble()} throws {@link IllegalStateException} if the address does not fit.
     *
     * @param dst the register written
     * @param target a label of this assembler, bound before or after this instruction
     * @return this assembler
     * @throws IllegalArgumentException unless {@code dst} is a 16-bit register in real mode or a
     *     32-bit register in long mode, or if the label belongs to another assembler
     */
    public X86Assembler movAddress(Register dst, Label target) {
        requireOwn(target);
        requireUsable(dst);
        int expectedWidth = mode == CpuMode.REAL ? 16 : 32;
        if (dst.width() != expectedWidth) {
            throw new IllegalArgumentException(String.format(
                    "an address in %s mode goes into a %d-bit register, not %s", mode, expectedWidth, dst));
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        writePrefixes(out, dst.width(), 0, dst.number());
        out.write(0xb8 + (dst.number() & 7));
        items.add(new AbsoluteAddress(out.toByteArray(), target, dst.width() / 8));
        return this;
    }

    /**
     * {@code lea dst, [rip + label]}: 8D /r (REX.W for a 64-bit register, REX.R for R8..R15) with ModR/M
     * mod 00, r/m 101 and a disp32 relative to the next instruction (SDM Vol. 2, 2.2.1.6 "RIP-Relative
     * Addressing"). Position-independent: the register receives the label's run-time address wherever the
     * code was loaded, so {@code lea rax, [rip + here]} with {@code here} bound at the instruction itself
     * yields its own address. A 32-bit destination receives the address's low 32 bits.
     *
     * @param dst the register written, 32 or 64 bits wide
     * @param target a label of this assembler, bound before or after this instruction
     * @return this assembler
     * @throws IllegalArgumentException outside long mode, unless {@code dst} is 32 or 64 bits wide, or if
     *     the label belongs to another assembler
     */
    public X86Assembler lea(Register dst, Label target) {
        requireOwn(target);
        requireUsable(dst);
        if (mode != CpuMode.LONG) {
            throw new IllegalArgumentException("RIP-relative addressing exists only in long mode");
        }
        if (dst.width() != 32 && dst.width() != 64) {
            throw new IllegalArgumentException("lea of a RIP-relative address goes into a 32- or 64-bit register, not " + dst);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        writeRex(out, dst.width() == 64, dst.number(), 0);
        out.write(0x8d);
        out.write(((dst.number() & 7) << 3) | 0b101);
        items.add(new RipRelative(out.toByteArray(), target));
        return this;
    }

    /**
     * {@code mov dst, crN}: 0F 20 /r, ModR/M mod 11 with the control register in the reg field and
     * {@code dst} in r/m; REX.R for CR8, REX.B for R8..R15, never REX.W or 66. The operand is 64 bits wide
     * in long mode and 32 bits in real mode, whatever the prefixes (SDM Vol. 2, MOV "Move to/from Control
     * Registers"). Privileged.
     *
     * @param dst the general register written: 64-bit in long mode, 32-bit in real mode
     * @param src the control register read
     * @return this assembler
     * @throws IllegalArgumentException unless {@code dst} is a 64-bit register in long mode or a
     *     32-bit one in real mode, or for CR8 outside long mode
     */
    public X86Assembler mov(Register dst, ControlRegister src) {
        return emit(controlRegisterMove(0x20, src, dst));
    }

    /**
     * {@code mov crN, src}: 0F 22 /r; ModR/M, prefixes and operand rules as for
     * {@link #mov(Register, ControlRegister)}. Privileged.
     *
     * @param dst the control register written
     * @param src the general register read: 64-bit in long mode, 32-bit in real mode
     * @return this assembler
     * @throws IllegalArgumentException unless {@code src} is a 64-bit register in long mode or a
     *     32-bit one in real mode, or for CR8 outside long mode
     */
    public X86Assembler mov(ControlRegister dst, Register src) {
        return emit(controlRegisterMove(0x22, dst, src));
    }

    private byte[] controlRegisterMove(int opcode, ControlRegister control, Register general) {
        Objects.requireNonNull(control, "control register");
        requireUsable(general);
        int width = mode == CpuMode.LONG ? 64 : 32;
        if (general.width() != width) {
            throw new IllegalArgumentException(String.format(
                    "control registers move to and from %d-bit registers in %s mode, not %s", width, mode, general));
        }
        if (control.number() > 7 && mode != CpuMode.LONG) {
            throw new IllegalArgumentException(control + " exists only in long mode");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        // No REX.W: the operand size is fixed; REX.R selects CR8, REX.B r8..r15.
        writeRex(out, false, control.number(), general.number());
        out.write(0x0f);
        out.write(opcode);
        out.write(0xc0 | ((control.number() & 7) << 3) | (general.number() & 7));
        return out.toByteArray();
    }

    /**
     * {@code mov reg, [mem]}: 8A /r (8-bit) or 8B /r, {@code dst} in the reg field, loads {@code dst} from
     * memory (SDM Vol. 2, MOV).
     *
     * @param dst the register written
     * @param src the memory read, {@code dst}'s width in bytes
     * @return this assembler
     * @throws IllegalArgumentException if {@code dst} does not exist in the mode, or {@code src} does not suit
     *     it (see the class comment)
     */
    public X86Assembler mov(Register dst, MemoryOperand src) {
        return emit(modRm(dst.width(), opcodeFor(dst, 0x8a), dst.number(), null, src, NO_IMMEDIATE));
    }

    /**
     * {@code mov [mem], reg}: 88 /r (8-bit) or 89 /r, {@code src} in the reg field, stores {@code src} to
     * memory (SDM Vol. 2, MOV).
     *
     * @param dst the memory written, {@code src}'s width in bytes
     * @param src the register read
     * @return this assembler
     * @throws IllegalArgumentException if {@code src} does not exist in the mode, or {@code dst} does not suit
     *     it (see the class comment)
     */
    public X86Assembler mov(MemoryOperand dst, Register src) {
        return emit(modRm(src.width(), opcodeFor(src, 0x88), src.number(), null, dst, NO_IMMEDIATE));
    }

    /**
     * {@code mov reg16, sreg}: 8C /r, ModR/M mod 11 with the segment register in the reg field and {@code dst}
     * in r/m; 66 8C /r in long mode, where 16 bits is not the default operand size (SDM Vol. 2, MOV).
     *
     * @param dst the 16-bit register written
     * @param src the segment register read; CS is allowed
     * @return this assembler
     * @throws IllegalArgumentException unless {@code dst} is a 16-bit register
     */
    public X86Assembler mov(Register dst, SegmentRegister src) {
        requireWidth(dst, 16);
        return emit(modRm(16, new int[] {0x8c}, src.number(), dst, null, NO_IMMEDIATE));
    }

    /**
     * {@code mov sreg, reg16}: 8E /r, ModR/M mod 11 with the segment register in the reg field and
     * {@code src} in r/m (no operand-size prefix: the move is always 16 bits wide) (SDM Vol. 2, MOV).
     *
     * @param dst the segment register written, not CS
     * @param src the 16-bit register read
     * @return this assembler
     * @throws IllegalArgumentException for CS, which {@code mov} cannot load, or unless {@code src} is a
     *     16-bit register
     */
    public X86Assembler mov(SegmentRegister dst, Register src) {
        requireWidth(src, 16);
        if (dst == SegmentRegister.CS) {
            throw new IllegalArgumentException("mov cannot load CS (SDM Vol. 2, MOV: #UD)");
        }
        requireUsable(src);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        writeRex(out, false, 0, src.number());
        out.write(0x8e);
        out.write(0xc0 | (dst.number() << 3) | (src.number() & 7));
        return emit(out.toByteArray());
    }

    // ---------------------------------------------------------------- arithmetic and logic

    /**
     * {@code add dst, src}, which adds {@code src} to {@code dst}: 00 /r (8-bit) or 01 /r, ModR/M
     * mod 11 with {@code src} in the reg field and {@code dst} in r/m, the direction {@code as} picks
     * (SDM Vol. 2, ADD).
     *
     * @param dst the destination, which receives the result
     * @param src the second operand, as wide as {@code dst}
     * @return this assembler
     * @throws IllegalArgumentException if the widths differ or a register does not exist in the mode
     */
    public X86Assembler add(Register dst, Register src) {
        return aluRegister(ALU_ADD, dst, src);
    }

    /**
     * {@code add dst, imm}, which adds {@code value} to {@code dst}: 04 ib for AL, 80 /0 ib for the other
     * byte registers; for wider registers 83 /0 ib when the value, sign-extended from the register's width,
     * fits a signed byte, else 05 iw/id for AX, EAX and RAX and 81 /0 iw/id for the others
     * (SDM Vol. 2, ADD).
     *
     * @param dst the destination, which receives the result
     * @param value the immediate: -2^(w-1) to 2^w - 1 for a w-bit register, -2^31 to 2^31 - 1 for a 64-bit one
     * @return this assembler
     * @throws IllegalArgumentException if {@code value} does not fit, or {@code dst} does not exist in the mode
     */
    public X86Assembler add(Register dst, long value) {
        return aluImmediate(ALU_ADD, dst, value);
    }

    /**
     * {@code or dst, src}, which ORs {@code src} into {@code dst}: 08 /r (8-bit) or 09 /r, ModR/M
     * mod 11 with {@code src} in the reg field and {@code dst} in r/m, the direction {@code as} picks
     * (SDM Vol. 2, OR).
     *
     * @param dst the destination, which receives the result
     * @param src the second operand, as wide as {@code dst}
     * @return this assembler
     * @throws IllegalArgumentException if the widths differ or a register does not exist in the mode
     */
    public X86Assembler or(Register dst, Register src) {
        return aluRegister(ALU_OR, dst, src);
    }

    /**
     * {@code or dst, imm}, which ORs {@code value} into {@code dst}: 0C ib for AL, 80 /1 ib for the other
     * byte registers; for wider registers 83 /1 ib when the value, sign-extended from the register's width,
     * fits a signed byte, else 0D iw/id for AX, EAX and RAX and 81 /1 iw/id for the others
     * (SDM Vol. 2, OR).
     *
     * @param dst the destination, which receives the result
     * @param value the immediate: -2^(w-1) to 2^w - 1 for a w-bit register, -2^31 to 2^31 - 1 for a 64-bit one
     * @return this assembler
     * @throws IllegalArgumentException if {@code value} does not fit, or {@code dst} does not exist in the mode
     */
    public X86Assembler or(Register dst, long value) {
        return aluImmediate(ALU_OR, dst, value);
    }

    /**
     * {@code and dst, src}, which ANDs {@code src} into {@code dst}: 20 /r (8-bit) or 21 /r, ModR/M
     * mod 11 with {@code src} in the reg field and {@code dst} in r/m, the direction {@code as} picks
     * (SDM Vol. 2, AND).
     *
     * @param dst the destination, which receives the result
     * @param src the second operand, as wide as {@code dst}
     * @return this assembler
     * @throws IllegalArgumentException if the widths differ or a register does not exist in the mode
     */
    public X86Assembler and(Register dst, Register src) {
        return aluRegister(ALU_AND, dst, src);
    }

    /**
     * {@code and dst, imm}, which ANDs {@code value} into {@code dst}: 24 ib for AL, 80 /4 ib for the other
     * byte registers; for wider registers 83 /4 ib when the value, sign-extended from the register's width,
     * fits a signed byte, else 25 iw/id for AX, EAX and RAX and 81 /4 iw/id for the others
     * (SDM Vol. 2, AND).
     *
     * @param dst the destination, which receives the result
     * @param value the immediate: -2^(w-1) to 2^w - 1 for a w-bit register, -2^31 to 2^31 - 1 for a 64-bit one
     * @return this assembler
     * @throws IllegalArgumentException if {@code value} does not fit, or {@code dst} does not exist in the mode
     */
    public X86Assembler and(Register dst, long value) {
        return aluImmediate(ALU_AND, dst, value);
    }

    /**
     * {@code sub dst, src}, which subtracts {@code src} from {@code dst}: 28 /r (8-bit) or 29 /r, ModR/M
     * mod 11 with {@code src} in the reg field and {@code dst} in r/m, the direction {@code as} picks
     * (SDM Vol. 2, SUB).
     *
     * @param dst the destination, which receives the result
     * @param src the second operand, as wide as {@code dst}
     * @return this assembler
     * @throws IllegalArgumentException if the widths differ or a register does not exist in the mode
     */
    public X86Assembler sub(Register dst, Register src) {
        return aluRegister(ALU_SUB, dst, src);
    }

    /**
     * {@code sub dst, imm}, which subtracts {@code value} from {@code dst}: 2C ib for AL, 80 /5 ib for the other
     * byte registers; for wider registers 83 /5 ib when the value, sign-extended from the register's width,
     * fits a signed byte, else 2D iw/id for AX, EAX and RAX and 81 /5 iw/id for the others
     * (SDM Vol. 2, SUB).
     *
     * @param dst the destination, which receives the result
     * @param value the immediate: -2^(w-1) to 2^w - 1 for a w-bit register, -2^31 to 2^31 - 1 for a 64-bit one
     * @return this assembler
     * @throws IllegalArgumentException if {@code value} does not fit, or {@code dst} does not exist in the mode
     */
    public X86Assembler sub(Register dst, long value) {
        return aluImmediate(ALU_SUB, dst, value);
    }

    /**
     * {@code xor dst, src}, which XORs {@code src} into {@code dst}: 30 /r (8-bit) or 31 /r, ModR/M
     * mod 11 with {@code src} in the reg field and {@code dst} in r/m, the direction {@code as} picks
     * (SDM Vol. 2, XOR).
     *
     * @param dst the destination, which receives the result
     * @param src the second operand, as wide as {@code dst}
     * @return this assembler
     * @throws IllegalArgumentException if the widths differ or a register does not exist in the mode
     */
    public X86Assembler xor(Register dst, Register src) {
        return aluRegister(ALU_XOR, dst, src);
    }

    /**
     * {@code xor dst, imm}, which XORs {@code value} into {@code dst}: 34 ib for AL, 80 /6 ib for the other
     * byte registers; for wider registers 83 /6 ib when the value, sign-extended from the register's width,
     * fits a signed byte, else 35 iw/id for AX, EAX and RAX and 81 /6 iw/id for the others
     * (SDM Vol. 2, XOR).
     *
     * @param dst the destination, which receives the result
     * @param value the immediate: -2^(w-1) to 2^w - 1 for a w-bit register, -2^31 to 2^31 - 1 for a 64-bit one
     * @return this assembler
     * @throws IllegalArgumentException if {@code value} does not fit, or {@code dst} does not exist in the mode
     */
    public X86Assembler xor(Register dst, long value) {
        return aluImmediate(ALU_XOR, dst, value);
    }

    /**
     * {@code cmp dst, src}, which sets the flags as {@code sub} does, {@code dst} unchanged: 38 /r (8-bit) or 39 /r, ModR/M
     * mod 11 with {@code src} in the reg field and {@code dst} in r/m, the direction {@code as} picks
     * (SDM Vol. 2, CMP).
     *
     * @param dst the first operand, unchanged
     * @param src the second operand, as wide as {@code dst}
     * @return this assembler
     * @throws IllegalArgumentException if the widths differ or a register does not exist in the mode
     */
    public X86Assembler cmp(Register dst, Register src) {
        return aluRegister(ALU_CMP, dst, src);
    }

    /**
     * {@code cmp dst, imm}, which sets the flags as {@code sub} does, {@code dst} unchanged: 3C ib for AL, 80 /7 ib for the other
     * byte registers; for wider registers 83 /7 ib when the value, sign-extended from the register's width,
     * fits a signed byte, else 3D iw/id for AX, EAX and RAX and 81 /7 iw/id for the others
     * (SDM Vol. 2, CMP).
     *
     * @param dst the first operand, unchanged
     * @param value the immediate: -2^(w-1) to 2^w - 1 for a w-bit register, -2^31 to 2^31 - 1 for a 64-bit one
     * @return this assembler
     * @throws IllegalArgumentException if {@code value} does not fit, or {@code dst} does not exist in the mode
     */
    public X86Assembler cmp(Register dst, long value) {
        return aluImmediate(ALU_CMP, dst, value);
    }

    /**
     * {@code test dst, src}, which sets SF, ZF and PF from {@code dst & src} and clears CF and OF, both
     * registers unchanged: 84 /r (8-bit) or 85 /r, ModR/M mod 11 with {@code src} in the reg field and
     * {@code dst} in r/m (SDM Vol. 2, TEST).
     *
     * @param dst the first operand
     * @param src the second operand, as wide as {@code dst}
     * @return this assembler
     * @throws IllegalArgumentException if the widths differ or a register does not exist in the mode
     */
    public X86Assembler test(Register dst, Register src) {
        requireSameWidth(dst, src);
        return emit(modRm(dst.width(), opcodeFor(dst, 0x84), src.number(), dst, null, NO_IMMEDIATE));
    }

    /**
     * {@code test reg, imm}, which sets the flags as {@link #test(Register, Register)} does: A8 ib / A9 iw/id
     * for the accumulator, else F6 /0 ib / F7 /0 iw/id; a 64-bit register takes a sign-extended id (there is
     * no sign-extended imm8 form of TEST) (SDM Vol. 2, TEST).
     *
     * @param dst the register tested, unchanged
     * @param value the immediate: -2^(w-1) to 2^w - 1 for a w-bit register, -2^31 to 2^31 - 1 for a 64-bit one
     * @return this assembler
     * @throws IllegalArgumentException if {@code value} does not fit, or {@code dst} does not exist in the mode
     */
    public X86Assembler test(Register dst, long value) {
        requireUsable(dst);
        requireFits(dst, value);
        int width = dst.width();
        int immediateBytes = Math.min(width, 32) / 8;
        if (width == 64 && !fitsInt32(value)) {
            throw new IllegalArgumentException(String.format("test %s: 0x%x is not a sign-extended 32-bit immediate", dst, value));
        }
        byte[] imm = immediate(value, immediateBytes);
        if (dst.isAccumulator()) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            writePrefixes(out, width, 0, 0);
            out.write(width == 8 ? 0xa8 : 0xa9);
            out.writeBytes(imm);
            return emit(out.toByteArray());
        }
        return emit(modRm(width, opcodeFor(dst, 0xf6), 0, dst, null, imm));
    }

    /**
     * {@code inc reg}, adding 1 and leaving CF alone: 40+r (16/32-bit registers in real mode), else FE /0
     * or FF /0; in 64-bit code 40..4F are REX prefixes (SDM Vol. 2, INC).
     *
     * @param reg the register incremented
     * @return this assembler
     * @throws IllegalArgumentException if {@code reg} does not exist in the mode
     */
    public X86Assembler inc(Register reg) {
        return incDec(reg, 0);
    }

    /**
     * {@code dec reg}, subtracting 1 and leaving CF alone: 48+r (16/32-bit registers in real mode), else FE /1
     * or FF /1; in 64-bit code 40..4F are REX prefixes (SDM Vol. 2, DEC).
     *
     * @param reg the register decremented
     * @return this assembler
     * @throws IllegalArgumentException if {@code reg} does not exist in the mode
     */
    public X86Assembler dec(Register reg) {
        return incDec(reg, 1);
    }

    /**
     * {@code shl reg, count}, which shifts left, filling with zeros: D0 /4 (8-bit) or D1 /4 for a count
     * of 1, else C0 /4 ib or C1 /4 ib (SDM Vol. 2, SAL/SAR/SHL/SHR).
     *
     * @param reg the register shifted
     * @param count the number of bit positions, 0..255; the processor masks it to 5 bits (6 for a 64-bit register)
     * @return this assembler
     * @throws IllegalArgumentException if {@code count} is outside 0..255, or {@code reg} does not exist in the mode
     */
    public X86Assembler shl(Register reg, int count) {
        return shift(SHIFT_SHL, reg, count);
    }

    /**
     * {@code shr reg, count}, which shifts right, filling with zeros: D0 /5 (8-bit) or D1 /5 for a count
     * of 1, else C0 /5 ib or C1 /5 ib (SDM Vol. 2, SAL/SAR/SHL/SHR).
     *
     * @param reg the register shifted
     * @param count the number of bit positions, 0..255; the processor masks it to 5 bits (6 for a 64-bit register)
     * @return this assembler
     * @throws IllegalArgumentException if {@code count} is outside 0..255, or {@code reg} does not exist in the mode
     */
    public X86Assembler shr(Register reg, int count) {
        return shift(SHIFT_SHR, reg, count);
    }

    /**
     * {@code sar reg, count}, which shifts right, filling with copies of the sign bit: D0 /7 (8-bit) or D1 /7 for a count
     * of 1, else C0 /7 ib or C1 /7 ib (SDM Vol. 2, SAL/SAR/SHL/SHR).
     *
     * @param reg the register shifted
     * @param count the number of bit positions, 0..255; the processor masks it to 5 bits (6 for a 64-bit register)
     * @return this assembler
     * @throws IllegalArgumentException if {@code count} is outside 0..255, or {@code reg} does not exist in the mode
     */
    public X86Assembler sar(Register reg, int count) {
        return shift(SHIFT_SAR, reg, count);
    }

    /**
     * {@code rol reg, count}, which rotates left: D0 /0 (8-bit) or D1 /0 for a count
     * of 1, else C0 /0 ib or C1 /0 ib (SDM Vol. 2, RCL/RCR/ROL/ROR).
     *
     * @param reg the register shifted
     * @param count the number of bit positions, 0..255; the processor masks it to 5 bits (6 for a 64-bit register)
     * @return this assembler
     * @throws IllegalArgumentException if {@code count} is outside 0..255, or {@code reg} does not exist in the mode
     */
    public X86Assembler rol(Register reg, int count) {
        return shift(SHIFT_ROL, reg, count);
    }

    /**
     * {@code ror reg, count}, which rotates right: D0 /1 (8-bit) or D1 /1 for a count
     * of 1, else C0 /1 ib or C1 /1 ib (SDM Vol. 2, RCL/RCR/ROL/ROR).
     *
     * @param reg the register shifted
     * @param count the number of bit positions, 0..255; the processor masks it to 5 bits (6 for a 64-bit register)
     * @return this assembler
     * @throws IllegalArgumentException if {@code count} is outside 0..255, or {@code reg} does not exist in the mode
     */
    public X86Assembler ror(Register reg, int count) {
        return shift(SHIFT_ROR, reg, count);
    }

    // ---------------------------------------------------------------- port I/O

    /**
     * {@code in acc, port}: E4 ib (AL) or E5 ib (AX, EAX), for an 8-bit port number; reads the port into the
     * accumulator (SDM Vol. 2, IN). Under KVM each one exits to the VMM's I/O-port bus.
     *
     * @param accumulator AL, AX or EAX: the access width
     * @param port the port number, 0..0xff
     * @return this assembler
     * @throws IllegalArgumentException if {@code port} is outside 0..0xff, or {@code accumulator} is not AL,
     *     AX or EAX
     */
    public X86Assembler in(Register accumulator, int port) {
        requirePort8(port);
        return emit(ioInstruction(accumulator, 0xe4, port));
    }

    /**
     * {@code in acc, dx}: EC (AL) or ED (AX, EAX); reads the port whose number is in DX into the accumulator
     * (SDM Vol. 2, IN).
     *
     * @param accumulator AL, AX or EAX: the access width
     * @param dx {@link Register#DX}
     * @return this assembler
     * @throws IllegalArgumentException unless {@code dx} is DX (also for null), or if {@code accumulator} is
     *     not AL, AX or EAX
     */
    public X86Assembler in(Register accumulator, Register dx) {
        requireDx(dx);
        return emit(ioInstruction(accumulator, 0xec, -1));
    }

    /**
     * {@code out port, acc}: E6 ib (AL) or E7 ib (AX, EAX), for an 8-bit port number; writes the accumulator to
     * the port (SDM Vol. 2, OUT). Under KVM each one exits to the VMM's I/O-port bus.
     *
     * @param port the port number, 0..0xff
     * @param accumulator AL, AX or EAX: the access width
     * @return this assembler
     * @throws IllegalArgumentException if {@code port} is outside 0..0xff, or {@code accumulator} is not AL,
     *     AX or EAX
     */
    public X86Assembler out(int port, Register accumulator) {
        requirePort8(port);
        return emit(ioInstruction(accumulator, 0xe6, port));
    }

    /**
     * {@code out dx, acc}: EE (AL) or EF (AX, EAX); writes the accumulator to the port whose number is in DX
     * (SDM Vol. 2, OUT).
     *
     * @param dx {@link Register#DX}
     * @param accumulator AL, AX or EAX: the access width
     * @return this assembler
     * @throws IllegalArgumentException unless {@code dx} is DX (also for null), or if {@code accumulator} is
     *     not AL, AX or EAX
     */
    public X86Assembler out(Register dx, Register accumulator) {
        requireDx(dx);
        return emit(ioInstruction(accumulator, 0xee, -1));
    }

    // ---------------------------------------------------------------- encoding helpers

    private static final byte[] NO_IMMEDIATE = new byte[0];

    private X86Assembler emit(byte[] encoded) {
        items.add(new Fixed(encoded));
        return this;
    }

    private X86Assembler aluRegister(int operation, Register dst, Register src) {
        requireSameWidth(dst, src);
        // The "r/m, reg" direction (00/01, 08/09, ... 38/39), as GNU as picks for register pairs.
        return emit(modRm(dst.width(), opcodeFor(dst, operation << 3), src.number(), dst, null, NO_IMMEDIATE));
    }

    private X86Assembler aluImmediate(int operation, Register dst, long value) {
        requireUsable(dst);
        requireFits(dst, value);
        int width = dst.width();
        if (width == 8) {
            if (dst.isAccumulator()) {
                return emit(new byte[] {(byte) ((operation << 3) | 0x04), (byte) value});
            }
            return emit(modRm(8, new int[] {0x80}, operation, dst, null, immediate(value, 1)));
        }
        long signed = signExtend(value, width);
        if (width == 64 && !fitsInt32(signed)) {
            throw new IllegalArgumentException(String.format(
                    "%s with %s: 0x%x is not a sign-extended 32-bit immediate", aluName(operation), dst, value));
        }
        if (signed >= Byte.MIN_VALUE && signed <= Byte.MAX_VALUE) {
            return emit(modRm(width, new int[] {0x83}, operation, dst, null, immediate(signed, 1)));
        }
        byte[] imm = immediate(signed, width == 16 ? 2 : 4);
        if (dst.isAccumulator()) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            writePrefixes(out, width, 0, 0);
            out.write((operation << 3) | 0x05);
            out.writeBytes(imm);
            return emit(out.toByteArray());
        }
        return emit(modRm(width, new int[] {0x81}, operation, dst, null, imm));
    }

    private static String aluName(int operation) {
        return switch (operation) {
            case ALU_ADD -> "add";
            case ALU_OR -> "or";
            case ALU_AND -> "and";
            case ALU_SUB -> "sub";
            case ALU_XOR -> "xor";
            case ALU_CMP -> "cmp";
            default -> throw new AssertionError(operation);
        };
    }

    private X86Assembler incDec(Register reg, int digit) {
        requireUsable(reg);
        if (mode == CpuMode.REAL && reg.width() != 8) {
            // In 16/32-bit code 40+r / 48+r are INC/DEC; in 64-bit code they are REX prefixes.
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            writePrefixes(out, reg.width(), 0, reg.number());
            out.write(0x40 + (digit << 3) + reg.number());
            return emit(out.toByteArray());
        }
        return emit(modRm(reg.width(), opcodeFor(reg, 0xfe), digit, reg, null, NO_IMMEDIATE));
    }

    private X86Assembler shift(int digit, Register reg, int count) {
        requireUsable(reg);
        if (count < 0 || count > 0xff) {
            throw new IllegalArgumentException("shift count must be 0..255, not " + count);
        }
        if (count == 1) {
            return emit(modRm(reg.width(), opcodeFor(reg, 0xd0), digit, reg, null, NO_IMMEDIATE));
        }
        return emit(modRm(reg.width(), opcodeFor(reg, 0xc0), digit, reg, null, new byte[] {(byte) count}));
    }

    private byte[] ioInstruction(Register accumulator, int opcode8, int port) {
        requireUsable(accumulator);
        if (!accumulator.isAccumulator() || accumulator.width() == 64) {
            throw new IllegalArgumentException("port I/O goes through AL, AX or EAX, not " + accumulator);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        writePrefixes(out, accumulator.width(), 0, 0);
        out.write(accumulator.width() == 8 ? opcode8 : opcode8 + 1);
        if (port >= 0) {
            out.write(port);
        }
        return out.toByteArray();
    }

    /** The 8-bit opcode for byte registers, the next one (the "w" bit) for wider ones. */
    private static int[] opcodeFor(Register reg, int opcode8) {
        return new int[] {reg.width() == 8 ? opcode8 : opcode8 + 1};
    }

    /**
     * Prefixes, opcode, ModR/M (plus SIB and displacement for memory) and immediate. Exactly one of
     * {@code rmRegister} and {@code memory} is non-null; {@code reg} is a register number or a /digit.
     */
    private byte[] modRm(int width, int[] opcode, int reg, Register rmRegister, MemoryOperand memory, byte[] immediate) {
        if (rmRegister != null) {
            requireUsable(rmRegister);
        }
        if (width == 64 && mode == CpuMode.REAL) {
            throw new IllegalArgumentException("64-bit operands do not exist in real mode");
        }
        if (reg > 7 && mode == CpuMode.REAL) {
            throw new IllegalArgumentException("registers r8..r15 exist only in long mode");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int rmNumber = rmRegister != null ? rmRegister.number() : memory.base().number();
        if (memory != null) {
            requireMemoryBase(memory);
        }
        writePrefixes(out, width, reg, rmNumber);
        for (int b : opcode) {
            out.write(b);
        }
        if (rmRegister != null) {
            out.write(0xc0 | ((reg & 7) << 3) | (rmRegister.number() & 7));
        } else if (mode == CpuMode.LONG) {
            writeMemory64(out, reg, memory);
        } else {
            writeMemory16(out, reg, memory);
        }
        out.writeBytes(immediate);
        return out.toByteArray();
    }

    /** 64-bit [base + disp] (SDM Vol. 2, Table 2-2 and 2-3). */
    private static void writeMemory64(ByteArrayOutputStream out, int reg, MemoryOperand memory) {
        int base = memory.base().number() & 7;
        int displacement = memory.displacement();
        int mod;
        // rm = 101 with mod = 00 means RIP-relative, so [rbp]/[r13] need an explicit zero disp8.
        if (displacement == 0 && base != 5) {
            mod = 0;
        } else if (displacement >= Byte.MIN_VALUE && displacement <= Byte.MAX_VALUE) {
            mod = 1;
        } else {
            mod = 2;
        }
        out.write((mod << 6) | ((reg & 7) << 3) | base);
        if (base == 4) {
            // rm = 100 means "a SIB byte follows": [rsp]/[r12] need SIB with no index (0x24).
            out.write(0x24);
        }
        if (mod == 1) {
            out.write(displacement);
        } else if (mod == 2) {
            writeLittleEndian(out, displacement, 4);
        }
    }

    /** 16-bit [base + disp] with a single base register (SDM Vol. 2, Table 2-1). */
    private static void writeMemory16(ByteArrayOutputStream out, int reg, MemoryOperand memory) {
        int rm = switch (memory.base()) {
            case SI -> 4;
            case DI -> 5;
            case BP -> 6;
            case BX -> 7;
            default -> throw new IllegalArgumentException("real-mode memory base must be BX, SI, DI or BP, not " + memory.base());
        };
        int displacement = memory.displacement();
        if (displacement < Short.MIN_VALUE || displacement > 0xffff) {
            throw new IllegalArgumentException("real-mode displacement must fit 16 bits: " + displacement);
        }
        long signed = signExtend(displacement, 16);
        int mod;
        // rm = 110 with mod = 00 means a bare disp16, so [bp] needs an explicit zero disp8.
        if (signed == 0 && rm != 6) {
            mod = 0;
        } else if (signed >= Byte.MIN_VALUE && signed <= Byte.MAX_VALUE) {
            mod = 1;
        } else {
            mod = 2;
        }
        out.write((mod << 6) | ((reg & 7) << 3) | rm);
        if (mod == 1) {
            out.write((int) signed);
        } else if (mod == 2) {
            writeLittleEndian(out, signed, 2);
        }
    }

    private void requireMemoryBase(MemoryOperand memory) {
        int expected = mode == CpuMode.LONG ? 64 : 16;
        if (memory.base().width() != expected) {
            throw new IllegalArgumentException(String.format(
                    "memory base in %s mode must be a %d-bit register, not %s", mode, expected, memory.base()));
        }
    }

    /** Operand-size prefix and REX (SDM Vol. 2, 2.1.1 and 2.2.1). */
    private void writePrefixes(ByteArrayOutputStream out, int width, int reg, int rm) {
        if ((width == 16 && mode == CpuMode.LONG) || (width == 32 && mode == CpuMode.REAL)) {
            out.write(PREFIX_OPERAND_SIZE);
        }
        writeRex(out, width == 64, reg, rm);
    }

    private void writeRex(ByteArrayOutputStream out, boolean wide, int reg, int rm) {
        int rex = (wide ? REX_W : 0) | (reg > 7 ? REX_R : 0) | (rm > 7 ? REX_B : 0);
        if (rex != 0) {
            out.write(REX | rex);
        }
    }

    private static byte[] immediate(long value, int bytes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(bytes);
        writeLittleEndian(out, value, bytes);
        return out.toByteArray();
    }

    private static void writeLittleEndian(ByteArrayOutputStream out, long value, int bytes) {
        for (int i = 0; i < bytes; i++) {
            out.write((int) (value >>> (8 * i)));
        }
    }

    private static long signExtend(long value, int width) {
        return width == 64 ? value : (value << (64 - width)) >> (64 - width);
    }

    private static boolean fitsInt32(long value) {
        return value >= Integer.MIN_VALUE && value <= Integer.MAX_VALUE;
    }

    private void requireUsable(Register reg) {
        Objects.requireNonNull(reg, "register");
        if (mode == CpuMode.REAL && (reg.width() == 64 || reg.number() > 7)) {
            throw new IllegalArgumentException(reg + " does not exist in real mode");
        }
    }

    private static void requireFits(Register reg, long value) {
        int width = reg.width();
        if (width == 64) {
            return;
        }
        long min = -(1L << (width - 1));
        long max = (1L << width) - 1;
        if (value < min || value > max) {
            throw new IllegalArgumentException(String.format("0x%x does not fit the %d-bit register %s", value, width, reg));
        }
    }

    private void requireSameWidth(Register a, Register b) {
        requireUsable(a);
        requireUsable(b);
        if (a.width() != b.width()) {
            throw new IllegalArgumentException("operand widths differ: " + a + ", " + b);
        }
    }

    private void requireWidth(Register reg, int width) {
        requireUsable(reg);
        if (reg.width() != width) {
            throw new IllegalArgumentException("expected a " + width + "-bit register, not " + reg);
        }
    }

    private static void requirePort8(int port) {
        if (port < 0 || port > 0xff) {
            throw new IllegalArgumentException(String.format("immediate port 0x%x must be 0..0xff; use DX for others", port));
        }
    }

    private static void requireDx(Register dx) {
        if (dx != Register.DX) {
            throw new IllegalArgumentException("the port register is DX, not " + dx);
        }
    }
}
