package io.jvmm.virtio.block;

import io.jvmm.memory.GuestMemory;
import io.jvmm.virtio.ActiveQueue;
import io.jvmm.virtio.ChainReader;
import io.jvmm.virtio.ChainWriter;
import io.jvmm.virtio.DescriptorChain;
import io.jvmm.virtio.SplitQueue;
import io.jvmm.virtio.VirtioDevice;
import io.jvmm.virtio.VirtioFeatures;
import io.jvmm.virtio.VirtioInterrupt;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A virtio block device (virtio 1.2 §5.2) on a raw {@link DiskImage}: one request queue serving
 * reads, writes, flushes and the device ID. A flush makes every write acknowledged before it
 * durable ({@code fdatasync}); writes themselves go to the host's page cache, as QEMU's default
 * {@code cache=writeback} does. A read-only image offers VIRTIO_BLK_F_RO and fails writes with
 * VIRTIO_BLK_S_IOERR.
 *
 * <p>Requests are guest-controlled: a sector range past the disk's end, a request without room
 * for its status byte, or an unknown type is answered with an error status (or, with no status
 * byte to write, returned unwritten), never with an exception out of the I/O thread.
 */
public final class VirtioBlock implements VirtioDevice {
    private static final Logger LOG = LoggerFactory.getLogger(VirtioBlock.class);

    /** Device ID 2 (§5.2.1). */
    public static final int DEVICE_TYPE = 2;
    /** The maximum size of the one request queue; seg_max is two less (header and status take two descriptors). */
    public static final int QUEUE_SIZE = 256;

    // Feature bits (§5.2.3).
    static final long F_SEG_MAX = 1L << 2;
    static final long F_RO = 1L << 5;
    static final long F_FLUSH = 1L << 9;

    // Request types and status values (§5.2.6).
    static final int T_IN = 0;
    static final int T_OUT = 1;
    static final int T_FLUSH = 4;
    static final int T_GET_ID = 8;
    static final byte S_OK = 0;
    static final byte S_IOERR = 1;
    static final byte S_UNSUPP = 2;
    /** {@code struct virtio_blk_req}'s header: type, reserved, sector. */
    static final int HEADER_SIZE = 16;
    /** VIRTIO_BLK_ID_BYTES: the device ID string is at most 20 bytes. */
    static final int ID_BYTES = 20;
    /** The config space: capacity (8), size_max (4), seg_max (4) are the fields jvmm fills. */
    private static final int CONFIG_SIZE = 60;

    private final DiskImage image;
    private final byte[] config = new byte[CONFIG_SIZE];
    private final byte[] id;
    private final AtomicLong badRequests = new AtomicLong();
    private final AtomicLong ioFailures = new AtomicLong();
    private volatile ActiveQueue active;


    /**
     * A device on {@code image}, which it owns from now on (closed with the device). Its capacity
     * is the image's {@link DiskImage#sectors()}; its ID string (GET_ID) is the file's name in
     * US-ASCII, cut to 20 bytes.
     *
     * @param image the open image
     * @throws NullPointerException when {@code image} is null
     */
    public VirtioBlock(DiskImage image) {
        this.image = Objects.requireNonNull(image, "image");
        putLittleEndian(0, 8, image.sectors());
        // The header and the status byte take two of a chain's descriptors (§5.2.4 seg_max).
        putLittleEndian(12, 4, QUEUE_SIZE - 2);
        // The ID the guest reads with GET_ID (Linux: /sys/block/vdX/serial): the image's name.
        byte[] name = image.path().getFileName().toString().getBytes(StandardCharsets.US_ASCII);
        this.id = Arrays.copyOf(name, Math.min(name.length, ID_BYTES));
    }

    private void putLittleEndian(int at, int width, long v) {
        for (int i = 0; i < width; i++) {
            config[at + i] = (byte) (v >>> (8 * i));
        }
    }

    /** {@return the image the device serves} */
    public DiskImage image() {
        return image;
    }

    @Override
    public int deviceType() {
        return DEVICE_TYPE;
    }

    @Override
    public String debugLabel() {
        return "virtio-blk(" + image.path().getFileName() + (image.readOnly() ? ",ro" : "") + ")";
    }

    @Override
    public List<Integer> queueMaxSizes() {
        return List.of(QUEUE_SIZE);
    }

    @Override
    public long deviceFeatures() {
        return VirtioFeatures.COMMON | F_SEG_MAX | F_FLUSH | (image.readOnly() ? F_RO : 0);
    }

    @Override
    public void readConfig(long offset, byte[] data) {
        for (int i = 0; i < data.length; i++) {
            long at = offset + i;
            data[i] = at < config.length ? config[(int) at] : 0;
        }
    }

    @Override
    public void writeConfig(long offset, byte[] data) {
        // Only the writeback field is writable, and only with VIRTIO_BLK_F_CONFIG_WCE, not offered.
    }

    @Override
    public void activate(GuestMemory memory, long features, List<SplitQueue> queues, VirtioInterrupt interrupt) {
        active = ActiveQueue.of(memory, queues, 0, interrupt);
    }

    @Override
    public void processQueue(int index) {
        ActiveQueue a = active;
        if (a != null) {
            a.serveAll(this::serve);
        }
    }

    /** Serves one request; returns the bytes written into its writable buffers. */
    private int serve(GuestMemory memory, DescriptorChain chain) {
        if (chain.readableLength() < HEADER_SIZE || chain.writableLength() < 1) {
            badRequest("a request of " + chain.readableLength() + " readable and " + chain.writableLength()
                + " writable bytes has no room for its header and status (§5.2.6)");
            return 0;
        }
        ChainReader in = new ChainReader(memory, chain);
        ChainWriter out = new ChainWriter(memory, chain);
        int type = in.readInt();
        in.readInt();
        long sector = in.readLong();
        byte status = switch (type) {
            case T_IN -> read(sector, out);
            case T_OUT -> write(sector, in);
            case T_FLUSH -> flush();
            case T_GET_ID -> {
                long room = Math.min(ID_BYTES, out.remaining() - 1);
                out.write(Arrays.copyOf(id, (int) room));
                yield S_OK;
            }
            default -> S_UNSUPP;
        };
        // The status is the last byte of the writable part, after any data (§5.2.6).
        out.skip(out.remaining() - 1);
        out.writeByte(status);
        return out.bytesWritten();
    }

    private byte read(long sector, ChainWriter out) {
        long len = out.remaining() - 1;
        if (!inDisk(sector, len)) {
            return S_IOERR;
        }
        try {
            return out.transferFrom(image.channel(), sector * DiskImage.SECTOR_SIZE, len) == len ? S_OK : S_IOERR;
        } catch (IOException e) {
            ioFailure("read", sector, len, e);
            return S_IOERR;
        }
    }

    private byte write(long sector, ChainReader in) {
        long len = in.remaining();
        if (image.readOnly() || !inDisk(sector, len)) {
            return S_IOERR;
        }
        try {
            return in.transferTo(image.channel(), sector * DiskImage.SECTOR_SIZE, len) == len ? S_OK : S_IOERR;
        } catch (IOException e) {
            ioFailure("write", sector, len, e);
            return S_IOERR;
        }
    }

    private byte flush() {
        if (image.readOnly()) {
            return S_OK;
        }
        try {
            image.flush();
            return S_OK;
        } catch (IOException e) {
            ioFailure("flush", 0, 0, e);
            return S_IOERR;
        }
    }

    /** Whether {@code len} bytes from {@code sector} lie inside the disk (no overflow for any sector). */
    private boolean inDisk(long sector, long len) {
        long sectors = image.sectors();
        if (Long.compareUnsigned(sector, sectors) > 0) {
            return false;
        }
        return len <= (sectors - sector) * DiskImage.SECTOR_SIZE;
    }

    private void ioFailure(String what, long sector, long len, IOException e) {
        // The guest answers with IOERR and may retry at once: on a host disk that keeps failing
        // (ENOSPC under a sparse image) every request would log a line. The first failure is
        // logged, later ones every 1024th, with the count.
        long n = ioFailures.incrementAndGet();
        if (n == 1 || n % 1024 == 0) {
            LOG.warn("{}: {} of {} bytes at sector {} failed: {} (host I/O failures so far: {})", debugLabel(), what, len,
                sector, e.toString(), n);
        }
    }

    private void badRequest(String why) {
        // once per device, then counted: a hostile guest must not flood the log
        if (badRequests.getAndIncrement() == 0) {
            LOG.warn("{}: {}", debugLabel(), why);
        }
    }

    @Override
    public void reset() {
        active = null;
    }

    @Override
    public void close() {
        active = null;
        image.close();
    }
}
