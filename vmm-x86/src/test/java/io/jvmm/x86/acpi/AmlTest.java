package io.jvmm.x86.acpi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * Every AML encoder against bytes worked out by hand from ACPI 6.4 chapter 20 (opcodes from 20.3,
 * PkgLength from 20.2.4) and the resource descriptor layouts of 6.4.
 */
class AmlTest {
    static byte[] bytes(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            b[i] = (byte) values[i];
        }
        return b;
    }

    @Test
    void pkgLengthUsesOneByteUpTo63IncludingItself() {
        assertArrayEquals(bytes(0x01), PkgLength.encode(0));
        assertArrayEquals(bytes(0x3f), PkgLength.encode(62));
    }

    @Test
    void pkgLengthSwitchesToTwoBytesWhenTheTotalPasses63() {
        // body 63: two bytes, total 65 = 0x041: lead 01 00 0001 (one byte follows, nibble 1), then 0x04.
        assertArrayEquals(bytes(0x41, 0x04), PkgLength.encode(63));
        // The largest two-byte value, 0xFFF.
        assertArrayEquals(bytes(0x4f, 0xff), PkgLength.encode(0xfff - 2));
    }

    @Test
    void pkgLengthUsesThreeAndFourBytesForLargeBodies() {
        // body 4094: two bytes would give 4096, which needs 13 bits; three bytes give 4097 = 0x1001.
        assertArrayEquals(bytes(0x81, 0x00, 0x01), PkgLength.encode(4094));
        assertArrayEquals(bytes(0x8f, 0xff, 0xff), PkgLength.encode((1 << 20) - 1 - 3));
        // body 2^20 - 3: three bytes would give 2^20, so four: 0x100001.
        assertArrayEquals(bytes(0xc1, 0x00, 0x00, 0x01), PkgLength.encode((1 << 20) - 3));
        assertArrayEquals(bytes(0xcf, 0xff, 0xff, 0xff), PkgLength.encode(PkgLength.MAX - 4));
        assertThrows(IllegalArgumentException.class, () -> PkgLength.encode(PkgLength.MAX - 3));
        assertThrows(IllegalArgumentException.class, () -> PkgLength.encode(-1));
    }

    @Test
    void integersTakeTheShortestEncoding() {
        assertArrayEquals(bytes(0x00), Aml.integer(0).toBytes());
        assertArrayEquals(bytes(0x01), Aml.integer(1).toBytes());
        assertArrayEquals(bytes(0xff), Aml.integer(-1).toBytes());
        assertArrayEquals(bytes(0x0a, 0x02), Aml.integer(2).toBytes());
        assertArrayEquals(bytes(0x0a, 0xff), Aml.integer(0xff).toBytes());
        assertArrayEquals(bytes(0x0b, 0x00, 0x01), Aml.integer(0x100).toBytes());
        assertArrayEquals(bytes(0x0b, 0xff, 0xff), Aml.integer(0xffff).toBytes());
        assertArrayEquals(bytes(0x0c, 0x00, 0x00, 0x01, 0x00), Aml.integer(0x10000).toBytes());
        assertArrayEquals(bytes(0x0c, 0xff, 0xff, 0xff, 0xff), Aml.integer(0xffff_ffffL).toBytes());
        assertArrayEquals(bytes(0x0e, 0, 0, 0, 0, 1, 0, 0, 0), Aml.integer(0x1_0000_0000L).toBytes());
        assertArrayEquals(bytes(0x0e, 0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff), Aml.integer(-2).toBytes());
    }

    @Test
    void stringsAreAsciiWithATerminatingNul() {
        assertArrayEquals(bytes(0x0d, 'L', 'N', 'R', 'O', '0', '0', '0', '5', 0x00), Aml.string("LNRO0005").toBytes());
        assertArrayEquals(bytes(0x0d, 0x00), Aml.string("").toBytes());
        assertThrows(IllegalArgumentException.class, () -> Aml.string("caf\u00e9"));
        assertThrows(IllegalArgumentException.class, () -> Aml.string("a\0b"));
    }

    @Test
    void nameSegsArePaddedWithUnderscores() {
        assertArrayEquals(bytes('R', 'T', 'C', '_'), AmlName.nameSeg("RTC"));
        assertArrayEquals(bytes('_', 'H', 'I', 'D'), AmlName.nameSeg("_HID"));
        assertThrows(IllegalArgumentException.class, () -> AmlName.nameSeg("1ABC"));
        assertThrows(IllegalArgumentException.class, () -> AmlName.nameSeg("ABCDE"));
        assertThrows(IllegalArgumentException.class, () -> AmlName.nameSeg("com1"));
        assertThrows(IllegalArgumentException.class, () -> AmlName.nameSeg(""));
    }

    @Test
    void namePathsUseRootParentDualAndMultiPrefixes() {
        assertArrayEquals(bytes(0x5c, '_', 'S', 'B', '_'), AmlName.nameString("\\_SB"));
        assertArrayEquals(bytes(0x5c, 0x2e, '_', 'S', 'B', '_', 'C', 'O', 'M', '1'), AmlName.nameString("\\_SB.COM1"));
        assertArrayEquals(bytes(0x2f, 3, 'A', '_', '_', '_', 'B', '_', '_', '_', 'C', '_', '_', '_'),
            AmlName.nameString("A.B.C"));
        assertArrayEquals(bytes(0x5e, 0x5e, 'F', 'O', 'O', '_'), AmlName.nameString("^^FOO"));
        assertArrayEquals(bytes(0x5c, 0x00), AmlName.nameString("\\"));
        assertThrows(IllegalArgumentException.class, () -> AmlName.nameString("\\_SB..COM1"));
    }

    @Test
    void eisaIdsCompressThreeLettersAndFourHexDigits() {
        // P = 0x10, N = 0x0E: (0x10 << 26 | 0x0E << 21 | 0x10 << 16 | 0x0501) = 0x41D00501, byte-swapped.
        assertEquals(0x0105d041, EisaId.encode("PNP0501"));
        assertEquals(0x0303d041, EisaId.encode("PNP0303"));
        assertEquals(0x000bd041, EisaId.encode("PNP0B00"));
        assertArrayEquals(bytes(0x0c, 0x41, 0xd0, 0x05, 0x01), Aml.eisaId("PNP0501").toBytes());
        // Even a small value stays a DWordConst: EISAID is recognised by that opcode.
        assertArrayEquals(bytes(0x0c, 0x04, 0x21, 0x00, 0x00), Aml.eisaId("AAA0000").toBytes());
        assertFalse(EisaId.isEisaId("LNRO0005"));
        assertThrows(IllegalArgumentException.class, () -> EisaId.encode("pnp0501"));
        assertThrows(IllegalArgumentException.class, () -> EisaId.encode("PNP050G"));
    }

    @Test
    void hidIsAnEisaIdForPnpIdsAndAStringOtherwise() {
        assertArrayEquals(bytes(0x08, '_', 'H', 'I', 'D', 0x0c, 0x41, 0xd0, 0x05, 0x01), Aml.hid("PNP0501").toBytes());
        assertArrayEquals(bytes(0x08, '_', 'H', 'I', 'D', 0x0d, 'L', 'N', 'R', 'O', '0', '0', '0', '5', 0),
            Aml.hid("LNRO0005").toBytes());
    }

    @Test
    void nameScopeAndDeviceCarryTheirNameAndPkgLength() {
        assertArrayEquals(bytes(0x08, '_', 'U', 'I', 'D', 0x01), Aml.uid(1).toBytes());
        // Device: 5B 82, PkgLength = 1 + 4 (name) + 6 (Name(_UID, Zero)) = 11.
        assertArrayEquals(bytes(0x5b, 0x82, 0x0b, 'C', 'O', 'M', '1', 0x08, '_', 'U', 'I', 'D', 0x00),
            Aml.device("COM1", Aml.uid(0)).toBytes());
        assertArrayEquals(bytes(0x10, 0x06, 0x5c, '_', 'S', 'B', '_'), Aml.scope("\\_SB").toBytes());
    }

    @Test
    void methodFlagsHoldArgCountSerializeFlagAndSyncLevel() {
        // Method (_STA) { Return (0x0F) }: 14, PkgLength 9 = 1 + 4 + 1 (flags) + 3 (A4 0A 0F).
        assertArrayEquals(bytes(0x14, 0x09, '_', 'S', 'T', 'A', 0x00, 0xa4, 0x0a, 0x0f), Aml.sta(0x0f).toBytes());
        // 2 arguments, Serialized, SyncLevel 3: 0b0011_1_010; PkgLength 8 = 1 + 4 + 1 + 2 (A4 01).
        assertArrayEquals(bytes(0x14, 0x08, 'F', 'O', 'O', '_', 0x3a, 0xa4, 0x01),
            Aml.method("FOO", 2, true, 3, Aml.returnOf(Aml.integer(1))).toBytes());
        assertThrows(IllegalArgumentException.class, () -> Aml.method("FOO", 8, false, 0));
        assertThrows(IllegalArgumentException.class, () -> Aml.method("FOO", 0, false, 16));
    }

    @Test
    void packagesCountTheirElements() {
        assertArrayEquals(bytes(0x12, 0x06, 0x02, 0x01, 0x0d, 'A', 0x00),
            Aml.packageOf(Aml.integer(1), Aml.string("A")).toBytes());
        assertArrayEquals(bytes(0x12, 0x02, 0x00), Aml.packageOf().toBytes());
        assertThrows(IllegalArgumentException.class, () -> Aml.packageOf(new AmlTerm[256]));
    }

    @Test
    void buffersStartWithTheirSizeAsAnInteger() {
        assertArrayEquals(bytes(0x11, 0x06, 0x0a, 0x03, 0xaa, 0xbb, 0xcc), Aml.buffer(bytes(0xaa, 0xbb, 0xcc)).toBytes());
        assertArrayEquals(bytes(0x11, 0x02, 0x00), Aml.buffer(new byte[0]).toBytes());
    }

    @Test
    void resourceDescriptorsMatchTheirSpecLayouts() {
        assertArrayEquals(bytes(0x47, 0x01, 0xf8, 0x03, 0xf8, 0x03, 0x01, 0x08), Resource.Io.fixed(0x3f8, 8).encode());
        assertArrayEquals(bytes(0x22, 0x10, 0x00), Resource.Irq.isa(4).encode());
        assertArrayEquals(bytes(0x22, 0x00, 0x01), Resource.Irq.isa(8).encode());
        // Level, active low, shared: _HE = 0, _LL (bit 3) and _SHR (bit 4) set.
        assertArrayEquals(bytes(0x23, 0x00, 0x02, 0x18), new Resource.Irq(9, true, true, true).encode());
        assertArrayEquals(bytes(0x86, 0x09, 0x00, 0x01, 0x00, 0x00, 0x00, 0xd0, 0x00, 0x10, 0x00, 0x00),
            new Resource.Memory32Fixed(0xd000_0000L, 0x1000, true).encode());
        // Consumer | edge = 0x03; one interrupt; GSI 5.
        assertArrayEquals(bytes(0x89, 0x06, 0x00, 0x03, 0x01, 0x05, 0x00, 0x00, 0x00),
            Resource.ExtendedInterrupt.edge(5).encode());
        assertArrayEquals(bytes(0x89, 0x06, 0x00, 0x0d, 0x01, 0x20, 0x00, 0x00, 0x00),
            new Resource.ExtendedInterrupt(32, true, true, true).encode());
        assertThrows(IllegalArgumentException.class, () -> Resource.Irq.isa(16));
        assertThrows(IllegalArgumentException.class, () -> new Resource.Memory32Fixed(0xffff_f000L, 0x2000, true));
        assertThrows(IllegalArgumentException.class, () -> new Resource.Io(0x100, 0xff, 1, 1));
    }

    @Test
    void resourceTemplatesEndWithTheEndTag() {
        // Buffer: size 5 (22 10 00 79 00), PkgLength 1 + 2 + 5 = 8.
        assertArrayEquals(bytes(0x11, 0x08, 0x0a, 0x05, 0x22, 0x10, 0x00, 0x79, 0x00),
            Aml.resourceTemplate(Resource.Irq.isa(4)).toBytes());
        // Checksummed: 0x22 + 0x10 + 0x79 = 0xAB, so the checksum is 0x55.
        assertArrayEquals(bytes(0x11, 0x08, 0x0a, 0x05, 0x22, 0x10, 0x00, 0x79, 0x55),
            Aml.checksummedResourceTemplate(Resource.Irq.isa(4)).toBytes());
    }

    @Test
    void largeBodiesGetMultiByteLengthsThatDecodeToTheirSize() {
        for (int names : new int[] {9, 10, 700, 200_000}) {
            AmlTerm[] terms = new AmlTerm[names];
            for (int i = 0; i < names; i++) {
                terms[i] = Aml.uid(i % 2);
            }
            byte[] scope = Aml.scope("\\_SB", terms).toBytes();
            int lead = scope[1] & 0xff;
            int extra = lead >>> 6;
            int decoded = extra == 0 ? lead & 0x3f : lead & 0x0f;
            for (int i = 0; i < extra; i++) {
                decoded |= (scope[2 + i] & 0xff) << (4 + 8 * i);
            }
            assertEquals(scope.length - 1, decoded, names + " names");
            assertTrue(extra == 0 || (lead & 0x30) == 0, "reserved bits 4..5 clear");
        }
    }
}
