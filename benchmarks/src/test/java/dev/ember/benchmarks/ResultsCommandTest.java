package dev.ember.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ResultsCommandTest {
    @Test
    void regeneratesResultsMdFromAReportKeepingHandSections(@TempDir Path tmp) throws Exception {
        Path dir = Fixtures.reportDir(tmp);
        Path md = tmp.resolve("RESULTS.md");
        String hand = "## CPU GEMM vs OpenBLAS\n\nhand-written ratio table\n";
        Files.writeString(md, "# Ember benchmark results\n\n" + ResultsFile.START + "\nold\n" + ResultsFile.END
                + "\n\n" + hand);
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        int rc = ResultsCommand.run(new String[] {dir.toString(), "--file", md.toString()}, new PrintStream(out),
                new PrintStream(err));
        assertEquals(0, rc, err.toString());
        String text = Files.readString(md);
        assertTrue(text.endsWith(hand), text);
        assertTrue(!text.contains("\nold\n"));
        for (String want : new String[] {"Machine: AMD EPYC, 2 CPUs", "JDK: Eclipse Adoptium", "Date: 2026-11-25T23:50:00Z",
            "Test GPU, driver 535.1", "cuda:0`: unavailable: no CUDA driver", "| gemm | 1024 | - |",
            "opencl:0 gemm: overtakes the CPU between 256 and 1024", "| cpu | 100.0 | Vector API FMA loop | 10.0 |",
            "Not measured: gemm_mlp: dev.ember.benchmarks.GemmMlpBenchmark is not in this build"}) {
            assertTrue(text.contains(want), "missing '" + want + "' in\n" + text);
        }
    }

    @Test
    void clearErrors(@TempDir Path tmp) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream e = new PrintStream(err);
        PrintStream o = new PrintStream(new ByteArrayOutputStream());
        assertEquals(2, ResultsCommand.run(new String[0], o, e));
        assertTrue(err.toString().contains("which report directory"));
        assertEquals(1, ResultsCommand.run(new String[] {tmp.toString(), "--file", tmp.resolve("R.md").toString()}, o, e));
        assertTrue(err.toString().contains("not a bench report directory"), err.toString());
        assertEquals(2, ResultsCommand.run(new String[] {"a", "b"}, o, e));
        assertEquals(2, ResultsCommand.run(new String[] {"a", "--file", tmp.resolve("no/such/R.md").toString()}, o, e));
    }
}
