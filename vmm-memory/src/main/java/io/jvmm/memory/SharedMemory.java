package io.jvmm.memory;

import io.jvmm.core.AsRawDescriptor;
import io.jvmm.core.LibC;
import io.jvmm.core.SafeDescriptor;
import io.jvmm.core.SyscallException;

/**
 * A memfd: anonymous memory with a descriptor, so it can be mapped several times, sealed, and
 * handed to other processes. Created with {@code MFD_CLOEXEC | MFD_ALLOW_SEALING} and sized with
 * {@code ftruncate}.
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
     * {@code size} bytes.
     *
     * @throws MmapException {@code INVALID_ARGUMENT} for a negative size or a null name,
     *     {@code SYSTEM_CALL_FAILED} with errno when memfd_create or ftruncate fails
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

    /** The size given at creation. */
    public long size() {
        return size;
    }

    /** The current {@code F_SEAL_*} bits ({@code F_GET_SEALS}). */
    public int getSeals() {
        try {
            return LibC.fcntlChecked(asRawDescriptor(), LibC.F_GET_SEALS, 0);
        } catch (SyscallException e) {
            throw MmapException.syscall("fcntl(F_GET_SEALS)", e.errno(), "memfd of size " + size);
        }
    }

    /**
     * Adds {@code F_SEAL_*} bits ({@code F_ADD_SEALS}). Adding {@code F_SEAL_WRITE} fails with
     * {@code EBUSY} while a shared writable mapping of the memfd exists.
     */
    public void addSeals(int seals) {
        try {
            LibC.fcntlChecked(asRawDescriptor(), LibC.F_ADD_SEALS, seals);
        } catch (SyscallException e) {
            throw MmapException.syscall("fcntl(F_ADD_SEALS)", e.errno(), "seals 0x" + Integer.toHexString(seals));
        }
    }

    /** @throws IllegalStateException after {@link #close()} */
    @Override
    public int asRawDescriptor() {
        return descriptor.asRawDescriptor();
    }

    /** Closes the descriptor; existing mappings stay valid, as with any mmap'ed file. */
    @Override
    public void close() {
        descriptor.close();
    }

    @Override
    public String toString() {
        return "SharedMemory[size=" + size + "]";
    }
}
