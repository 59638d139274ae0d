package dev.ember.benchmarks;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Rewrites the generated part of benchmarks/RESULTS.md, between {@link #START} and {@link #END},
 * leaving every hand-written section outside the markers as it was.
 */
public final class ResultsFile {
    public static final String START = "<!-- generated:start -->";
    public static final String END = "<!-- generated:end -->";

    private ResultsFile() {
    }

    /** The new file text: {@code existing} (null when there is no file) with the generated block replaced. */
    public static String merge(String existing, String generated) {
        String block = START + "\n" + generated.strip() + "\n" + END;
        if (existing == null) {
            return "# Ember benchmark results\n\n" + block + "\n";
        }
        int s = existing.indexOf(START);
        int e = existing.indexOf(END);
        if (s < 0 && e < 0) {
            return existing.stripTrailing() + "\n\n" + block + "\n";
        }
        if (s < 0 || e < 0 || e < s || existing.indexOf(START, s + 1) >= 0 || existing.indexOf(END, e + 1) >= 0) {
            throw new IllegalArgumentException("RESULTS.md must hold exactly one " + START + " followed by one " + END
                    + "; fix the markers by hand");
        }
        return existing.substring(0, s) + block + existing.substring(e + END.length());
    }

    /**
     * Writes the merged text to a temporary file beside {@code file} and moves it over
     * {@code file}, so that a failed write leaves the old file whole rather than truncated.
     */
    public static void update(Path file, String generated) throws IOException {
        String existing = Files.exists(file) ? Files.readString(file) : null;
        String merged = merge(existing, generated);
        Path dir = file.toAbsolutePath().getParent();
        Path tmp = dir.resolve("." + file.getFileName() + ".tmp");
        try {
            Files.writeString(tmp, merged);
            if (existing != null) {
                try {
                    Files.setPosixFilePermissions(tmp, Files.getPosixFilePermissions(file));
                } catch (UnsupportedOperationException e) {
                    // not a POSIX file system: the new file keeps the default permissions
                }
            }
            try {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
