package io.jvmm.virtio.block;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvmm.memory.GuestAddress;
import io.jvmm.memory.GuestMemory;
import io.jvmm.memory.GuestRange;
import io.jvmm.virtio.VirtioFeatures;
import io.jvmm.virtio.mmio.MmioDriver;
import io.jvmm.virtio.mmio.MmioDriver.Part;
import io.jvmm.virtio.mmio.MmioTransport;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * virtio-blk (virtio 1.2 §5.2) driven through its MMIO transport as Linux drives it, on a real
 * image file. RAM: [0, 0x20000) and [0x20000, 0x40000), adjacent, so buffers may straddle them.
 */
class VirtioBlockTest {
    private static final long HEADER = 0x10000;
    private static final long DATA = 0x1f000; // 8 KiB here crosses into the second region
    private static final long STATUS = 0x11000;
    private static final int SECTORS = 64;

    @TempDir
    Path dir;
    private Path file;
    private byte[] original;
    private GuestMemory memory;
    private VirtioBlock device;
    private MmioDriver driver;

    @BeforeEach
    void create() throws IOException {
        file = dir.resolve("disk.img");
        original = new byte[SECTORS * 512];
        for (int i = 0; i < original.length; i++) {
            original[i] = (byte) (i * 31 + i / 512);
        }
        Files.write(file, original);
        memory = GuestMemory.create(GuestRange.of(0, 0x20000), GuestRange.of(0x20000, 0x20000));
    }

    private void attach(boolean readOnly) {
        device = new VirtioBlock(DiskImage.open(file, readOnly));
        MmioTransport t = new MmioTransport(device, memory, () -> { }, i -> { });
        driver = new MmioDriver(t, memory);
        driver.start();
        // the doorbell goes nowhere in this test: requests are served by calling the queue directly
        this.transport = t;
    }

    private MmioTransport transport;

    @AfterEach
    void close() {
        if (device != null) {
            device.close();
        }
        memory.close();
    }

    private byte request(int type, long sector, List<Part> data) {
        memory.writeIntAtAddr(type, GuestAddress.of(HEADER));
        memory.writeIntAtAddr(0, GuestAddress.of(HEADER + 4));
        memory.writeLongAtAddr(sector, GuestAddress.of(HEADER + 8));
        memory.writeByteAtAddr((byte) 0x7f, GuestAddress.of(STATUS));
        List<Part> parts = new java.util.ArrayList<>();
        parts.add(new Part(HEADER, 16, false));
        parts.addAll(data);
        parts.add(new Part(STATUS, 1, true));
        int before = driver.usedIdx();
        driver.submit(parts);
        transport.processQueue(0);
        assertEquals(before + 1, driver.usedIdx(), "the request was completed");
        return memory.readByteFromAddr(GuestAddress.of(STATUS));
    }

    @Test
    void offersFlushAndSegMaxAndReportsTheCapacityInSectors() {
        attach(false);
        long f = driver.deviceFeatures();
        assertEquals(VirtioFeatures.COMMON | VirtioBlock.F_FLUSH | VirtioBlock.F_SEG_MAX, f);
        byte[] capacity = new byte[8];
        transport.read(0x100, capacity);
        assertEquals(SECTORS, java.nio.ByteBuffer.wrap(capacity).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong());
    }

    @Test
    void aReadAcrossTwoRegionsReturnsTheFileBytes() {
        attach(false);
        assertEquals(VirtioBlock.S_OK, request(VirtioBlock.T_IN, 3, List.of(new Part(DATA, 8192, true))));
        // the buffer's two halves lie in the two regions
        byte[] low = new byte[4096];
        byte[] high = new byte[4096];
        memory.readExactAtAddr(low, GuestAddress.of(DATA));
        memory.readExactAtAddr(high, GuestAddress.of(0x20000));
        byte[] got = new byte[8192];
        System.arraycopy(low, 0, got, 0, 4096);
        System.arraycopy(high, 0, got, 4096, 4096);
        assertArrayEquals(Arrays.copyOfRange(original, 3 * 512, 3 * 512 + 8192), got);
        assertEquals(8193, driver.usedLen(0), "data and status written");
    }

    @Test
    void aWriteLandsInTheFileAndAFlushSucceeds() throws IOException {
        attach(false);
        byte[] data = "written by the guest".getBytes(StandardCharsets.US_ASCII);
        byte[] sector = Arrays.copyOf(data, 512);
        memory.writeAllAtAddr(sector, GuestAddress.of(DATA));
        assertEquals(VirtioBlock.S_OK, request(VirtioBlock.T_OUT, 5, List.of(new Part(DATA, 512, false))));
        assertEquals(VirtioBlock.S_OK, request(VirtioBlock.T_FLUSH, 0, List.of()));
        byte[] now = Files.readAllBytes(file);
        assertArrayEquals(sector, Arrays.copyOfRange(now, 5 * 512, 6 * 512));
        assertArrayEquals(Arrays.copyOf(original, 5 * 512), Arrays.copyOf(now, 5 * 512), "nothing else changed");
    }

    @Test
    void aWriteFromSeveralBuffersOneStraddlingTwoRegionsLandsInOrder() throws IOException {
        attach(false);
        byte[] first = new byte[4096];
        byte[] second = new byte[1024];
        Arrays.fill(first, (byte) 0x11);
        Arrays.fill(second, (byte) 0x22);
        // first: 2 KiB in region 0, 2 KiB in region 1; second: elsewhere in region 0
        memory.writeAllAtAddr(Arrays.copyOf(first, 2048), GuestAddress.of(0x20000 - 2048));
        memory.writeAllAtAddr(Arrays.copyOf(first, 2048), GuestAddress.of(0x20000));
        memory.writeAllAtAddr(second, GuestAddress.of(0x12000));
        assertEquals(VirtioBlock.S_OK, request(VirtioBlock.T_OUT, 2,
            List.of(new Part(0x20000 - 2048, 4096, false), new Part(0x12000, 1024, false))));
        byte[] now = Files.readAllBytes(file);
        assertArrayEquals(first, Arrays.copyOfRange(now, 1024, 1024 + 4096));
        assertArrayEquals(second, Arrays.copyOfRange(now, 1024 + 4096, 1024 + 5120));
        assertArrayEquals(Arrays.copyOfRange(original, 1024 + 5120, original.length), Arrays.copyOfRange(now, 1024 + 5120, now.length));
    }

    @Test
    void getIdReturnsTheImageName() {
        attach(false);
        assertEquals(VirtioBlock.S_OK, request(VirtioBlock.T_GET_ID, 0, List.of(new Part(DATA, 20, true))));
        byte[] id = new byte[20];
        memory.readExactAtAddr(id, GuestAddress.of(DATA));
        assertEquals("disk.img", new String(id, StandardCharsets.US_ASCII).trim().replace("\0", ""));
    }

    @Test
    void requestsPastTheEndOfTheDiskFailAndTouchNothing() throws IOException {
        attach(false);
        assertEquals(VirtioBlock.S_IOERR, request(VirtioBlock.T_IN, SECTORS - 1, List.of(new Part(DATA, 1024, true))));
        assertEquals(VirtioBlock.S_IOERR, request(VirtioBlock.T_OUT, SECTORS, List.of(new Part(DATA, 512, false))));
        assertEquals(VirtioBlock.S_IOERR, request(VirtioBlock.T_OUT, Long.MIN_VALUE, List.of(new Part(DATA, 512, false))));
        assertEquals(VirtioBlock.S_IOERR, request(VirtioBlock.T_IN, -1L, List.of(new Part(DATA, 512, true))));
        assertArrayEquals(original, Files.readAllBytes(file));
    }

    @Test
    void anUnknownRequestTypeIsUnsupported() {
        attach(false);
        assertEquals(VirtioBlock.S_UNSUPP, request(99, 0, List.of()));
    }

    @Test
    void aRequestWithoutRoomForItsStatusIsReturnedUnwritten() {
        attach(false);
        memory.writeByteAtAddr((byte) 0x55, GuestAddress.of(DATA));
        driver.submit(List.of(new Part(HEADER, 16, false), new Part(DATA, 512, false)));
        transport.processQueue(0);
        assertEquals(1, driver.usedIdx());
        assertEquals(0, driver.usedLen(0));
        assertEquals(0x55, memory.readByteFromAddr(GuestAddress.of(DATA)));
        // the queue keeps working
        assertEquals(VirtioBlock.S_OK, request(VirtioBlock.T_IN, 0, List.of(new Part(DATA, 512, true))));
    }

    @Test
    void aReadOnlyDiskOffersRoAndRefusesWrites() throws IOException {
        attach(true);
        assertTrue((driver.deviceFeatures() & VirtioBlock.F_RO) != 0);
        memory.writeAllAtAddr(new byte[512], GuestAddress.of(DATA));
        assertEquals(VirtioBlock.S_IOERR, request(VirtioBlock.T_OUT, 0, List.of(new Part(DATA, 512, false))));
        assertEquals(VirtioBlock.S_OK, request(VirtioBlock.T_IN, 1, List.of(new Part(DATA, 512, true))));
        assertArrayEquals(original, Files.readAllBytes(file));
    }

    @Test
    void aWritableImageIsLockedAgainstASecondUser() {
        try (DiskImage first = DiskImage.open(file, false)) {
            DiskImageException e = assertThrows(DiskImageException.class, () -> DiskImage.open(file, false));
            assertTrue(e.getMessage().contains("locked by another process"), e.getMessage());
            assertThrows(DiskImageException.class, () -> DiskImage.open(file, true));
        }
        try (DiskImage a = DiskImage.open(file, true); DiskImage b = DiskImage.open(file, true)) {
            assertEquals(SECTORS, a.sectors() + b.sectors() - SECTORS, "two readers share the image");
            assertThrows(DiskImageException.class, () -> DiskImage.open(file, false));
        }
        DiskImage.open(file, false).close();
    }

    @Test
    void unusableImagesAreRefusedWithTheReason() throws IOException {
        assertTrue(assertThrows(DiskImageException.class, () -> DiskImage.open(dir.resolve("missing.img"), false))
            .getMessage().contains("no such file"));
        assertTrue(assertThrows(DiskImageException.class, () -> DiskImage.open(dir, true)).getMessage().contains("directory"));
        Path tiny = Files.write(dir.resolve("tiny.img"), new byte[100]);
        assertTrue(assertThrows(DiskImageException.class, () -> DiskImage.open(tiny, false)).getMessage().contains("smaller than one"));
    }
}
