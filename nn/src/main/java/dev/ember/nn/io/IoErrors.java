package dev.ember.nn.io;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;

/**
 * Words for why an I/O operation failed. The file system exceptions' messages are often only the
 * path they failed on ("nope/.m.safetensors.1a2b.tmp"), which names a file the user never chose
 * and says nothing about the cause; callers put the user's file in front of {@link #reason}.
 */
public final class IoErrors {
    private IoErrors() {
    }

    /** The cause of {@code e} without any path, e.g. "permission denied" or "no space left on device". */
    public static String reason(IOException e) {
        String why = switch (e) {
            case NoSuchFileException x -> "no such file or directory";
            case AccessDeniedException x -> "permission denied";
            case FileAlreadyExistsException x -> "already exists";
            case NotDirectoryException x -> "not a directory";
            case DirectoryNotEmptyException x -> "directory not empty";
            // e.g. a gzip stream cut short: the JDK's EOFException often has no message at all
            case java.io.EOFException x -> x.getMessage() != null ? x.getMessage()
                    : "unexpected end of file (the file is truncated)";
            // The platform's own text (strerror), e.g. "Read-only file system", "No space left on device".
            case FileSystemException x -> x.getReason() != null ? x.getReason() : "file system error";
            // Plain IOExceptions from reads and writes carry the strerror text as their message ("File too large").
            default -> e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
        };
        // strerror capitalises its text as a sentence; it follows a colon here. "CPU ..." stays as is,
        // and so does a message that starts with a file name ("Bad.safetensors: ..."), which must
        // keep its case to name the file.
        int space = why.indexOf(' ');
        String first = space < 0 ? why : why.substring(0, space);
        boolean path = first.indexOf('/') >= 0 || first.indexOf('.') >= 0 || first.indexOf('\\') >= 0;
        if (!path && why.length() > 1 && Character.isUpperCase(why.charAt(0)) && Character.isLowerCase(why.charAt(1))) {
            why = Character.toLowerCase(why.charAt(0)) + why.substring(1);
        }
        return why;
    }
}
