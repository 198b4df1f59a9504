package io.jvmm.virtio.block;

import io.jvmm.core.Errno;
import io.jvmm.core.LibC;
import io.jvmm.core.SafeDescriptor;
import io.jvmm.core.SyscallException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A raw disk image opened for a virtio-blk device: a regular file (or block device) read and
 * written with positional I/O, and locked with {@code flock(2)} as QEMU locks its images, so two
 * VMMs cannot both write one: a writable disk takes an exclusive lock, a read-only disk a shared
 * one. Where the file system cannot lock at all, a warning is logged once and the disk is used
 * unlocked, as QEMU does.
 *
 * <p>The image's size is read once, at {@link #open}; a file that grows or shrinks later is not
 * followed.
 */
public final class DiskImage implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DiskImage.class);

    /** The virtio-blk sector: capacity and request offsets count 512-byte units (§5.2.4). */
    public static final int SECTOR_SIZE = 512;

    private final Path path;
    private final boolean readOnly;
    private final FileChannel channel;
    private final SafeDescriptor lock;
    private final long sizeBytes;

    private DiskImage(Path path, boolean readOnly, FileChannel channel, SafeDescriptor lock, long sizeBytes) {
        this.path = path;
        this.readOnly = readOnly;
        this.channel = channel;
        this.lock = lock;
        this.sizeBytes = sizeBytes;
    }

    /**
     * Opens and locks {@code path}. Fails before anything is changed, with a message that names
     * the file and the reason.
     *
     * @param path     the image file or block device
     * @param readOnly whether to open it read-only (with a shared lock) rather than read-write (with an
     *     exclusive one)
     * @return the open, locked image, owned by the caller (close it)
     * @throws DiskImageException when the file is missing, not a regular file or block device,
     *     unreadable, not writable (for a writable disk), locked by another process, or smaller
     *     than one sector
     */
    public static DiskImage open(Path path, boolean readOnly) {
        if (!Files.exists(path)) {
            throw new DiskImageException(path + ": no such file");
        }
        if (Files.isDirectory(path)) {
            throw new DiskImageException(path + ": is a directory, not a disk image");
        }
        FileChannel channel;
        try {
            channel = readOnly ? FileChannel.open(path, StandardOpenOption.READ)
                : FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
        } catch (AccessDeniedException e) {
            throw new DiskImageException(path + ": permission denied" + (readOnly ? "" : " for reading and writing (add ,ro for a read-only disk)"));
        } catch (NoSuchFileException e) {
            throw new DiskImageException(path + ": no such file");
        } catch (IOException e) {
            throw new DiskImageException(path + ": cannot open: " + e.getMessage());
        }
        SafeDescriptor lock = null;
        try {
            long size = channel.size();
            if (size < SECTOR_SIZE) {
                throw new DiskImageException(path + ": " + size + " bytes, smaller than one " + SECTOR_SIZE + "-byte sector");
            }
            if (size % SECTOR_SIZE != 0) {
                LOG.warn("{}: {} bytes is not a whole number of sectors; the last {} bytes are not visible to the guest",
                    path, size, size % SECTOR_SIZE);
            }
            lock = SafeDescriptor.open(path.toString(), LibC.O_RDONLY);
            int errno = LibC.flockErrno(lock.asRawDescriptor(), (readOnly ? LibC.LOCK_SH : LibC.LOCK_EX) | LibC.LOCK_NB);
            if (errno == Errno.EWOULDBLOCK) {
                throw new DiskImageException(path + ": locked by another process (another jvmm or QEMU using it"
                    + (readOnly ? " for writing" : "") + ")");
            }
            if (errno != 0) {
                LOG.warn("{}: the file system cannot lock files ({}); using the disk unlocked", path, Errno.name(errno));
            }
            return new DiskImage(path, readOnly, channel, lock, size - size % SECTOR_SIZE);
        } catch (IOException | SyscallException | DiskImageException e) {
            closeQuietly(channel);
            if (lock != null) {
                lock.close();
            }
            if (e instanceof DiskImageException d) {
                throw d;
            }
            throw new DiskImageException(path + ": " + e.getMessage());
        }
    }

    private static void closeQuietly(FileChannel c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // nothing was written through it
        }
    }

    /** {@return the path the image was opened with} */
    public Path path() {
        return path;
    }

    /** {@return whether the image was opened read-only} */
    public boolean readOnly() {
        return readOnly;
    }

    /** {@return the bytes the guest sees: the file's size at open, rounded down to whole sectors} */
    public long sizeBytes() {
        return sizeBytes;
    }

    /** {@return the capacity in 512-byte sectors (the config space's {@code capacity}), at least 1} */
    public long sectors() {
        return sizeBytes / SECTOR_SIZE;
    }

    /**
     * The channel for positional reads and writes; never its own position. It belongs to the
     * image: do not close it.
     *
     * @return the channel, open for reading, and for writing unless {@link #readOnly()}
     */
    public FileChannel channel() {
        return channel;
    }

    /**
     * Makes every write so far durable ({@code fdatasync}): a virtio-blk FLUSH.
     *
     * @throws IOException when the file system reports a failure (an I/O error writing the data
     *     back, say); the device answers the FLUSH with VIRTIO_BLK_S_IOERR
     */
    public void flush() throws IOException {
        channel.force(false);
    }

    /** Closes the file and drops the lock. Idempotent. */
    @Override
    public void close() {
        closeQuietly(channel);
        lock.close();
    }
}
