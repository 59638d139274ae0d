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
            "Not measured: gemm_mlp: dev.ember.benchmarks.GemmMlpBenchmark is not in this build",
            "predates re-measuring at the end"}) {
            assertTrue(text.contains(want), "missing '" + want + "' in\n" + text);
        }
        // A report whose CPU limit says "best of N rounds" was measured at the start and the end.
        String env = Files.readString(dir.resolve(Report.ENV_JSON));
        Files.writeString(dir.resolve(Report.ENV_JSON), env.replace("\"Vector API FMA loop\"",
                "\"Vector API FMA loop, 8 lanes, 2 threads, best of 25 rounds\""));
        rc = ResultsCommand.run(new String[] {dir.toString(), "--file", md.toString()}, new PrintStream(out),
                new PrintStream(err));
        assertEquals(0, rc, err.toString());
        text = Files.readString(md);
        assertTrue(text.contains("at the start and again at the end") && !text.contains("predates"), text);
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

    /** Runs {@code ember results} on {@code dir}; returns stderr after checking exit 1 and RESULTS.md untouched. */
    private static String refused(Path dir, Path md) throws Exception {
        String before = Files.readString(md);
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc = ResultsCommand.run(new String[] {dir.toString(), "--file", md.toString()},
                new PrintStream(new ByteArrayOutputStream()), new PrintStream(err));
        assertEquals(1, rc, err.toString());
        assertEquals(before, Files.readString(md), "RESULTS.md must be left as it was");
        assertEquals(1, err.toString().strip().lines().count(), err.toString());
        return err.toString();
    }

    @Test
    void incompleteOrCorruptReportsAreRefusedNamingTheFile(@TempDir Path tmp) throws Exception {
        Path dir = Fixtures.reportDir(tmp);
        Path md = tmp.resolve("RESULTS.md");
        Files.writeString(md, "# R\n\n" + ResultsFile.START + "\n| gemm | 1024 | keep me |\n" + ResultsFile.END + "\n");
        Path jmh = dir.resolve(Report.JMH_JSON), env = dir.resolve(Report.ENV_JSON);
        String goodJmh = Files.readString(jmh), goodEnv = Files.readString(env);

        Files.writeString(jmh, "[]");
        Files.writeString(env, "{}");
        String e = refused(dir, md);
        assertTrue(e.contains(jmh + " holds no benchmark results"), e);

        Files.writeString(jmh, goodJmh);
        e = refused(dir, md);
        assertTrue(e.contains(env + " lacks date, cpu_model, cpus, os, jdk, selection, jmh_settings, roofline"), e);

        Files.writeString(env, goodEnv.replace("\"device\": \"opencl:0\"", "\"device\": \"opencl:1\""));
        e = refused(dir, md);
        assertTrue(e.contains(env + " has no roofline entry for opencl:0"), e);

        Files.writeString(env, goodEnv);
        Files.writeString(jmh, "garbage");
        e = refused(dir, md);
        assertTrue(e.contains(jmh + ": invalid JSON at character 0"), e);
        Files.writeString(jmh, goodJmh);
        Files.writeString(env, "{\"date\": ");
        e = refused(dir, md);
        assertTrue(e.contains(env + ": invalid JSON"), e);
    }
}
