package io.jvmm.x86;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvmm.kvm.Segment;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** Descriptor, page-table and layout arithmetic, checked without KVM. */
class X86SetupTest {
    @Test
    void bootDescriptorsHaveTheArchitecturalEncoding() {
        long[] gdt = Gdt.bootEntries();
        assertEquals(0L, gdt[0]);
        // Flat 4 GiB limit (0xfffff pages), base 0: access byte and flags per SDM figure 3-8.
        assertEquals(0x00af_9b00_0000_ffffL, gdt[Gdt.CODE64_INDEX]);
        assertEquals(0x00cf_9300_0000_ffffL, gdt[Gdt.DATA_INDEX]);
        assertEquals(0x008f_8b00_0000_ffffL, gdt[Gdt.TSS_INDEX]);
        // base 0x12783456 splits into bits 56..63 and 16..39; access 0x93 in 40..47, flags 0x4 in 52..55.
        assertEquals(0x1240_9378_3456_0fffL, Gdt.entry(0x4093, 0x1278_3456L, 0x0fff));
    }

    @Test
    void descriptorsDecodeIntoTheHiddenSegmentStateKvmExpects() {
        Segment code = Gdt.segment(Gdt.bootEntries()[Gdt.CODE64_INDEX], Gdt.CODE64_INDEX);
        assertEquals(Gdt.CODE64_SELECTOR, code.selector());
        assertEquals(0, code.base());
        assertEquals(0xffff_ffff, code.limit()); // G = 1: limit in bytes
        assertEquals(0xb, code.type());
        assertTrue(code.present() && code.s() && code.l() && code.g());
        assertFalse(code.db()); // L = 1 requires D = 0
        Segment data = Gdt.segment(Gdt.bootEntries()[Gdt.DATA_INDEX], Gdt.DATA_INDEX);
        assertEquals(3, data.type());
        assertTrue(data.db() && !data.l());
        Segment tss = Gdt.segment(Gdt.bootEntries()[Gdt.TSS_INDEX], Gdt.TSS_INDEX);
        assertEquals(0xb, tss.type());
        assertFalse(tss.s());
        assertTrue(Gdt.segment(0, 0).unusable());
    }

    @Test
    void descriptorFieldsOutOfRangeAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> Gdt.entry(0x0f00, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> Gdt.entry(0x9b, 1L << 32, 0));
        assertThrows(IllegalArgumentException.class, () -> Gdt.entry(0x9b, 0, 0x100000));
    }

    @Test
    void pageTablesIdentityMapEveryTwoMebibytePageOfTheLowGibibytes() {
        ByteBuffer t = IdentityPageTables.build();
        assertEquals(IdentityPageTables.SIZE, t.capacity());
        long flags = IdentityPageTables.PRESENT | IdentityPageTables.WRITABLE;
        assertEquals(X86Layout.PDPT_ADDR | flags, t.getLong(0));
        for (int i = 1; i < 512; i++) {
            assertEquals(0, t.getLong(i * 8), "PML4 entry " + i);
        }
        for (long va = 0; va < IdentityPageTables.mappedBytes(); va += 0x20_0000 * 7 + 0x1234) {
            assertEquals(va, walk(t, va), String.format("address 0x%x", va));
        }
        assertEquals(IdentityPageTables.mappedBytes() - 1, walk(t, IdentityPageTables.mappedBytes() - 1));
    }

    /** Translates {@code va} through the tables as the MMU would (4-level, 2 MiB leaves). */
    private static long walk(ByteBuffer t, long va) {
        long pml4e = t.getLong((int) (((va >>> 39) & 511) * 8));
        assertTrue((pml4e & 1) != 0, "PML4E present");
        long pdpte = t.getLong((int) ((pml4e & ~0xfffL) - X86Layout.PML4_ADDR + ((va >>> 30) & 511) * 8));
        assertTrue((pdpte & 1) != 0, "PDPTE present");
        long pde = t.getLong((int) ((pdpte & ~0xfffL) - X86Layout.PML4_ADDR + ((va >>> 21) & 511) * 8));
        assertTrue((pde & 1) != 0 && (pde & IdentityPageTables.PAGE_SIZE_2M) != 0, "2 MiB PDE present");
        return (pde & ~0x1f_ffffL & 0x000f_ffff_ffff_f000L) | (va & 0x1f_ffff);
    }

    @Test
    void lowMemoryLayoutDoesNotOverlap() {
        long[][] areas = {
            {X86Layout.GDT_ADDR, X86Layout.GDT_ADDR + X86Layout.GDT_ENTRIES * 8},
            {X86Layout.IDT_ADDR, X86Layout.IDT_ADDR + 8},
            {X86Layout.ZERO_PAGE_ADDR, X86Layout.ZERO_PAGE_ADDR + 0x1000},
            {X86Layout.MAILBOX_ADDR, X86Layout.BOOT_STACK_POINTER},
            {X86Layout.PML4_ADDR, X86Layout.PML4_ADDR + IdentityPageTables.SIZE},
            {X86Layout.REAL_MODE_LOAD_ADDR, X86Layout.CMDLINE_ADDR},
            {X86Layout.CMDLINE_ADDR, X86Layout.CMDLINE_ADDR + X86Layout.CMDLINE_MAX_SIZE},
        };
        for (int i = 0; i < areas.length; i++) {
            for (int j = i + 1; j < areas.length; j++) {
                assertTrue(areas[i][1] <= areas[j][0] || areas[j][1] <= areas[i][0], "areas " + i + " and " + j + " overlap");
            }
        }
    }
}
