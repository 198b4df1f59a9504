package io.jvmm.x86.acpi;

import java.util.List;

/**
 * A device the DSDT describes under {@code \_SB}: its hardware ID, the name prefix of its AML
 * Device object, and its current resources ({@code _CRS}). The machine passes its own port,
 * address and interrupt numbers; nothing here knows the platform map.
 */
public sealed interface AcpiDevice {
    /** The _HID: a PNP EISA ID or an ACPI ID string. */
    String hid();

    /** Resources for _CRS, in order. */
    List<Resource> resources();

    /**
     * A 16550A UART ({@code PNP0501}, "16550A-compatible COM port"): 8 ports and an ISA IRQ. Linux's
     * 8250_pnp driver binds to it.
     */
    record Uart16550(int port, int irq) implements AcpiDevice {
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
     */
    record I8042(int dataPort, int commandPort, int irq) implements AcpiDevice {
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
     */
    record CmosRtc(int port, int irq) implements AcpiDevice {
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
     */
    record VirtioMmio(long base, long size, long gsi) implements AcpiDevice {
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
