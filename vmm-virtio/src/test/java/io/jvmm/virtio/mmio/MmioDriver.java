package io.jvmm.virtio.mmio;

import io.jvmm.memory.GuestAddress;
import io.jvmm.memory.GuestMemory;
import io.jvmm.virtio.DeviceStatus;
import io.jvmm.virtio.VirtioFeatures;
import java.util.List;

/**
 * The driver side of a virtio-mmio device in tests, doing what Linux's virtio_mmio and a device
 * driver do (virtio 1.2 §3.1.1, §4.2.3): status handshake, feature negotiation, one queue's
 * registers, then requests as descriptor chains on the split ring.
 */
public final class MmioDriver {
    public static final long DESC = 0x1000;
    public static final long AVAIL = 0x3000;
    public static final long USED = 0x4000;
    public static final int SIZE = 16;

    private final MmioTransport transport;
    private final GuestMemory memory;
    private int availIdx;
    private int nextDesc;

    public MmioDriver(MmioTransport transport, GuestMemory memory) {
        this.transport = transport;
        this.memory = memory;
    }

    public int read(int offset) {
        byte[] b = new byte[4];
        transport.read(offset, b);
        return (b[0] & 0xff) | (b[1] & 0xff) << 8 | (b[2] & 0xff) << 16 | (b[3] & 0xff) << 24;
    }

    public void write(int offset, int value) {
        transport.write(offset, new byte[] {(byte) value, (byte) (value >>> 8), (byte) (value >>> 16), (byte) (value >>> 24)});
    }

    public long deviceFeatures() {
        write(MmioTransport.DEVICE_FEATURES_SEL, 0);
        long low = Integer.toUnsignedLong(read(MmioTransport.DEVICE_FEATURES));
        write(MmioTransport.DEVICE_FEATURES_SEL, 1);
        return low | Integer.toUnsignedLong(read(MmioTransport.DEVICE_FEATURES)) << 32;
    }

    /** Up to FEATURES_OK with {@code features}; returns whether the device kept FEATURES_OK. */
    public boolean negotiate(long features) {
        write(MmioTransport.STATUS, 0);
        write(MmioTransport.STATUS, DeviceStatus.ACKNOWLEDGE);
        write(MmioTransport.STATUS, DeviceStatus.ACKNOWLEDGE | DeviceStatus.DRIVER);
        write(MmioTransport.DRIVER_FEATURES_SEL, 0);
        write(MmioTransport.DRIVER_FEATURES, (int) features);
        write(MmioTransport.DRIVER_FEATURES_SEL, 1);
        write(MmioTransport.DRIVER_FEATURES, (int) (features >>> 32));
        write(MmioTransport.STATUS, DeviceStatus.ACKNOWLEDGE | DeviceStatus.DRIVER | DeviceStatus.FEATURES_OK);
        return (read(MmioTransport.STATUS) & DeviceStatus.FEATURES_OK) != 0;
    }

    /** Queue 0 at DESC/AVAIL/USED with {@link #SIZE} entries, ready. */
    public void setUpQueue(long desc, long avail, long used) {
        write(MmioTransport.QUEUE_SEL, 0);
        write(MmioTransport.QUEUE_NUM, SIZE);
        write(MmioTransport.QUEUE_DESC_LOW, (int) desc);
        write(MmioTransport.QUEUE_DESC_HIGH, (int) (desc >>> 32));
        write(MmioTransport.QUEUE_DRIVER_LOW, (int) avail);
        write(MmioTransport.QUEUE_DRIVER_HIGH, (int) (avail >>> 32));
        write(MmioTransport.QUEUE_DEVICE_LOW, (int) used);
        write(MmioTransport.QUEUE_DEVICE_HIGH, (int) (used >>> 32));
        write(MmioTransport.QUEUE_READY, 1);
    }

    /** The whole start-up with VERSION_1 only and queue 0 at the default rings. */
    public void start() {
        if (!negotiate(VirtioFeatures.VERSION_1)) {
            throw new AssertionError("FEATURES_OK refused");
        }
        setUpQueue(DESC, AVAIL, USED);
        driverOk();
    }

    public void driverOk() {
        write(MmioTransport.STATUS, DeviceStatus.ACKNOWLEDGE | DeviceStatus.DRIVER | DeviceStatus.FEATURES_OK | DeviceStatus.DRIVER_OK);
    }

    /** One buffer of a request: guest address, length, device-writable or not. */
    public record Part(long addr, int len, boolean writable) {
    }

    /** Writes the chain of {@code parts} into the descriptor table, offers it, rings the doorbell. */
    public int submit(List<Part> parts) {
        int head = nextDesc;
        for (int i = 0; i < parts.size(); i++) {
            Part p = parts.get(i);
            int index = (head + i) % SIZE;
            long at = DESC + 16L * index;
            boolean last = i == parts.size() - 1;
            memory.writeLongAtAddr(p.addr(), GuestAddress.of(at));
            memory.writeIntAtAddr(p.len(), GuestAddress.of(at + 8));
            memory.writeShortAtAddr((short) ((last ? 0 : 1) | (p.writable() ? 2 : 0)), GuestAddress.of(at + 12));
            memory.writeShortAtAddr((short) ((index + 1) % SIZE), GuestAddress.of(at + 14));
        }
        nextDesc = (head + parts.size()) % SIZE;
        memory.writeShortAtAddr((short) head, GuestAddress.of(AVAIL + 4 + 2L * (availIdx % SIZE)));
        availIdx = (availIdx + 1) & 0xffff;
        memory.writeShortReleaseAtAddr((short) availIdx, GuestAddress.of(AVAIL + 2));
        write(MmioTransport.QUEUE_NOTIFY, 0);
        return head;
    }

    /**
     * Offers chain {@code head} (already in the table) once more without ringing the doorbell: a
     * driver refilling the ring while the device works through it.
     */
    public void offerAgain(int head) {
        memory.writeShortAtAddr((short) head, GuestAddress.of(AVAIL + 4 + 2L * (availIdx % SIZE)));
        availIdx = (availIdx + 1) & 0xffff;
        memory.writeShortReleaseAtAddr((short) availIdx, GuestAddress.of(AVAIL + 2));
    }

    public int usedIdx() {
        return Short.toUnsignedInt(memory.readShortAcquireFromAddr(GuestAddress.of(USED + 2)));
    }

    public int usedId(int slot) {
        return memory.readIntFromAddr(GuestAddress.of(USED + 4 + 8L * (slot % SIZE)));
    }

    public int usedLen(int slot) {
        return memory.readIntFromAddr(GuestAddress.of(USED + 8 + 8L * (slot % SIZE)));
    }
}
