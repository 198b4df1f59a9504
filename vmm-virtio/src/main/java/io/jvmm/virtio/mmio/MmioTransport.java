package io.jvmm.virtio.mmio;

import io.jvmm.memory.GuestAddress;
import io.jvmm.memory.GuestMemory;
import io.jvmm.virtio.DeviceStatus;
import io.jvmm.virtio.InterruptTrigger;
import io.jvmm.virtio.QueueConfig;
import io.jvmm.virtio.SplitQueue;
import io.jvmm.virtio.VirtioDevice;
import io.jvmm.virtio.VirtioFeatures;
import io.jvmm.virtio.VirtioInterrupt;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.IntConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The virtio-mmio transport, version 2 (virtio 1.2 §4.2.2): the register window through which a
 * driver finds, negotiates with and configures one {@link VirtioDevice}, and the interrupt status
 * it reads in its handler. The window knows no address: offsets are relative to its base, and
 * the VMM puts it on a bus. Every register write is guest-controlled and checked here; queue
 * addresses are checked by {@link SplitQueue} when the driver sets DRIVER_OK.
 *
 * <p>Doorbells: a write to {@link #QUEUE_NOTIFY} that reaches this window is handed to the
 * {@code notifier} (the VMM's usual route is a KVM ioeventfd that catches it first, in the
 * kernel); either way the device's I/O thread calls {@link #processQueue}.
 *
 * <p>Threads: register accesses come from any vCPU thread and are serialized on this object;
 * {@link #processQueue} runs on the device's I/O thread without that lock, so a long disk
 * request never stalls a vCPU reading InterruptStatus. A reset waits for a request in progress.
 */
public final class MmioTransport {
    private static final Logger LOG = LoggerFactory.getLogger(MmioTransport.class);

    /** "virt" in little-endian (§4.2.2.1). */
    public static final int MAGIC_VALUE = 0x7472_6976;
    /** The non-legacy interface. */
    public static final int VERSION = 2;
    /** "JVMM" in little-endian. */
    public static final int VENDOR_ID = 0x4d4d_564a;
    /** The smallest window: the registers and 256 bytes of device configuration. */
    public static final long WINDOW_SIZE = 0x200;

    // Register offsets, virtio 1.2 §4.2.2 table "MMIO Device Register Layout".
    static final int MAGIC = 0x000;
    static final int VERSION_REG = 0x004;
    static final int DEVICE_ID = 0x008;
    static final int VENDOR = 0x00c;
    static final int DEVICE_FEATURES = 0x010;
    static final int DEVICE_FEATURES_SEL = 0x014;
    static final int DRIVER_FEATURES = 0x020;
    static final int DRIVER_FEATURES_SEL = 0x024;
    static final int QUEUE_SEL = 0x030;
    static final int QUEUE_NUM_MAX = 0x034;
    static final int QUEUE_NUM = 0x038;
    static final int QUEUE_READY = 0x044;
    /** The doorbell: the driver writes the queue's index here. */
    public static final int QUEUE_NOTIFY = 0x050;
    static final int INTERRUPT_STATUS = 0x060;
    static final int INTERRUPT_ACK = 0x064;
    static final int STATUS = 0x070;
    static final int QUEUE_DESC_LOW = 0x080;
    static final int QUEUE_DESC_HIGH = 0x084;
    static final int QUEUE_DRIVER_LOW = 0x090;
    static final int QUEUE_DRIVER_HIGH = 0x094;
    static final int QUEUE_DEVICE_LOW = 0x0a0;
    static final int QUEUE_DEVICE_HIGH = 0x0a4;
    static final int SHM_SEL = 0x0ac;
    static final int SHM_LEN_LOW = 0x0b0;
    static final int SHM_LEN_HIGH = 0x0b4;
    static final int SHM_BASE_LOW = 0x0b8;
    static final int SHM_BASE_HIGH = 0x0bc;
    static final int CONFIG_GENERATION = 0x0fc;
    static final int CONFIG = 0x100;

    /** InterruptStatus bit 0 (§4.2.2): the device used a buffer in at least one of its queues. */
    public static final int INTERRUPT_USED_BUFFER = 1;
    /** InterruptStatus bit 1 (§4.2.2): the configuration changed, or the device needs a reset (§2.1.2). */
    public static final int INTERRUPT_CONFIG_CHANGE = 2;

    private final VirtioDevice device;
    private final GuestMemory memory;
    private final InterruptTrigger trigger;
    private final IntConsumer notifier;
    private final long offeredFeatures;
    private final List<Integer> maxSizes;
    private final Queue[] queues;
    private final AtomicInteger interruptStatus = new AtomicInteger();
    private final Interrupt interrupt = new Interrupt();
    /** Held while the device serves a queue, and by a reset waiting for that to end. */
    private final Object serving = new Object();

    // Guarded by this.
    private int deviceFeaturesSel;
    private int driverFeaturesSel;
    private long driverFeatures;
    private int queueSel;
    private int status;
    /** The queues handed to the device at DRIVER_OK; null before and after a reset. */
    private volatile List<SplitQueue> active;
    /** DEVICE_NEEDS_RESET (§2.1.2): set from the I/O thread, cleared by a reset. */
    private volatile boolean needsReset;
    /** Whether a status write that would clear bits was logged since the last reset. */
    private boolean warnedClearedStatus;
    /** Whether a refused FEATURES_OK was logged since the last reset. */
    private boolean warnedRefusedFeatures;

    /** The driver's view of one queue's registers (QueueNum, QueueReady, the three addresses). */
    private static final class Queue {
        int size;
        boolean ready;
        long desc;
        long driver;
        long device;
    }

    /**
     * A transport for {@code device} over {@code memory}, in the reset state. Reads the device's
     * features and queue sizes once, here.
     *
     * @param device  the device behind the window; the transport does not close it
     * @param memory  the guest memory the device's queues live in
     * @param trigger raises the transport's interrupt (one edge)
     * @param notifier takes the index of a queue the driver notified through this window (a
     *     valid index only); it must reach the device's I/O thread, which then calls
     *     {@link #processQueue}
     * @throws IllegalArgumentException when the device does not offer {@link VirtioFeatures#VERSION_1}, or a
     *     queue's maximum size is not a power of two in [1, 32768]
     * @throws NullPointerException when an argument is null
     */
    public MmioTransport(VirtioDevice device, GuestMemory memory, InterruptTrigger trigger, IntConsumer notifier) {
        this.device = Objects.requireNonNull(device, "device");
        this.memory = Objects.requireNonNull(memory, "memory");
        this.trigger = Objects.requireNonNull(trigger, "trigger");
        this.notifier = Objects.requireNonNull(notifier, "notifier");
        this.offeredFeatures = device.deviceFeatures();
        if ((offeredFeatures & VirtioFeatures.VERSION_1) == 0) {
            throw new IllegalArgumentException(device.debugLabel() + " does not offer VIRTIO_F_VERSION_1, which MMIO version 2 needs");
        }
        this.maxSizes = List.copyOf(device.queueMaxSizes());
        this.queues = new Queue[maxSizes.size()];
        for (int i = 0; i < queues.length; i++) {
            int max = maxSizes.get(i);
            if (max < 1 || max > QueueConfig.MAX_SIZE || Integer.bitCount(max) != 1) {
                throw new IllegalArgumentException(device.debugLabel() + " queue " + i + " maximum " + max + " is not a power of two in [1, 32768]");
            }
            queues[i] = new Queue();
        }
    }

    /** {@return the device behind the window} */
    public VirtioDevice device() {
        return device;
    }

    /** {@return the number of queues, each with its doorbell value (its index) at {@link #QUEUE_NOTIFY}} */
    public int queueCount() {
        return queues.length;
    }

    /** {@return a short name for logs and bus listings: {@code "virtio-mmio(<device label>)"}} */
    public String debugLabel() {
        return "virtio-mmio(" + device.debugLabel() + ")";
    }

    /**
     * The driver reads {@code data.length} bytes at {@code offset} of the window. Registers answer
     * only 32-bit aligned reads (§4.2.2.2); the configuration space from offset 0x100 answers any
     * read that ends inside the window. Everything else, unknown registers included, reads as
     * zeros. Never throws for the guest's offset or length.
     *
     * @param offset the offset in bytes from the window's base
     * @param data   filled with the bytes read, little-endian
     */
    public void read(long offset, byte[] data) {
        Arrays.fill(data, (byte) 0);
        if (offset >= CONFIG) {
            long at = offset - CONFIG;
            if (at + data.length <= WINDOW_SIZE - CONFIG) {
                device.readConfig(at, data);
            }
            return;
        }
        // §4.2.2.2: the driver MUST use only 32-bit wide, aligned accesses to the registers.
        if (data.length != 4 || (offset & 3) != 0) {
            return;
        }
        int value = readRegister((int) offset);
        for (int i = 0; i < 4; i++) {
            data[i] = (byte) (value >>> (8 * i));
        }
    }

    /**
     * The driver writes {@code data} at {@code offset} of the window. Registers take only 32-bit
     * aligned writes (§4.2.2.2), configuration space writes that end inside the window go to the
     * device; all other writes, and writes to read-only registers, are ignored. A write of 0 to
     * Status resets the device, waiting for a request in progress. Never throws for the guest's
     * offset, length or value.
     *
     * @param offset the offset in bytes from the window's base
     * @param data   the bytes written, little-endian; not kept
     */
    public void write(long offset, byte[] data) {
        if (offset >= CONFIG) {
            long at = offset - CONFIG;
            if (at + data.length <= WINDOW_SIZE - CONFIG) {
                synchronized (this) {
                    device.writeConfig(at, data.clone());
                }
            }
            return;
        }
        if (data.length != 4 || (offset & 3) != 0) {
            return;
        }
        int value = (data[0] & 0xff) | (data[1] & 0xff) << 8 | (data[2] & 0xff) << 16 | (data[3] & 0xff) << 24;
        writeRegister((int) offset, value);
    }

    private synchronized int readRegister(int offset) {
        // QueueSel is the guest's 32-bit value: unsigned, so 0x8000_0000 and up select nothing
        Queue q = Integer.compareUnsigned(queueSel, queues.length) < 0 ? queues[queueSel] : null;
        switch (offset) {
            case MAGIC: return MAGIC_VALUE;
            case VERSION_REG: return VERSION;
            case DEVICE_ID: return device.deviceType();
            case VENDOR: return VENDOR_ID;
            case DEVICE_FEATURES:
                return Integer.compareUnsigned(deviceFeaturesSel, 2) < 0 ? (int) (offeredFeatures >>> (32 * deviceFeaturesSel)) : 0;
            // §4.2.2.1: QueueNumMax reads 0 for a queue that is not available.
            case QUEUE_NUM_MAX: return q == null ? 0 : maxSizes.get(queueSel);
            case QUEUE_READY: return q != null && q.ready ? 1 : 0;
            case INTERRUPT_STATUS: return interruptStatus.get();
            case STATUS: return status | (needsReset ? DeviceStatus.DEVICE_NEEDS_RESET : 0);
            // No shared memory regions: their length reads as -1 (§4.2.2).
            case SHM_LEN_LOW, SHM_LEN_HIGH, SHM_BASE_LOW, SHM_BASE_HIGH: return -1;
            case CONFIG_GENERATION: return 0;
            default: return 0;
        }
    }

    private synchronized void writeRegister(int offset, int value) {
        switch (offset) {
            case DEVICE_FEATURES_SEL -> deviceFeaturesSel = value;
            case DRIVER_FEATURES_SEL -> driverFeaturesSel = value;
            case DRIVER_FEATURES -> {
                // Features are fixed once FEATURES_OK is set (§3.1.1).
                if ((status & DeviceStatus.FEATURES_OK) == 0 && Integer.compareUnsigned(driverFeaturesSel, 2) < 0) {
                    int shift = 32 * driverFeaturesSel;
                    driverFeatures = (driverFeatures & ~(0xffff_ffffL << shift)) | (Integer.toUnsignedLong(value) << shift);
                }
            }
            case QUEUE_SEL -> queueSel = value;
            case QUEUE_NUM -> queueRegister(q -> {
                int max = maxSizes.get(queueSel);
                // A size the device cannot take is kept (SplitQueue refuses it at DRIVER_OK) unless it
                // exceeds the maximum, which §4.2.2.3 forbids: then it is clamped out as 0.
                q.size = Integer.compareUnsigned(value, max) <= 0 ? value : 0;
            });
            case QUEUE_READY -> queueRegister(q -> q.ready = value == 1);
            case QUEUE_DESC_LOW -> queueRegister(q -> q.desc = low(q.desc, value));
            case QUEUE_DESC_HIGH -> queueRegister(q -> q.desc = high(q.desc, value));
            case QUEUE_DRIVER_LOW -> queueRegister(q -> q.driver = low(q.driver, value));
            case QUEUE_DRIVER_HIGH -> queueRegister(q -> q.driver = high(q.driver, value));
            case QUEUE_DEVICE_LOW -> queueRegister(q -> q.device = low(q.device, value));
            case QUEUE_DEVICE_HIGH -> queueRegister(q -> q.device = high(q.device, value));
            case QUEUE_NOTIFY -> {
                if (active != null && Integer.compareUnsigned(value, queues.length) < 0) {
                    notifier.accept(value);
                }
            }
            case INTERRUPT_ACK -> interruptStatus.getAndUpdate(s -> s & ~value);
            case STATUS -> writeStatus(value);
            default -> {
                // read-only or unknown registers: writes are ignored (§4.2.2.2)
            }
        }
    }

    /** Applies a queue register write to the selected queue, unless the device runs already. */
    private void queueRegister(Consumer<Queue> write) {
        // §4.2.2.3: the queue registers are written before DRIVER_OK; later writes are ignored.
        if (Integer.compareUnsigned(queueSel, queues.length) < 0 && (status & DeviceStatus.DRIVER_OK) == 0) {
            write.accept(queues[queueSel]);
        }
    }

    private static long low(long old, int value) {
        return (old & 0xffff_ffff_0000_0000L) | Integer.toUnsignedLong(value);
    }

    private static long high(long old, int value) {
        return (old & 0xffff_ffffL) | (Integer.toUnsignedLong(value) << 32);
    }

    private void writeStatus(int value) {
        if (value == 0) {
            reset();
            return;
        }
        int next = value & 0xff & ~DeviceStatus.DEVICE_NEEDS_RESET;
        // §2.1.2: the driver MUST NOT clear a status bit; only a write of 0 resets. Obeying such a
        // write would reopen the queue registers and the features after DRIVER_OK and activate
        // the device a second time on rings it never reset, so it is ignored, with one warning
        // per reset cycle (the guest chooses how often it writes).
        if ((status & ~next) != 0) {
            if (!warnedClearedStatus) {
                warnedClearedStatus = true;
                LOG.warn("{}: status write 0x{} would clear bits of 0x{}; ignored (only a reset clears them)", debugLabel(),
                    Integer.toHexString(value & 0xff), Integer.toHexString(status));
            }
            return;
        }
        // FEATURES_OK only for a subset of what was offered that includes VERSION_1 (§2.2.2,
        // §6.1); when it is refused the driver reads the bit back clear and gives up.
        if ((next & DeviceStatus.FEATURES_OK) != 0 && (status & DeviceStatus.FEATURES_OK) == 0) {
            if ((driverFeatures & ~offeredFeatures) != 0 || (driverFeatures & VirtioFeatures.VERSION_1) == 0) {
                // Once per reset cycle, like the warning above: the guest may retry in a loop.
                if (!warnedRefusedFeatures) {
                    warnedRefusedFeatures = true;
                    LOG.warn("{}: driver features 0x{} are not a subset of 0x{} with VERSION_1; FEATURES_OK refused",
                        debugLabel(), Long.toHexString(driverFeatures), Long.toHexString(offeredFeatures));
                }
                next &= ~DeviceStatus.FEATURES_OK;
            }
        }
        boolean starting = (next & DeviceStatus.DRIVER_OK) != 0 && (status & DeviceStatus.DRIVER_OK) == 0;
        if (starting && (next & DeviceStatus.FEATURES_OK) == 0) {
            // DRIVER_OK without FEATURES_OK breaks §3.1.1: the device stays inactive.
            LOG.warn("{}: DRIVER_OK without FEATURES_OK; the device needs a reset", debugLabel());
            needsReset = true;
            starting = false;
        }
        status = next;
        if (starting) {
            activate();
        }
    }

    private void activate() {
        boolean indirect = (driverFeatures & VirtioFeatures.RING_INDIRECT_DESC) != 0;
        boolean eventIdx = (driverFeatures & VirtioFeatures.RING_EVENT_IDX) != 0;
        List<SplitQueue> made = new ArrayList<>();
        for (Queue q : queues) {
            made.add(q.ready ? SplitQueue.create(memory, new QueueConfig(q.size, GuestAddress.of(q.desc),
                GuestAddress.of(q.driver), GuestAddress.of(q.device), indirect, eventIdx)) : null);
        }
        List<SplitQueue> view = Collections.unmodifiableList(made);
        synchronized (serving) {
            device.activate(memory, driverFeatures, view, interrupt);
        }
        active = view;
        checkNeedsReset(view);
        // Buffers made available before DRIVER_OK got no doorbell that reached an active device.
        for (int i = 0; i < made.size(); i++) {
            if (made.get(i) != null) {
                notifier.accept(i);
            }
        }
    }

    private void reset() {
        List<SplitQueue> was = active;
        active = null;
        if (was != null) {
            // the device thread may be draining a ring the driver keeps refilling: stop it at
            // the next chain, then wait for the one in flight
            was.stream().filter(q -> q != null).forEach(SplitQueue::stop);
        }
        synchronized (serving) {
            device.reset();
        }
        deviceFeaturesSel = 0;
        driverFeaturesSel = 0;
        driverFeatures = 0;
        queueSel = 0;
        status = 0;
        for (int i = 0; i < queues.length; i++) {
            queues[i] = new Queue();
        }
        interruptStatus.set(0);
        needsReset = false;
        warnedClearedStatus = false;
        warnedRefusedFeatures = false;
    }

    /**
     * Serves queue {@code index} after a notification; the device's I/O thread calls this. Does
     * nothing before DRIVER_OK, after a reset, or for an index out of range. Never throws: a
     * device failure marks the device as needing a reset.
     *
     * @param index the queue's index, as the driver wrote it to {@link #QUEUE_NOTIFY}
     */
    public void processQueue(int index) {
        List<SplitQueue> now = active;
        if (now == null || index < 0 || index >= now.size() || now.get(index) == null) {
            return;
        }
        synchronized (serving) {
            if (active != now) {
                return; // reset meanwhile
            }
            try {
                device.processQueue(index);
            } catch (RuntimeException e) {
                if (!needsReset) {
                    LOG.error("{}: queue {} failed; the device needs a reset", debugLabel(), index, e);
                    markNeedsReset();
                }
                return;
            }
            checkNeedsReset(now);
        }
    }

    private void checkNeedsReset(List<SplitQueue> now) {
        if (!needsReset && now.stream().anyMatch(q -> q != null && q.needsReset())) {
            markNeedsReset();
        }
    }

    private void markNeedsReset() {
        needsReset = true;
        // §2.1.2: a device that sets DEVICE_NEEDS_RESET while DRIVER_OK is set sends a
        // configuration change notification.
        interrupt.signalConfigChange();
    }

    /** What the device raises; records the reason in InterruptStatus, then one edge. */
    private final class Interrupt implements VirtioInterrupt {
        @Override
        public void signalUsedBuffer() {
            interruptStatus.getAndUpdate(s -> s | INTERRUPT_USED_BUFFER);
            trigger.trigger();
        }

        @Override
        public void signalConfigChange() {
            interruptStatus.getAndUpdate(s -> s | INTERRUPT_CONFIG_CHANGE);
            trigger.trigger();
        }
    }
}
