package io.jvmm.devices;

import java.util.Arrays;
import java.util.Objects;

/**
 * A one-byte reset register: writing the reset value resets the machine. It is what the ACPI
 * FADT names as RESET_REG and RESET_VALUE (ACPI 6.4, section 4.8.3.6), which Linux writes for
 * {@code reboot=acpi} and tries first on a plain reboot; on a PC it is the chipset's Reset Control
 * Register, where Linux's {@code reboot=pci} writes 0x02 ("prepare a hard reset") and then 0x0E
 * for a cold reboot, its default, or 0x06 for a warm one (arch/x86/kernel/reboot.c). The
 * configured value resets, and so does any write with bit 2 set, which starts the reset on the
 * chipset (a soft 0x04 included); other writes change nothing. Reads return the last value
 * written, without bit 2 (it self-clears).
 *
 * <p>The model knows no port: the machine registers it where its platform map says, and gives it
 * what a reset means there ({@code onReset}).
 */
public final class ResetControl implements BusDevice {
    /** Bit 2 of the PC Reset Control Register: start the reset (self-clearing). */
    private static final int RESET_CPU = 0x04;

    private final int resetValue;
    private final Runnable onReset;
    private volatile int last;

    /**
     * @param resetValue the byte that resets (the FADT's RESET_VALUE)
     * @param onReset called on the vCPU thread when the guest writes it
     */
    public ResetControl(int resetValue, Runnable onReset) {
        if (resetValue < 0 || resetValue > 0xff) {
            throw new IllegalArgumentException(String.format("reset value 0x%x is not a byte", resetValue));
        }
        this.resetValue = resetValue;
        this.onReset = Objects.requireNonNull(onReset, "onReset");
    }

    @Override
    public String debugLabel() {
        return "reset-control";
    }

    @Override
    public void read(long offset, byte[] data) {
        Arrays.fill(data, (byte) 0xff);
        if (offset == 0 && data.length == 1) {
            data[0] = (byte) (last & ~RESET_CPU);
        }
    }

    /**
     * A one-byte write at offset 0; the reset value or any value with bit 2 set resets, anything
     * else is remembered.
     */
    @Override
    public void write(long offset, byte[] data) {
        if (offset != 0 || data.length != 1) {
            return;
        }
        int value = data[0] & 0xff;
        last = value;
        if (value == resetValue || (value & RESET_CPU) != 0) {
            onReset.run();
        }
    }
}
