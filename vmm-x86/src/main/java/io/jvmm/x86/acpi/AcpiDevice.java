package io.jvmm.x86.acpi;

import java.util.List;

/**
 * A device the DSDT describes under {@code \_SB}: its hardware ID, the name prefix of its AML
 * Device object, and its current resources ({@code _CRS}). The machine passes its own port,
 * address and interrupt numbers; nothing here knows the platform map.
 */
public sealed interface AcpiDevice {
    /**
     * {@return the _HID: a PNP EISA ID ("UUUXXXX", encoded with {@link Aml#eisaId}) or an ACPI ID string}
     */
    String hid();

    /** {@return the resources for _CRS, in order; unmodifiable} */
    List<Resource> resources();

    /**
     * A 16550A UART ({@code PNP0501}, "16550A-compatible COM port"): 8 ports and an ISA IRQ. Linux's
     * 8250_pnp driver binds to it.
     *
     * @param port the first of its 8 I/O ports, 0..0xFFFF
     * @param irq  its ISA IRQ, 0..15
     */
    record Uart16550(int port, int irq) implements AcpiDevice {
        /**
         * Checks that the resources can be described.
         *
         * @param port the first of its 8 I/O ports
         * @param irq  its ISA IRQ
         * @throws IllegalArgumentException when {@code port} is outside 0..0xFFFF or {@code irq} outside 0..15
         */
        public Uart16550 {
            Resource.Io.fixed(port, 8);
            Resource.Irq.isa(irq);
        }

        @Override
        public String hid() {
            return "PNP0501";
        }

        @Override
        public List<Resource> resources() {
            return List.of(Resource.Io.fixed(port, 8), Resource.Irq.isa(irq));
        }
    }

    /**
     * An i8042 keyboard controller ({@code PNP0303}, "IBM Enhanced keyboard"): the data and the
     * command/status port, one each, and the keyboard IRQ. Linux's i8042 PNP probe takes its ports
     * from here; with no {@code PNP0F13} (PS/2 mouse) device it treats the AUX port as absent.
     *
     * @param dataPort    the data port, 0..0xFFFF (0x60 on a PC); the first _CRS entry
     * @param commandPort the command/status port, 0..0xFFFF (0x64 on a PC); the second
     * @param irq         the keyboard's ISA IRQ, 0..15 (1 on a PC)
     */
    record I8042(int dataPort, int commandPort, int irq) implements AcpiDevice {
        /**
         * Checks that the resources can be described.
         *
         * @param dataPort    the data port
         * @param commandPort the command/status port
         * @param irq         the keyboard's ISA IRQ
         * @throws IllegalArgumentException when a port is outside 0..0xFFFF or {@code irq} outside 0..15
         */
        public I8042 {
            Resource.Io.fixed(dataPort, 1);
            Resource.Io.fixed(commandPort, 1);
            Resource.Irq.isa(irq);
        }

        @Override
        public String hid() {
            return "PNP0303";
        }

        @Override
        public List<Resource> resources() {
            return List.of(Resource.Io.fixed(dataPort, 1), Resource.Io.fixed(commandPort, 1), Resource.Irq.isa(irq));
        }
    }

    /**
     * A CMOS real-time clock ({@code PNP0B00}, "AT real-time clock"): index and data port and the
     * RTC IRQ. Linux's rtc_cmos PNP driver binds to it.
     *
     * @param port the index port, 0..0xFFFF (0x70 on a PC); the data port follows it
     * @param irq  the RTC's ISA IRQ, 0..15 (8 on a PC)
     */
    record CmosRtc(int port, int irq) implements AcpiDevice {
        /**
         * Checks that the resources can be described.
         *
         * @param port the index port
         * @param irq  the RTC's ISA IRQ
         * @throws IllegalArgumentException when {@code port} is outside 0..0xFFFF or {@code irq} outside 0..15
         */
        public CmosRtc {
            Resource.Io.fixed(port, 2);
            Resource.Irq.isa(irq);
        }

        @Override
        public String hid() {
            return "PNP0B00";
        }

        @Override
        public List<Resource> resources() {
            return List.of(Resource.Io.fixed(port, 2), Resource.Irq.isa(irq));
        }
    }

    /**
     * A virtio-mmio transport ({@code LNRO0005}, the ID Linux's virtio_mmio driver matches in its
     * ACPI table, drivers/virtio/virtio_mmio.c): its register window and its interrupt, edge/high.
     *
     * @param base the window's guest-physical base, below 4 GiB
     * @param size the window's size in bytes, non-zero; {@code base + size} at most 4 GiB
     * @param gsi  the global system interrupt it raises, 0..2^32-1
     */
    record VirtioMmio(long base, long size, long gsi) implements AcpiDevice {
        /**
         * Checks that the resources can be described.
         *
         * @param base the window's guest-physical base
         * @param size the window's size in bytes
         * @param gsi  the global system interrupt it raises
         * @throws IllegalArgumentException when the window is empty, does not fit below 4 GiB, or {@code gsi}
         *     does not fit in 32 bits
         */
        public VirtioMmio {
            new Resource.Memory32Fixed(base, size, true);
            Resource.ExtendedInterrupt.edge(gsi);
            if (size == 0) {
                throw new IllegalArgumentException(String.format("virtio-mmio window at 0x%x is empty", base));
            }
        }

        @Override
        public String hid() {
            return "LNRO0005";
        }

        @Override
        public List<Resource> resources() {
            return List.of(new Resource.Memory32Fixed(base, size, true), Resource.ExtendedInterrupt.edge(gsi));
        }
    }
}
