package io.jvmm.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvmm.core.LibC;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProtectionTest {
    private static final List<Protection> ALL =
        List.of(Protection.readWrite(), Protection.read(), Protection.write(), Protection.none());

    @Test
    void namedProtectionsHaveTheirBits() {
        assertTrue(Protection.readWrite().canRead() && Protection.readWrite().canWrite());
        assertTrue(Protection.read().canRead() && !Protection.read().canWrite());
        assertTrue(!Protection.write().canRead() && Protection.write().canWrite());
        assertTrue(!Protection.none().canRead() && !Protection.none().canWrite());
    }

    @Test
    void toProtGivesMmapBits() {
        assertEquals(LibC.PROT_READ | LibC.PROT_WRITE, Protection.readWrite().toProt());
        assertEquals(LibC.PROT_READ, Protection.read().toProt());
        assertEquals(LibC.PROT_WRITE, Protection.write().toProt());
        assertEquals(LibC.PROT_NONE, Protection.none().toProt());
    }

    @Test
    void allowsMeansEveryPermissionOfTheOtherIsGranted() {
        for (Protection p : ALL) {
            for (Protection q : ALL) {
                boolean expected = (p.canRead() || !q.canRead()) && (p.canWrite() || !q.canWrite());
                assertEquals(expected, p.allows(q), p + " allows " + q);
            }
            assertTrue(p.allows(Protection.none()));
            assertTrue(Protection.readWrite().allows(p));
            assertTrue(p.allows(p));
        }
        assertFalse(Protection.read().allows(Protection.write()));
        assertFalse(Protection.write().allows(Protection.read()));
    }

    @Test
    void protectionsAreValuesComparedByTheirBits() {
        assertEquals(Protection.read(), new Protection(true, false));
        assertEquals(Protection.read().hashCode(), new Protection(true, false).hashCode());
    }
}
