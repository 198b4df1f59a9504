package io.jvmm.kvm;

/**
 * Where a vCPU's run loop sends the port and MMIO exits it serves in place
 * ({@link Vcpu#run(ExitHandler, ExitCounter)}), as crosvm's {@code Vcpu::handle_io} takes a
 * callback: the KVM layer decodes and checks the exit and moves the data; what the guest reached
 * (a bus, a device, a test's recorder) is the handler's business. {@code data.length} is the
 * access width; the array is reused, so a handler must not keep it.
 */
public interface ExitHandler {
    /** The guest reads port {@code port}: fill {@code data}. */
    void ioRead(int port, byte[] data);

    /** The guest writes {@code data} to port {@code port}. */
    void ioWrite(int port, byte[] data);

    /** The guest reads guest-physical {@code address} outside its RAM: fill {@code data}. */
    void mmioRead(long address, byte[] data);

    /** The guest writes {@code data} to guest-physical {@code address} outside its RAM. */
    void mmioWrite(long address, byte[] data);
}
