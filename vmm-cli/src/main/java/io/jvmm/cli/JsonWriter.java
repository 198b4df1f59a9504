package io.jvmm.cli;

import java.time.Duration;
import java.util.Locale;

/**
 * Writes one JSON object on one line (RFC 8259), for {@code --stats} and {@code check --json}:
 * enough for flat objects of numbers, strings, booleans and nested objects, without a JSON
 * library in the jar. Callers name keys; the writer places commas and escapes strings.
 */
final class JsonWriter {
    private final StringBuilder sb = new StringBuilder();
    /** Whether the object now open already has a member (so the next one needs a comma). */
    private boolean hasMember;

    JsonWriter() {
        sb.append('{');
    }

    JsonWriter number(String key, long value) {
        return key(key).raw(Long.toString(value));
    }

    /** A duration in milliseconds with microsecond precision, e.g. {@code 12.345}. */
    JsonWriter millis(String key, Duration d) {
        return millis(key, d.toNanos());
    }

    JsonWriter millis(String key, long nanos) {
        return key(key).raw(String.format(Locale.ROOT, "%.3f", nanos / 1e6));
    }

    JsonWriter string(String key, String value) {
        return value == null ? nullValue(key) : key(key).raw(quote(value));
    }

    JsonWriter bool(String key, boolean value) {
        return key(key).raw(Boolean.toString(value));
    }

    JsonWriter nullValue(String key) {
        return key(key).raw("null");
    }

    /** Opens a nested object under {@code key}; close it with {@link #endObject()}. */
    JsonWriter beginObject(String key) {
        key(key).sb.append('{');
        hasMember = false;
        return this;
    }

    JsonWriter endObject() {
        sb.append('}');
        hasMember = true;
        return this;
    }

    /** The finished object. */
    @Override
    public String toString() {
        return sb + "}";
    }

    private JsonWriter key(String key) {
        if (hasMember) {
            sb.append(',');
        }
        sb.append(quote(key)).append(':');
        hasMember = true;
        return this;
    }

    private JsonWriter raw(String value) {
        sb.append(value);
        return this;
    }

    static String quote(String s) {
        StringBuilder q = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> q.append("\\\"");
                case '\\' -> q.append("\\\\");
                case '\n' -> q.append("\\n");
                case '\r' -> q.append("\\r");
                case '\t' -> q.append("\\t");
                default -> {
                    if (c < 0x20) {
                        q.append(String.format("\\u%04x", (int) c));
                    } else {
                        q.append(c);
                    }
                }
            }
        }
        return q.append('"').toString();
    }
}
