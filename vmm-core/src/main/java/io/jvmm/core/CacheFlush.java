package io.jvmm.core;

import com.sun.jna.Function;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;

/**
 * Writes back and invalidates the CPU cache lines covering a host range ({@code clflush} on
 * x86-64, followed by {@code mfence} so the flushes are ordered before later stores). A guest that
 * maps memory uncached (for example a framebuffer) reads RAM directly; the host's cached writes must
 * reach RAM first. There is no portable Java or libc call for this, so it is a small machine-code
 * stub (see {@link NativeCode}).
 */
public final class CacheFlush {
    /** The x86-64 cache line size that the stub steps by. */
    public static final int CACHE_LINE = 64;

    /*
     * void flush(void *addr, size_t len), System V calling convention (rdi, rsi):
     *   test rsi,rsi ; jz done ; lea rsi,[rdi+rsi] ; and rdi,-64
     *   loop: clflush [rdi] ; add rdi,64 ; cmp rdi,rsi ; jb loop
     *   done: mfence ; ret
     */
    private static final byte[] X86_64_CLFLUSH_RANGE = {
        0x48, (byte) 0x85, (byte) 0xF6,             // test rsi, rsi
        0x74, 0x14,                                  // jz done (+20)
        0x48, (byte) 0x8D, 0x34, 0x37,               // lea rsi, [rdi+rsi]
        0x48, (byte) 0x83, (byte) 0xE7, (byte) 0xC0, // and rdi, -64
        0x0F, (byte) 0xAE, 0x3F,                     // loop: clflush [rdi]
        0x48, (byte) 0x83, (byte) 0xC7, 0x40,        // add rdi, 64
        0x48, 0x39, (byte) 0xF7,                     // cmp rdi, rsi
        0x72, (byte) 0xF4,                           // jb loop (-12)
        0x0F, (byte) 0xAE, (byte) 0xF0,              // done: mfence
        (byte) 0xC3,                                 // ret
    };

    private CacheFlush() {
    }

    /** {@return whether this host has an implementation: x86-64 Linux only} */
    public static boolean isSupported() {
        return Platform.isIntel() && Platform.is64Bit() && Platform.isLinux();
    }

    /**
     * Flushes every cache line that overlaps {@code [address, address + length)}, then fences. The
     * caller must guarantee that the range is mapped and readable: clflush of an unmapped address
     * faults, which kills the process rather than throwing. Thread-safe: it keeps no state.
     *
     * @param address the host virtual address of the first byte; need not be aligned to
     *     {@link #CACHE_LINE}
     * @param length  the number of bytes; 0 flushes nothing (the fence still runs)
     * @throws UnsupportedOperationException when {@link #isSupported()} is false
     */
    public static void flush(long address, long length) {
        if (!isSupported()) {
            throw new UnsupportedOperationException("cache-line flush is implemented for x86-64 only, not " + Platform.ARCH);
        }
        Stub.FLUSH.invokeVoid(new Object[] {new Pointer(address), length});
    }

    /** Created on first use: the stub page exists only in processes that flush. */
    private static final class Stub {
        static final Function FLUSH = NativeCode.of(X86_64_CLFLUSH_RANGE).function();
    }
}
