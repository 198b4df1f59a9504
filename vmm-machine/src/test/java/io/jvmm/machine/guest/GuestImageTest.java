package io.jvmm.machine.guest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class GuestImageTest {
    private static final byte[] CODE = {(byte) 0xfa, (byte) 0xf4};

    @Test
    void entryOutsideTheImageIsRefusedWithTheRange() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new GuestImage("raw", CODE, 0x100000, 0x100002, CpuMode.LONG));
        assertEquals("guest image raw: entry 0x100002 lies outside the image [0x100000, 0x100002)", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new GuestImage("raw", CODE, 0x100000, 0xfffff, CpuMode.LONG));
    }

    @Test
    void emptyImagesAndNegativeAddressesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new GuestImage("raw", new byte[0], 0, 0, CpuMode.LONG));
        assertThrows(IllegalArgumentException.class, () -> new GuestImage("raw", CODE, -2, -2, CpuMode.LONG));
        assertThrows(IllegalArgumentException.class,
                () -> new GuestImage("raw", CODE, Long.MAX_VALUE - 1, Long.MAX_VALUE - 1, CpuMode.LONG));
    }

    @Test
    void realModeImagesNeedASegmentAlignedLoadAddressBelowOneMebibyte() {
        assertThrows(IllegalArgumentException.class, () -> new GuestImage("r", CODE, 0x10008, 0x10008, CpuMode.REAL));
        assertThrows(IllegalArgumentException.class, () -> new GuestImage("r", CODE, 0x100000, 0x100000, CpuMode.REAL));
        assertThrows(IllegalArgumentException.class,
                () -> new GuestImage("r", new byte[0x10001], 0x10000, 0x10000, CpuMode.REAL));
        new GuestImage("r", new byte[0x10000], 0xffff0, 0xffff0, CpuMode.REAL);
    }

    @Test
    void bytesAreCopiedInAndOut() {
        byte[] code = CODE.clone();
        GuestImage image = new GuestImage("raw", code, 0x1000, 0x1001, CpuMode.LONG);
        code[0] = 0;
        image.image()[1] = 0;
        assertArrayEquals(CODE, image.image());
        assertEquals(2, image.size());
        assertEquals(0x1002, image.endAddress());
    }

    @Test
    void imagesAreEqualByContent() {
        GuestImage a = new GuestImage("raw", CODE, 0x1000, 0x1000, CpuMode.LONG);
        GuestImage b = new GuestImage("raw", CODE.clone(), 0x1000, 0x1000, CpuMode.LONG);
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        assertNotEquals(a, new GuestImage("raw", CODE, 0x1000, 0x1001, CpuMode.LONG));
        assertTrue(a.toString().contains("2 bytes at 0x1000"));
    }
}
