package dev.ember.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;

/**
 * {@code ember bench} from start to report with JMH and the roofline replaced: what the command
 * does with results files, JMH failures and roofline failures, without measuring anything.
 */
class BenchRunTest {
    /** Parameters the fake JMH run expands, as JMH would, into one result per combination. */
    private static final List<String> PARAMS = List.of("device", "act", "size", "mode");

    /**
     * Stands in for JMH and the roofline. {@code perOp} maps an op's benchmark (class.method) to
     * what its run does: a score in ops/s to write for every configuration, {@code "throw"} to
     * fail before writing anything, {@code "stop"} to end the whole run (an {@link Error}), or any
     * other text to write as the result file.
     */
    private static final class Fake implements BenchCommand.Measure {
        final Map<String, Object> perOp = new LinkedHashMap<>();
        final Function<String, Roofline> roofline;

        Fake(Function<String, Roofline> roofline) {
            this.roofline = roofline;
        }

        @Override
        public Collection<RunResult> jmh(Options o) throws RunnerException {
            String benchmark = o.getIncludes().getFirst().replace("^", "").replace("$", "").replace("\\", "");
            Object what = perOp.get(benchmark);
            if (what == null || what.equals("throw")) {
                throw new RunnerException("fake JMH: " + benchmark + " refused to start");
            }
            if (what.equals("stop")) { // the run ends here, as at Ctrl-C: nothing the command catches
                throw new Error("fake: the run stops in " + benchmark);
            }
            List<Map<String, String>> configs = new ArrayList<>(List.of(new LinkedHashMap<>()));
            for (String p : PARAMS) {
                Collection<String> values = o.getParameter(p).orElse(List.of());
                if (values.isEmpty()) {
                    continue;
                }
                List<Map<String, String>> next = new ArrayList<>();
                for (Map<String, String> c : configs) {
                    for (String v : values) {
                        Map<String, String> m = new LinkedHashMap<>(c);
                        m.put(p, v);
                        next.add(m);
                    }
                }
                configs = next;
            }
            String text = what instanceof Double score ? entries(benchmark, configs, score) : (String) what;
            try {
                Files.writeString(Path.of(o.getResult().get()), text);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            // The command only counts the results; their content is in the file.
            return Collections.nCopies(configs.size(), null);
        }

        @Override
        public Roofline roofline(String device) {
            return roofline.apply(device);
        }
    }

    private static String entries(String benchmark, List<Map<String, String>> configs, double score) {
        List<Object> l = new ArrayList<>();
        for (Map<String, String> c : configs) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("benchmark", benchmark);
            e.put("params", new LinkedHashMap<>(c));
            e.put("primaryMetric", Map.of("score", score, "scoreUnit", "ops/s"));
            // relu and dropout forward: 8 bytes per element
            e.put("secondaryMetrics", Map.of("bytes", Map.of("score", 8.0 * Sizes.elements(c.get("size")) * score,
                    "scoreUnit", "ops/s")));
            l.add(e);
        }
        return Json.write(l);
    }

    private static final String RELU = "dev.ember.benchmarks.ActivationBenchmark.forward";
    private static final String DROPOUT = "dev.ember.benchmarks.DropoutBenchmark.forward";

    private static Roofline limits(String device) {
        return new Roofline(device, 1e11, "fake FMA", 1e10);
    }

    /** Runs {@code ember bench --devices cpu --ops relu,dropout --out dir}; returns {exit code, stdout, stderr}. */
    private static Object[] bench(Path dir, Fake fake) {
        return run(fake, "--devices", "cpu", "--ops", "relu,dropout", "--out", dir.toString());
    }

    /** Runs {@code ember bench args} on {@code fake}; returns {exit code, stdout, stderr}. */
    private static Object[] run(Fake fake, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        int rc = BenchCommand.run(args, new PrintStream(out, true), new PrintStream(err, true), fake);
        return new Object[] {rc, out.toString(), err.toString()};
    }

    /**
     * A fake JMH for relu and dropout: each a score in ops/s, "throw" (JMH fails to start), "stop"
     * (the run is stopped there) or the text of its result file.
     */
    private static Fake fake(Object relu, Object dropout) {
        Fake fake = new Fake(BenchRunTest::limits);
        fake.perOp.put(RELU, relu);
        fake.perOp.put(DROPOUT, dropout);
        return fake;
    }

    /** A fake JMH whose relu benchmark scores 1000 ops/s, and nothing else. */
    private static Fake reluOnly() {
        Fake fake = new Fake(BenchRunTest::limits);
        fake.perOp.put(RELU, 1000.0);
        return fake;
    }

    private static List<String> rowOps(Path dir) throws IOException {
        Map<String, Object> doc = Json.object(Json.parse(Files.readString(dir.resolve("rows.json"))), "rows.json");
        return Json.array(doc.get("rows"), "rows").stream().map(r -> (String) Json.object(r, "row").get("op"))
                .distinct().toList();
    }

    @Test
    void aReusedDirectoryNeverFeedsThePreviousRunsResultsIntoTheReport(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("report");
        Fake first = fake(1000.0, 50.0);
        Object[] r = bench(dir, first);
        assertEquals(0, r[0], r[1] + "\n" + r[2]);
        assertEquals(List.of("relu", "dropout"), rowOps(dir));
        Files.writeString(dir.resolve("charts").resolve("softmax_ce.png"), "a chart of an op this run does not measure");

        // Second run into the same directory: relu's JMH run fails before writing its result.
        Fake second = fake("throw", 60.0);
        r = bench(dir, second);
        assertEquals(1, r[0], r[1] + "\n" + r[2]);
        assertEquals(List.of("dropout"), rowOps(dir), "relu's figures are the first run's");
        assertFalse(Files.exists(dir.resolve("raw/relu.json")));
        assertFalse(Files.exists(dir.resolve("charts/softmax_ce.png")), "a chart from the previous run is left");
        assertTrue(Files.exists(dir.resolve("charts/dropout.png")));
        assertTrue(((String) r[1]).contains("FAILED relu: fake JMH: " + RELU + " refused to start"), (String) r[1]);
        // no log to look at: JMH did not start
        assertTrue(((String) r[1]).contains("FAILED relu: 4 of 4 configs failed\n"), (String) r[1]);
        String md = Files.readString(dir.resolve("results.md"));
        assertTrue(md.contains("- Failed in this run, so missing from the table or measured at fewer configurations: "
                + "relu: fake JMH: " + RELU + " refused to start;"), md);
        assertFalse(md.contains("| relu |"), md);
        String rows = Files.readString(dir.resolve("rows.json"));
        assertTrue(rows.contains("\"failures\": [") && rows.contains("relu: fake JMH"), rows);
    }

    /**
     * A run into a reused --out that ends before its report is written (an error here; Ctrl-C
     * takes the same path through the shutdown hook) leaves the previous report as it was, not a
     * directory without one; a run that completes replaces it and leaves nothing set aside.
     */
    @Test
    void aRunThatEndsEarlyLeavesThePreviousReport(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("report");
        Fake first = fake(1000.0, 50.0);
        assertEquals(0, bench(dir, first)[0]);
        String md = Files.readString(dir.resolve("results.md"));
        String relu = Files.readString(dir.resolve("raw/relu.json"));

        Fake stopped = fake(2000.0, "stop"); // written into raw/, then the run stops at dropout
        org.junit.jupiter.api.Assertions.assertThrows(Error.class, () -> bench(dir, stopped));
        assertEquals(md, Files.readString(dir.resolve("results.md")));
        assertEquals(relu, Files.readString(dir.resolve("raw/relu.json")), "the stopped run's relu is gone");
        assertTrue(Files.exists(dir.resolve("charts/relu.png")) && Files.exists(dir.resolve("env.json")));
        assertFalse(Files.exists(dir.resolve(PreviousReport.KEPT)));
        assertEquals(List.of("relu", "dropout"), rowOps(dir));

        // A run killed outright (no hook) leaves the report set aside and its own partial files:
        // the next run puts the report back first, and its own report replaces it when written.
        PreviousReport.setAside(dir);
        Files.writeString(dir.resolve("raw/relu.json"), "partial");
        assertFalse(Files.exists(dir.resolve("results.md")));
        Fake again = new Fake(BenchRunTest::limits);
        again.perOp.put(RELU, "stop");
        org.junit.jupiter.api.Assertions.assertThrows(Error.class, () -> bench(dir, again));
        assertEquals(md, Files.readString(dir.resolve("results.md")));
        assertEquals(relu, Files.readString(dir.resolve("raw/relu.json")));
        Fake last = fake(3000.0, 70.0);
        assertEquals(0, bench(dir, last)[0]);
        assertFalse(Files.exists(dir.resolve(PreviousReport.KEPT)));
        assertFalse(md.equals(Files.readString(dir.resolve("results.md"))));
    }

    /** A CPU without the Vector API has no peak: the console says so instead of "NaN GFLOP/s". */
    @Test
    void aPeakThatWasNotMeasuredIsSaidSo(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("report");
        Fake fake = new Fake(d -> new Roofline(d, Double.NaN, "not measured: jdk.incubator.vector missing (fake)", 1e10));
        fake.perOp.put(RELU, 1000.0);
        fake.perOp.put(DROPOUT, 60.0);
        Object[] r = bench(dir, fake);
        String out = (String) r[1];
        assertEquals(0, r[0], out + "\n" + r[2]);
        assertFalse(out.contains("NaN"), out);
        assertTrue(out.contains("roofline cpu: peak not measured (jdk.incubator.vector missing (fake)), copy 10.0 GB/s\n"),
                out);
        assertTrue(out.contains("roofline cpu, higher of start and end: peak not measured (jdk.incubator.vector missing"
                + " (fake)), copy 10.0 GB/s\n"), out);
        String md = Files.readString(dir.resolve("results.md"));
        assertTrue(md.contains("| cpu | - | not measured: jdk.incubator.vector missing (fake) | 10.0 |"), md);
        // relu is counted in bytes only: its share of the measured copy bandwidth stands
        String relu = md.lines().filter(l -> l.startsWith("| relu | 1M | resident |")).findFirst().orElseThrow();
        assertTrue(relu.endsWith("| 1.00 ms | 8.39 GB/s | 84% |"), relu);
    }

    /** results.md in the report directory says that ember bench wrote it, not ember results. */
    @Test
    void resultsMdNamesTheCommandThatWroteIt(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("report");
        Fake fake = fake(1000.0, 60.0);
        Object[] r = bench(dir, fake);
        assertEquals(0, r[0], r[1] + "\n" + r[2]);
        List<String> md = Files.readString(dir.resolve("results.md")).lines().toList();
        assertEquals("Generated by `./ember bench` into " + dir + "; `./ember results " + dir
                + "` publishes it to RESULTS.md.", md.get(2));
    }

    /** --json's document is the last line of the output, as train --json's is, and equals rows.json. */
    @Test
    void jsonIsTheLastLineAndMatchesRowsJson(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("report");
        Object[] r = run(reluOnly(), "--devices", "cpu", "--ops", "relu", "--out", dir.toString(), "--json");
        assertEquals(0, r[0], r[1] + "\n" + r[2]);
        List<String> lines = ((String) r[1]).lines().toList();
        Object last = Json.parse(lines.getLast());
        assertEquals(Json.parse(Files.readString(dir.resolve("rows.json"))), last);
        assertTrue(Json.array(Json.object(last, "--json").get("rows"), "rows").size() > 0, lines.getLast());
    }

    /** A --full run of one op is not the full selection: the report says it was narrowed. */
    @Test
    void aNarrowedFullRunIsNotCalledFull(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("report");
        Object[] r = run(reluOnly(), "--full", "--devices", "cpu", "--ops", "relu", "--out", dir.toString());
        assertEquals(0, r[0], r[1] + "\n" + r[2]);
        Map<String, Object> env = Json.object(Json.parse(Files.readString(dir.resolve("env.json"))), "env.json");
        assertEquals("full (narrowed)", env.get("selection"));
        String md = Files.readString(dir.resolve("results.md"));
        assertTrue(md.contains("- Selection: full (narrowed); 2 fork(s)"), md);
    }

    /** Two spellings of one device are one device: measured once, and listed once in the report. */
    @Test
    void aDeviceNamedTwiceIsListedOnce(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("report");
        Object[] r = run(reluOnly(), "--devices", "cpu,CPU:0", "--ops", "relu", "--out", dir.toString());
        assertEquals(0, r[0], r[1] + "\n" + r[2]);
        Map<String, Object> env = Json.object(Json.parse(Files.readString(dir.resolve("env.json"))), "env.json");
        assertEquals(List.of("cpu"), Json.array(env.get("devices"), "devices").stream()
                .map(d -> Json.object(d, "device").get("name")).toList());
        String md = Files.readString(dir.resolve("results.md"));
        assertEquals(1, md.lines().filter(l -> l.startsWith("  - `cpu`")).count(), md);
    }

    @Test
    void aResultFileThatIsNotJmhJsonFailsItsOpOnly(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("report");
        Fake fake = fake("[{\"benchmark\": \"cut short", 60.0);
        Object[] r = bench(dir, fake);
        assertEquals(1, r[0], r[1] + "\n" + r[2]);
        assertEquals("", r[2], "the report was written");
        assertEquals(List.of("dropout"), rowOps(dir));
        assertTrue(((String) r[1]).contains("FAILED relu: " + dir.resolve("raw/relu.json")
                + " is not a JMH result document ("), (String) r[1]);

        // JSON, but an entry JMH would not write: no score
        fake.perOp.put(RELU, "[{\"benchmark\": \"" + RELU + "\"}]");
        r = bench(dir, fake);
        assertEquals(1, r[0], r[1] + "\n" + r[2]);
        assertEquals("", r[2], "the report was written");
        assertEquals(List.of("dropout"), rowOps(dir));
        assertTrue(((String) r[1]).contains("primaryMetric: expected a JSON object, got null"), (String) r[1]);
    }

    @Test
    void aRooflineThatCannotBeMeasuredLeavesItsRoofColumnEmptyAndTheRunGoesOn(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("report");
        Fake fake = new Fake(d -> {
            throw new IllegalStateException("fake: " + d + " lost its context");
        });
        fake.perOp.put(RELU, 1000.0);
        fake.perOp.put(DROPOUT, 60.0);
        Object[] r = bench(dir, fake);
        String out = (String) r[1];
        assertEquals(1, r[0], out + "\n" + r[2]);
        assertEquals("", r[2], "the report was written");
        assertEquals(List.of("relu", "dropout"), rowOps(dir));
        assertTrue(out.contains("roofline cpu: not measured (fake: cpu lost its context); trying again at the end"),
                out);
        assertTrue(out.contains("FAILED roofline of cpu: not measured: fake: cpu lost its context; its roof% column "
                + "is empty"), out);
        String md = Files.readString(dir.resolve("results.md"));
        assertTrue(md.contains("| cpu | - | not measured: fake: cpu lost its context | - |"), md);
        assertTrue(md.contains("measured at the start and again at the end"), md);
        String relu = md.lines().filter(l -> l.startsWith("| relu | 1M | resident |")).findFirst().orElseThrow();
        assertTrue(relu.endsWith("| 1.00 ms | 8.39 GB/s | - |"), relu);
        // ember results publishes it: the device has a roofline entry, saying why it is empty
        Path file = tmp.resolve("RESULTS.md");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(0, ResultsCommand.run(new String[] {dir.toString(), "--file", file.toString()},
                new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true)), err.toString());
    }

    @Test
    void aRooflineMissedAtTheStartIsTakenFromTheEnd(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("report");
        int[] calls = {0};
        Fake fake = new Fake(d -> {
            if (calls[0]++ == 0) {
                throw new IllegalStateException("fake: busy");
            }
            return limits(d);
        });
        fake.perOp.put(RELU, 1000.0);
        fake.perOp.put(DROPOUT, 60.0);
        Object[] r = bench(dir, fake);
        assertEquals(0, r[0], r[1] + "\n" + r[2]);
        String md = Files.readString(dir.resolve("results.md"));
        assertTrue(md.contains("| cpu | 100.0 | fake FMA | 10.0 |"), md);
        String relu = md.lines().filter(l -> l.startsWith("| relu | 1M | resident |")).findFirst().orElseThrow();
        assertTrue(relu.endsWith("| 1.00 ms | 8.39 GB/s | 84% |"), relu);
    }

    @Test
    void chartsThatCannotBeWrittenStillLeaveTheTableAndTheFailuresPrinted(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("report");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("charts"), "a file where the charts directory goes");
        Fake fake = fake("throw", 60.0);
        Object[] r = bench(dir, fake);
        String out = (String) r[1];
        assertEquals(1, r[0], out + "\n" + r[2]);
        assertTrue(((String) r[2]).startsWith("ember bench: writing the charts to " + dir.resolve("charts") + " failed: "),
                (String) r[2]);
        assertTrue(out.lines().anyMatch(l -> l.startsWith("dropout ")), out);
        assertTrue(out.contains("FAILED relu: fake JMH") && out.contains("report: " + dir), out);
    }

    @Test
    void staleOutputIsWhatThisCommandWritesAndNothingElse(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("report");
        Files.createDirectories(dir.resolve("raw"));
        Files.createDirectories(dir.resolve("charts"));
        List<String> ours = List.of("jmh.json", "env.json", "rows.json", "results.md", "raw/relu.json", "raw/relu.log",
                "raw/gemm_mlp.json", "charts/relu.png", "charts/gemm-speedup.png",
                // --full charts GEMM per transpose case (JmhResults names the lines gemm_nt, ...)
                "charts/gemm_nt.png", "charts/gemm_tn-speedup.png", "charts/gemm_tt.png");
        List<String> theirs = List.of("notes.md", "raw/notes.txt", "charts/README", "charts/my-own-plot.png");
        for (String f : ours) {
            Files.writeString(dir.resolve(f), "old");
        }
        for (String f : theirs) {
            Files.writeString(dir.resolve(f), "kept");
        }
        List<Path> stale = BenchCommand.staleOutput(dir);
        assertEquals(ours.size(), stale.size(), stale.toString()); // each once
        assertEquals(ours.stream().map(dir::resolve).collect(java.util.stream.Collectors.toSet()),
                new java.util.HashSet<>(stale));
        PreviousReport.setAside(dir);
        for (String f : ours) {
            assertFalse(Files.exists(dir.resolve(f)), f);
            assertTrue(Files.exists(dir.resolve(PreviousReport.KEPT).resolve(f)), f);
        }
        for (String f : theirs) {
            assertTrue(Files.exists(dir.resolve(f)), f);
        }
    }
}
