package dev.ember.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ResultsFileTest {
    private static final String S = ResultsFile.START, E = ResultsFile.END;

    @Test
    void replacesOnlyTheGeneratedBlock() {
        String before = "# Results\n\nintro by hand\n\n" + S + "\nold figures\n" + E + "\n\n## CPU GEMM vs OpenBLAS\n\nhand table\n";
        String after = ResultsFile.merge(before, "new figures\n");
        assertEquals("# Results\n\nintro by hand\n\n" + S + "\nnew figures\n" + E + "\n\n## CPU GEMM vs OpenBLAS\n\nhand table\n",
                after);
        // regenerating again is stable
        assertEquals(after, ResultsFile.merge(after, "new figures"));
    }

    @Test
    void appendsTheBlockWhenThereAreNoMarkersAndCreatesANewFile() {
        String hand = "## CPU GEMM vs OpenBLAS\n\nratio 0.85\n";
        String after = ResultsFile.merge(hand, "figures");
        assertTrue(after.startsWith(hand));
        assertTrue(after.endsWith(S + "\nfigures\n" + E + "\n"));
        String fresh = ResultsFile.merge(null, "figures");
        assertTrue(fresh.startsWith("# ") && fresh.contains(S + "\nfigures\n" + E));
    }

    @Test
    void brokenMarkersAreRefusedRatherThanGuessed() {
        for (String bad : new String[] {S + " no end", "no start " + E, E + " reversed " + S, S + S + E}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> ResultsFile.merge(bad, "x"), bad);
            assertTrue(e.getMessage().contains("markers"));
        }
        assertFalse(ResultsFile.merge("a", "b").contains("null"));
    }

    @Test
    void updateReplacesTheFileWholeInsteadOfRewritingItInPlace(@TempDir Path tmp) throws Exception {
        // Rewritten in place, a failure part-way (disk full, a killed JVM) leaves RESULTS.md
        // truncated, hand-written sections included. A second link to the old file shows which
        // way it was written: a replacement leaves the old text there untouched.
        Path file = tmp.resolve("RESULTS.md");
        String before = "# Results\n\nhand-written notes\n\n" + S + "\nold\n" + E + "\n";
        Files.writeString(file, before);
        var perms = java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--");
        Files.setPosixFilePermissions(file, perms);
        Path oldLink = Files.createLink(tmp.resolve("old-link"), file);
        ResultsFile.update(file, "new");
        assertEquals(before, Files.readString(oldLink));
        assertEquals("# Results\n\nhand-written notes\n\n" + S + "\nnew\n" + E + "\n", Files.readString(file));
        assertEquals(perms, Files.getPosixFilePermissions(file), "the file stays readable as it was");
        try (var files = Files.list(tmp)) {
            assertEquals(2, files.count(), "no temporary file is left behind");
        }
    }
}
