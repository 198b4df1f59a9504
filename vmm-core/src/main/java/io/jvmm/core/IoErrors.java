package io.jvmm.core;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;

/**
 * Short descriptions of file errors, for one-line messages: NIO's own messages are often just the
 * path ({@code AccessDeniedException("kernel")} reads "kernel"), so a message built from them
 * repeats the path and leaves out the reason.
 */
public final class IoErrors {
    private IoErrors() {
    }

    /**
     * The reason of {@code e} in a few words, e.g. "permission denied", "Too many levels of
     * symbolic links". Thread-safe.
     *
     * @param e the failure
     * @return a fixed phrase for {@link NoSuchFileException}, {@link AccessDeniedException} and
     *     {@link NotDirectoryException}; otherwise the
     *     {@link FileSystemException#getReason() reason} of a file-system exception that has one,
     *     else the first line of the message, else the exception's simple class name
     */
    public static String describe(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "no such file or directory";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof NotDirectoryException) {
            return "not a directory";
        }
        if (e instanceof FileSystemException f && f.getReason() != null) {
            return f.getReason();
        }
        String message = e.getMessage();
        if (message == null || message.isBlank()) {
            return e.getClass().getSimpleName();
        }
        int newline = message.indexOf('\n');
        return (newline < 0 ? message : message.substring(0, newline)).strip();
    }
}
