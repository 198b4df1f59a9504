package io.jvmm.loader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Offsets are written out as literals from zero-page.rst and boot.rst, not taken from BootParamsLayout. */
class BootParamsTest {

    private static ByteBuffer page(BootParams params) {
        ByteBuffer b = params.asByteBuffer();
        assertEquals(4096, b.remaining());
        assertEquals(ByteOrder.LITTLE_ENDIAN, b.order());
        return b;
    }

    @Test
    void setupHeaderIsCopiedFrom0x1f1UpToTheEndTheJumpGives() {
        TestKernels.BzImageBuilder builder = new TestKernels.BzImageBuilder();
        builder.jumpOffset = 0x66; // header ends at 0x268; the file holds 0xcc after it
        byte[] file = builder.build();
        ByteBuffer b = page(BootParams.withSetupHeader(BzImage.parse(file)));
        for (int i = 0; i < 4096; i++) {
            byte expected = i >= 0x1f1 && i < 0x268 ? file[i] : 0;
            assertEquals(expected, b.get(i), String.format("byte 0x%x", i));
        }
        assertEquals(0, b.get(0x1ef), "sentinel stays zero, or the kernel wipes the fields we set");
    }

    @Test
    void setupHeaderThatWouldPassItsSlotIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> BootParams.withSetupHeaderBytes(new byte[0x290 - 0x1f1 + 1]));
        BootParams.withSetupHeaderBytes(new byte[0x290 - 0x1f1]);
    }

    @Test
    void loaderFieldsLandAtTheirOffsets() {
        ByteBuffer b = page(BootParams.empty()
            .typeOfLoader(0xff)
            .vidMode(0xffff)
            .loadflags(0x81)
            .code32Start(0x100000)
            .commandLine(0x20000)
            .cmdlineSize(2047)
            .ramdisk(0x7f00000, 0x123456)
            .bootFlagAndSignature());
        assertEquals((byte) 0xff, b.get(0x210));
        assertEquals((short) 0xffff, b.getShort(0x1fa));
        assertEquals((byte) 0x81, b.get(0x211));
        assertEquals(0x100000, b.getInt(0x214));
        assertEquals(0x20000, b.getInt(0x228));
        assertEquals(0, b.getInt(0x0c8));
        assertEquals(2047, b.getInt(0x238));
        assertEquals(0x7f00000, b.getInt(0x218));
        assertEquals(0x123456, b.getInt(0x21c));
        assertEquals(0, b.getInt(0x0c0));
        assertEquals(0, b.getInt(0x0c4));
        assertEquals((short) 0xaa55, b.getShort(0x1fe));
        assertEquals('H', b.get(0x202));
        assertEquals('S', b.get(0x205));
    }

    @Test
    void addressesAbove4GiBSplitIntoTheExtFields() {
        ByteBuffer b = page(BootParams.empty()
            .commandLine(0x1_2345_6000L)
            .ramdisk(0x2_8000_0000L, 0x1_0000_1000L));
        assertEquals(0x2345_6000, b.getInt(0x228));
        assertEquals(0x1, b.getInt(0x0c8));
        assertEquals(0x8000_0000, b.getInt(0x218));
        assertEquals(0x2, b.getInt(0x0c0));
        assertEquals(0x1000, b.getInt(0x21c));
        assertEquals(0x1, b.getInt(0x0c4));
    }

    @Test
    void e820EntriesArePacked20BytesFrom0x2d0WithTheirCountAt0x1e8() {
        List<E820Entry> map = List.of(
            new E820Entry(0, 0x9fc00, E820Entry.Type.RAM),
            new E820Entry(0x9fc00, 0x60400, E820Entry.Type.RESERVED),
            new E820Entry(0x100000, 0x7f00000, E820Entry.Type.RAM));
        ByteBuffer b = page(BootParams.empty().e820(map));
        assertEquals(3, b.get(0x1e8));
        assertEquals(0, b.getLong(0x2d0));
        assertEquals(0x9fc00, b.getLong(0x2d8));
        assertEquals(1, b.getInt(0x2e0));
        assertEquals(0x9fc00, b.getLong(0x2e4));
        assertEquals(0x60400, b.getLong(0x2ec));
        assertEquals(2, b.getInt(0x2f4));
        assertEquals(0x100000, b.getLong(0x2f8));
        assertEquals(0x7f00000, b.getLong(0x300));
        assertEquals(1, b.getInt(0x308));
        for (int i = 0x30c; i < 0xcd0; i++) {
            assertEquals(0, b.get(i), String.format("byte 0x%x after the last entry", i));
        }
    }

    @Test
    void e820TableRewriteClearsOldEntries() {
        BootParams params = BootParams.empty();
        params.e820(List.of(new E820Entry(0, 0x1000, E820Entry.Type.RAM), new E820Entry(0x100000, 0x1000, E820Entry.Type.RAM)));
        params.e820(List.of(new E820Entry(0, 0x2000, E820Entry.Type.RAM)));
        ByteBuffer b = page(params);
        assertEquals(1, b.get(0x1e8));
        assertEquals(0x2000, b.getLong(0x2d8));
        assertEquals(0, b.getLong(0x2e4));
        assertEquals(0, b.getInt(0x2f4));
    }

    @Test
    void fullTableOf128EntriesFitsAndOneMoreIsRefused() {
        List<E820Entry> map = new ArrayList<>();
        for (int i = 0; i < 128; i++) {
            map.add(new E820Entry(i * 0x10000L, 0x1000, E820Entry.Type.RAM));
        }
        ByteBuffer b = page(BootParams.empty().e820(map));
        assertEquals((byte) 128, b.get(0x1e8));
        assertEquals(127 * 0x10000L, b.getLong(0x2d0 + 127 * 20));
        map.add(new E820Entry(0x1000_0000L, 0x1000, E820Entry.Type.RAM));
        assertThrows(IllegalArgumentException.class, () -> BootParams.empty().e820(map));
    }

    @Test
    void fieldValuesTooWideForTheirSlotAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> BootParams.empty().typeOfLoader(0x100));
        assertThrows(IllegalArgumentException.class, () -> BootParams.empty().vidMode(0x10000));
        assertThrows(IllegalArgumentException.class, () -> BootParams.empty().code32Start(0x1_0000_0000L));
    }

    @Test
    void viewIsReadOnlyAndIndependentOfLaterChanges() {
        BootParams params = BootParams.empty();
        ByteBuffer view = params.asByteBuffer();
        assertThrows(java.nio.ReadOnlyBufferException.class, () -> view.put(0, (byte) 1));
        view.position(100);
        assertEquals(0, params.asByteBuffer().position());
    }
}
