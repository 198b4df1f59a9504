package io.jvmm.core;

import com.sun.jna.Function;
import com.sun.jna.Pointer;

/**
 * A few bytes of host machine code placed on an executable page and callable through JNA. jvmm
 * uses it where neither libc nor Java offers the instruction it needs (clflush, a do-nothing
 * signal handler) and where shipping a compiled shared library would cost more than it saves.
 * The page is written while read-write and only then made read-execute (W^X). It is never
 * unmapped: stubs live for the life of the process, as the code of a loaded library would.
 */
public final class NativeCode {
    private final long address;
    private final int length;

    private NativeCode(long address, int length) {
        this.address = address;
        this.length = length;
    }

    /**
     * Places {@code code} on a fresh executable page: maps a private anonymous page read-write
     * (mmap(2)), copies the code to its start and makes the page read-execute (mprotect(2)). The
     * array is not kept.
     *
     * @param code the machine code, 1 byte to one page ({@link LibC#pageSize()}) long
     * @return the placed code, which lives until the process ends
     * @throws IllegalArgumentException if {@code code} is empty or longer than a page
     * @throws SyscallException {@code "mmap"} or {@code "mprotect"} with its errno, e.g. ENOMEM, or
     *     EACCES where a security policy forbids executable memory
     */
    public static NativeCode of(byte[] code) {
        long page = LibC.pageSize();
        if (code.length == 0 || code.length > page) {
            throw new IllegalArgumentException("code must be 1.." + page + " bytes, got " + code.length);
        }
        long addr = LibC.mmapChecked(0, page, LibC.PROT_READ | LibC.PROT_WRITE,
            LibC.MAP_PRIVATE | LibC.MAP_ANONYMOUS, -1, 0);
        new Pointer(addr).write(0, code, 0, code.length);
        LibC.mprotectChecked(addr, page, LibC.PROT_READ | LibC.PROT_EXEC);
        return new NativeCode(addr, code.length);
    }

    /** {@return the entry address of the code: the start of its page} */
    public long address() {
        return address;
    }

    /** {@return the length of the code in bytes} */
    public int length() {
        return length;
    }

    /** {@return a JNA function handle for calling the code with the C calling convention} */
    public Function function() {
        return Function.getFunction(new Pointer(address));
    }
}
