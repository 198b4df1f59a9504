package io.jvmm.loader;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class ElfKernelTest {

    private static LoaderException.Reason refusal(byte[] file) {
        return assertThrows(LoaderException.class, () -> KernelImage.parse(file)).reason();
    }

    @Test
    void ptLoadSegmentsAreReadSortedByPhysicalAddressAndOtherHeadersSkipped() {
        TestKernels.ElfBuilder b = new TestKernels.ElfBuilder();
        b.entry = 0x1000000;
        b.load(0x1200000, 0x1200000, TestKernels.pattern(0x100, 2), 0x1000);
        b.note(TestKernels.pattern(0x10, 1));
        b.load(0x1000000, 0x1000000, TestKernels.pattern(0x200, 4), 0x200);
        ElfKernel elf = assertInstanceOf(ElfKernel.class, KernelImage.parse(b.build()));
        List<ElfKernel.Segment> s = elf.segments();
        assertEquals(2, s.size());
        assertEquals(0x1000000, s.get(0).paddr());
        assertEquals(0x200, s.get(0).fileSize());
        assertEquals(0x1200000, s.get(1).paddr());
        assertEquals(0x100, s.get(1).fileSize());
        assertEquals(0x1000, s.get(1).memSize());
        ByteBuffer data = elf.segmentData(s.get(1));
        byte[] got = new byte[data.remaining()];
        data.get(got);
        assertArrayEquals(TestKernels.pattern(0x100, 2), got);
    }

    @Test
    void physicalEntryOfLinuxVmlinuxIsKept() {
        ElfKernel elf = ElfKernel.parse(TestKernels.vmlinuxLike().build());
        assertEquals(0x1000000, elf.entry());
    }

    @Test
    void virtualEntryIsTranslatedThroughItsSegment() {
        TestKernels.ElfBuilder b = TestKernels.vmlinuxLike();
        b.entry = 0xffffffff81200010L;
        assertEquals(0x1200010, ElfKernel.parse(b.build()).entry());
    }

    @Test
    void entryOutsideEverySegmentIsRefused() {
        TestKernels.ElfBuilder b = TestKernels.vmlinuxLike();
        b.entry = 0x1002000; // just past the first segment's bytes
        assertEquals(LoaderException.Reason.MALFORMED, refusal(b.build()));
        b.entry = 0x1201000; // inside the second segment's bss only
        assertEquals(LoaderException.Reason.MALFORMED, refusal(b.build()));
    }

    @Test
    void otherClassesMachinesAndTypesAreUnsupported() {
        TestKernels.ElfBuilder b = TestKernels.vmlinuxLike();
        b.elfClass = 1;
        assertEquals(LoaderException.Reason.UNSUPPORTED_FORMAT, refusal(b.build()));
        b = TestKernels.vmlinuxLike();
        b.dataEncoding = 2;
        assertEquals(LoaderException.Reason.UNSUPPORTED_FORMAT, refusal(b.build()));
        LoaderException e = assertThrows(LoaderException.class, () -> ElfKernel.parse(machine(3)));
        assertEquals(LoaderException.Reason.UNSUPPORTED_FORMAT, e.reason());
        assertTrue(e.getMessage().contains("x86-64"), e.getMessage());
        b = TestKernels.vmlinuxLike();
        b.type = 3;
        assertEquals(LoaderException.Reason.UNSUPPORTED_FORMAT, refusal(b.build()));
    }

    private static byte[] machine(int machine) {
        TestKernels.ElfBuilder b = TestKernels.vmlinuxLike();
        b.machine = machine;
        return b.build();
    }

    @Test
    void fileSizeLargerThanMemorySizeIsMalformed() {
        TestKernels.ElfBuilder b = new TestKernels.ElfBuilder();
        b.entry = 0x1000000;
        b.load(0x1000000, 0x1000000, TestKernels.pattern(0x100, 1), 0x80);
        assertEquals(LoaderException.Reason.MALFORMED, refusal(b.build()));
    }

    @Test
    void overlappingSegmentsAreMalformed() {
        TestKernels.ElfBuilder b = new TestKernels.ElfBuilder();
        b.entry = 0x1000000;
        b.load(0x1000000, 0x1000000, TestKernels.pattern(0x100, 1), 0x2000);
        b.load(0x1001000, 0x1001000, TestKernels.pattern(0x100, 1), 0x100);
        assertEquals(LoaderException.Reason.MALFORMED, refusal(b.build()));
    }

    @Test
    void segmentWrappingTheAddressSpaceIsMalformed() {
        TestKernels.ElfBuilder b = new TestKernels.ElfBuilder();
        b.entry = 0xfffffffffffff000L;
        b.load(0xfffffffffffff000L, 0xfffffffffffff000L, TestKernels.pattern(0x100, 1), 0x1000);
        assertEquals(LoaderException.Reason.MALFORMED, refusal(b.build()));
    }

    @Test
    void noLoadableSegmentIsMalformed() {
        TestKernels.ElfBuilder b = new TestKernels.ElfBuilder();
        b.note(TestKernels.pattern(0x10, 1));
        assertEquals(LoaderException.Reason.MALFORMED, refusal(b.build()));
    }

    @Test
    void segmentReachingPastTheFileIsTruncated() {
        byte[] file = TestKernels.vmlinuxLike().build();
        ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN).putLong(64 + 32, 0x10_0000); // p_filesz of phdr 0
        ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN).putLong(64 + 40, 0x10_0000); // and p_memsz
        assertEquals(LoaderException.Reason.TRUNCATED, refusal(file));
    }

    @Test
    void hugeOffsetsDoNotOverflowTheBoundsCheck() {
        byte[] file = TestKernels.vmlinuxLike().build();
        ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(64 + 8, -8L); // p_offset 0xffff...fff8, p_filesz 0x2000: the sum wraps to a small number
        assertEquals(LoaderException.Reason.TRUNCATED, refusal(file));
        byte[] file2 = TestKernels.vmlinuxLike().build();
        ByteBuffer.wrap(file2).order(ByteOrder.LITTLE_ENDIAN).putLong(32, Long.MIN_VALUE); // e_phoff
        assertEquals(LoaderException.Reason.TRUNCATED, refusal(file2));
    }

    @Test
    void wrongProgramHeaderSizeIsMalformed() {
        byte[] file = TestKernels.vmlinuxLike().build();
        ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN).putShort(54, (short) 32);
        assertEquals(LoaderException.Reason.MALFORMED, refusal(file));
    }

    @Test
    void everyTruncationBeforeTheLastLoadedByteIsRefusedCleanly() {
        byte[] file = TestKernels.vmlinuxLike().build();
        int noteSize = 0x40; // the PT_NOTE's bytes come last and are not loaded
        for (int length = 0; length < file.length - noteSize; length++) {
            byte[] cut = Arrays.copyOf(file, length);
            assertThrows(LoaderException.class, () -> KernelImage.parse(cut), "length " + length);
        }
        assertEquals(2, ElfKernel.parse(Arrays.copyOf(file, file.length - noteSize)).segments().size());
    }
}
