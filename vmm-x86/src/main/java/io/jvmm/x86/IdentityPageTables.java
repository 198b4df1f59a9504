package io.jvmm.x86;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Four-level page tables that identity-map the low {@link X86Layout#PD_COUNT} GiB with 2 MiB pages,
 * as 64-bit entry needs (boot.rst, "64-bit Boot Protocol": "a identity mapped page table"; Intel
 * SDM Vol. 3A, 4.5 "4-Level Paging"). One PML4 entry points at the PDPT; PDPT entry {@code i}
 * points at page directory {@code i}; each directory's 512 entries map 2 MiB pages (PS = 1).
 *
 * <p>The tables are contiguous from {@link X86Layout#PML4_ADDR}: PML4, PDPT, then the page
 * directories, which is what {@link #build()} returns and {@link #SIZE} measures.
 */
public final class IdentityPageTables {
    /** Paging-structure entry bit 0, P: the entry is present (maps a page or points at a table). */
    public static final long PRESENT = 1L;
    /** Paging-structure entry bit 1, R/W: writes are allowed through this entry. */
    public static final long WRITABLE = 1L << 1;
    /** In a page-directory entry: maps a 2 MiB page instead of pointing at a page table. */
    public static final long PAGE_SIZE_2M = 1L << 7;

    private static final int ENTRIES = 512;
    private static final int TABLE_BYTES = ENTRIES * 8;
    private static final long TWO_MIB = 2L << 20;
    /** Bytes from PML4_ADDR to the end of the last page directory. */
    public static final int SIZE = (2 + X86Layout.PD_COUNT) * TABLE_BYTES;

    static {
        // The tables are written as one block, so the layout must keep them adjacent.
        if (X86Layout.PDPT_ADDR != X86Layout.PML4_ADDR + TABLE_BYTES || X86Layout.PD_ADDR != X86Layout.PDPT_ADDR + TABLE_BYTES) {
            throw new ExceptionInInitializerError("X86Layout page tables must be contiguous from PML4_ADDR");
        }
    }

    private IdentityPageTables() {
    }

    /**
     * {@return the bytes of all tables, to be written at {@link X86Layout#PML4_ADDR}: {@link #SIZE} bytes,
     * little-endian, position 0, a fresh buffer; every entry present, writable, supervisor-only}
     */
    public static ByteBuffer build() {
        ByteBuffer b = ByteBuffer.allocate(SIZE).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(0, X86Layout.PDPT_ADDR | PRESENT | WRITABLE);
        for (int pd = 0; pd < X86Layout.PD_COUNT; pd++) {
            long pdAddr = X86Layout.PD_ADDR + (long) pd * TABLE_BYTES;
            b.putLong(TABLE_BYTES + pd * 8, pdAddr | PRESENT | WRITABLE);
            int pdOffset = (int) (pdAddr - X86Layout.PML4_ADDR);
            for (int i = 0; i < ENTRIES; i++) {
                long physical = ((long) pd * ENTRIES + i) * TWO_MIB;
                b.putLong(pdOffset + i * 8, physical | PRESENT | WRITABLE | PAGE_SIZE_2M);
            }
        }
        return b;
    }

    /** {@return the bytes of guest-physical address space the tables map, [0, this): {@link X86Layout#PD_COUNT} GiB} */
    public static long mappedBytes() {
        return (long) X86Layout.PD_COUNT << 30;
    }
}
