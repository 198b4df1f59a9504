package io.jvmm.kvm.sys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class IoctlEncodingTest {
    @Test
    void fieldsLandWhereAsmGenericIoctlHPutsThem() {
        // dir in bits 30-31, size in 16-29, type in 8-15, nr in 0-7
        assertEquals(0xAE01L, IoctlEncoding.io(0xAE, 0x01));
        assertEquals(0x8090AE81L, IoctlEncoding.ior(0xAE, 0x81, 0x90));
        assertEquals(0x4020AE46L, IoctlEncoding.iow(0xAE, 0x46, 0x20));
        assertEquals(0xC008AE05L, IoctlEncoding.iowr(0xAE, 0x05, 8));
    }

    @Test
    void sizesThatDoNotFitFourteenBitsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> IoctlEncoding.ior(0xAE, 1, 1 << 14));
        assertThrows(IllegalArgumentException.class, () -> IoctlEncoding.io(0x100, 1));
        assertThrows(IllegalArgumentException.class, () -> IoctlEncoding.io(0xAE, 256));
    }
}
