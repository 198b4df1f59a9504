package io.jvmm.kvm;

/**
 * Where a vCPU's run loop sends the port and MMIO exits it serves in place
 * ({@link Vcpu#run(ExitHandler, ExitCounter)}), as crosvm's {@code Vcpu::handle_io} takes a
 * callback: the KVM layer decodes and checks the exit and moves the data; what the guest reached
 * (a bus, a device, a test's recorder) is the handler's business. {@code data.length} is the
 * access width; the array is reused, so a handler must not keep it.
 */
public interface ExitHandler {
    /**
     * The guest reads port {@code port}: fill {@code data}. Called once per element of a
     * {@code rep ins}, with the same array. Whatever {@code data} holds on return goes to the guest
     * (it is not zeroed first).
     *
     * @param port the I/O port, 0..0xffff
     * @param data the bytes to return, little-endian, 1, 2 or 4 long
     */
    void ioRead(int port, byte[] data);

    /**
     * The guest writes {@code data} to port {@code port}. Called once per element of a
     * {@code rep outs}.
     *
     * @param port the I/O port, 0..0xffff
     * @param data the bytes written, little-endian, 1, 2 or 4 long; valid only during the call
     */
    void ioWrite(int port, byte[] data);

    /**
     * The guest reads guest-physical {@code address} outside its RAM: fill {@code data}. Whatever
     * {@code data} holds on return goes to the guest (it is not zeroed first).
     *
     * @param address the guest-physical address of the access's first byte
     * @param data the bytes to return, little-endian, 1 to 8 long
     */
    void mmioRead(long address, byte[] data);

    /**
     * The guest writes {@code data} to guest-physical {@code address} outside its RAM (or inside a
     * {@link Vm#MEM_READONLY} slot).
     *
     * @param address the guest-physical address of the access's first byte
     * @param data the bytes written, little-endian, 1 to 8 long; valid only during the call
     */
    void mmioWrite(long address, byte[] data);
}
