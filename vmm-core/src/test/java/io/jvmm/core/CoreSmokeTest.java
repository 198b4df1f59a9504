package io.jvmm.core;

import static org.junit.jupiter.api.Assertions.*;

import com.sun.jna.Pointer;
import org.junit.jupiter.api.Test;

class CoreSmokeTest {
    @Test
    void mmapAndCacheFlushWork() {
        long page = LibC.pageSize();
        long addr = LibC.mmapChecked(0, page * 4, LibC.PROT_READ | LibC.PROT_WRITE, LibC.MAP_SHARED | LibC.MAP_ANONYMOUS, -1, 0);
        new Pointer(addr).setLong(8, 0x1122334455667788L);
        CacheFlush.flush(addr + 3, page * 4 - 3);
        CacheFlush.flush(addr, 0);
        assertEquals(0x1122334455667788L, new Pointer(addr).getLong(8));
        LibC.munmapChecked(addr, page * 4);
    }

    @Test
    void failedCallNamesErrno() {
        SyscallException e = assertThrows(SyscallException.class, () -> LibC.closeChecked(987654));
        assertEquals(Errno.EBADF, e.errno());
        assertTrue(e.getMessage().contains("EBADF"), e.getMessage());
    }
}
