package io.jvmm.loader;

import java.nio.charset.StandardCharsets;

/**
 * A kernel command line that is checked as it grows: printable ASCII only (no NUL, no control
 * characters, nothing the kernel's parser or a serial console would mangle) and never longer than
 * the kernel accepts. boot.rst ("The Kernel Command Line", cmdline_size): the line is
 * NUL-terminated and holds at most cmdline_size characters; jvmm also keeps it inside the
 * {@link BootLayout#cmdlineCapacity()} bytes the platform reserves for it.
 */
public final class KernelCmdline {
    /**
     * Linux's x86 COMMAND_LINE_SIZE is 2048 bytes with the NUL; an ELF vmlinux carries no
     * cmdline_size, so this is its limit.
     */
    public static final int DEFAULT_MAX_CHARS = 2047;

    private final int maxChars;
    private final StringBuilder line = new StringBuilder();

    /**
     * An empty line that may grow to {@code maxChars} characters (the NUL not counted).
     *
     * @param maxChars the longest the line may grow, in characters without the NUL; 0..{@code Integer.MAX_VALUE - 1}
     * @throws IllegalArgumentException when {@code maxChars} is negative or {@code Integer.MAX_VALUE}
     *     (no room for the NUL)
     */
    public KernelCmdline(int maxChars) {
        if (maxChars < 0 || maxChars == Integer.MAX_VALUE) {
            throw new IllegalArgumentException(String.format(
                "command-line capacity %d is outside 0..%d", maxChars, Integer.MAX_VALUE - 1));
        }
        this.maxChars = maxChars;
    }

    /**
     * The longest line {@code header}'s kernel takes that also fits {@code layout}'s command-line area.
     *
     * @param header the bzImage's setup header, for its cmdline_size
     * @param layout the platform's boot layout, for its {@link BootLayout#cmdlineCapacity()}
     * @return the smaller of cmdline_size and {@code cmdlineCapacity - 1}, in characters without the NUL
     */
    public static int maxCharsFor(SetupHeader header, BootLayout layout) {
        return (int) Math.min(header.cmdlineSize(), layout.cmdlineCapacity() - 1L);
    }

    /**
     * The longest line a kernel without a cmdline_size (ELF) takes that also fits {@code layout}.
     *
     * @param layout the platform's boot layout, for its {@link BootLayout#cmdlineCapacity()}
     * @return the smaller of {@link #DEFAULT_MAX_CHARS} and {@code cmdlineCapacity - 1}, in characters without
     *     the NUL
     */
    public static int maxCharsFor(BootLayout layout) {
        return Math.min(DEFAULT_MAX_CHARS, layout.cmdlineCapacity() - 1);
    }

    /**
     * Appends {@code text} (one or more space-separated parameters), after a space when the line is
     * not empty. Nothing is appended when the check fails; an empty {@code text} appends nothing.
     *
     * @param text one or more space-separated parameters
     * @return this line
     * @throws LoaderException {@code BAD_COMMAND_LINE} when {@code text} holds a character outside
     *     printable ASCII (0x20..0x7e), or the line would pass its capacity
     */
    public KernelCmdline append(String text) {
        if (text.isEmpty()) {
            return this;
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x20 || c > 0x7e) {
                throw new LoaderException(LoaderException.Reason.BAD_COMMAND_LINE, String.format(
                    "kernel command line: character U+%04X at index %d is not printable ASCII", (int) c, i));
            }
        }
        int separator = line.length() == 0 ? 0 : 1;
        long newLength = (long) line.length() + separator + text.length();
        if (newLength > maxChars) {
            throw new LoaderException(LoaderException.Reason.BAD_COMMAND_LINE, String.format(
                "kernel command line too long: %d characters, the kernel takes at most %d", newLength, maxChars));
        }
        if (separator == 1) {
            line.append(' ');
        }
        line.append(text);
        return this;
    }

    /**
     * Appends {@code key=value}, after a space when the line is not empty. Nothing is appended when a
     * check fails.
     *
     * @param key   the parameter name: non-empty, without a space or '='
     * @param value the parameter value, possibly empty: without a space or a double quote
     * @return this line
     * @throws LoaderException {@code BAD_COMMAND_LINE} when the key is empty or holds a space or
     *     '=', the value holds a space or a double quote, or see {@link #append(String)}
     */
    public KernelCmdline appendParam(String key, String value) {
        if (key.isEmpty() || key.indexOf(' ') >= 0 || key.indexOf('=') >= 0) {
            throw new LoaderException(LoaderException.Reason.BAD_COMMAND_LINE,
                "kernel command line: parameter name '" + key + "' is empty or holds a space or '='");
        }
        if (value.indexOf(' ') >= 0 || value.indexOf('"') >= 0) {
            throw new LoaderException(LoaderException.Reason.BAD_COMMAND_LINE,
                "kernel command line: value of '" + key + "' holds a space or a double quote");
        }
        return append(key + "=" + value);
    }

    /** {@return the line's length in characters, the NUL not counted} */
    public int length() {
        return line.length();
    }

    /** {@return the longest the line may grow, in characters without the NUL, as given to the constructor} */
    public int maxChars() {
        return maxChars;
    }

    /** {@return the line as ASCII bytes followed by the terminating NUL: {@link #length()} + 1 bytes, a fresh array} */
    public byte[] toBytesWithNul() {
        byte[] text = line.toString().getBytes(StandardCharsets.US_ASCII);
        byte[] bytes = new byte[text.length + 1];
        System.arraycopy(text, 0, bytes, 0, text.length);
        return bytes;
    }

    @Override
    public String toString() {
        return line.toString();
    }
}
