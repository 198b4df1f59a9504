package io.jvmm.kvm;

import io.jvmm.kvm.sys.KvmStructs.KvmDtable;
import io.jvmm.kvm.sys.KvmStructs.KvmSregs;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Objects;

/**
 * The special registers of an x86-64 vCPU ({@code struct kvm_sregs}): segment registers, GDTR and
 * IDTR, control registers, EFER, the APIC base MSR and the pending-interrupt bitmap. A mutable
 * value used in the get-modify-set pattern ({@link Vcpu#getSregs()}, {@link Vcpu#setSregs}).
 */
public final class Sregs {
    private Segment cs;
    private Segment ds;
    private Segment es;
    private Segment fs;
    private Segment gs;
    private Segment ss;
    private Segment tr;
    private Segment ldt;
    private DescriptorTable gdt;
    private DescriptorTable idt;
    private long cr0;
    private long cr2;
    private long cr3;
    private long cr4;
    private long cr8;
    private long efer;
    private long apicBase;
    private final long[] interruptBitmap = new long[KvmSregs.INTERRUPT_BITMAP_WORDS];

    private Sregs() {
    }

    static Sregs read(ByteBuffer b) {
        Sregs s = new Sregs();
        s.cs = Segment.read(b, KvmSregs.CS);
        s.ds = Segment.read(b, KvmSregs.DS);
        s.es = Segment.read(b, KvmSregs.ES);
        s.fs = Segment.read(b, KvmSregs.FS);
        s.gs = Segment.read(b, KvmSregs.GS);
        s.ss = Segment.read(b, KvmSregs.SS);
        s.tr = Segment.read(b, KvmSregs.TR);
        s.ldt = Segment.read(b, KvmSregs.LDT);
        s.gdt = new DescriptorTable(b.getLong(KvmSregs.GDT + KvmDtable.BASE), b.getShort(KvmSregs.GDT + KvmDtable.LIMIT) & 0xffff);
        s.idt = new DescriptorTable(b.getLong(KvmSregs.IDT + KvmDtable.BASE), b.getShort(KvmSregs.IDT + KvmDtable.LIMIT) & 0xffff);
        s.cr0 = b.getLong(KvmSregs.CR0);
        s.cr2 = b.getLong(KvmSregs.CR2);
        s.cr3 = b.getLong(KvmSregs.CR3);
        s.cr4 = b.getLong(KvmSregs.CR4);
        s.cr8 = b.getLong(KvmSregs.CR8);
        s.efer = b.getLong(KvmSregs.EFER);
        s.apicBase = b.getLong(KvmSregs.APIC_BASE);
        for (int i = 0; i < s.interruptBitmap.length; i++) {
            s.interruptBitmap[i] = b.getLong(KvmSregs.INTERRUPT_BITMAP + i * Long.BYTES);
        }
        return s;
    }

    /** Writes every field; the buffer must be zeroed first so the dtable padding is zero. */
    void write(ByteBuffer b) {
        cs.write(b, KvmSregs.CS);
        ds.write(b, KvmSregs.DS);
        es.write(b, KvmSregs.ES);
        fs.write(b, KvmSregs.FS);
        gs.write(b, KvmSregs.GS);
        ss.write(b, KvmSregs.SS);
        tr.write(b, KvmSregs.TR);
        ldt.write(b, KvmSregs.LDT);
        b.putLong(KvmSregs.GDT + KvmDtable.BASE, gdt.base());
        b.putShort(KvmSregs.GDT + KvmDtable.LIMIT, (short) gdt.limit());
        b.putLong(KvmSregs.IDT + KvmDtable.BASE, idt.base());
        b.putShort(KvmSregs.IDT + KvmDtable.LIMIT, (short) idt.limit());
        b.putLong(KvmSregs.CR0, cr0);
        b.putLong(KvmSregs.CR2, cr2);
        b.putLong(KvmSregs.CR3, cr3);
        b.putLong(KvmSregs.CR4, cr4);
        b.putLong(KvmSregs.CR8, cr8);
        b.putLong(KvmSregs.EFER, efer);
        b.putLong(KvmSregs.APIC_BASE, apicBase);
        for (int i = 0; i < interruptBitmap.length; i++) {
            b.putLong(KvmSregs.INTERRUPT_BITMAP + i * Long.BYTES, interruptBitmap[i]);
        }
    }

    /** {@return CS, the code segment} */
    public Segment cs() { return cs; }
    /** {@return DS} */
    public Segment ds() { return ds; }
    /** {@return ES} */
    public Segment es() { return es; }
    /** {@return FS} */
    public Segment fs() { return fs; }
    /** {@return GS} */
    public Segment gs() { return gs; }
    /** {@return SS, the stack segment} */
    public Segment ss() { return ss; }
    /** {@return TR, the task register} */
    public Segment tr() { return tr; }
    /** {@return LDTR, the local descriptor table register} */
    public Segment ldt() { return ldt; }
    /** {@return GDTR, the global descriptor table register} */
    public DescriptorTable gdt() { return gdt; }
    /** {@return IDTR, the interrupt descriptor table register} */
    public DescriptorTable idt() { return idt; }
    /** {@return CR0} */
    public long cr0() { return cr0; }
    /** {@return CR2, the page-fault linear address} */
    public long cr2() { return cr2; }
    /** {@return CR3, the page-table root} */
    public long cr3() { return cr3; }
    /** {@return CR4} */
    public long cr4() { return cr4; }
    /** {@return CR8, the task-priority register} */
    public long cr8() { return cr8; }
    /** {@return the IA32_EFER MSR (LME, LMA, NXE, SCE)} */
    public long efer() { return efer; }
    /** {@return the IA32_APIC_BASE MSR: base address, enable and BSP bits} */
    public long apicBase() { return apicBase; }

    /**
     * A copy of the 256-bit pending-interrupt bitmap: bit {@code v % 64} of word {@code v / 64} is set
     * when external interrupt vector {@code v} is pending injection. There is no setter; a value read
     * from a vCPU is written back unchanged.
     *
     * @return a new array of four words
     */
    public long[] interruptBitmap() {
        return interruptBitmap.clone();
    }

    /**
     * Sets CS.
     *
     * @param v the new segment
     * @return this
     * @throws NullPointerException if {@code v} is null
     */
    public Sregs cs(Segment v) { cs = Objects.requireNonNull(v, "cs"); return this; }
    /**
     * Sets DS.
     *
     * @param v the new segment
     * @return this
     * @throws NullPointerException if {@code v} is null
     */
    public Sregs ds(Segment v) { ds = Objects.requireNonNull(v, "ds"); return this; }
    /**
     * Sets ES.
     *
     * @param v the new segment
     * @return this
     * @throws NullPointerException if {@code v} is null
     */
    public Sregs es(Segment v) { es = Objects.requireNonNull(v, "es"); return this; }
    /**
     * Sets FS.
     *
     * @param v the new segment
     * @return this
     * @throws NullPointerException if {@code v} is null
     */
    public Sregs fs(Segment v) { fs = Objects.requireNonNull(v, "fs"); return this; }
    /**
     * Sets GS.
     *
     * @param v the new segment
     * @return this
     * @throws NullPointerException if {@code v} is null
     */
    public Sregs gs(Segment v) { gs = Objects.requireNonNull(v, "gs"); return this; }
    /**
     * Sets SS.
     *
     * @param v the new segment
     * @return this
     * @throws NullPointerException if {@code v} is null
     */
    public Sregs ss(Segment v) { ss = Objects.requireNonNull(v, "ss"); return this; }
    /**
     * Sets TR.
     *
     * @param v the new segment
     * @return this
     * @throws NullPointerException if {@code v} is null
     */
    public Sregs tr(Segment v) { tr = Objects.requireNonNull(v, "tr"); return this; }
    /**
     * Sets LDTR.
     *
     * @param v the new segment
     * @return this
     * @throws NullPointerException if {@code v} is null
     */
    public Sregs ldt(Segment v) { ldt = Objects.requireNonNull(v, "ldt"); return this; }
    /**
     * Sets GDTR.
     *
     * @param v the new base and limit
     * @return this
     * @throws NullPointerException if {@code v} is null
     */
    public Sregs gdt(DescriptorTable v) { gdt = Objects.requireNonNull(v, "gdt"); return this; }
    /**
     * Sets IDTR.
     *
     * @param v the new base and limit
     * @return this
     * @throws NullPointerException if {@code v} is null
     */
    public Sregs idt(DescriptorTable v) { idt = Objects.requireNonNull(v, "idt"); return this; }
    /**
     * Sets CR0; not checked here, but KVM may refuse an invalid value in {@link Vcpu#setSregs}.
     *
     * @param v the new 64-bit value
     * @return this
     */
    public Sregs cr0(long v) { cr0 = v; return this; }
    /**
     * Sets CR2; not checked here, but KVM may refuse an invalid value in {@link Vcpu#setSregs}.
     *
     * @param v the new 64-bit value
     * @return this
     */
    public Sregs cr2(long v) { cr2 = v; return this; }
    /**
     * Sets CR3; not checked here, but KVM may refuse an invalid value in {@link Vcpu#setSregs}.
     *
     * @param v the new 64-bit value
     * @return this
     */
    public Sregs cr3(long v) { cr3 = v; return this; }
    /**
     * Sets CR4; not checked here, but KVM may refuse an invalid value in {@link Vcpu#setSregs}.
     *
     * @param v the new 64-bit value
     * @return this
     */
    public Sregs cr4(long v) { cr4 = v; return this; }
    /**
     * Sets CR8; not checked here, but KVM may refuse an invalid value in {@link Vcpu#setSregs}.
     *
     * @param v the new 64-bit value
     * @return this
     */
    public Sregs cr8(long v) { cr8 = v; return this; }
    /**
     * Sets IA32_EFER; not checked here, but KVM may refuse an invalid value in {@link Vcpu#setSregs}.
     *
     * @param v the new 64-bit value
     * @return this
     */
    public Sregs efer(long v) { efer = v; return this; }
    /**
     * Sets IA32_APIC_BASE; not checked here, but KVM may refuse an invalid value in {@link Vcpu#setSregs}.
     *
     * @param v the new 64-bit value
     * @return this
     */
    public Sregs apicBase(long v) { apicBase = v; return this; }

    /**
     * Sets DS, ES, FS, GS and SS to {@code segment}, the usual flat-data setup.
     *
     * @param segment the data segment for all five registers
     * @return this
     * @throws NullPointerException if {@code segment} is null
     */
    public Sregs dataSegments(Segment segment) {
        return ds(segment).es(segment).fs(segment).gs(segment).ss(segment);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Sregs x && cs.equals(x.cs) && ds.equals(x.ds) && es.equals(x.es) && fs.equals(x.fs)
            && gs.equals(x.gs) && ss.equals(x.ss) && tr.equals(x.tr) && ldt.equals(x.ldt) && gdt.equals(x.gdt)
            && idt.equals(x.idt) && cr0 == x.cr0 && cr2 == x.cr2 && cr3 == x.cr3 && cr4 == x.cr4 && cr8 == x.cr8
            && efer == x.efer && apicBase == x.apicBase && Arrays.equals(interruptBitmap, x.interruptBitmap);
    }

    @Override
    public int hashCode() {
        return Objects.hash(cs, ds, ss, cr0, cr3, cr4, efer);
    }

    @Override
    public String toString() {
        return String.format("Sregs[cs=%s ds=%s gdt=%s idt=%s cr0=%x cr2=%x cr3=%x cr4=%x efer=%x apic_base=%x]",
            cs, ds, gdt, idt, cr0, cr2, cr3, cr4, efer, apicBase);
    }
}
