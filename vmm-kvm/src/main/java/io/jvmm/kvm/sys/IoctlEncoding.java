package io.jvmm.kvm.sys;

/**
 * The Linux ioctl request encoding of {@code <asm-generic/ioctl.h>} (used by x86-64): a request
 * packs a direction, a struct size, a "type" byte naming the subsystem and a command number, so
 * that each request number states the size of the struct it transfers. Deriving KVM's numbers from
 * this encoding, instead of pasting hex values, keeps them tied to the struct layouts in
 * {@link KvmStructs}.
 */
public final class IoctlEncoding {
    private static final int NR_BITS = 8;
    private static final int TYPE_BITS = 8;
    private static final int SIZE_BITS = 14;

    private static final int NR_SHIFT = 0;
    private static final int TYPE_SHIFT = NR_SHIFT + NR_BITS;
    private static final int SIZE_SHIFT = TYPE_SHIFT + TYPE_BITS;
    private static final int DIR_SHIFT = SIZE_SHIFT + SIZE_BITS;

    /** {@code _IOC_NONE}: no data transferred. */
    static final int DIR_NONE = 0;
    /** {@code _IOC_WRITE}: userspace writes, the kernel reads. */
    static final int DIR_WRITE = 1;
    /** {@code _IOC_READ}: the kernel writes, userspace reads. */
    static final int DIR_READ = 2;

    private IoctlEncoding() {
    }

    /** {@code _IOC(dir, type, nr, size)}. */
    static long ioc(int dir, int type, int nr, int size) {
        if (type < 0 || type >= 1 << TYPE_BITS || nr < 0 || nr >= 1 << NR_BITS || size < 0 || size >= 1 << SIZE_BITS) {
            throw new IllegalArgumentException("ioctl field out of range: type=" + type + " nr=" + nr + " size=" + size);
        }
        return ((long) dir << DIR_SHIFT) | ((long) size << SIZE_SHIFT) | ((long) type << TYPE_SHIFT) | ((long) nr << NR_SHIFT);
    }

    /**
     * {@code _IO(type, nr)}: a request without a struct argument.
     *
     * @param type the subsystem's type byte, 0..255 ({@link KvmIoctls#KVMIO} for KVM)
     * @param nr the command number, 0..255
     * @return the request number
     * @throws IllegalArgumentException if a field is out of range
     */
    public static long io(int type, int nr) {
        return ioc(DIR_NONE, type, nr, 0);
    }

    /**
     * {@code _IOR(type, nr, size)}: the kernel fills a struct of {@code size} bytes.
     *
     * @param type the subsystem's type byte, 0..255
     * @param nr the command number, 0..255
     * @param size the struct's size in bytes, 0..16383 (14 bits)
     * @return the request number
     * @throws IllegalArgumentException if a field is out of range
     */
    public static long ior(int type, int nr, int size) {
        return ioc(DIR_READ, type, nr, size);
    }

    /**
     * {@code _IOW(type, nr, size)}: the kernel reads a struct of {@code size} bytes.
     *
     * @param type the subsystem's type byte, 0..255
     * @param nr the command number, 0..255
     * @param size the struct's size in bytes, 0..16383 (14 bits)
     * @return the request number
     * @throws IllegalArgumentException if a field is out of range
     */
    public static long iow(int type, int nr, int size) {
        return ioc(DIR_WRITE, type, nr, size);
    }

    /**
     * {@code _IOWR(type, nr, size)}: the struct goes both ways.
     *
     * @param type the subsystem's type byte, 0..255
     * @param nr the command number, 0..255
     * @param size the struct's size in bytes, 0..16383 (14 bits)
     * @return the request number
     * @throws IllegalArgumentException if a field is out of range
     */
    public static long iowr(int type, int nr, int size) {
        return ioc(DIR_READ | DIR_WRITE, type, nr, size);
    }
}
