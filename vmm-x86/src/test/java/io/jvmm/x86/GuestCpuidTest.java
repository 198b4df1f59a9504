package io.jvmm.x86;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvmm.kvm.CpuidEntry;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * CPUID patching without KVM, on hand-made "supported" lists for an Intel and an AMD host. Expected
 * register values are written out from the SDM/APM field layouts.
 */
class GuestCpuidTest {
    // "GenuineIntel" / "AuthenticAMD" as EBX, EDX, ECX.
    private static final CpuidEntry INTEL = new CpuidEntry(0, 0, 0, 0x1f, 0x756e_6547, 0x6c65_746e, 0x4965_6e69);
    private static final CpuidEntry AMD = new CpuidEntry(0, 0, 0, 0x10, 0x6874_7541, 0x444d_4163, 0x6974_6e65);
    private static final CpuidEntry LEAF1 = new CpuidEntry(1, 0, 0, 0x000a_0f11, 0x0102_0800, 0x0120_2000, 0x178b_fbff);
    private static final int SIG = CpuidEntry.FLAG_SIGNIFICANT_INDEX;

    private static List<CpuidEntry> intelHost() {
        return List.of(INTEL, LEAF1,
            new CpuidEntry(4, 0, SIG, 0x1c00_4121, 0x01c0_003f, 0x3f, 0),   // L1d: type 1, level 1
            new CpuidEntry(4, 1, SIG, 0x1c00_4143, 0x01c0_003f, 0x3ff, 0),  // L2: type 3, level 2
            new CpuidEntry(4, 2, SIG, 0x1c03_c163, 0x03c0_003f, 0x7fff, 6), // L3: type 3, level 3
            new CpuidEntry(4, 3, SIG, 0, 0, 0, 0),                           // no more caches
            new CpuidEntry(7, 0, SIG, 0, 0x0180_0002, 4, 0xa800_0000),
            new CpuidEntry(0xb, 0, SIG, 1, 2, 0x100, 0x37),
            new CpuidEntry(0xb, 1, SIG, 6, 48, 0x201, 0x37),
            new CpuidEntry(0x1f, 0, SIG, 1, 2, 0x100, 0x37),
            new CpuidEntry(0x4000_0000, 0, 0, 0, 0, 0, 0),
            new CpuidEntry(0x4000_0001, 0, 0, 0x0100_7efb, 0, 0, 0),
            new CpuidEntry(0x8000_0008, 0, 0, 0x3030, 0, 0, 0),
            new CpuidEntry(0x8000_001e, 0, 0, 0, 0, 0, 0));
    }

    private static List<CpuidEntry> amdHost() {
        return List.of(AMD, LEAF1,
            new CpuidEntry(4, 0, SIG, 0, 0, 0, 0),
            new CpuidEntry(0xb, 0, SIG, 0, 0, 0, 0),
            new CpuidEntry(0x4000_0000, 0, 0, 0x4000_0001, 0x4b4d_564b, 0x564b_4d56, 0x4d),
            new CpuidEntry(0x4000_0001, 0, 0, 0x0100_7efb, 0, 0, 0),
            new CpuidEntry(0x8000_0008, 0, 0, 0x3030, 0x110a_d205, 0x0000_7001, 0),
            new CpuidEntry(0x8000_001d, 0, SIG, 0x121, 0x01c0_003f, 0x3f, 0),
            new CpuidEntry(0x8000_001d, 2, SIG, 0x0000_4163, 0x03c0_003f, 0x7fff, 1),
            new CpuidEntry(0x8000_001d, 4, SIG, 0, 0, 0, 0),
            new CpuidEntry(0x8000_001e, 0, 0, 0, 0x0000_0100, 0x0000_0100, 0));
    }

    private static CpuidEntry leaf(List<CpuidEntry> entries, int function, int index) {
        return entries.stream().filter(e -> e.function() == function && e.index() == index).findFirst()
            .orElseThrow(() -> new AssertionError(String.format("no leaf 0x%x.%d in %s", function, index, entries)));
    }

    private static List<CpuidEntry> subleaves(List<CpuidEntry> entries, int function) {
        return entries.stream().filter(e -> e.function() == function).collect(Collectors.toList());
    }

    @Test
    void leafOneCarriesTheApicIdTheProcessorCountAndTheHypervisorBit() {
        CpuidEntry l1 = leaf(GuestCpuid.forVcpu(intelHost(), 2, 4), 1, 0);
        assertEquals(0x0204_0800, l1.ebx(), "APIC id 2 in [31:24], 4 processors in [23:16], CLFLUSH size kept");
        assertEquals(0x8120_2000, l1.ecx(), "hypervisor bit added, the rest kept");
        assertEquals(0x178b_fbff, l1.edx(), "HTT set for several processors");
        assertEquals(LEAF1.eax(), l1.eax());

        CpuidEntry single = leaf(GuestCpuid.forVcpu(intelHost(), 0, 1), 1, 0);
        assertEquals(0x0001_0800, single.ebx());
        assertEquals(0x078b_fbff, single.edx(), "HTT cleared for one processor, even though the host has it");
    }

    @Test
    void extendedTopologyLeavesDescribeOneSocketOfSingleThreadedCores() {
        List<CpuidEntry> out = GuestCpuid.forVcpu(intelHost(), 5, 6);
        for (int leaf : new int[] {0xb, 0x1f}) {
            assertEquals(List.of(
                new CpuidEntry(leaf, 0, SIG, 0, 1, 0x100, 5),      // SMT level: shift 0, 1 thread
                new CpuidEntry(leaf, 1, SIG, 3, 6, 0x201, 5),      // core level: 3 bits for 6 cores
                new CpuidEntry(leaf, 2, SIG, 0, 0, 0x002, 5)),     // invalid level ends the list
                subleaves(out, leaf));
        }
        assertEquals(0, subleaves(GuestCpuid.forVcpu(List.of(INTEL, LEAF1), 0, 1), 0xb).size(),
            "not added where KVM does not list it");
    }

    @Test
    void intelCacheLeavesShareL1AndL2PerCoreAndL3PerPackage() {
        List<CpuidEntry> out = GuestCpuid.forVcpu(intelHost(), 0, 4);
        // [31:26] cores - 1 = 3, [25:14] threads sharing - 1.
        assertEquals((3 << 26) | (0 << 14) | 0x121, leaf(out, 4, 0).eax());
        assertEquals((3 << 26) | (0 << 14) | 0x143, leaf(out, 4, 1).eax());
        assertEquals((3 << 26) | (3 << 14) | 0x163, leaf(out, 4, 2).eax());
        assertEquals(0, leaf(out, 4, 3).eax(), "the terminating sub-leaf stays empty");
        assertEquals(0x01c0_003f, leaf(out, 4, 0).ebx(), "geometry kept");
    }

    @Test
    void amdTopologyLeavesAreRewrittenOnlyOnAmd() {
        List<CpuidEntry> out = GuestCpuid.forVcpu(amdHost(), 3, 4);
        assertEquals(0x0000_2003, leaf(out, 0x8000_0008, 0).ecx(), "ApicIdSize 2 in [15:12], NC = 3");
        assertEquals(0x121, leaf(out, 0x8000_001d, 0).eax(), "L1 private");
        assertEquals(0x4163 & ~(0xfff << 14) | (3 << 14), leaf(out, 0x8000_001d, 2).eax(), "L3 shared by 4");
        assertEquals(0, leaf(out, 0x8000_001d, 4).eax());
        CpuidEntry ext = leaf(out, 0x8000_001e, 0);
        assertEquals(3, ext.eax(), "extended APIC id");
        assertEquals(3, ext.ebx(), "core 3, one thread per core");
        assertEquals(0, ext.ecx(), "node 0 of 1");
        assertEquals(leaf(amdHost(), 4, 0), leaf(out, 4, 0), "Intel's cache leaf untouched on AMD");

        List<CpuidEntry> intel = GuestCpuid.forVcpu(intelHost(), 3, 4);
        assertEquals(leaf(intelHost(), 0x8000_0008, 0), leaf(intel, 0x8000_0008, 0), "AMD's leaves untouched on Intel");
        assertEquals(leaf(intelHost(), 0x8000_001e, 0), leaf(intel, 0x8000_001e, 0));
    }

    @Test
    void hypervisorLeafCarriesTheKvmSignatureAndTheHighestHypervisorLeaf() {
        CpuidEntry sig = leaf(GuestCpuid.forVcpu(intelHost(), 0, 1), 0x4000_0000, 0);
        assertEquals(new CpuidEntry(0x4000_0000, 0, 0, 0x4000_0001, 0x4b4d_564b, 0x564b_4d56, 0x4d), sig);

        CpuidEntry added = leaf(GuestCpuid.forVcpu(List.of(AMD, LEAF1), 0, 1), 0x4000_0000, 0);
        assertEquals(new CpuidEntry(0x4000_0000, 0, 0, 0x4000_0000, 0x4b4d_564b, 0x564b_4d56, 0x4d), added,
            "added when KVM did not list it");
    }

    @Test
    void everyOtherLeafPassesThroughInOrder() {
        List<CpuidEntry> in = intelHost();
        List<CpuidEntry> out = GuestCpuid.forVcpu(in, 0, 1);
        assertEquals(leaf(in, 7, 0), leaf(out, 7, 0));
        assertEquals(leaf(in, 0x4000_0001, 0), leaf(out, 0x4000_0001, 0));
        assertEquals(INTEL, out.get(0));
        // 0xB: 2 sub-leaves in, 3 out; 0x1F: 1 in, 3 out.
        assertEquals(in.size() + 1 + 2, out.size());
    }

    @Test
    void impossibleRequestsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> GuestCpuid.forVcpu(intelHost(), 1, 1));
        assertThrows(IllegalArgumentException.class, () -> GuestCpuid.forVcpu(intelHost(), -1, 2));
        assertThrows(IllegalArgumentException.class, () -> GuestCpuid.forVcpu(intelHost(), 0, 0));
        assertThrows(IllegalArgumentException.class, () -> GuestCpuid.forVcpu(intelHost(), 0, 256));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> GuestCpuid.forVcpu(List.of(INTEL), 0, 1));
        assertTrue(e.getMessage().contains("no leaf 1"), e.getMessage());
    }

    /**
     * Leaf 0xD as an AMD host with AVX and MPX state might list it after KVM dropped MPX (bits 3
     * and 4) from the XCR0 mask: the MPX sub-leaves must not survive, and the sizes must describe
     * x87|SSE|AVX only (576 + 256 = 832 = 0x340, as Debian's kernel computes in
     * paranoid_xstate_size_valid).
     */
    @Test
    void xsaveLeafKeepsOnlyTheComponentsOfItsMasksAndSizesThem() {
        List<CpuidEntry> in = List.of(AMD, LEAF1,
            new CpuidEntry(0xd, 0, SIG, 0x7, 0x240, 0x440, 0),      // XCR0 mask x87|SSE|AVX, a stale 0x440 size
            new CpuidEntry(0xd, 1, SIG, 0x5, 0, 0x800, 0),          // XSAVEOPT|XGETBV1; XSS mask: bit 11 (CET user)
            new CpuidEntry(0xd, 2, SIG, 0x100, 0x240, 0, 0),        // AVX: 256 bytes at 576
            new CpuidEntry(0xd, 3, SIG, 0x40, 0x3c0, 0, 0),         // MPX BNDREGS, not in the mask
            new CpuidEntry(0xd, 4, SIG, 0x40, 0x400, 0, 0),         // MPX BNDCSR, not in the mask
            new CpuidEntry(0xd, 11, SIG, 0x10, 0, 1, 0));           // CET user, a supervisor (XSS) component
        List<CpuidEntry> out = GuestCpuid.forVcpu(in, 0, 1);
        assertEquals(new CpuidEntry(0xd, 0, SIG, 0x7, 0x340, 0x340, 0), leaf(out, 0xd, 0));
        assertEquals(leaf(in, 0xd, 1), leaf(out, 0xd, 1));
        assertEquals(leaf(in, 0xd, 2), leaf(out, 0xd, 2));
        assertEquals(new CpuidEntry(0xd, 3, SIG, 0, 0, 0, 0), leaf(out, 0xd, 3));
        assertEquals(new CpuidEntry(0xd, 4, SIG, 0, 0, 0, 0), leaf(out, 0xd, 4));
        assertEquals(leaf(in, 0xd, 11), leaf(out, 0xd, 11), "in the XSS mask: stays");
    }

    @Test
    void anXsaveLeafWithOnlyLegacyStateIsTheLegacyAreaAndHeader() {
        List<CpuidEntry> out = GuestCpuid.forVcpu(List.of(INTEL, LEAF1, new CpuidEntry(0xd, 0, SIG, 0x3, 0, 0, 0)), 0, 1);
        assertEquals(new CpuidEntry(0xd, 0, SIG, 0x3, 576, 576, 0), leaf(out, 0xd, 0));
    }

    @Test
    void theTscDeadlineBitIsAddedToLeafOneOnly() {
        List<CpuidEntry> out = GuestCpuid.withTscDeadlineTimer(intelHost());
        assertEquals(LEAF1.ecx() | 1 << 24, leaf(out, 1, 0).ecx());
        assertEquals(LEAF1.withEcx(LEAF1.ecx() | GuestCpuid.FEATURES_ECX_TSC_DEADLINE), leaf(out, 1, 0));
        assertEquals(intelHost().size(), out.size());
        assertEquals(leaf(intelHost(), 7, 0), leaf(out, 7, 0));
    }

    @Test
    void apicIdBitsCoverTheCoreCount() {
        int[][] cases = {{1, 0}, {2, 1}, {3, 2}, {4, 2}, {5, 3}, {8, 3}, {9, 4}, {254, 8}, {255, 8}};
        for (int[] c : cases) {
            assertEquals(c[1], GuestCpuid.bitsFor(c[0]), "bits for " + c[0]);
        }
    }
}
