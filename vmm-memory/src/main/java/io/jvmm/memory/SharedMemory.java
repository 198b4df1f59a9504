package io.jvmm.memory;

import io.jvmm.core.AsRawDescriptor;
import io.jvmm.core.LibC;
import io.jvmm.core.SafeDescriptor;
import io.jvmm.core.SyscallException;

/**
 * A memfd: anonymous memory with a descriptor, so it can be mapped several times, sealed, and
 * handed to other processes. Created with {@code MFD_CLOEXEC | MFD_ALLOW_SEALING} and sized with
 * {@code ftruncate}. The descriptor is closed exactly once, whichever threads call {@link #close()};
 * mappings made from it stay valid after that.
 */
public final class SharedMemory implements AsRawDescriptor, AutoCloseable {
    private final SafeDescriptor descriptor;
    private final long size;

    private SharedMemory(SafeDescriptor descriptor, long size) {
        this.descriptor = descriptor;
        this.size = size;
    }

    /**
     * Creates a memfd named {@code name} (a debugging label, visible in /proc/PID/fd) of
     * {@code size} bytes. Its pages are allocated only when first touched; it reads as zeros.
     *
     * @param name the label; need not be unique; the kernel limits it to 249 bytes
     * @param size the length in bytes, 0 or more
     * @return the memfd, unsealed (sealing is allowed), owned by the caller (close it)
     * @throws MmapException {@code INVALID_ARGUMENT} for a negative size, a null name or one that
     *     holds a NUL, {@code SYSTEM_CALL_FAILED} with errno when memfd_create or ftruncate fails
     *     (the descriptor is then closed)
     */
    public static SharedMemory create(String name, long size) {
        if (name == null) {
            throw new MmapException(MmapException.Kind.INVALID_ARGUMENT, "shared memory name is null");
        }
        if (size < 0) {
            throw new MmapException(MmapException.Kind.INVALID_ARGUMENT, "negative shared memory size " + size);
        }
        if (name.indexOf('\0') >= 0) {
            throw new MmapException(MmapException.Kind.INVALID_ARGUMENT, "shared memory name contains a NUL byte");
        }
        int fd;
        try {
            fd = LibC.memfdCreate(name, LibC.MFD_CLOEXEC | LibC.MFD_ALLOW_SEALING);
        } catch (SyscallException e) {
            throw MmapException.syscall("memfd_create", e.errno(), "name=" + name);
        }
        SafeDescriptor descriptor = new SafeDescriptor(fd);
        try {
            LibC.ftruncateChecked(fd, size);
        } catch (SyscallException e) {
            descriptor.close();
            throw MmapException.syscall("ftruncate", e.errno(), "size " + size);
        }
        return new SharedMemory(descriptor, size);
    }

    /** {@return the size given at creation; it does not follow later changes of the file's length} */
    public long size() {
        return size;
    }

    /**
     * The current {@code F_SEAL_*} bits ({@code F_GET_SEALS}).
     *
     * @return the seals, e.g. {@code F_SEAL_SHRINK | F_SEAL_GROW}; 0 when none was added
     * @throws MmapException {@code SYSTEM_CALL_FAILED} with errno when fcntl fails
     * @throws io.jvmm.core.ClosedException after {@link #close()}
     */
    public synchronized int getSeals() {
        try {
            return LibC.fcntlChecked(asRawDescriptor(), LibC.F_GET_SEALS, 0);
        } catch (SyscallException e) {
            throw MmapException.syscall("fcntl(F_GET_SEALS)", e.errno(), "memfd of size " + size);
        }
    }

    /**
     * Adds {@code F_SEAL_*} bits ({@code F_ADD_SEALS}). Adding {@code F_SEAL_WRITE} fails with
     * {@code EBUSY} while a shared writable mapping of the memfd exists.
     *
     * @param seals the {@code F_SEAL_*} bits to add to those already set; seals cannot be removed
     * @throws MmapException {@code SYSTEM_CALL_FAILED} with errno when fcntl refuses ({@code EPERM}
     *     once {@code F_SEAL_SEAL} is set, {@code EBUSY} as above, {@code EINVAL} for unknown bits)
     * @throws io.jvmm.core.ClosedException after {@link #close()}
     */
    public synchronized void addSeals(int seals) {
        try {
            LibC.fcntlChecked(asRawDescriptor(), LibC.F_ADD_SEALS, seals);
        } catch (SyscallException e) {
            throw MmapException.syscall("fcntl(F_ADD_SEALS)", e.errno(), "seals 0x" + Integer.toHexString(seals));
        }
    }

    /**
     * {@inheritDoc}
     *
     * @throws io.jvmm.core.ClosedException after {@link #close()}
     */
    @Override
    public int asRawDescriptor() {
        return descriptor.asRawDescriptor();
    }

    /**
     * Closes the descriptor; existing mappings stay valid, as with any mmap'ed file. It waits for
     * a {@link #getSeals} or {@link #addSeals} in progress (one fcntl(2)), which could otherwise
     * reach a file that reused the number: seals added there could never be removed.
     */
    @Override
    public synchronized void close() {
        descriptor.close();
    }

    @Override
    public String toString() {
        return "SharedMemory[size=" + size + "]";
    }
}
