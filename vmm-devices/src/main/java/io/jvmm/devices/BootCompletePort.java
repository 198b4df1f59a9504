package io.jvmm.devices;

import java.util.Arrays;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.function.LongConsumer;

/**
 * Firecracker's boot-complete signal: a guest that has finished booting (its init, or a built-in
 * guest) writes the byte {@link #SIGNAL_VALUE} to an I/O port (the platform chooses which; on
 * jvmm's x86 machine {@code X86Layout.BOOT_COMPLETE_PORT}, Firecracker's 0x3f0). The first such write is timestamped with
 * {@link System#nanoTime()} so the VMM can report boot time the way Firecracker does; other values
 * and later signals are ignored. Reads see all-ones, as from a port nothing decodes.
 *
 * <p>Registered over one port. Thread-safe: the vCPU thread writes, the stats code reads.
 */
public final class BootCompletePort implements BusDevice {
    /** The byte that signals boot-complete: Firecracker's {@code MAGIC_VALUE_SIGNAL_GUEST_BOOT_COMPLETE}. */
    public static final int SIGNAL_VALUE = 123;
    private static final long NOT_SIGNALLED = Long.MIN_VALUE;

    private final LongConsumer onBootComplete;
    private long signalledAtNanos = NOT_SIGNALLED;

    /**
     * @param onBootComplete called once, on the vCPU thread, with the {@code System.nanoTime()} of
     *     the first boot-complete write
     */
    public BootCompletePort(LongConsumer onBootComplete) {
        this.onBootComplete = Objects.requireNonNull(onBootComplete, "onBootComplete");
    }

    /** A port that only records the time; read it with {@link #bootCompleteNanos()}. */
    public BootCompletePort() {
        this(nanos -> { });
    }

    @Override
    public String debugLabel() {
        return "boot-complete";
    }

    @Override
    public void read(long offset, byte[] data) {
        Arrays.fill(data, (byte) 0xff);
    }

    /**
     * A one-byte write of {@link #SIGNAL_VALUE} at offset 0 is the signal
     * (Firecracker checks the single byte an {@code outb} delivers; wider writes are not the signal).
     */
    @Override
    public void write(long offset, byte[] data) {
        if (offset != 0 || data.length != 1 || (data[0] & 0xff) != SIGNAL_VALUE) {
            return;
        }
        long now = System.nanoTime();
        synchronized (this) {
            if (signalledAtNanos != NOT_SIGNALLED) {
                return;
            }
            signalledAtNanos = now;
        }
        onBootComplete.accept(now);
    }

    /**
     * {@return the {@code System.nanoTime()} of the first boot-complete signal, or empty if the
     * guest has not signalled}
     */
    public synchronized OptionalLong bootCompleteNanos() {
        return signalledAtNanos == NOT_SIGNALLED ? OptionalLong.empty() : OptionalLong.of(signalledAtNanos);
    }
}
