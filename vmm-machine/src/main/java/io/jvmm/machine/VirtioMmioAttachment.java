package io.jvmm.machine;

import io.jvmm.kvm.Kvm;
import io.jvmm.kvm.Vm;

import io.jvmm.core.EventFd;
import io.jvmm.devices.bus.MmioBus;
import io.jvmm.devices.BusDevice;
import io.jvmm.kvm.KvmCap;
import io.jvmm.x86.X86Layout;
import io.jvmm.memory.GuestMemory;
import io.jvmm.virtio.VirtioDevice;
import io.jvmm.virtio.mmio.DeviceWorker;
import io.jvmm.virtio.mmio.MmioTransport;
import java.util.ArrayList;
import java.util.List;

/**
 * One virtio device wired into a VM (docs/virtio.md, "Transport"): its virtio-mmio window on the
 * MMIO bus, one eventfd per queue that KVM signals for the window's QueueNotify write with that
 * queue's index ({@code KVM_IOEVENTFD} with datamatch, so a doorbell costs no exit to userspace),
 * an eventfd that raises the window's GSI ({@code KVM_IRQFD}), and the device's I/O thread.
 */
final class VirtioMmioAttachment implements AutoCloseable {
    private final VirtioDevice device;
    private final List<EventFd> doorbells;
    private final EventFd interrupt;
    private final DeviceWorker worker;

    private VirtioMmioAttachment(VirtioDevice device, List<EventFd> doorbells, EventFd interrupt, DeviceWorker worker) {
        this.device = device;
        this.doorbells = doorbells;
        this.interrupt = interrupt;
        this.worker = worker;
    }

    /**
     * Attaches {@code device} at {@code base} with interrupt {@code gsi} and starts its I/O
     * thread. Without KVM_CAP_IOEVENTFD, doorbells exit to the transport, which signals the same
     * eventfds. Releases what it made if a step fails (the device stays the caller's).
     */
    static VirtioMmioAttachment attach(Kvm kvm, Vm vm, GuestMemory memory, MmioBus bus, VirtioDevice device, long base, int gsi) {
        List<EventFd> doorbells = new ArrayList<>();
        EventFd interrupt = null;
        DeviceWorker worker = null;
        try {
            for (int q = 0; q < device.queueMaxSizes().size(); q++) {
                doorbells.add(EventFd.create());
            }
            interrupt = EventFd.create();
            vm.registerIrqFd(interrupt, gsi);
            DeviceWorker[] route = new DeviceWorker[1];
            MmioTransport transport = new MmioTransport(device, memory, interrupt::signal, q -> route[0].notifier(q));
            worker = DeviceWorker.create(transport, doorbells);
            route[0] = worker;
            if (kvm.hasExtension(KvmCap.IOEVENTFD)) {
                for (int q = 0; q < doorbells.size(); q++) {
                    vm.registerMmioEventFd(doorbells.get(q), base + MmioTransport.QUEUE_NOTIFY, Integer.BYTES, q);
                }
            }
            bus.register(base, X86Layout.VIRTIO_MMIO_STRIDE, new BusDevice() {
                @Override
                public String debugLabel() {
                    return transport.debugLabel() + String.format("@0x%x", base);
                }

                @Override
                public void read(long offset, byte[] data) {
                    transport.read(offset, data);
                }

                @Override
                public void write(long offset, byte[] data) {
                    transport.write(offset, data);
                }
            });
            worker.start();
            return new VirtioMmioAttachment(device, doorbells, interrupt, worker);
        } catch (RuntimeException e) {
            if (worker != null) {
                worker.close();
            }
            doorbells.forEach(EventFd::close);
            if (interrupt != null) {
                interrupt.close();
            }
            throw e;
        }
    }

    VirtioDevice device() {
        return device;
    }

    /**
     * Stops the I/O thread (after the request in progress), then closes the device and eventfds.
     * An I/O thread that does not stop in time (DeviceWorker logs it) keeps them: closing a
     * descriptor it still polls or writes would let it reach whatever file gets that number next.
     */
    @Override
    public void close() {
        worker.close();
        if (!worker.isStopped()) {
            return;
        }
        device.close();
        doorbells.forEach(EventFd::close);
        interrupt.close();
    }
}
