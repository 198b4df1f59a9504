package io.jvmm.x86.acpi;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Encoders for the few AML terms a hardware-reduced microVM's DSDT needs (ACPI 6.4, chapter 20
 * "ACPI Machine Language (AML) Specification"; the ASL each mirrors is in chapter 19). Each
 * method returns the finished term; opcodes that carry a PkgLength (Scope, Device, Method,
 * Package, Buffer) compute it from their encoded children (see {@link PkgLength}).
 */
public final class Aml {
    // Opcodes, ACPI 6.4 section 20.3 "AML Byte Stream Byte Values".
    static final int ZERO_OP = 0x00;
    static final int ONE_OP = 0x01;
    static final int NAME_OP = 0x08;
    static final int BYTE_PREFIX = 0x0a;
    static final int WORD_PREFIX = 0x0b;
    static final int DWORD_PREFIX = 0x0c;
    static final int STRING_PREFIX = 0x0d;
    static final int QWORD_PREFIX = 0x0e;
    static final int SCOPE_OP = 0x10;
    static final int BUFFER_OP = 0x11;
    static final int PACKAGE_OP = 0x12;
    static final int METHOD_OP = 0x14;
    static final int EXT_OP_PREFIX = 0x5b;
    static final int DEVICE_OP = 0x82; // after EXT_OP_PREFIX
    static final int RETURN_OP = 0xa4;
    static final int ONES_OP = 0xff;
    /** End Tag small resource descriptor (6.4.2.9): type 0x0F, length 1. */
    static final int END_TAG = 0x79;

    private Aml() {
    }

    // ---- data objects (20.2.3 "Data Objects Encoding") ----

    /**
     * An integer in the shortest encoding: ZeroOp, OneOp, OnesOp (all 64 bits set: the DSDT is
     * revision 2, so integers are 64-bit, section 19.6.96 "Ones"), then ByteConst, WordConst,
     * DWordConst or QWordConst by magnitude (as an unsigned 64-bit value).
     *
     * @param value the integer, read as unsigned 64 bits
     * @return the 1- to 9-byte term
     */
    public static AmlTerm integer(long value) {
        if (value == 0) {
            return new AmlTerm(new byte[] {ZERO_OP});
        }
        if (value == 1) {
            return new AmlTerm(new byte[] {ONE_OP});
        }
        if (value == -1L) {
            return new AmlTerm(new byte[] {(byte) ONES_OP});
        }
        if (Long.compareUnsigned(value, 0xff) <= 0) {
            return new AmlTerm(new byte[] {BYTE_PREFIX, (byte) value});
        }
        if (Long.compareUnsigned(value, 0xffff) <= 0) {
            return new AmlTerm(new LeBuffer(3).u8(WORD_PREFIX).u16((int) value).toArray());
        }
        if (Long.compareUnsigned(value, 0xffff_ffffL) <= 0) {
            return dwordConst(value);
        }
        return new AmlTerm(new LeBuffer(9).u8(QWORD_PREFIX).u64(value).toArray());
    }

    /** A DWordConst whatever the value: how EISAID results are stored (iasl matches on it). */
    static AmlTerm dwordConst(long value) {
        return new AmlTerm(new LeBuffer(5).u8(DWORD_PREFIX).u32(value).toArray());
    }

    /**
     * A String: StringPrefix, ASCII characters 0x01..0x7F, NullChar (20.2.3).
     *
     * @param s the string's characters, each 0x01..0x7F
     * @return the term, {@code s.length() + 2} bytes
     * @throws IllegalArgumentException for a character outside 0x01..0x7F
     */
    public static AmlTerm string(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x01 || c > 0x7f) {
                throw new IllegalArgumentException(String.format(
                    "AML string '%s' has character 0x%x outside 0x01..0x7F", s, (int) c));
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(s.length() + 2);
        out.write(STRING_PREFIX);
        out.writeBytes(s.getBytes(StandardCharsets.US_ASCII));
        out.write(0);
        return new AmlTerm(out.toByteArray());
    }

    /**
     * {@code EISAID("PNP0501")}: the compressed ID as a DWordConst (see {@link EisaId}).
     *
     * @param id a "UUUXXXX" PNP identifier
     * @return the 5-byte DWordConst term, even when a shorter integer encoding would do
     * @throws IllegalArgumentException when {@code id} is not "UUUXXXX" (see {@link EisaId#encode})
     */
    public static AmlTerm eisaId(String id) {
        return dwordConst(Integer.toUnsignedLong(EisaId.encode(id)));
    }

    /**
     * {@code Package () {...}}: PackageOp PkgLength NumElements PackageElementList (20.2.5.4).
     *
     * @param elements the package's elements, in order (data objects or names), at most 255
     * @return the Package term
     * @throws IllegalArgumentException for more than 255 elements (VarPackageOp territory)
     */
    public static AmlTerm packageOf(AmlTerm... elements) {
        if (elements.length > 255) {
            throw new IllegalArgumentException("a Package holds at most 255 elements, not " + elements.length);
        }
        byte[] list = AmlTerm.concat(elements);
        byte[] body = new byte[list.length + 1];
        body[0] = (byte) elements.length;
        System.arraycopy(list, 0, body, 1, list.length);
        return new AmlTerm(PkgLength.wrap(new byte[] {PACKAGE_OP}, body));
    }

    /**
     * {@code Buffer () {bytes}}: BufferOp PkgLength BufferSize (an integer) ByteList (20.2.5.4).
     *
     * @param bytes the buffer's contents; BufferSize is their length
     * @return the Buffer term
     * @throws IllegalArgumentException when the encoding passes the PkgLength limit ({@link PkgLength#MAX})
     */
    public static AmlTerm buffer(byte[] bytes) {
        byte[] size = integer(bytes.length).toBytes();
        byte[] body = new byte[size.length + bytes.length];
        System.arraycopy(size, 0, body, 0, size.length);
        System.arraycopy(bytes, 0, body, size.length, bytes.length);
        return new AmlTerm(PkgLength.wrap(new byte[] {BUFFER_OP}, body));
    }

    /**
     * {@code ResourceTemplate () {...}} (19.6.117): a Buffer holding the descriptors and the End
     * Tag (6.4.2.9) with checksum byte 0, which the spec defines as "treated as if the checksum
     * operation succeeded". This is what iasl compiles and what ACPICA writes when it converts
     * resources back to AML, so jvmm's DSDT round-trips through both byte for byte.
     *
     * @param resources the descriptors, in order; none gives just the End Tag
     * @return the Buffer term holding the descriptors and End Tag {@code 79 00}
     */
    public static AmlTerm resourceTemplate(Resource... resources) {
        return buffer(descriptors(resources, false));
    }

    /**
     * A ResourceTemplate whose End Tag checksum makes all bytes of the template, End Tag
     * included, sum to 0 mod 256 (6.4.2.9), for consumers that check it.
     *
     * @param resources the descriptors, in order
     * @return the Buffer term holding the descriptors and the checksummed End Tag
     */
    public static AmlTerm checksummedResourceTemplate(Resource... resources) {
        return buffer(descriptors(resources, true));
    }

    private static byte[] descriptors(Resource[] resources, boolean checksum) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Resource r : resources) {
            out.writeBytes(r.encode());
        }
        out.write(END_TAG);
        byte[] partial = out.toByteArray();
        out.write(checksum ? Checksum.of(partial, 0, partial.length) : 0);
        return out.toByteArray();
    }

    // ---- named objects and namespace modifiers (20.2.5) ----

    /**
     * {@code Name (path, value)}: NameOp NameString DataRefObject (20.2.5.1).
     *
     * @param path  the object's name, an ASL path ({@code _HID}, {@code \_SB.COM1._CRS})
     * @param value its value: a data object such as {@link #integer}, {@link #string} or {@link #buffer}
     * @return the Name term
     * @throws IllegalArgumentException when {@code path} is not a valid name (see {@link AmlName#nameString})
     */
    public static AmlTerm name(String path, AmlTerm value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(NAME_OP);
        out.writeBytes(AmlName.nameString(path));
        value.writeTo(out);
        return new AmlTerm(out.toByteArray());
    }

    /**
     * {@code Scope (path) {...}}: ScopeOp PkgLength NameString TermList (20.2.5.1).
     *
     * @param path  the scope's name, an ASL path ({@code \_SB})
     * @param terms the TermList inside it, in order
     * @return the Scope term
     * @throws IllegalArgumentException when {@code path} is not a valid name, or the body passes
     *     {@link PkgLength#MAX}
     */
    public static AmlTerm scope(String path, AmlTerm... terms) {
        return new AmlTerm(PkgLength.wrap(new byte[] {SCOPE_OP}, named(path, terms)));
    }

    /**
     * {@code Device (path) {...}}: DeviceOp (5B 82) PkgLength NameString TermList (20.2.5.2).
     *
     * @param path  the device's name, an ASL path ({@code COM1})
     * @param terms the TermList inside it, in order (_HID, _UID, _CRS, ...)
     * @return the Device term
     * @throws IllegalArgumentException when {@code path} is not a valid name, or the body passes
     *     {@link PkgLength#MAX}
     */
    public static AmlTerm device(String path, AmlTerm... terms) {
        return new AmlTerm(PkgLength.wrap(new byte[] {EXT_OP_PREFIX, (byte) DEVICE_OP}, named(path, terms)));
    }

    /**
     * {@code Method (name, argCount, Serialized|NotSerialized, syncLevel) {...}}: MethodOp PkgLength
     * NameString MethodFlags TermList (20.2.5.2). MethodFlags: bits 0..2 ArgCount, bit 3
     * SerializeFlag, bits 4..7 SyncLevel.
     *
     * @param name       the method's name, an ASL path ({@code _STA})
     * @param argCount   the number of arguments, 0..7
     * @param serialized Serialized (SerializeFlag 1) rather than NotSerialized
     * @param syncLevel  the SyncLevel, 0..15
     * @param body       the method's TermList, in order
     * @return the Method term
     * @throws IllegalArgumentException when {@code argCount} or {@code syncLevel} is outside its range,
     *     {@code name} is not a valid name, or the body passes {@link PkgLength#MAX}
     */
    public static AmlTerm method(String name, int argCount, boolean serialized, int syncLevel, AmlTerm... body) {
        if (argCount < 0 || argCount > 7) {
            throw new IllegalArgumentException("method argument count " + argCount + " outside 0..7");
        }
        if (syncLevel < 0 || syncLevel > 15) {
            throw new IllegalArgumentException("method SyncLevel " + syncLevel + " outside 0..15");
        }
        int flags = argCount | (serialized ? 0x08 : 0) | syncLevel << 4;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(AmlName.nameString(name));
        out.write(flags);
        for (AmlTerm t : body) {
            t.writeTo(out);
        }
        return new AmlTerm(PkgLength.wrap(new byte[] {METHOD_OP}, out.toByteArray()));
    }

    /**
     * A not-serialized method with no arguments and SyncLevel 0.
     *
     * @param name the method's name, an ASL path ({@code _STA})
     * @param body the method's TermList, in order
     * @return the Method term
     * @throws IllegalArgumentException as {@link #method(String, int, boolean, int, AmlTerm...)}
     */
    public static AmlTerm method(String name, AmlTerm... body) {
        return method(name, 0, false, 0, body);
    }

    /**
     * {@code Return (value)}: ReturnOp ArgObject (20.2.5.3).
     *
     * @param value the term returned, a data object or name
     * @return the Return term, {@code value.length() + 1} bytes
     */
    public static AmlTerm returnOf(AmlTerm value) {
        byte[] v = value.toBytes();
        byte[] out = new byte[v.length + 1];
        out[0] = (byte) RETURN_OP;
        System.arraycopy(v, 0, out, 1, v.length);
        return new AmlTerm(out);
    }

    // ---- device identification and configuration objects (6.1, 6.2, 6.3) ----

    /**
     * {@code Name (_HID, ...)} (6.1.5): an EISAID integer for "UUUXXXX" PNP IDs, a string for ACPI
     * IDs such as {@code LNRO0005}.
     *
     * @param id a "UUUXXXX" PNP ID, or an ACPI ID string of characters 0x01..0x7F
     * @return the Name term for _HID
     * @throws IllegalArgumentException when {@code id} is neither (a character outside 0x01..0x7F)
     */
    public static AmlTerm hid(String id) {
        return name("_HID", EisaId.isEisaId(id) ? eisaId(id) : string(id));
    }

    /**
     * {@code Name (_UID, n)} (6.1.12): unique among devices with the same _HID.
     *
     * @param uid the unique ID, an integer (unsigned 64 bits)
     * @return the Name term for _UID
     */
    public static AmlTerm uid(long uid) {
        return name("_UID", integer(uid));
    }

    /**
     * {@code Name (_CRS, ResourceTemplate () {...})} (6.2.2).
     *
     * @param resources the device's current resources, in order
     * @return the Name term for _CRS, a {@link #resourceTemplate} with End Tag checksum 0
     */
    public static AmlTerm crs(Resource... resources) {
        return name("_CRS", resourceTemplate(resources));
    }

    /**
     * {@code Method (_STA) { Return (status) }} (6.3.7). Devices without _STA are taken as present,
     * enabled, shown and functioning (0x0F), so jvmm's DSDT needs it only for a device that is not.
     *
     * @param status the _STA bits (bit 0 present, 1 enabled, 2 shown in UI, 3 functioning)
     * @return the Method term
     */
    public static AmlTerm sta(int status) {
        return method("_STA", returnOf(integer(status)));
    }

    private static byte[] named(String path, AmlTerm... terms) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(AmlName.nameString(path));
        for (AmlTerm t : terms) {
            t.writeTo(out);
        }
        return out.toByteArray();
    }
}
