package io.jvmm.x86;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jvmm.kvm.MsrEntry;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The boot MSR set and its selection by KVM's index list, without KVM. */
class BootMsrsTest {
    @Test
    void bootValuesAreThoseOfAMachineFirmwareJustLeft() {
        assertEquals(List.of(
            new MsrEntry(0x174, 0), new MsrEntry(0x175, 0), new MsrEntry(0x176, 0),
            new MsrEntry(0xc000_0081, 0), new MsrEntry(0xc000_0083, 0), new MsrEntry(0xc000_0102, 0),
            new MsrEntry(0xc000_0084, 0), new MsrEntry(0xc000_0082, 0),
            new MsrEntry(0x10, 0),
            new MsrEntry(0x1a0, 1),          // fast strings
            new MsrEntry(0x2ff, 0x806)),     // MTRRs on, default write-back
            BootMsrs.all());
    }

    @Test
    void listedMsrsAreSetAndUnlistedOnesOnlyWhenKvmHandlesThem() {
        int[] listed = {0x10, 0x174, 0x175, 0x176, 0xc000_0081, 0xc000_0082, 0xc000_0084, 0xc000_0102, 0x1a0, 0x4b56_4d00};
        List<Integer> asked = new ArrayList<>();
        List<MsrEntry> chosen = BootMsrs.supported(listed, index -> {
            asked.add(index);
            return index == BootMsrs.IA32_MTRR_DEF_TYPE;
        });
        assertEquals(List.of(BootMsrs.MSR_CSTAR, BootMsrs.IA32_MTRR_DEF_TYPE), asked, "only the unlisted are probed");
        List<Integer> indices = chosen.stream().map(MsrEntry::index).toList();
        assertEquals(List.of(0x174, 0x175, 0x176, 0xc000_0081, 0xc000_0102, 0xc000_0084, 0xc000_0082, 0x10, 0x1a0, 0x2ff), indices,
            "CSTAR is neither listed nor handled, so it is left out");
        assertEquals(List.of(), BootMsrs.supported(new int[0], index -> false));
    }
}
