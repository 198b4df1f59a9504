package io.jvmm.machine;

import io.jvmm.devices.bus.IoBus;
import io.jvmm.devices.bus.MmioBus;
import io.jvmm.kvm.ExitHandler;
import java.util.Objects;

/**
 * The machine's {@link ExitHandler}: port exits go to its I/O-port bus, MMIO exits to its MMIO
 * bus (Firecracker's bus dispatch); neither bus knows KVM, and the vCPU knows no bus.
 *
 * @param io the I/O-port bus that serves {@code KVM_EXIT_IO}
 * @param mmio the MMIO bus that serves {@code KVM_EXIT_MMIO}
 */
public record BusExitHandler(IoBus io, MmioBus mmio) implements ExitHandler {
    /**
     * A handler over the two buses.
     *
     * @param io the I/O-port bus that serves {@code KVM_EXIT_IO}
     * @param mmio the MMIO bus that serves {@code KVM_EXIT_MMIO}
     * @throws NullPointerException when a bus is null
     */
    public BusExitHandler {
        Objects.requireNonNull(io, "io");
        Objects.requireNonNull(mmio, "mmio");
    }

    @Override
    public void ioRead(int port, byte[] data) {
        io.read(port, data);
    }

    @Override
    public void ioWrite(int port, byte[] data) {
        io.write(port, data);
    }

    @Override
    public void mmioRead(long address, byte[] data) {
        mmio.read(address, data);
    }

    @Override
    public void mmioWrite(long address, byte[] data) {
        mmio.write(address, data);
    }
}
