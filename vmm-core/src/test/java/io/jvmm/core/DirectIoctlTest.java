package io.jvmm.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.jna.Memory;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;
import org.junit.jupiter.api.Test;

class DirectIoctlTest {
    /** {@code FIONREAD} (asm-generic/ioctls.h): bytes left to read; on a regular file, size - position. */
    private static final long FIONREAD = 0x541B;

    @Test
    void usesTheSystemCallStubOnX86_64Linux() {
        assumeTrue(Platform.isLinux() && "x86-64".equals(Platform.ARCH), "the stub exists only for x86-64 Linux");
        assertTrue(DirectIoctl.isDirect(), DirectIoctl.unavailableReason());
        assertEquals("", DirectIoctl.unavailableReason());
    }

    @Test
    void passesDescriptorRequestAndArgumentAndReturnsTheResult() {
        int fd = LibC.memfdCreate("direct-ioctl-test", LibC.MFD_CLOEXEC);
        try (Memory out = new Memory(Integer.BYTES)) {
            LibC.ftruncateChecked(fd, 1234);
            out.setInt(0, -1);
            assertEquals(0, DirectIoctl.ioctl(fd, FIONREAD, Pointer.nativeValue(out)));
            assertEquals(1234, out.getInt(0), "FIONREAD wrote the bytes left through the argument pointer");
            assertEquals(0, LibC.ioctlErrno(fd, FIONREAD, Pointer.nativeValue(out)), "LibC.ioctlErrno goes the same way");
        } finally {
            LibC.closeChecked(fd);
        }
    }

    @Test
    void failuresReturnNegativeErrnoLikeTheJnaPath() {
        int fd = LibC.memfdCreate("direct-ioctl-test", LibC.MFD_CLOEXEC);
        try {
            long unknownRequest = 0x4242;
            assertEquals(-Errno.ENOTTY, DirectIoctl.ioctl(fd, unknownRequest, 0));
            assertEquals(LibC.ioctlJna(fd, unknownRequest, 0), DirectIoctl.ioctl(fd, unknownRequest, 0));
        } finally {
            LibC.closeChecked(fd);
        }
        assertEquals(-Errno.EBADF, DirectIoctl.ioctl(987654, FIONREAD, 0));
        assertEquals(-Errno.EBADF, DirectIoctl.ioctl(-1, FIONREAD, 0));
        assertEquals(LibC.ioctlJna(-1, FIONREAD, 0), DirectIoctl.ioctl(-1, FIONREAD, 0));
    }

    @Test
    void badArgumentPointerIsEfaultNotACrash() {
        int fd = LibC.memfdCreate("direct-ioctl-test", LibC.MFD_CLOEXEC);
        try {
            assertEquals(-Errno.EFAULT, DirectIoctl.ioctl(fd, FIONREAD, 8));
        } finally {
            LibC.closeChecked(fd);
        }
    }
}
