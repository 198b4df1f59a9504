package io.jvmm.memory;

import static io.jvmm.memory.TestSupport.assertKind;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvmm.memory.MmapException.Kind;
import org.junit.jupiter.api.Test;

class MappedRegionTest {
    /** A region that supports nothing beyond its address and size, as most do. */
    private final MappedRegion plain = new MappedRegion() {
        @Override
        public long asPtr() {
            return 0x10000;
        }

        @Override
        public long size() {
            return 0x1000;
        }
    };

    @Test
    void addFdMappingIsUnsupportedByDefaultAndSaysWhere() {
        MmapException e = assertKind(Kind.ADD_FD_MAPPING_UNSUPPORTED,
            () -> plain.addFdMapping(4096, 8192, () -> 0, 0, Protection.read()));
        assertTrue(e.getMessage().contains("offset=4096") && e.getMessage().contains("size=8192"), e.getMessage());
    }

    @Test
    void removeMappingIsUnsupportedByDefaultAndSaysWhere() {
        MmapException e = assertKind(Kind.REMOVE_MAPPING_UNSUPPORTED, () -> plain.removeMapping(0, 4096));
        assertTrue(e.getMessage().contains("size=4096"), e.getMessage());
    }
}
