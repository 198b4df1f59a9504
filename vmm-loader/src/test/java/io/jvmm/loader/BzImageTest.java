package io.jvmm.loader;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class BzImageTest {

    private static LoaderException refused(Consumer<TestKernels.BzImageBuilder> change) {
        TestKernels.BzImageBuilder builder = new TestKernels.BzImageBuilder();
        change.accept(builder);
        byte[] file = builder.build();
        return assertThrows(LoaderException.class, () -> BzImage.parse(file));
    }

    @Test
    void headerFieldsAreReadAsTheKernelWroteThem() {
        TestKernels.BzImageBuilder b = new TestKernels.BzImageBuilder();
        b.initSize = 0x3378000;
        b.initrdAddrMax = 0x37ffffffL;
        SetupHeader h = BzImage.parse(b.build()).header();
        assertEquals(2, h.setupSects());
        assertEquals(0x020f, h.version());
        assertEquals("2.15", h.versionString());
        assertEquals(0x01, h.loadflags());
        assertEquals(0x03, h.xloadflags());
        assertEquals(0x100000, h.code32Start());
        assertEquals(0x37ffffffL, h.initrdAddrMax());
        assertEquals(0x200000, h.kernelAlignment());
        assertTrue(h.relocatable());
        assertEquals(0x7ff, h.cmdlineSize());
        assertEquals(0x1000000, h.prefAddress());
        assertEquals(0x3378000, h.initSize());
        assertEquals(0x26c, h.headerEnd());
        assertEquals(3 * 512, h.protectedModeOffset());
    }

    @Test
    void unsignedFieldsAboveTwoGigabytesStayPositive() {
        TestKernels.BzImageBuilder b = new TestKernels.BzImageBuilder();
        b.initrdAddrMax = 0xffffffffL;
        b.initSize = 0xfffff000L;
        SetupHeader h = BzImage.parse(b.build()).header();
        assertEquals(0xffffffffL, h.initrdAddrMax());
        assertEquals(0xfffff000L, h.initSize());
    }

    @Test
    void zeroSetupSectorsMeansFour() {
        TestKernels.BzImageBuilder b = new TestKernels.BzImageBuilder();
        b.setupSects = 0;
        BzImage image = BzImage.parse(b.build());
        assertEquals(4, image.header().setupSects());
        assertEquals(5 * 512, image.header().protectedModeOffset());
        assertEquals(b.payloadSize, image.protectedModeSize());
    }

    @Test
    void protectedModeKernelIsEverythingAfterTheSetupSectors() {
        TestKernels.BzImageBuilder b = new TestKernels.BzImageBuilder();
        byte[] file = b.build();
        ByteBuffer pm = BzImage.parse(file).protectedModeKernel();
        byte[] got = new byte[pm.remaining()];
        pm.get(got);
        assertArrayEquals(Arrays.copyOfRange(file, 3 * 512, file.length), got);
    }

    @Test
    void setupHeaderBytesEndWhereTheJumpSays() {
        TestKernels.BzImageBuilder b = new TestKernels.BzImageBuilder();
        b.jumpOffset = 0x66; // header ends at 0x268
        byte[] file = b.build();
        byte[] header = BzImage.parse(file).setupHeaderBytes();
        assertEquals(0x268 - 0x1f1, header.length);
        assertArrayEquals(Arrays.copyOfRange(file, 0x1f1, 0x268), header);
    }

    @Test
    void missingMagicIsRefused() {
        byte[] file = new TestKernels.BzImageBuilder().build();
        file[0x202] = 'X';
        LoaderException e = assertThrows(LoaderException.class, () -> BzImage.parse(file));
        assertEquals(LoaderException.Reason.BAD_MAGIC, e.reason());
        assertTrue(e.getMessage().contains("HdrS"), e.getMessage());
    }

    @Test
    void missingBootFlagIsRefused() {
        byte[] file = new TestKernels.BzImageBuilder().build();
        file[0x1fe] = 0;
        LoaderException e = assertThrows(LoaderException.class, () -> BzImage.parse(file));
        assertEquals(LoaderException.Reason.BAD_MAGIC, e.reason());
        assertTrue(e.getMessage().contains("0xaa55"), e.getMessage());
    }

    @Test
    void protocolOlderThan212IsRefusedNamingBothVersions() {
        LoaderException e = refused(b -> b.version = 0x020b);
        assertEquals(LoaderException.Reason.UNSUPPORTED_FORMAT, e.reason());
        assertTrue(e.getMessage().contains("2.11") && e.getMessage().contains("2.12"), e.getMessage());
    }

    @Test
    void protocol212IsAccepted() {
        TestKernels.BzImageBuilder b = new TestKernels.BzImageBuilder();
        b.version = 0x020c;
        assertEquals(0x020c, BzImage.parse(b.build()).header().version());
    }

    @Test
    void zImageWithoutLoadedHighIsRefused() {
        LoaderException e = refused(b -> b.loadflags = 0x80);
        assertEquals(LoaderException.Reason.NO_64BIT_ENTRY, e.reason());
        assertTrue(e.getMessage().contains("LOADED_HIGH"), e.getMessage());
    }

    @Test
    void kernelWithout64BitEntryIsRefused() {
        LoaderException e = refused(b -> b.xloadflags = 0x02);
        assertEquals(LoaderException.Reason.NO_64BIT_ENTRY, e.reason());
        assertTrue(e.getMessage().contains("XLF_KERNEL_64"), e.getMessage());
    }

    @Test
    void headerTooShortForProtocol212IsRefused() {
        LoaderException e = refused(b -> b.jumpOffset = 0x30);
        assertEquals(LoaderException.Reason.MALFORMED, e.reason());
    }

    @Test
    void headerReachingPastItsPlaceInBootParamsIsRefused() {
        LoaderException e = refused(b -> b.jumpOffset = 0x7f + 0x10); // negative as a signed byte
        assertEquals(LoaderException.Reason.MALFORMED, e.reason());
        TestKernels.BzImageBuilder ok = new TestKernels.BzImageBuilder();
        ok.jumpOffset = 0x7f; // 0x281: still below 0x290
        assertEquals(0x281, BzImage.parse(ok.build()).header().headerEnd());
    }

    @Test
    void relocatableKernelWithAlignmentNotAPowerOfTwoIsRefused() {
        assertEquals(LoaderException.Reason.MALFORMED, refused(b -> b.kernelAlignment = 0x300000).reason());
        assertEquals(LoaderException.Reason.MALFORMED, refused(b -> b.kernelAlignment = 0).reason());
    }

    @Test
    void fileEndingWithTheSetupSectorsIsTruncated() {
        LoaderException e = refused(b -> b.payloadSize = 0);
        assertEquals(LoaderException.Reason.TRUNCATED, e.reason());
    }

    @Test
    void everyTruncationInsideTheHeaderIsRefusedCleanly() {
        byte[] file = new TestKernels.BzImageBuilder().build();
        for (int length = 0; length <= 3 * 512; length++) {
            byte[] cut = Arrays.copyOf(file, length);
            LoaderException e = assertThrows(LoaderException.class, () -> KernelImage.parse(cut), "length " + length);
            assertTrue(e.reason() == LoaderException.Reason.TRUNCATED || e.reason() == LoaderException.Reason.BAD_MAGIC,
                "length " + length + ": " + e.reason());
        }
    }

    /** The real thing, when scripts/test-kernel.sh has been run in this checkout. */
    @Test
    void debianCloudKernelParses() throws IOException {
        Path vmlinuz = Path.of("..", "build", "test-kernel", "vmlinuz");
        assumeTrue(Files.isRegularFile(vmlinuz), "no " + vmlinuz + ": run scripts/test-kernel.sh to fetch Debian's cloud kernel");
        KernelImage image = KernelImage.parse(Files.readAllBytes(vmlinuz));
        SetupHeader h = ((BzImage) image).header();
        assertTrue(h.version() >= 0x020c, h.versionString());
        assertTrue(h.relocatable());
        assertEquals(0x1000000, h.prefAddress(), "Debian's CONFIG_PHYSICAL_START");
        assertTrue(h.initSize() > ((BzImage) image).protectedModeSize(), "init_size covers the image");
        assertTrue(h.cmdlineSize() >= 255);
    }
}
