package io.jvmm.kvm;

import io.jvmm.kvm.sys.KvmStructs.KvmLapicState;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * The in-kernel local APIC's register page ({@code struct kvm_lapic_state}, 1 KiB), for
 * {@link Vcpu#getLapic()}/{@link Vcpu#setLapic}. Registers are 32 bits wide at 16-byte aligned
 * offsets (Intel SDM Vol. 3A, table 11-1 "Local APIC Register Address Map"); the offsets of the
 * ones a VMM touches are constants here. A mutable value.
 */
public final class LapicState {
    /** Local APIC ID register; the xAPIC id is in bits 24..31. */
    public static final int APIC_ID = 0x20;
    /** Local APIC version register (read-only: version, max LVT entry). */
    public static final int APIC_LVR = 0x30;
    /** Task priority register (TPR). */
    public static final int APIC_TASKPRI = 0x80;
    /** Spurious-interrupt vector register; bit 8 software-enables the APIC. */
    public static final int APIC_SPIV = 0xf0;
    /** LVT timer register. */
    public static final int APIC_LVTT = 0x320;
    /** LVT LINT0: wired to the legacy PIC's INTR output on PCs. */
    public static final int APIC_LVT0 = 0x350;
    /** LVT LINT1: wired to NMI on PCs. */
    public static final int APIC_LVT1 = 0x360;

    /** LVT delivery mode Fixed (bits 8..10 = 000): deliver the vector in bits 0..7. */
    public static final int DELIVERY_MODE_FIXED = 0b000 << 8;
    /** LVT delivery mode NMI (bits 8..10 = 100); the vector is ignored. */
    public static final int DELIVERY_MODE_NMI = 0b100 << 8;
    /** LVT delivery mode ExtINT (bits 8..10 = 111): the interrupt comes from an external 8259A-compatible PIC. */
    public static final int DELIVERY_MODE_EXTINT = 0b111 << 8;
    /** The LVT delivery-mode field, bits 8..10. */
    public static final int DELIVERY_MODE_MASK = 0b111 << 8;

    private final byte[] regs;

    private LapicState(byte[] regs) {
        this.regs = regs;
    }

    /** An all-zero register page. */
    public LapicState() {
        this(new byte[KvmLapicState.SIZE]);
    }

    static LapicState read(ByteBuffer b) {
        byte[] regs = new byte[KvmLapicState.SIZE];
        b.get(KvmLapicState.REGS, regs);
        return new LapicState(regs);
    }

    void write(ByteBuffer b) {
        b.put(KvmLapicState.REGS, regs);
    }

    /**
     * The 32-bit register at {@code offset} (16-byte aligned, inside the page).
     *
     * @param offset the register's offset in the page, e.g. {@link #APIC_LVT0}: a multiple of 16, 0..0x3f0
     * @return the register's value
     * @throws IllegalArgumentException if {@code offset} is not a 16-byte aligned offset inside the page
     */
    public int register(int offset) {
        checkOffset(offset);
        return ByteBuffer.wrap(regs).order(ByteOrder.LITTLE_ENDIAN).getInt(offset);
    }

    /**
     * Sets the 32-bit register at {@code offset}. Only this copy changes; {@link Vcpu#setLapic} applies it.
     *
     * @param offset the register's offset in the page: a multiple of 16, 0..0x3f0
     * @param value the new 32-bit value
     * @return this
     * @throws IllegalArgumentException if {@code offset} is not a 16-byte aligned offset inside the page
     */
    public LapicState register(int offset, int value) {
        checkOffset(offset);
        ByteBuffer.wrap(regs).order(ByteOrder.LITTLE_ENDIAN).putInt(offset, value);
        return this;
    }

    /**
     * Replaces the delivery-mode field of the LVT register at {@code offset}, keeping its other bits.
     *
     * @param offset the LVT register's offset, e.g. {@link #APIC_LVT0}; not checked to be an LVT register
     * @param deliveryMode one of the {@code DELIVERY_MODE_*} values, already shifted into bits 8..10
     * @return this
     * @throws IllegalArgumentException if {@code deliveryMode} has bits outside bits 8..10, or {@code offset} is not a
     *     16-byte aligned offset inside the page
     */
    public LapicState lvtDeliveryMode(int offset, int deliveryMode) {
        if ((deliveryMode & ~DELIVERY_MODE_MASK) != 0) {
            throw new IllegalArgumentException("not a delivery mode: 0x" + Integer.toHexString(deliveryMode));
        }
        return register(offset, (register(offset) & ~DELIVERY_MODE_MASK) | deliveryMode);
    }

    private static void checkOffset(int offset) {
        if (offset < 0 || offset > KvmLapicState.SIZE - 4 || (offset & 0xf) != 0) {
            throw new IllegalArgumentException("APIC register offset 0x" + Integer.toHexString(offset)
                + " is not a 16-byte aligned offset inside the " + KvmLapicState.SIZE + "-byte page");
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LapicState l && Arrays.equals(regs, l.regs);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(regs);
    }

    @Override
    public String toString() {
        return String.format("LapicState[id=%x lvt0=%x lvt1=%x]", register(APIC_ID), register(APIC_LVT0), register(APIC_LVT1));
    }
}
