package dev.ember.nn.io;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import org.junit.jupiter.api.Test;

class IoErrorsTest {
    @Test
    void reasonsAreWordsWithoutThePath() {
        assertEquals("no such file or directory", IoErrors.reason(new NoSuchFileException("/x/.m.tmp")));
        assertEquals("permission denied", IoErrors.reason(new AccessDeniedException("/proc/nope")));
        assertEquals("not a directory", IoErrors.reason(new NotDirectoryException("/etc/passwd/x")));
        assertEquals("read-only file system", IoErrors.reason(new FileSystemException("/ro/x", null,
                "Read-only file system")));
        assertEquals("file system error", IoErrors.reason(new FileSystemException("/x")));
        assertEquals("file too large", IoErrors.reason(new IOException("File too large")));
        assertEquals("CPU said no", IoErrors.reason(new IOException("CPU said no")));
        // A message that starts with the user's file keeps the file name's case.
        assertEquals("Bad.safetensors: invalid safetensors file", IoErrors.reason(
                new IOException("Bad.safetensors: invalid safetensors file")));
        assertEquals("Models/m.bin: truncated", IoErrors.reason(new IOException("Models/m.bin: truncated")));
        assertEquals("IOException", IoErrors.reason(new IOException()));
    }
}
