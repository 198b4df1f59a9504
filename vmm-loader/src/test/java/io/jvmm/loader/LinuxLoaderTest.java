package io.jvmm.loader;

import static io.jvmm.loader.TestKernels.PC;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jvmm.memory.GuestRange;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LinuxLoaderTest {
    private static final long MIB = 1L << 20;
    private static final long GIB = 1L << 30;
    private static final String CMDLINE = "console=ttyS0 reboot=k panic=-1";

    private static List<GuestRange> ram(long size) {
        return List.of(GuestRamLayout.ramRanges(PC, size));
    }

    private static LoadPlan plan(long ramSize, byte[] kernel, byte[] initrd, String cmdline) {
        return LinuxLoader.plan(PC, ram(ramSize), KernelImage.parse(kernel), Optional.ofNullable(initrd), cmdline);
    }

    /** The bytes the plan writes at exactly {@code address} (null when none starts there). */
    private static byte[] writtenAt(LoadPlan plan, long address) {
        for (LoadPlan.Write w : plan.writes()) {
            if (w.address().offset() == address && w.data() != null) {
                ByteBuffer d = w.data().duplicate();
                byte[] bytes = new byte[d.remaining()];
                d.get(bytes);
                return bytes;
            }
        }
        return null;
    }

    private static ByteBuffer zeroPage(LoadPlan plan) {
        byte[] page = writtenAt(plan, 0x7000);
        assertEquals(4096, page.length);
        return ByteBuffer.wrap(page).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static void assertEveryWriteInsideRam(LoadPlan plan, List<GuestRange> ram) {
        for (LoadPlan.Write w : plan.writes()) {
            assertTrue(GuestRamLayout.inOneRange(ram, w.address().offset(), w.length()), w.what() + " at " + w.address());
        }
    }

    @Test
    void bzImageGoesTo1MiBAndIsEnteredAt0x100200WithTheZeroPageAt0x7000() {
        TestKernels.BzImageBuilder b = new TestKernels.BzImageBuilder();
        byte[] file = b.build();
        LoadPlan plan = plan(128 * MIB, file, null, CMDLINE);
        LoadedKernel k = plan.result();
        assertEquals(LoadedKernel.Format.BZIMAGE, k.format());
        assertEquals(0x100200, k.entry().offset());
        assertEquals(0x7000, k.zeroPage().offset());
        assertEquals(GuestRange.of(0x100000, b.payloadSize), k.kernel());
        assertArrayEquals(Arrays.copyOfRange(file, 3 * 512, file.length), writtenAt(plan, 0x100000));
        assertEquals(Optional.empty(), k.initrd());
        assertEveryWriteInsideRam(plan, ram(128 * MIB));
    }

    @Test
    void zeroPageCarriesTheKernelsHeaderAndEverythingTheLoaderSet() {
        TestKernels.BzImageBuilder b = new TestKernels.BzImageBuilder();
        b.loadflags = 0x01 | 0x80; // a kernel that ships CAN_USE_HEAP set: the loader clears it
        LoadPlan plan = plan(128 * MIB, b.build(), new byte[5000], CMDLINE);
        ByteBuffer zp = zeroPage(plan);
        LoadedKernel k = plan.result();
        assertEquals((byte) 0xff, zp.get(0x210), "type_of_loader");
        assertEquals((short) 0xffff, zp.getShort(0x1fa), "vid_mode normal");
        assertEquals(0x01, zp.get(0x211), "loadflags: LOADED_HIGH kept, CAN_USE_HEAP cleared");
        assertEquals(0, zp.getShort(0x224), "heap_end_ptr");
        assertEquals(0x100000, zp.getInt(0x214), "code32_start");
        assertEquals(0x20000, zp.getInt(0x228), "cmd_line_ptr");
        assertEquals(0, zp.getInt(0x0c8), "ext_cmd_line_ptr");
        assertEquals((int) k.initrd().get().start().offset(), zp.getInt(0x218), "ramdisk_image");
        assertEquals(5000, zp.getInt(0x21c), "ramdisk_size");
        assertEquals(0x200000, zp.getInt(0x230), "kernel_alignment copied: the 64-bit entry code reads it");
        assertEquals(0x020f, zp.getShort(0x206), "version copied");
        assertEquals(0x1000000, zp.getLong(0x258), "pref_address copied");
        assertEquals(3, zp.get(0x1e8), "e820_entries");
        assertEquals(0x100000, zp.getLong(0x2d0 + 40));
        assertEquals(127 * MIB, zp.getLong(0x2d0 + 48));
        assertEquals(k.e820(), GuestRamLayout.e820(PC, ram(128 * MIB)));
        assertEquals(0, zp.get(0x1ef), "sentinel");
    }

    @Test
    void commandLineIsWrittenAt0x20000WithItsNul() {
        LoadPlan plan = plan(128 * MIB, new TestKernels.BzImageBuilder().build(), null, CMDLINE);
        assertArrayEquals((CMDLINE + "\0").getBytes(), writtenAt(plan, 0x20000));
        assertEquals(0x20000, plan.result().cmdline().offset());
        assertEquals(CMDLINE.length() + 1, plan.result().cmdlineSize());
    }

    @Test
    void commandLineLongerThanTheKernelTakesIsRefused() {
        TestKernels.BzImageBuilder b = new TestKernels.BzImageBuilder();
        b.cmdlineSize = 16;
        LoaderException e = assertThrows(LoaderException.class, () -> plan(128 * MIB, b.build(), null, CMDLINE));
        assertEquals(LoaderException.Reason.BAD_COMMAND_LINE, e.reason());
        plan(128 * MIB, b.build(), null, "console=ttyS0 ab"); // exactly 16 characters
    }

    @Test
    void initrdGoesToTheTopOfRamPageAligned() {
        LoadPlan plan = plan(128 * MIB, new TestKernels.BzImageBuilder().build(), new byte[0x12345], CMDLINE);
        GuestRange initrd = plan.result().initrd().orElseThrow();
        assertEquals((128 * MIB - 0x12345) & ~0xfffL, initrd.start().offset());
        assertEquals(0x12345, initrd.size());
    }

    @Test
    void initrdStaysBelowInitrdAddrMax() {
        TestKernels.BzImageBuilder b = new TestKernels.BzImageBuilder();
        b.initrdAddrMax = 0x37ffffffL;
        GuestRange initrd = plan(2 * GIB, b.build(), new byte[0x3000], CMDLINE).result().initrd().orElseThrow();
        assertEquals(0x38000000L - 0x3000, initrd.start().offset(), "last byte exactly at initrd_addr_max");
    }

    @Test
    void initrdOfBigGuestStaysBelow2GiBNotAbove4GiB() {
        GuestRange initrd = plan(8 * GIB, new TestKernels.BzImageBuilder().build(), new byte[0x5000], CMDLINE)
            .result().initrd().orElseThrow();
        assertEquals(0x80000000L - 0x5000, initrd.start().offset());
    }

    @Test
    void initrdFillingAllRamAboveTheKernelFootprintFitsAndOneByteMoreDoesNot() {
        TestKernels.BzImageBuilder b = new TestKernels.BzImageBuilder(); // runs at 16 MiB, init_size 4 MiB
        byte[] kernel = b.build();
        GuestRange initrd = plan(24 * MIB, kernel, new byte[(int) (4 * MIB)], CMDLINE).result().initrd().orElseThrow();
        assertEquals(20 * MIB, initrd.start().offset());
        LoaderException e = assertThrows(LoaderException.class,
            () -> plan(24 * MIB, kernel, new byte[(int) (4 * MIB) + 1], CMDLINE));
        assertEquals(LoaderException.Reason.DOES_NOT_FIT, e.reason());
        assertTrue(e.getMessage().contains("initrd"), e.getMessage());
    }

    @Test
    void kernelWhoseInitSizeDoesNotFitIsRefused() {
        TestKernels.BzImageBuilder b = new TestKernels.BzImageBuilder();
        b.initSize = 0x3378000;
        LoaderException e = assertThrows(LoaderException.class, () -> plan(64 * MIB, b.build(), null, CMDLINE));
        assertEquals(LoaderException.Reason.DOES_NOT_FIT, e.reason());
        assertTrue(e.getMessage().contains("init_size"), e.getMessage());
        assertEquals(0x1000000 + 0x3378000, plan(128 * MIB, b.build(), null, CMDLINE).result().identityMapEnd());
    }

    @Test
    void relocatableKernelRunsAtItsAlignedLoadAddressWhenThatIsAbovePrefAddress() {
        TestKernels.BzImageBuilder b = new TestKernels.BzImageBuilder();
        b.prefAddress = 0;
        assertEquals(GuestRange.of(2 * MIB, 0x400000), plan(64 * MIB, b.build(), null, "").result().kernelFootprint());
        b.kernelAlignment = 0x1000;
        assertEquals(GuestRange.of(MIB, 0x400000), plan(64 * MIB, b.build(), null, "").result().kernelFootprint());
    }

    @Test
    void nonRelocatableKernelRunsAtPrefAddress() {
        TestKernels.BzImageBuilder b = new TestKernels.BzImageBuilder();
        b.relocatable = 0;
        b.prefAddress = 0x2000000;
        b.kernelAlignment = 0; // ignored when not relocatable
        assertEquals(GuestRange.of(0x2000000, 0x400000), plan(64 * MIB, b.build(), null, "").result().kernelFootprint());
    }

    @Test
    void kernelRunningAboveTheBootIdentityMapIsRefused() {
        TestKernels.BzImageBuilder b = new TestKernels.BzImageBuilder();
        b.prefAddress = 5L << 30; // inside the RAM above 4 GiB of an 8 GiB guest, but not identity-mapped
        LoaderException e = assertThrows(LoaderException.class, () -> plan(8 * GIB, b.build(), null, ""));
        assertEquals(LoaderException.Reason.DOES_NOT_FIT, e.reason());
        assertTrue(e.getMessage().contains("identity-map"), e.getMessage());
        TestKernels.ElfBuilder elf = new TestKernels.ElfBuilder();
        elf.entry = 5L << 30;
        elf.load(5L << 30, 5L << 30, TestKernels.pattern(0x100, 1), 0x100);
        assertEquals(LoaderException.Reason.DOES_NOT_FIT,
            assertThrows(LoaderException.class, () -> plan(8 * GIB, elf.build(), null, "")).reason());
    }

    @Test
    void guestTooSmallForTheKernelIsRefused() {
        TestKernels.BzImageBuilder b = new TestKernels.BzImageBuilder();
        LoaderException e = assertThrows(LoaderException.class, () -> plan(MIB, b.build(), null, ""));
        assertEquals(LoaderException.Reason.DOES_NOT_FIT, e.reason());
        assertTrue(e.getMessage().contains("give the guest more memory") || e.getMessage().contains("no guest RAM"),
            e.getMessage());
    }

    @Test
    void elfSegmentsGoToTheirPhysicalAddressesWithTheirBssZeroed() {
        TestKernels.ElfBuilder elf = TestKernels.vmlinuxLike();
        LoadPlan plan = plan(64 * MIB, elf.build(), new byte[0x2000], CMDLINE);
        LoadedKernel k = plan.result();
        assertEquals(LoadedKernel.Format.ELF, k.format());
        assertEquals(0x1000000, k.entry().offset());
        assertEquals(GuestRange.of(0x1000000, 0x205000), k.kernel());
        assertArrayEquals(TestKernels.pattern(0x2000, 3), writtenAt(plan, 0x1000000));
        assertArrayEquals(TestKernels.pattern(0x1000, 5), writtenAt(plan, 0x1200000));
        LoadPlan.Write bss = plan.writes().stream().filter(w -> w.address().offset() == 0x1201000).findFirst().orElseThrow();
        assertNull(bss.data());
        assertEquals(0x4000, bss.length());
        assertEquals(64 * MIB - 0x2000, k.initrd().orElseThrow().start().offset());
        ByteBuffer zp = zeroPage(plan);
        assertEquals((short) 0xaa55, zp.getShort(0x1fe));
        assertEquals(0x53726448, zp.getInt(0x202));
        assertEquals((byte) 0xff, zp.get(0x210));
        assertEquals(2047, zp.getInt(0x238));
        assertEquals(0x20000, zp.getInt(0x228));
        assertEquals(0, zp.getInt(0x230), "no header was copied");
        assertEveryWriteInsideRam(plan, ram(64 * MIB));
    }

    @Test
    void planWritesZerosForTheBssInChunks() {
        LoadPlan plan = plan(64 * MIB, TestKernels.vmlinuxLike().build(), null, "");
        long[] zeroed = new long[1];
        plan.writeTo((address, data) -> {
            if (address.offset() >= 0x1201000 && address.offset() < 0x1205000) {
                while (data.hasRemaining()) {
                    assertEquals(0, data.get());
                    zeroed[0]++;
                }
            }
        });
        assertEquals(0x4000, zeroed[0]);
    }

    @Test
    void elfSegmentBelow1MiBIsRefused() {
        TestKernels.ElfBuilder b = new TestKernels.ElfBuilder();
        b.entry = 0x8000;
        b.load(0x8000, 0x8000, TestKernels.pattern(0x100, 1), 0x100);
        LoaderException e = assertThrows(LoaderException.class, () -> plan(64 * MIB, b.build(), null, ""));
        assertEquals(LoaderException.Reason.DOES_NOT_FIT, e.reason());
    }

    @Test
    void elfSegmentPastTheEndOfRamIsRefused() {
        LoaderException e = assertThrows(LoaderException.class,
            () -> plan(16 * MIB, TestKernels.vmlinuxLike().build(), null, ""));
        assertEquals(LoaderException.Reason.DOES_NOT_FIT, e.reason());
    }

    @Test
    void missingUnreadableEmptyAndOversizedFilesAreRefusedByName(@TempDir Path dir) throws IOException {
        Path kernel = dir.resolve("bzImage");
        Files.write(kernel, new TestKernels.BzImageBuilder().build());
        List<GuestRange> ram = ram(64 * MIB);

        LoaderException missing = assertThrows(LoaderException.class,
            () -> LinuxLoader.plan(PC, ram, dir.resolve("nope"), Optional.empty(), ""));
        assertEquals(LoaderException.Reason.UNREADABLE_FILE, missing.reason());
        assertTrue(missing.getMessage().contains("nope") && missing.getMessage().contains("no such file"), missing.getMessage());

        LoaderException directory = assertThrows(LoaderException.class,
            () -> LinuxLoader.plan(PC, ram, dir, Optional.empty(), ""));
        assertEquals(LoaderException.Reason.UNREADABLE_FILE, directory.reason());

        Path empty = Files.write(dir.resolve("empty"), new byte[0]);
        assertEquals(LoaderException.Reason.TRUNCATED,
            assertThrows(LoaderException.class, () -> LinuxLoader.plan(PC, ram, empty, Optional.empty(), "")).reason());
        assertEquals(LoaderException.Reason.TRUNCATED,
            assertThrows(LoaderException.class, () -> LinuxLoader.plan(PC, ram, kernel, Optional.of(empty), "")).reason());

        Path big = dir.resolve("big");
        try (var f = new java.io.RandomAccessFile(big.toFile(), "rw")) {
            f.setLength(64 * MIB + 1); // sparse
        }
        LoaderException tooBig = assertThrows(LoaderException.class,
            () -> LinuxLoader.plan(PC, ram, kernel, Optional.of(big), ""));
        assertEquals(LoaderException.Reason.DOES_NOT_FIT, tooBig.reason());
        assertTrue(tooBig.getMessage().contains("initrd"), tooBig.getMessage());
        assertEquals(LoaderException.Reason.DOES_NOT_FIT,
            assertThrows(LoaderException.class, () -> LinuxLoader.plan(PC, ram, big, Optional.empty(), "")).reason());

        LoadPlan ok = LinuxLoader.plan(PC, ram, kernel, Optional.empty(), CMDLINE);
        assertEquals(0x100200, ok.result().entry().offset());
    }

    /**
     * A bzImage that is not relocatable runs where pref_address says; below highMemoryStart its
     * decompressor would overwrite the boot structures, so it is refused before any write.
     */
    @Test
    void aNonRelocatableBzImageThatWouldRunOverTheBootStructuresIsRefused() {
        TestKernels.BzImageBuilder low = new TestKernels.BzImageBuilder();
        low.relocatable = 0;
        low.prefAddress = 0x1000;
        LoaderException e = assertThrows(LoaderException.class, () -> plan(128 * MIB, low.build(), null, CMDLINE));
        assertEquals(LoaderException.Reason.DOES_NOT_FIT, e.reason());
        assertTrue(e.getMessage().contains("0x1000") && e.getMessage().contains("not relocatable"), e.getMessage());
        TestKernels.BzImageBuilder high = new TestKernels.BzImageBuilder();
        high.relocatable = 0;
        high.prefAddress = 0x100000;
        assertEquals(0x100000, plan(128 * MIB, high.build(), null, CMDLINE).result().kernelFootprint().start().offset(),
            "at highMemoryStart it is accepted");
    }

    /** The real Debian kernel and initramfs, when scripts/test-kernel.sh has been run in this checkout. */
    @Test
    void debianCloudKernelAndTestInitramfsPlanInto512MiB() {
        Path dir = Path.of("..", "build", "test-kernel");
        Path vmlinuz = dir.resolve("vmlinuz");
        Path initramfs = dir.resolve("initramfs.cpio.gz");
        assumeTrue(Files.isRegularFile(vmlinuz) && Files.isRegularFile(initramfs),
            "no " + dir + "/{vmlinuz,initramfs.cpio.gz}: run scripts/test-kernel.sh");
        List<GuestRange> ram = ram(512 * MIB);
        LoadPlan plan = LinuxLoader.plan(PC, ram, vmlinuz, Optional.of(initramfs), CMDLINE);
        LoadedKernel k = plan.result();
        assertEquals(0x100200, k.entry().offset());
        GuestRange initrd = k.initrd().orElseThrow();
        long footprintEnd = k.kernelFootprint().start().offset() + k.kernelFootprint().size();
        assertTrue(initrd.start().offset() >= footprintEnd, "initrd above the decompression area");
        assertTrue(initrd.start().offset() + initrd.size() <= 512 * MIB);
        assertEquals(0, initrd.start().offset() % 4096);
        assertFalse(k.identityMapEnd() > 4 * GIB);
        assertEveryWriteInsideRam(plan, ram);
    }
}
