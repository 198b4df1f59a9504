package io.jvmm.virtio.mmio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvmm.core.EventFd;
import io.jvmm.memory.GuestAddress;
import io.jvmm.memory.GuestMemory;
import io.jvmm.memory.GuestRange;
import io.jvmm.virtio.DeviceStatus;
import io.jvmm.virtio.VirtioFeatures;
import io.jvmm.virtio.rng.VirtioRng;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The virtio-mmio register file (virtio 1.2 §4.2.2) against a driver that follows it and one that does not. */
class MmioTransportTest {
    private GuestMemory memory;
    private final AtomicInteger triggers = new AtomicInteger();
    private final List<Integer> notified = new ArrayList<>();
    private MmioTransport transport;
    private MmioDriver driver;

    @BeforeEach
    void create() {
        memory = GuestMemory.create(GuestRange.of(0, 0x20000));
        byte[] entropy = new byte[4096];
        for (int i = 0; i < entropy.length; i++) {
            entropy[i] = (byte) (i * 7 + 1);
        }
        transport = new MmioTransport(VirtioRng.from(new ByteArrayInputStream(entropy), "test"), memory, triggers::incrementAndGet,
            i -> {
                notified.add(i);
                transport.processQueue(i);
            });
        driver = new MmioDriver(transport, memory);
    }

    @AfterEach
    void close() {
        transport.device().close();
        memory.close();
    }

    @Test
    void identifiesItselfAsAVersion2DeviceOfItsType() {
        assertEquals(0x74726976, driver.read(MmioTransport.MAGIC));
        assertEquals(2, driver.read(MmioTransport.VERSION_REG));
        assertEquals(VirtioRng.DEVICE_TYPE, driver.read(MmioTransport.DEVICE_ID));
        assertEquals(MmioTransport.VENDOR_ID, driver.read(MmioTransport.VENDOR));
        assertEquals(VirtioFeatures.COMMON, driver.deviceFeatures());
        driver.write(MmioTransport.QUEUE_SEL, 0);
        assertEquals(VirtioRng.QUEUE_SIZE, driver.read(MmioTransport.QUEUE_NUM_MAX));
        driver.write(MmioTransport.QUEUE_SEL, 1);
        assertEquals(0, driver.read(MmioTransport.QUEUE_NUM_MAX), "QueueNumMax of a queue that does not exist");
        assertEquals(-1, driver.read(MmioTransport.SHM_LEN_LOW), "no shared memory regions");
    }

    @Test
    void registersAnswerOnlyAligned32BitAccesses() {
        byte[] narrow = {9, 9};
        transport.read(MmioTransport.MAGIC, narrow);
        assertArrayEquals(new byte[2], narrow);
        byte[] unaligned = {9, 9, 9, 9};
        transport.read(MmioTransport.MAGIC + 1, unaligned);
        assertArrayEquals(new byte[4], unaligned);
        transport.write(MmioTransport.STATUS, new byte[] {1, 0});
        assertEquals(0, driver.read(MmioTransport.STATUS), "a 16-bit status write is ignored");
    }

    @Test
    void featuresOkIsRefusedForFeaturesNotOfferedOrWithoutVersion1() {
        assertFalse(driver.negotiate(VirtioFeatures.VERSION_1 | 1L << 40), "a bit the device does not offer");
        assertFalse(driver.negotiate(VirtioFeatures.RING_EVENT_IDX), "no VERSION_1");
        assertTrue(driver.negotiate(VirtioFeatures.VERSION_1 | VirtioFeatures.RING_EVENT_IDX));
    }

    @Test
    void aRequestIsServedAfterDriverOkAndRaisesTheUsedBufferInterrupt() {
        driver.start();
        assertEquals(List.of(0), notified, "activation kicks each ready queue once");
        driver.submit(List.of(new MmioDriver.Part(0x8000, 100, true)));
        assertEquals(1, driver.usedIdx());
        assertEquals(100, driver.usedLen(0));
        assertEquals(1 * 7 + 1, memory.readByteFromAddr(GuestAddress.of(0x8001)));
        assertEquals(MmioTransport.INTERRUPT_USED_BUFFER, driver.read(MmioTransport.INTERRUPT_STATUS));
        assertEquals(1, triggers.get());
        driver.write(MmioTransport.INTERRUPT_ACK, MmioTransport.INTERRUPT_USED_BUFFER);
        assertEquals(0, driver.read(MmioTransport.INTERRUPT_STATUS));
    }

    @Test
    void doorbellsBeforeDriverOkOrForQueuesThatDoNotExistGoNowhere() {
        driver.write(MmioTransport.QUEUE_NOTIFY, 0);
        driver.start();
        notified.clear();
        driver.write(MmioTransport.QUEUE_NOTIFY, 1);
        driver.write(MmioTransport.QUEUE_NOTIFY, -1);
        assertEquals(List.of(), notified);
    }

    @Test
    void aRingOutsideRamMakesTheDeviceNeedAResetAndSaysSo() {
        assertTrue(driver.negotiate(VirtioFeatures.VERSION_1));
        driver.setUpQueue(0x1_0000_0000L, MmioDriver.AVAIL, MmioDriver.USED);
        driver.driverOk();
        assertEquals(DeviceStatus.DEVICE_NEEDS_RESET, driver.read(MmioTransport.STATUS) & DeviceStatus.DEVICE_NEEDS_RESET);
        assertEquals(MmioTransport.INTERRUPT_CONFIG_CHANGE, driver.read(MmioTransport.INTERRUPT_STATUS));
        assertEquals(1, triggers.get());
        // a reset clears it, and a correct set-up works again
        driver.write(MmioTransport.STATUS, 0);
        assertEquals(0, driver.read(MmioTransport.STATUS));
        driver.start();
        driver.submit(List.of(new MmioDriver.Part(0x8000, 16, true)));
        assertEquals(1, driver.usedIdx());
    }

    @Test
    void queueRegistersAreFixedOnceTheDriverIsOk() {
        driver.start();
        driver.write(MmioTransport.QUEUE_DESC_LOW, 0x7777_0000);
        driver.submit(List.of(new MmioDriver.Part(0x8000, 8, true)));
        assertEquals(1, driver.usedIdx(), "the queue still runs on the table given before DRIVER_OK");
    }

    /** QueueSel and the feature selectors are the guest's 32-bit values: unsigned, never an index below 0. */
    @Test
    void selectorsWithTheTopBitSetSelectNothing() {
        for (int sel : new int[] {-1, 0x8000_0000, 0x7fff_ffff}) {
            driver.write(MmioTransport.QUEUE_SEL, sel);
            assertEquals(0, driver.read(MmioTransport.QUEUE_NUM_MAX), "QueueSel 0x" + Integer.toHexString(sel));
            assertEquals(0, driver.read(MmioTransport.QUEUE_READY));
            assertEquals(0x74726976, driver.read(MmioTransport.MAGIC), "every register still answers");
            driver.write(MmioTransport.QUEUE_NUM, 8);
            driver.write(MmioTransport.QUEUE_READY, 1);
            driver.write(MmioTransport.DEVICE_FEATURES_SEL, sel);
            assertEquals(0, driver.read(MmioTransport.DEVICE_FEATURES), "DeviceFeaturesSel 0x" + Integer.toHexString(sel));
        }
        driver.write(MmioTransport.QUEUE_SEL, 0);
        assertEquals(0, driver.read(MmioTransport.QUEUE_READY), "the writes above reached no queue");
        // Java masks shift counts: selector -1 would have written the high word, VERSION_1's
        driver.write(MmioTransport.STATUS, DeviceStatus.ACKNOWLEDGE | DeviceStatus.DRIVER);
        driver.write(MmioTransport.DRIVER_FEATURES_SEL, -1);
        driver.write(MmioTransport.DRIVER_FEATURES, (int) (VirtioFeatures.VERSION_1 >>> 32));
        driver.write(MmioTransport.STATUS, DeviceStatus.ACKNOWLEDGE | DeviceStatus.DRIVER | DeviceStatus.FEATURES_OK);
        assertEquals(0, driver.read(MmioTransport.STATUS) & DeviceStatus.FEATURES_OK, "no features were written, so no VERSION_1");
    }

    /** §2.1.2: only a reset clears status bits; a write that would clear some is ignored. */
    @Test
    void aStatusWriteThatClearsBitsIsIgnoredAndTheDeviceKeepsRunning() {
        driver.start();
        int running = driver.read(MmioTransport.STATUS);
        driver.write(MmioTransport.STATUS, DeviceStatus.ACKNOWLEDGE | DeviceStatus.DRIVER | DeviceStatus.FEATURES_OK);
        assertEquals(running, driver.read(MmioTransport.STATUS));
        driver.write(MmioTransport.QUEUE_DESC_LOW, 0x7777_0000);
        driver.write(MmioTransport.STATUS, running);
        assertEquals(List.of(0), notified, "the device was not activated a second time");
        driver.submit(List.of(new MmioDriver.Part(0x8000, 8, true)));
        assertEquals(1, driver.usedIdx(), "the queue runs on, on the table given before DRIVER_OK");
        driver.write(MmioTransport.STATUS, running | DeviceStatus.FAILED);
        assertEquals(running | DeviceStatus.FAILED, driver.read(MmioTransport.STATUS), "setting a bit is allowed");
    }

    /**
     * A driver that refills the ring as fast as the device empties it cannot hold up a reset from
     * another vCPU: the reset waits for the chain in flight only.
     */
    @Test
    void aResetFinishesWhileTheDriverKeepsRefillingTheRing() throws Exception {
        AtomicBoolean refill = new AtomicBoolean(true);
        AtomicInteger chains = new AtomicInteger();
        MmioTransport[] t = new MmioTransport[1];
        MmioDriver[] d = new MmioDriver[1];
        Thread resetter = new Thread(() -> d[0].write(MmioTransport.STATUS, 0), "resetter");
        resetter.setDaemon(true);
        InputStream refilling = new InputStream() {
            @Override
            public int read() {
                return 1;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (refill.get()) {
                    d[0].offerAgain(0);
                }
                if (chains.incrementAndGet() == 100) {
                    resetter.start();
                }
                return len;
            }
        };
        t[0] = new MmioTransport(VirtioRng.from(refilling, "refilling"), memory, () -> { }, i -> { });
        d[0] = new MmioDriver(t[0], memory);
        d[0].start();
        d[0].submit(List.of(new MmioDriver.Part(0x8000, 16, true)));
        Thread device = new Thread(() -> t[0].processQueue(0), "device");
        device.setDaemon(true);
        try {
            device.start();
            device.join(TimeUnit.SECONDS.toMillis(20));
            resetter.join(TimeUnit.SECONDS.toMillis(20));
            assertFalse(device.isAlive(), "the device stopped draining the ring");
            assertFalse(resetter.isAlive(), "the reset finished");
            assertEquals(0, d[0].read(MmioTransport.STATUS));
            assertTrue(chains.get() >= 100);
        } finally {
            refill.set(false);
            t[0].device().close();
        }
    }

    @Test
    void aResetStopsServingTheOldQueues() {
        driver.start();
        driver.write(MmioTransport.STATUS, 0);
        transport.processQueue(0);
        assertEquals(0, driver.usedIdx());
        assertEquals(0, driver.read(MmioTransport.QUEUE_READY));
    }

    @Test
    void theWorkerServesDoorbellsOnItsOwnThread() throws Exception {
        try (EventFd doorbell = EventFd.create(); EventFd interrupt = EventFd.create()) {
            DeviceWorker[] worker = new DeviceWorker[1];
            MmioTransport t = new MmioTransport(VirtioRng.from(new ByteArrayInputStream(new byte[1024]), "zeros"), memory,
                interrupt::signal, i -> worker[0].notifier(i));
            worker[0] = DeviceWorker.create(t, List.of(doorbell));
            worker[0].start();
            try {
                MmioDriver d = new MmioDriver(t, memory);
                d.start();
                d.submit(List.of(new MmioDriver.Part(0x8000, 32, true)));
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (d.usedIdx() != 1 && System.nanoTime() < deadline) {
                    Thread.sleep(1);
                }
                assertEquals(1, d.usedIdx());
                assertEquals(32, d.usedLen(0));
                // the worker publishes used.idx first and signals after it (§2.7.14), so the
                // interrupt may come a moment after the index this thread saw
                long signals = 0;
                while (signals == 0 && System.nanoTime() < deadline) {
                    signals = interrupt.drain();
                    Thread.sleep(1);
                }
                assertTrue(signals >= 1);
                assertFalse(worker[0].isStopped());
                worker[0].close();
                assertTrue(worker[0].isStopped(), "close() waits for the I/O thread");
            } finally {
                worker[0].close();
                t.device().close();
            }
        }
    }
}
