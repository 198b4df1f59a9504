package io.jvmm.virtio.rng;

import io.jvmm.memory.GuestMemory;
import io.jvmm.virtio.ActiveQueue;
import io.jvmm.virtio.ChainWriter;
import io.jvmm.virtio.DescriptorChain;
import io.jvmm.virtio.SplitQueue;
import io.jvmm.virtio.VirtioDevice;
import io.jvmm.virtio.VirtioFeatures;
import io.jvmm.virtio.VirtioInterrupt;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A virtio entropy device (virtio 1.2 §5.4): one request queue whose writable buffers it fills
 * from a host source, {@code /dev/urandom} by default. Linux's virtio-rng driver makes it
 * {@code /dev/hwrng}. A request is filled up to {@link #MAX_PER_REQUEST} bytes (§5.4.6.1 lets the
 * device write fewer bytes than offered), so a guest offering huge buffers cannot make the host
 * read without bound.
 */
public final class VirtioRng implements VirtioDevice {
    private static final Logger LOG = LoggerFactory.getLogger(VirtioRng.class);

    /** Device ID 4 (§5.4.1). */
    public static final int DEVICE_TYPE = 4;
    /** The maximum size of the one request queue. */
    public static final int QUEUE_SIZE = 256;
    /** The most bytes one request is filled with, whatever room its buffers offer: 64 KiB. */
    public static final int MAX_PER_REQUEST = 64 * 1024;
    /** The host source of {@link #fromHost()}. */
    public static final Path HOST_SOURCE = Path.of("/dev/urandom");

    private final InputStream source;
    private final String label;
    private final byte[] chunk = new byte[MAX_PER_REQUEST];
    private volatile ActiveQueue active;
    private boolean sourceFailed;


    private VirtioRng(InputStream source, String label) {
        this.source = source;
        this.label = label;
    }

    /**
     * A device fed from the host's {@code /dev/urandom}.
     *
     * @return the device; it owns the open source until {@link #close()}
     * @throws UncheckedIOException when {@code /dev/urandom} cannot be opened
     */
    public static VirtioRng fromHost() {
        try {
            return new VirtioRng(Files.newInputStream(HOST_SOURCE), HOST_SOURCE.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open " + HOST_SOURCE + " for virtio-rng", e);
        }
    }

    /**
     * A device fed from {@code source} (tests), which it owns. A source that fails or ends fills
     * requests with what it gave (possibly nothing); a failure is logged once.
     *
     * @param source the bytes to hand out; closed with the device
     * @param label  names the source in {@link #debugLabel()}
     * @return the device
     * @throws NullPointerException when {@code source} is null
     */
    public static VirtioRng from(InputStream source, String label) {
        return new VirtioRng(Objects.requireNonNull(source, "source"), label);
    }

    @Override
    public int deviceType() {
        return DEVICE_TYPE;
    }

    @Override
    public String debugLabel() {
        return "virtio-rng(" + label + ")";
    }

    @Override
    public List<Integer> queueMaxSizes() {
        return List.of(QUEUE_SIZE);
    }

    @Override
    public long deviceFeatures() {
        return VirtioFeatures.COMMON;
    }

    @Override
    public void readConfig(long offset, byte[] data) {
        // no configuration space (§5.4.4)
    }

    @Override
    public void writeConfig(long offset, byte[] data) {
    }

    @Override
    public void activate(GuestMemory memory, long features, List<SplitQueue> queues, VirtioInterrupt interrupt) {
        active = ActiveQueue.of(memory, queues, 0, interrupt);
    }

    @Override
    public void processQueue(int index) {
        ActiveQueue a = active;
        if (a != null) {
            a.serveAll(this::fill);
        }
    }

    private int fill(GuestMemory memory, DescriptorChain chain) {
        int want = (int) Math.min(chain.writableLength(), MAX_PER_REQUEST);
        int got = 0;
        try {
            while (got < want) {
                int n = source.read(chunk, got, want - got);
                if (n < 0) {
                    break;
                }
                got += n;
            }
        } catch (IOException e) {
            if (!sourceFailed) {
                sourceFailed = true;
                LOG.warn("{}: reading the entropy source failed: {}", debugLabel(), e.toString());
            }
        }
        ChainWriter out = new ChainWriter(memory, chain);
        out.write(got == chunk.length ? chunk : java.util.Arrays.copyOf(chunk, got));
        return out.bytesWritten();
    }

    @Override
    public void reset() {
        active = null;
    }

    @Override
    public void close() {
        active = null;
        try {
            source.close();
        } catch (IOException ignored) {
            // a read-only source: nothing to lose
        }
    }
}
