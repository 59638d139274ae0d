package dev.ember.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

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
}
