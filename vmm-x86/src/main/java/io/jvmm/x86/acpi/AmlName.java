package io.jvmm.x86.acpi;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * NameSeg and NameString encoding (ACPI 6.4, section 20.2.2 "Name Objects Encoding"). A path is
 * written the way ASL writes it: an optional root {@code \} or any number of parent prefixes
 * {@code ^}, then NameSegs separated by dots ({@code \_SB.COM1}, {@code ^PCI0}, {@code _HID}).
 * Segments shorter than four characters are padded with {@code _} as ASL does ({@code RTC} is
 * {@code RTC_}).
 */
public final class AmlName {
    static final int ROOT_CHAR = 0x5c;
    static final int PARENT_PREFIX_CHAR = 0x5e;
    static final int DUAL_NAME_PREFIX = 0x2e;
    static final int MULTI_NAME_PREFIX = 0x2f;
    static final int NULL_NAME = 0x00;

    private AmlName() {
    }

    /**
     * The 4 bytes of one NameSeg: LeadNameChar ('A'-'Z' or '_') then up to three NameChars
     * ('A'-'Z', '0'-'9', '_'), padded with '_'.
     *
     * @param seg the segment, 1 to 4 characters
     * @return a fresh 4-byte array: the segment in ASCII, padded with '_'
     * @throws IllegalArgumentException for an empty, too long or badly formed segment
     */
    public static byte[] nameSeg(String seg) {
        if (seg.isEmpty() || seg.length() > 4) {
            throw new IllegalArgumentException("AML NameSeg '" + seg + "' must have 1 to 4 characters");
        }
        char lead = seg.charAt(0);
        if (!(lead >= 'A' && lead <= 'Z' || lead == '_')) {
            throw new IllegalArgumentException("AML NameSeg '" + seg + "' must start with A-Z or _");
        }
        for (int i = 1; i < seg.length(); i++) {
            char c = seg.charAt(i);
            if (!(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_')) {
                throw new IllegalArgumentException("AML NameSeg '" + seg + "' has a character outside A-Z, 0-9, _");
            }
        }
        String padded = (seg + "___").substring(0, 4);
        return padded.getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * The NameString for {@code path}: prefix, then NullName (no segment), one NameSeg,
     * DualNamePrefix + 2 segments, or MultiNamePrefix + count + 3..255 segments.
     *
     * @param path an ASL path: {@code \} or {@code ^}s, then dot-separated segments (empty for NullName)
     * @return the encoded NameString, a fresh array
     * @throws IllegalArgumentException when the path has more than 255 segments or a segment is refused by
     *     {@link #nameSeg(String)} (an empty one between two dots, say)
     */
    public static byte[] nameString(String path) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int i = 0;
        if (path.startsWith("\\")) {
            out.write(ROOT_CHAR);
            i = 1;
        } else {
            while (i < path.length() && path.charAt(i) == '^') {
                out.write(PARENT_PREFIX_CHAR);
                i++;
            }
        }
        String rest = path.substring(i);
        String[] segs = rest.isEmpty() ? new String[0] : rest.split("\\.", -1);
        if (segs.length > 255) {
            throw new IllegalArgumentException("AML name path '" + path + "' has more than 255 segments");
        }
        switch (segs.length) {
            case 0 -> out.write(NULL_NAME);
            case 1 -> { }
            case 2 -> out.write(DUAL_NAME_PREFIX);
            default -> {
                out.write(MULTI_NAME_PREFIX);
                out.write(segs.length);
            }
        }
        for (String s : segs) {
            out.writeBytes(nameSeg(s));
        }
        return out.toByteArray();
    }
}
