package dev.ember.nn;

import dev.ember.nn.cli.Cli;
import dev.ember.nn.data.Dataset;
import dev.ember.nn.data.Datasets;
import dev.ember.nn.io.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The command line end to end on the CPU: train, evaluate, predict, devices, and error handling. */
class CliTest {
    record Result(int code, String out, String err) {
    }

    static Result run(String... args) {
        ByteArrayOutputStream o = new ByteArrayOutputStream(), e = new ByteArrayOutputStream();
        int code = Cli.run(args, new PrintStream(o, true), new PrintStream(e, true));
        return new Result(code, o.toString(), e.toString());
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> json(String out) {
        List<String> lines = out.lines().toList();
        return (Map<String, Object>) Json.parse(lines.get(lines.size() - 1));
    }

    @Test
    void devicesMarksTheDefault() {
        Result r = run("devices");
        assertEquals(0, r.code, r.err);
        assertTrue(r.out.lines().anyMatch(l -> l.startsWith("* cpu") || l.startsWith("* ")), r.out);
        assertTrue(r.out.contains("cpu"), r.out);
    }

    @Test
    void trainEvaluatePredictOnWine(@TempDir Path dir) throws Exception {
        Result t = run("train", "--data", "wine", "--epochs", "5", "--device", "cpu", "--out", dir.toString(),
                "--json", "--quiet");
        assertEquals(0, t.code, t.err);
        Map<String, Object> m = json(t.out);
        assertEquals(1, t.out.lines().count(), "only the JSON line on stdout: " + t.out);
        double acc = ((Number) m.get("test_accuracy")).doubleValue();
        assertTrue(acc > 0.8, "accuracy after 5 epochs " + acc);
        assertEquals("cpu", m.get("device"));
        assertEquals(5L, ((Number) m.get("epochs_run")).longValue());
        for (String f : new String[] {"model.safetensors", "history.csv", "loss.png", "accuracy.png", "confusion.png"}) {
            assertTrue(Files.size(dir.resolve(f)) > 0, f);
        }
        assertEquals(6, Files.readAllLines(dir.resolve("history.csv")).size());

        Result e = run("evaluate", "--model", dir.resolve("model.safetensors").toString(), "--data", "wine", "--json");
        assertEquals(0, e.code, e.err);
        assertEquals(acc, ((Number) json(e.out).get("test_accuracy")).doubleValue(), 1e-12);

        Dataset wine = Datasets.load("wine");
        StringBuilder csv = new StringBuilder();
        for (int r = 0; r < 3; r++) {
            float[] row = wine.row(r * 60);
            for (int c = 0; c < row.length; c++) {
                csv.append(c == 0 ? "" : ",").append(row[c]);
            }
            csv.append('\n');
        }
        Path in = dir.resolve("in.csv");
        Files.writeString(in, csv);
        Result p = run("predict", "--model", dir.resolve("model.safetensors").toString(), "--input", in.toString());
        assertEquals(0, p.code, p.err);
        List<String> lines = p.out.lines().toList();
        assertEquals(4, lines.size(), p.out);
        assertTrue(lines.get(0).startsWith("prediction,p_"), lines.get(0));
        assertEquals(4, lines.get(1).split(",").length, lines.get(1));
    }

    @Test
    void trainOnACsvFileAsRegression(@TempDir Path dir) throws Exception {
        StringBuilder csv = new StringBuilder("a,b,y\n");
        java.util.SplittableRandom r = new java.util.SplittableRandom(1);
        for (int i = 0; i < 80; i++) {
            double a = r.nextGaussian(), b = r.nextGaussian();
            csv.append(a).append(',').append(b).append(',').append(3 * a - b + 0.1 * r.nextGaussian()).append('\n');
        }
        Path f = dir.resolve("lin.csv");
        Files.writeString(f, csv);
        Result t = run("train", "--data", f.toString(), "--header", "--task", "regression", "--layers", "none",
                "--optimizer", "adam", "--lr", "0.05", "--epochs", "60", "--batch-size", "8", "--json", "--quiet",
                "--out", dir.resolve("out").toString());
        assertEquals(0, t.code, t.err);
        assertTrue(((Number) json(t.out).get("test_r2")).doubleValue() > 0.95, t.out);
        Path in = dir.resolve("x.csv");
        Files.writeString(in, "1,0\n0,1\n");
        Result p = run("predict", "--model", dir.resolve("out/model.safetensors").toString(), "--input", in.toString());
        assertEquals(0, p.code, p.err);
        List<String> lines = p.out.lines().toList();
        assertEquals(3.0, Double.parseDouble(lines.get(1)), 0.3, p.out);
        assertEquals(-1.0, Double.parseDouble(lines.get(2)), 0.3, p.out);
    }

    @Test
    void binaryModelPredictsClassNamesAndProbabilities(@TempDir Path dir) throws Exception {
        Result t = run("train", "--data", "breast-cancer", "--epochs", "5", "--out", dir.toString(), "--quiet");
        assertEquals(0, t.code, t.err);
        assertEquals("", t.out);
        Dataset bc = Datasets.load("breast-cancer");
        StringBuilder csv = new StringBuilder("header,ignored\n");
        for (int r : new int[] {0, 19}) { // row 0 is malignant, row 19 benign
            float[] row = bc.row(r);
            for (int c = 0; c < row.length; c++) {
                csv.append(c == 0 ? "" : ",").append(row[c]);
            }
            csv.append('\n');
        }
        Path in = dir.resolve("in.csv");
        Files.writeString(in, csv);
        Result p = run("predict", "--model", dir.resolve("model.safetensors").toString(), "--input", in.toString(),
                "--header");
        assertEquals(0, p.code, p.err);
        List<String> lines = p.out.lines().toList();
        assertEquals("prediction,probability", lines.get(0));
        assertEquals(bc.classNames().get((int) bc.targets()[0]), lines.get(1).split(",")[0], p.out);
        assertEquals(bc.classNames().get((int) bc.targets()[19]), lines.get(2).split(",")[0], p.out);
        Result e = run("evaluate", "--model", dir.resolve("model.safetensors").toString(), "--data", "breast-cancer");
        assertEquals(0, e.code, e.err);
        assertTrue(e.out.contains("test accuracy") && e.out.contains("malignant"), e.out);
    }

    private static void oneLineError(Result r, String expect) {
        assertEquals(2, r.code, r.out + r.err);
        assertEquals(1, r.err.lines().count(), r.err);
        assertTrue(r.err.contains(expect), r.err);
        assertFalse(r.err.contains("Exception") || r.err.contains("\tat "), r.err);
    }

    @Test
    void commandLineErrorsAreOneClearLine(@TempDir Path dir) {
        oneLineError(run("train", "--data", "nosuchset"), "Unknown data set 'nosuchset'");
        oneLineError(run("train", "--data", "wine", "--layers", "32,x"), "bad layer spec '32,x'");
        oneLineError(run("train", "--data", "wine", "--device", "cuda:7"), "cuda:7");
        oneLineError(run("train", "--data", "wine", "--optimizer", "adamm"), "unknown optimizer 'adamm'");
        oneLineError(run("train", "--data", "wine", "--epochs", "ten"), "--epochs needs an integer");
        oneLineError(run("train", "--data", "wine", "--frobnicate"), "unknown flag --frobnicate");
        oneLineError(run("train", "--data", dir.resolve("missing.csv").toString()), "does not exist");
        oneLineError(run("evaluate", "--model", dir.resolve("nope.safetensors").toString(), "--data", "wine"),
                "does not exist");
        oneLineError(run("frob"), "unknown command 'frob'");
    }
}
