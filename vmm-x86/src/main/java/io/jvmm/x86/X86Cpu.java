package io.jvmm.x86;

import io.jvmm.kvm.DescriptorTable;
import io.jvmm.kvm.Regs;
import io.jvmm.kvm.Segment;
import io.jvmm.kvm.Sregs;
import io.jvmm.kvm.Vcpu;
import io.jvmm.memory.GuestAddress;
import io.jvmm.memory.GuestMemory;

/**
 * Puts a vCPU into the state a guest expects at its first instruction, without firmware: real mode
 * at a load address, or 64-bit long mode with paging on (the state boot.rst's "64-bit Boot
 * Protocol" describes, which is also what jvmm's tiny 64-bit guests start in). Bit names follow
 * the Intel SDM Vol. 3A, 2.5 "Control Registers" and 2.2.1 "Extended Feature Enable Register".
 */
public final class X86Cpu {
    /** CR0 bit 0, Protection Enable: protected mode when set, real mode when clear. */
    public static final long CR0_PE = 1L;
    /** CR0 bit 4, Extension Type: reserved, and hard-wired to 1 on P6-family and later processors. */
    public static final long CR0_ET = 1L << 4;
    /** CR0 bit 5, Numeric Error: x87 FPU errors raise #MF natively instead of the PC-style FERR# interrupt. */
    public static final long CR0_NE = 1L << 5;
    /** CR0 bit 31, Paging: with PE, CR4.PAE and EFER.LME it activates IA-32e (long) mode. */
    public static final long CR0_PG = 1L << 31;
    /** CR4 bit 5, Physical-Address Extension: 64-bit page-table entries, required for IA-32e mode. */
    public static final long CR4_PAE = 1L << 5;
    /** IA32_EFER bit 8, IA-32e Mode Enable: long mode once paging is turned on. */
    public static final long EFER_LME = 1L << 8;
    /** IA32_EFER bit 10, IA-32e Mode Active: set by the CPU when LME and CR0.PG are; KVM takes it from sregs. */
    public static final long EFER_LMA = 1L << 10;
    /** RFLAGS bit 1 is reserved and always reads 1; interrupts (IF) stay off. */
    public static final long RFLAGS_RESERVED = 0x2;

    /** Real-mode addressing reaches 1 MiB ({@code (segment << 4) + 16-bit offset}), so load addresses stay below. */
    public static final long REAL_MODE_LIMIT = 0x10_0000;
    private static final int REAL_MODE_SEGMENT_LIMIT = 0xffff;
    /** Code segment type: execute/read, accessed. Data: read/write, accessed (SDM table 3-1). */
    private static final int TYPE_CODE_ER_ACCESSED = 0xb;
    private static final int TYPE_DATA_RW_ACCESSED = 0x3;

    private X86Cpu() {
    }

    /**
     * Real mode with CS = DS = ES = FS = GS = {@code loadAddress >> 4}, so the image's own offsets
     * work, IP = {@code entry - loadAddress}, and the stack just below the load address (SS:SP
     * points at {@code loadAddress}; the first push lands below it). Interrupts off. CR0.PE and
     * CR0.PG are cleared; the other special registers keep the vCPU's current values, and every
     * general register other than IP, SP and FLAGS is 0.
     *
     * @param vcpu        the vCPU to set up
     * @param loadAddress guest-physical address the image was loaded at: 16-byte aligned, in [0, 1 MiB)
     * @param entry       guest-physical address of the first instruction: in [loadAddress, loadAddress + 0xffff]
     * @throws IllegalArgumentException if {@code loadAddress} is not 16-byte aligned or not below
     *     1 MiB, or {@code entry} is not within 64 KiB above it
     * @throws io.jvmm.kvm.KvmException when {@code KVM_GET_SREGS}, {@code KVM_SET_SREGS} or {@code KVM_SET_REGS} fails
     * @throws io.jvmm.core.ClosedException when {@code vcpu} is closed
     */
    public static void enterRealMode(Vcpu vcpu, long loadAddress, long entry) {
        if (loadAddress < 0 || loadAddress >= REAL_MODE_LIMIT || (loadAddress & 0xf) != 0) {
            throw new IllegalArgumentException(String.format(
                "real-mode load address 0x%x must be 16-byte aligned and below 1 MiB", loadAddress));
        }
        long ip = entry - loadAddress;
        if (ip < 0 || ip > REAL_MODE_SEGMENT_LIMIT) {
            throw new IllegalArgumentException(String.format(
                "real-mode entry 0x%x must lie within 64 KiB above the load address 0x%x", entry, loadAddress));
        }
        int segment = (int) (loadAddress >>> 4);
        // SS:SP = loadAddress: with SP = 0 the first push wraps to SS:0xfffe, just below the image.
        int stackSegment = loadAddress >= 0x10000 ? segment - 0x1000 : 0;
        int sp = loadAddress >= 0x10000 ? 0 : (int) loadAddress;

        Sregs sregs = vcpu.getSregs();
        sregs.cs(realModeSegment(segment, TYPE_CODE_ER_ACCESSED));
        Segment data = realModeSegment(segment, TYPE_DATA_RW_ACCESSED);
        sregs.ds(data).es(data).fs(data).gs(data);
        sregs.ss(realModeSegment(stackSegment, TYPE_DATA_RW_ACCESSED));
        sregs.cr0(sregs.cr0() & ~(CR0_PE | CR0_PG));
        vcpu.setSregs(sregs);

        vcpu.setRegs(new Regs().rip(ip).rsp(sp).rflags(RFLAGS_RESERVED));
    }

    private static Segment realModeSegment(int selector, int type) {
        return new Segment((long) selector << 4, REAL_MODE_SEGMENT_LIMIT, selector, type, true, 0, false, true, false,
            false, false, false);
    }

    /**
     * 64-bit long mode at {@code entry}: writes the boot GDT at {@link X86Layout#GDT_ADDR}, an empty
     * IDT at {@link X86Layout#IDT_ADDR} and the identity-mapping page tables at
     * {@link X86Layout#PML4_ADDR} into {@code memory}, loads {@link #longModeSregs} and sets
     * RIP = {@code entry}, RSP = RBP = {@code stackPointer}, RFLAGS = {@link #RFLAGS_RESERVED}
     * (interrupts off), every other general register 0.
     *
     * @param vcpu         the vCPU to set up
     * @param memory       guest memory to write the GDT, IDT and page tables into
     * @param entry        guest-physical (= virtual, identity-mapped) address of the first instruction:
     *                     in [0, {@link IdentityPageTables#mappedBytes()})
     * @param stackPointer initial RSP and RBP: in (0, {@link IdentityPageTables#mappedBytes()}], the first
     *                     push lands below it
     * @throws IllegalArgumentException when {@code entry} or {@code stackPointer} is outside the
     *     identity-mapped {@link IdentityPageTables#mappedBytes()}
     * @throws io.jvmm.memory.GuestMemoryException when the tables do not fit in {@code memory}
     * @throws io.jvmm.kvm.KvmException when {@code KVM_GET_SREGS}, {@code KVM_SET_SREGS} or {@code KVM_SET_REGS} fails
     * @throws io.jvmm.core.ClosedException when {@code vcpu} or {@code memory} is closed
     */
    public static void enterLongMode(Vcpu vcpu, GuestMemory memory, long entry, long stackPointer) {
        long mapped = IdentityPageTables.mappedBytes();
        if (entry < 0 || entry >= mapped) {
            throw new IllegalArgumentException(String.format("64-bit entry 0x%x is outside the identity-mapped first 0x%x bytes", entry, mapped));
        }
        if (stackPointer <= 0 || stackPointer > mapped) {
            throw new IllegalArgumentException(String.format("stack pointer 0x%x is outside the identity-mapped first 0x%x bytes", stackPointer, mapped));
        }
        writeLongModeTables(memory);
        vcpu.setSregs(longModeSregs(vcpu.getSregs()));
        vcpu.setRegs(new Regs().rip(entry).rsp(stackPointer).rbp(stackPointer).rflags(RFLAGS_RESERVED));
    }

    /**
     * Writes the boot GDT ({@link Gdt#bootTable()}) at {@link X86Layout#GDT_ADDR}, an empty 8-byte IDT at
     * {@link X86Layout#IDT_ADDR} and the identity-mapping page tables ({@link IdentityPageTables#build()})
     * at {@link X86Layout#PML4_ADDR} into {@code memory}.
     *
     * @param memory guest memory; RAM must cover those addresses
     * @throws io.jvmm.memory.GuestMemoryException when a table does not fit in {@code memory}
     * @throws io.jvmm.core.ClosedException when {@code memory} is closed
     */
    public static void writeLongModeTables(GuestMemory memory) {
        memory.writeStructAtAddr(Gdt.bootTable(), GuestAddress.of(X86Layout.GDT_ADDR));
        memory.writeLongAtAddr(0L, GuestAddress.of(X86Layout.IDT_ADDR));
        memory.writeStructAtAddr(IdentityPageTables.build(), GuestAddress.of(X86Layout.PML4_ADDR));
    }

    /**
     * The special registers of 64-bit long mode on the boot GDT ({@link Gdt}) and page tables
     * ({@link IdentityPageTables}) at their {@link X86Layout} addresses: CR0 = PE|ET|NE|PG,
     * CR4 = PAE, EFER = LME|LMA, CR3 = PML4, flat 64-bit CS, flat data segments, busy TSS. Applied
     * to {@code sregs} (obtained from {@link Vcpu#getSregs()} so the rest is KVM's reset state).
     *
     * @param sregs the special registers to change; modified in place
     * @return {@code sregs}, with CS, DS, ES, FS, GS, SS, TR, GDTR, IDTR, CR0, CR3, CR4 and EFER replaced
     */
    public static Sregs longModeSregs(Sregs sregs) {
        long[] gdt = Gdt.bootEntries();
        Segment data = Gdt.segment(gdt[Gdt.DATA_INDEX], Gdt.DATA_INDEX);
        return sregs
            .cs(Gdt.segment(gdt[Gdt.CODE64_INDEX], Gdt.CODE64_INDEX))
            .dataSegments(data)
            .tr(Gdt.segment(gdt[Gdt.TSS_INDEX], Gdt.TSS_INDEX))
            .gdt(new DescriptorTable(X86Layout.GDT_ADDR, Gdt.bootTableLimit()))
            .idt(new DescriptorTable(X86Layout.IDT_ADDR, Long.BYTES - 1))
            .cr3(X86Layout.PML4_ADDR)
            .cr4(CR4_PAE)
            .cr0(CR0_PE | CR0_ET | CR0_NE | CR0_PG)
            .efer(EFER_LME | EFER_LMA);
    }
}
