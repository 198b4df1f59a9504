package io.jvmm.kvm.sys;

import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A zero-initialised, little-endian, direct buffer holding one C struct that is passed to an
 * ioctl by address. Fields are read and written at the offsets in {@link KvmStructs}. The address
 * stays valid while this object is reachable, so callers keep a reference (or a
 * {@link java.lang.ref.Reference#reachabilityFence}) across the system call.
 */
public final class NativeStruct {
    private final ByteBuffer buffer;
    private final long address;

    private NativeStruct(int size) {
        if (size <= 0) {
            throw new IllegalArgumentException("struct size must be positive, got " + size);
        }
        this.buffer = ByteBuffer.allocateDirect(size).order(ByteOrder.LITTLE_ENDIAN);
        this.address = Pointer.nativeValue(Native.getDirectBufferPointer(buffer));
    }

    /**
     * A zeroed struct of {@code size} bytes, in memory the garbage collector frees once this
     * object is unreachable.
     *
     * @param size the struct's size in bytes, positive
     * @return the new struct
     * @throws IllegalArgumentException if {@code size} is 0 or negative
     */
    public static NativeStruct allocate(int size) {
        return new NativeStruct(size);
    }

    /** {@return the little-endian view; use absolute accessors only (its position is never used)} */
    public ByteBuffer buffer() {
        return buffer;
    }

    /** {@return the host address of the first byte, for the ioctl argument; valid while this object is reachable} */
    public long address() {
        return address;
    }

    /** {@return the struct's size in bytes} */
    public int size() {
        return buffer.capacity();
    }

    /**
     * Sets every byte to zero, so reserved and padding fields go to the kernel as zero.
     *
     * @return this struct
     */
    public NativeStruct clear() {
        int size = buffer.capacity();
        int i = 0;
        for (; i + 8 <= size; i += 8) {
            buffer.putLong(i, 0L);
        }
        for (; i < size; i++) {
            buffer.put(i, (byte) 0);
        }
        return this;
    }
}
