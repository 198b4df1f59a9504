package io.jvmm.x86.acpi;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;

/**
 * One encoded AML term (ACPI 6.4, section 20.2 "AML Grammar Definition"): the bytes of a TermObj,
 * DataObject or NameString, ready to be placed in a TermList. Terms are immutable and built by
 * {@link Aml}; they nest by value, so a parent re-encodes nothing and only prefixes its children
 * with its opcode and PkgLength.
 */
public final class AmlTerm {
    private final byte[] bytes;

    /** Takes ownership of {@code bytes}: only the encoders in this package create terms. */
    AmlTerm(byte[] bytes) {
        this.bytes = bytes;
    }

    /** {@return the encoded length in bytes} */
    public int length() {
        return bytes.length;
    }

    /** {@return a copy of the encoding} */
    public byte[] toBytes() {
        return bytes.clone();
    }

    void writeTo(ByteArrayOutputStream out) {
        out.write(bytes, 0, bytes.length);
    }

    /** The concatenation of {@code terms}: a TermList, PackageElementList or ByteList body. */
    static byte[] concat(AmlTerm... terms) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (AmlTerm t : terms) {
            t.writeTo(out);
        }
        return out.toByteArray();
    }

    /**
     * A TermList: {@code terms} one after another, as one term (a DSDT body of several scopes).
     *
     * @param terms the terms, in order; none gives an empty term
     * @return one term whose encoding is the concatenation of theirs
     */
    public static AmlTerm concatTerms(AmlTerm... terms) {
        return new AmlTerm(concat(terms));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AmlTerm t && Arrays.equals(bytes, t.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("AmlTerm[");
        for (int i = 0; i < bytes.length; i++) {
            sb.append(i == 0 ? "" : " ").append(String.format("%02X", bytes[i] & 0xff));
        }
        return sb.append(']').toString();
    }
}
