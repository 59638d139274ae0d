package dev.ember.nn;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Named pipes for tests of readers that must take a pipe as a file (/dev/stdin under "cat x |",
 * a shell's {@code <(...)}). A pipe opens once: a reader that opened it twice would block for
 * ever in an open no interrupt ends, so callers run under {@code @Timeout} in a thread of their own.
 */
public final class Pipes {
    private Pipes() {
    }

    /**
     * Makes the named pipe {@code dir/name} and starts a daemon thread that writes {@code text}
     * into it once a reader opens it (a refused read leaves that thread blocked, harmlessly).
     */
    public static Path fed(Path dir, String name, CharSequence text) throws IOException, InterruptedException {
        Path fifo = dir.resolve(name);
        int rc = new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor();
        if (rc != 0 || !Files.exists(fifo) || Files.isRegularFile(fifo)) {
            throw new IllegalStateException("mkfifo " + fifo + " failed (exit " + rc + ")");
        }
        Thread writer = new Thread(() -> {
            try {
                Files.writeString(fifo, text);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, "pipe writer " + name);
        writer.setDaemon(true);
        writer.start();
        return fifo;
    }
}
