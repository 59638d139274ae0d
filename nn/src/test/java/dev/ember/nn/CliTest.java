package dev.ember.nn;

import dev.ember.nn.cli.Cli;
import dev.ember.nn.data.Csv;
import dev.ember.nn.data.Dataset;
import dev.ember.nn.data.Datasets;
import dev.ember.nn.io.Json;
import dev.ember.nn.train.RunConfig;
import dev.ember.runtime.Devices;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
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
        double load = ((Number) m.get("load_seconds")).doubleValue(), train = ((Number) m.get("train_seconds"))
                .doubleValue(), total = ((Number) m.get("total_seconds")).doubleValue();
        assertTrue(load > 0 && train > 0 && total >= train, "timings: load " + load + ", train " + train + ", total "
                + total);
        for (String f : new String[] {"model.safetensors", "history.csv", "loss.png", "accuracy.png", "confusion.png"}) {
            assertTrue(Files.size(dir.resolve(f)) > 0, f);
        }
        List<String> history = Files.readAllLines(dir.resolve("history.csv"));
        assertEquals(6, history.size());
        assertTrue(history.get(1).startsWith("1,") && history.get(5).startsWith("5,"), "epochs count from 1: "
                + history);

        Result e = run("evaluate", "--model", dir.resolve("model.safetensors").toString(), "--data", "wine", "--json");
        assertEquals(0, e.code, e.err);
        assertEquals(acc, ((Number) json(e.out).get("test_accuracy")).doubleValue(), 1e-12);
        // the --out directory stands for its model file, as a user types it after train
        Result byDir = run("evaluate", "--model", dir.toString(), "--data", "wine", "--json");
        assertEquals(0, byDir.code, byDir.err);
        assertEquals(acc, ((Number) json(byDir.out).get("test_accuracy")).doubleValue(), 1e-12);
        oneLineError(run("evaluate", "--model", dir.resolve("..").toString(), "--data", "wine"),
                "is a directory without a model.safetensors");
        oneLineError(run("evaluate", "--model", dir.toString(), "--data", "wine", "--header"),
                "--header applies to CSV files; wine is a bundled data set");
        oneLineError(run("evaluate", "--model", dir.toString(), "--data", "wine", "--label-column", "0"),
                "--label-column applies to CSV files");
        oneLineError(run("evaluate", "--model", dir.toString(), "--data", dir.resolve("mine.csv").toString(), "--header"),
                "data file " + dir.resolve("mine.csv") + " does not exist");
        // a cut model file is bad input (exit 2), as a missing one or one of another architecture is
        byte[] whole = Files.readAllBytes(dir.resolve("model.safetensors"));
        Path cut = Files.write(dir.resolve("cut.safetensors"), java.util.Arrays.copyOf(whole, whole.length - 9));
        oneLineError(run("evaluate", "--model", cut.toString(), "--data", "wine"),
                "ember: " + cut + ": invalid safetensors file: ");
        oneLineError(run("predict", "--model", cut.toString(), "--input", cut.toString()),
                "ember: " + cut + ": invalid safetensors file: ");
        predictGivesEachRowsProbabilities(dir);
    }

    /**
     * Predict on three wine rows with the model trained into {@code dir}: a header, then each row's
     * class and probabilities, which are the softmax of that row's outputs from the saved model.
     */
    private static void predictGivesEachRowsProbabilities(Path dir) throws java.io.IOException {
        Dataset wine = Datasets.load("wine");
        int cols = wine.cols();
        float[] x = new float[3 * cols];
        StringBuilder csv = new StringBuilder();
        for (int r = 0; r < 3; r++) {
            System.arraycopy(wine.row(r * 60), 0, x, r * cols, cols);
            for (int c = 0; c < cols; c++) {
                csv.append(c == 0 ? "" : ",").append(x[r * cols + c]);
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
        // the reference runs on the device predict ran on (Devices.best(): CPU and GPU logits may
        // differ by more than the printed digits allow)
        try (dev.ember.nn.model.SavedModel sm = dev.ember.nn.model.ModelFile.load(dir.resolve("model.safetensors"),
                Devices.best())) {
            double[] ref = sm.task().probabilities(sm.predict(x, 3), 3, 3);
            for (int r = 0; r < 3; r++) {
                String[] f = lines.get(r + 1).split(",");
                for (int c = 0; c < 3; c++) {
                    assertEquals(ref[r * 3 + c], Double.parseDouble(f[c + 1]), 1.5e-6, "row " + r + ": " + lines.get(r + 1));
                }
            }
        }
    }

    /** 80 rows of features a, b and target y = 3a - b + noise, with y in column yAt (0-2), header "a,b,y" in that order. */
    static Path linearCsv(Path file, long seed, int yAt) throws java.io.IOException {
        java.util.List<String> header = new java.util.ArrayList<>(List.of("a", "b"));
        header.add(yAt, "y");
        StringBuilder csv = new StringBuilder(String.join(",", header)).append('\n');
        java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
        for (int i = 0; i < 80; i++) {
            double a = r.nextGaussian(), b = r.nextGaussian();
            java.util.List<String> row = new java.util.ArrayList<>(List.of(Double.toString(a), Double.toString(b)));
            row.add(yAt, Double.toString(3 * a - b + 0.1 * r.nextGaussian()));
            csv.append(String.join(",", row)).append('\n');
        }
        Files.writeString(file, csv);
        return file;
    }

    @Test
    void trainOnACsvFileAsRegression(@TempDir Path dir) throws Exception {
        Path f = linearCsv(dir.resolve("lin.csv"), 1, 2);
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
        // a header naming the features picks them by name: another order, the label left out
        Files.writeString(in, "y,b,a\n9,0,1\n9,1,0\n");
        Result named = run("predict", "--model", dir.resolve("out").toString(), "--input", in.toString(), "--header");
        assertEquals(0, named.code, named.err);
        assertEquals(p.out, named.out);
        assertEquals("ember predict: columns taken by the model's feature names; ignored: y\n", named.err);
        // evaluate too: the same file with its columns in another order and an extra one scores the same
        Result e = run("evaluate", "--model", dir.resolve("out").toString(), "--data", f.toString(), "--header",
                "--label-column", "y", "--json");
        assertEquals(0, e.code, e.err);
        List<String> rows = Files.readAllLines(f);
        Path shuffled = dir.resolve("shuffled.csv");
        Files.write(shuffled, rows.stream().map(l -> {
            String[] c = l.split(",");
            return (c[0].equals("a") ? "id" : "7") + "," + c[2] + "," + c[1] + "," + c[0];
        }).toList());
        Result s = run("evaluate", "--model", dir.resolve("out").toString(), "--data", shuffled.toString(), "--header",
                "--label-column", "y", "--json");
        assertEquals(0, s.code, s.err);
        assertEquals(json(e.out).get("test_mse"), json(s.out).get("test_mse"));
        assertEquals("ember evaluate: columns taken by the model's feature names; ignored: id\n", s.err);
        // the report says which scale each figure is on: the loss the standardised target's, MSE the target's
        String report = run("evaluate", "--model", dir.resolve("out").toString(), "--data", shuffled.toString(),
                "--header", "--label-column", "y").out;
        assertTrue(report.lines().anyMatch(l -> l.matches("test loss \\d+\\.\\d{4} \\(standardised target\\)")), report);
        assertTrue(report.lines().anyMatch(l -> l.startsWith("test R2 ") && l.endsWith(" (target units)")), report);
    }

    /**
     * A regression model with several outputs (saved from code: the CLI trains one target) predicts
     * one column per output, each in its own target's units, as SavedModel.predict gives them;
     * evaluate, which compares a regression model's one output with the data's one label column,
     * refuses it by its outputs.
     */
    @Test
    void aRegressionModelWithSeveralOutputsPredictsOneColumnPerOutput(@TempDir Path dir) throws Exception {
        Path model = dir.resolve("two.safetensors");
        dev.ember.nn.data.StandardScaler targets = dev.ember.nn.data.StandardScaler.ofDouble(new double[] {10, -5},
                new double[] {2, 3});
        try (Sequential m = Sequential.builder(2).dense(2).build(Devices.cpu(), 1)) {
            m.parameters().get(0).value().copyFrom(new float[] {1, 0, 0, 1}); // identity: outputs = features
            m.parameters().get(1).value().copyFrom(new float[] {0, 0});
            dev.ember.nn.model.ModelFile.save(model, new dev.ember.nn.model.SavedModel(m, "mse", "two", null, null,
                    null, targets));
        }
        Path in = dir.resolve("in.csv");
        Files.writeString(in, "1,2\n3,4\n");
        Result p = run("predict", "--model", model.toString(), "--input", in.toString());
        assertEquals(0, p.code, p.err);
        assertEquals("prediction_0,prediction_1\n12.0,1.0\n16.0,7.0\n", p.out.replace("\r\n", "\n"));
        try (dev.ember.nn.model.SavedModel sm = dev.ember.nn.model.ModelFile.load(model, Devices.cpu())) {
            assertArrayEquals(new float[] {12, 1, 16, 7}, sm.predict(new float[] {1, 2, 3, 4}, 2));
        }
        Path data = dir.resolve("data.csv");
        Files.writeString(data, "1,2,12\n3,4,16\n");
        for (String json : new String[] {"--quiet", "--json"}) {
            oneLineError(run("evaluate", "--model", model.toString(), "--data", data.toString(), json),
                    "model " + model + " is a regression model with 2 outputs; evaluate compares one output with"
                    + " the data's label column");
        }
    }

    /** A header line read as data says what to do about it. */
    @Test
    void aHeaderWithoutHeaderFlagSuggestsIt(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("h.csv");
        Files.writeString(f, "a,b,y\n1,2,0\n3,4,1\n5,6,0\n7,8,1\n");
        oneLineError(run("train", "--data", f.toString(), "--epochs", "1"),
                "line 1, column 1: 'a' is not a number (if line 1 names the columns, add --header)");
        Files.writeString(f, ",a,b,y\n0,1,2,0\n1,3,4,1\n"); // pandas' to_csv: an empty index header cell
        oneLineError(run("train", "--data", f.toString(), "--epochs", "1"),
                "line 1, column 1: missing value (if line 1 names the columns, add --header)");
        // pandas' header of integer column names: the label column's name would become a class
        Files.writeString(f, "0,1,species\n1,2,cat\n3,4,dog\n5,6,cat\n7,8,dog\n");
        oneLineError(run("train", "--data", f.toString(), "--epochs", "1"),
                "the first row's label 'species' is the only row of its class (if line 1 names the columns, add"
                        + " --header)");
        Path run = dir.resolve("run");
        assertEquals(0, run("train", "--data", f.toString(), "--header", "--epochs", "1", "--quiet", "--out",
                run.toString()).code);
        oneLineError(run("evaluate", "--model", run.toString(), "--data", f.toString()),
                "label 'species' is not one of the known classes (cat, dog) (if line 1 names the columns, add"
                        + " --header)");
        // the same header over a regression target: its name is line 1's target, which is not a number
        Files.writeString(f, "0,1,target\n1,2,3.5\n3,4,1.5\n5,6,2.5\n");
        oneLineError(run("train", "--data", f.toString(), "--task", "regression", "--epochs", "1"),
                "line 1, column 3: 'target' is not a number; a regression target must be numeric (text labels name"
                        + " classes, which needs classification) (if line 1 names the columns, add --header)");
        // evaluate knows the classes, so a header is caught above: a small headerless file whose first
        // row is the only one of its class is data, not a header
        // nor does train refuse a real first row of a class seen once: only a row of column numbers
        trainsOneEpoch(dir, "rare", "0.5,2,bird\n1,2,cat\n3,4,dog\n5,6,cat\n7,8,dog\n2,1,cat\n");
        // a first row of whole numbers that do not increase is data, whatever its class
        trainsOneEpoch(dir, "down", "2,1,bird\n1,2,cat\n3,4,dog\n5,6,cat\n7,8,dog\n2,1,cat\n");
        // the header of a two-row file is still named as the likely header, before the file is too small to split
        Path two = dir.resolve("two.csv");
        Files.writeString(two, "0,1,species\n1,2,cat\n");
        oneLineError(run("train", "--data", two.toString(), "--epochs", "1"), two + ": the first row's label"
                + " 'species' is the only row of its class (if line 1 names the columns, add --header)");
        // column numbers over a label seen again later are a data row
        trainsOneEpoch(dir, "again", "0,1,dog\n1,2,cat\n3,4,dog\n5,6,cat\n7,8,cat\n");
        Path small = dir.resolve("small.csv");
        Files.writeString(small, "1,2,cat\n3,4,dog\n5,6,dog\n");
        Result few = run("evaluate", "--model", run.toString(), "--data", small.toString(), "--json");
        assertEquals(0, few.code, few.err);
        assertEquals(3L, ((Number) json(few.out).get("rows")).longValue(), few.out);
        Files.writeString(f, "1,2,0\n3,x,1\n");
        Result r = run("train", "--data", f.toString(), "--epochs", "1");
        oneLineError(r, "line 2, column 2: 'x' is not a number");
        assertFalse(r.err.contains("--header"), r.err);
    }

    /**
     * A header with a column that has no name (an export mistake) is refused when training, in one
     * line naming the file, line and column, rather than trained on as a feature predict cannot name.
     */
    @Test
    void anUnnamedHeaderColumnIsRefused(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("gap.csv");
        Files.writeString(f, "a,,c,label\n1,2,3,0\n4,5,6,1\n7,8,9,0\n1,3,5,1\n");
        Result r = run("train", "--data", f.toString(), "--header", "--epochs", "1");
        oneLineError(r, f + " line 1, column 2: the column after 'a' has no name");
        assertEquals("", r.out);
    }

    /**
     * A CSV too small for the train/test split (and the validation split, when asked for) says so
     * in one line naming the file, its rows and the rows needed, not in Splits' Java API terms.
     */
    @Test
    void tooFewRowsToSplitIsOneLine(@TempDir Path dir) throws Exception {
        Path one = dir.resolve("one.csv");
        Files.writeString(one, "a,b,y\n1,2,0\n");
        Result r = run("train", "--data", one.toString(), "--header", "--epochs", "1");
        oneLineError(r, one + ": too few rows to train: the file has 1 data row, and the splits need at least 2 (1 to"
                + " test, --test-fraction 0.2; 1 to train on)");
        assertFalse(r.err.contains("Splits"), r.err);
        assertEquals("", r.out);
        Path two = dir.resolve("two.csv");
        Files.writeString(two, "1,2,0\n3,4,1\n");
        Result ok = run("train", "--data", two.toString(), "--epochs", "1", "--quiet");
        assertEquals(0, ok.code, ok.err);
        oneLineError(run("train", "--data", two.toString(), "--epochs", "1", "--validation", "0.2"),
                two + ": too few rows to train: the file has 2 data rows, and the splits need at least 3 (1 to test,"
                        + " --test-fraction 0.2; 1 to validate, --validation 0.2; 1 to train on)");
        // a large test part leaves too few rows for validation until the file is larger
        Path five = dir.resolve("five.csv");
        Files.writeString(five, "1,2,0\n3,4,1\n5,6,0\n7,8,1\n9,0,0\n");
        oneLineError(run("train", "--data", five.toString(), "--test-fraction", "0.9", "--validation", "0.5"),
                "the file has 5 data rows, and the splits need at least 20 (18 to test, --test-fraction 0.9; 1 to"
                        + " validate, --validation 0.5; 1 to train on)");
    }

    /**
     * With --header, a model trained with named features refuses a header that names none of
     * them, as scikit-learn refuses feature names that do not match fit's, instead of reading the
     * columns in order; a model trained without a header still reads them in order.
     */
    @Test
    void aHeaderNamingNoneOfTheFeaturesIsRefused(@TempDir Path dir) throws Exception {
        Path f = linearCsv(dir.resolve("lin.csv"), 4, 2);
        Path out = dir.resolve("out");
        Result t = run("train", "--data", f.toString(), "--header", "--task", "regression", "--epochs", "1", "--quiet",
                "--out", out.toString());
        assertEquals(0, t.code, t.err);
        Path other = dir.resolve("other.csv");
        Files.writeString(other, "p,q\n1,0\n");
        Result p = run("predict", "--model", out.toString(), "--input", other.toString(), "--header");
        oneLineError(p, other + " line 1: the header names none of the model's features (the model's: a, b; the"
                + " header's: p, q)");
        assertEquals("", p.out);
        Path labelled = dir.resolve("labelled.csv");
        Files.writeString(labelled, "p,q,y\n1,0,3\n0,1,-1\n");
        oneLineError(run("evaluate", "--model", out.toString(), "--data", labelled.toString(), "--header",
                "--label-column", "y"), labelled + ": the header names none of the model's features (the"
                + " model's: a, b; the header's: p, q)");

        Path plain = dir.resolve("plain.csv");
        List<String> rows = Files.readAllLines(f);
        Files.write(plain, rows.subList(1, rows.size()));
        Path numbered = dir.resolve("numbered");
        Result n = run("train", "--data", plain.toString(), "--task", "regression", "--epochs", "1", "--quiet",
                "--out", numbered.toString());
        assertEquals(0, n.code, n.err);
        Result byPosition = run("predict", "--model", numbered.toString(), "--input", other.toString(), "--header");
        assertEquals(0, byPosition.code, byPosition.err);
        assertEquals(2, byPosition.out.lines().count(), byPosition.out);
    }

    /** --label-column takes a header name too, as a pandas user would write df["y"]. */
    @Test
    void labelColumnByName(@TempDir Path dir) throws Exception {
        Path f = linearCsv(dir.resolve("named.csv"), 2, 1);
        Result t = run("train", "--data", f.toString(), "--header", "--label-column", "y", "--task", "regression",
                "--layers", "none", "--optimizer", "adam", "--lr", "0.05", "--epochs", "60", "--batch-size", "8",
                "--json", "--quiet", "--out", dir.resolve("out").toString());
        assertEquals(0, t.code, t.err);
        assertTrue(((Number) json(t.out).get("test_r2")).doubleValue() > 0.95, t.out);
        Result e = run("evaluate", "--model", dir.resolve("out/model.safetensors").toString(), "--data", f.toString(),
                "--header", "--label-column", "Y", "--json");
        assertEquals(0, e.code, e.err);
        assertTrue(((Number) json(e.out).get("test_r2")).doubleValue() > 0.95, e.out);
        oneLineError(run("train", "--data", f.toString(), "--label-column", "y", "--task", "regression"),
                "--label-column y is a column name, which needs --header");
        oneLineError(run("train", "--data", f.toString(), "--header", "--label-column", "z", "--task", "regression"),
                "no column is named 'z' (columns: a, y, b)");
    }

    @Test
    void binaryModelPredictsClassNamesAndProbabilities(@TempDir Path dir) throws Exception {
        Result t = run("train", "--data", "breast-cancer", "--epochs", "5", "--out", dir.toString(), "--quiet");
        assertEquals(0, t.code, t.err);
        assertEquals("", t.out);
        Dataset bc = Datasets.load("breast-cancer");
        // a header of the model's feature names (breast cancer's are real names, not x0, x1, ...)
        StringBuilder csv = new StringBuilder(String.join(",", bc.featureNames().stream()
                .map(Csv::quote).toList())).append('\n');
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
        // One probability per class, named, as for more classes; they sum to 1 and the larger one
        // is the prediction's.
        assertEquals("prediction,p_" + bc.classNames().get(0) + ",p_" + bc.classNames().get(1), lines.get(0));
        for (int i = 1; i <= 2; i++) {
            String[] f = lines.get(i).split(",");
            double p0 = Double.parseDouble(f[1]), p1 = Double.parseDouble(f[2]);
            assertEquals(1.0, p0 + p1, 2e-6, lines.get(i));
            assertEquals(bc.classNames().get(p1 > p0 ? 1 : 0), f[0], lines.get(i));
        }
        assertEquals(bc.classNames().get((int) bc.targets()[0]), lines.get(1).split(",")[0], p.out);
        assertEquals(bc.classNames().get((int) bc.targets()[19]), lines.get(2).split(",")[0], p.out);
        Result e = run("evaluate", "--model", dir.resolve("model.safetensors").toString(), "--data", "breast-cancer");
        assertEquals(0, e.code, e.err);
        assertTrue(e.out.contains("test accuracy") && e.out.contains("malignant"), e.out);
        // With every weight 0 each logit is exactly 0: probability 0.5 is class 0, the rule
        // evaluate counts by (Task.predictClasses), as PyTorch's (logits > 0)
        Path zero = dir.resolve("zero.safetensors");
        try (dev.ember.nn.model.SavedModel m = dev.ember.nn.model.ModelFile.load(dir.resolve("model.safetensors"),
                Devices.get("cpu"))) {
            m.model().parameters().forEach(q -> q.value().fill(0f));
            dev.ember.nn.model.ModelFile.save(zero, m);
        }
        p = run("predict", "--model", zero.toString(), "--input", in.toString(), "--header");
        assertEquals(0, p.code, p.err);
        String atZero = Csv.quote(bc.classNames().get(0)) + ",0.500000,0.500000";
        assertEquals(List.of(atZero, atZero), p.out.lines().skip(1).toList(), p.out);
    }

    /** --layers sets the hidden sizes, a layer of one unit included. */
    @Test
    void layersFlagSetsTheHiddenSizes(@TempDir Path dir) throws Exception {
        Result t = run("train", "--data", "wine", "--layers", "7,1", "--epochs", "1", "--out", dir.toString(), "--quiet");
        assertEquals(0, t.code, t.err);
        try (dev.ember.nn.model.SavedModel sm = dev.ember.nn.model.ModelFile.load(dir.resolve("model.safetensors"),
                Devices.cpu())) {
            List<String> shapes = sm.model().parameters().stream().filter(p -> p.name().endsWith("weight"))
                    .map(p -> p.value().shapeString()).toList();
            assertEquals(List.of("7x13", "1x7", "3x1"), shapes);
        }
    }

    /** A labelled file need not hold the model's every class; its features must match the model's. */
    @Test
    void evaluateTakesTheClassesFromTheModel(@TempDir Path dir) throws Exception {
        Result t = run("train", "--data", "wine", "--epochs", "5", "--out", dir.toString(), "--quiet");
        assertEquals(0, t.code, t.err);
        String model = dir.resolve("model.safetensors").toString();
        Dataset wine = Datasets.load("wine");
        StringBuilder two = new StringBuilder(), bad = new StringBuilder();
        int rows = 0;
        for (int r = 0; r < wine.rows(); r++) {
            int label = (int) wine.targets()[r];
            float[] row = wine.row(r);
            StringBuilder line = new StringBuilder();
            for (float v : row) {
                line.append(v).append(',');
            }
            if (label < 2) {
                two.append(line).append(label).append('\n');
                rows++;
            }
            if (r < 3) {
                bad.append(line).append(r == 2 ? 3 : label).append('\n'); // 3: the first label past the model's 3 classes
            }
        }
        Path f = dir.resolve("classes01.csv");
        Files.writeString(f, two);
        Result e = run("evaluate", "--model", model, "--data", f.toString(), "--json");
        assertEquals(0, e.code, e.err);
        Map<String, Object> m = json(e.out);
        assertEquals((long) rows, ((Number) m.get("rows")).longValue());
        assertEquals(3, ((List<?>) m.get("confusion_matrix")).size(), "the model's three classes: " + e.out);
        Path g = dir.resolve("label3.csv");
        Files.writeString(g, bad);
        oneLineError(run("evaluate", "--model", model, "--data", g.toString()), "has label 3 (row 3)");
        oneLineError(run("evaluate", "--model", model, "--data", "digits"), "takes 13 features");
    }

    /**
     * Labels 1..3 (UCI's numbering, or pandas' 1.0/2.0/3.0) train 3 classes named 1, 2, 3, not 4
     * with an empty class 0; evaluate reads such a file's labels by value, predict writes them.
     */
    @Test
    void oneBasedLabelsAreClassesByValue(@TempDir Path dir) throws Exception {
        Dataset wine = Datasets.load("wine");
        StringBuilder csv = new StringBuilder();
        for (int r = 0; r < wine.rows(); r++) {
            for (float v : wine.row(r)) {
                csv.append(v).append(',');
            }
            csv.append(wine.targets()[r] + 1).append('\n'); // 1.0, 2.0, 3.0
        }
        Path f = dir.resolve("wine1.csv");
        Files.writeString(f, csv);
        Path out = dir.resolve("out");
        Result t = run("train", "--data", f.toString(), "--epochs", "20", "--out", out.toString(), "--json");
        assertEquals(0, t.code, t.err);
        assertTrue(t.err.contains("13 features, 3 classes (1, 2, 3)"), t.err);
        assertTrue(((Number) json(t.out).get("test_accuracy")).doubleValue() > 0.85, t.out);
        Result e = run("evaluate", "--model", out.toString(), "--data", f.toString(), "--json");
        assertEquals(0, e.code, e.err);
        assertTrue(((Number) json(e.out).get("test_accuracy")).doubleValue() > 0.85, e.out);
        Path in = dir.resolve("in.csv");
        Files.writeString(in, csv.substring(0, csv.indexOf("\n")).replaceFirst(",[^,]*$", "") + "\n");
        Result p = run("predict", "--model", out.toString(), "--input", in.toString());
        assertEquals(0, p.code, p.err);
        assertTrue(p.out.startsWith("prediction,p_1,p_2,p_3\n1,"), p.out);
    }

    /**
     * A CSV whose labels are species names: train numbers them in sorted order, the model keeps
     * the names, evaluate maps a file's names through them and predict writes them.
     */
    @Test
    void textLabelledCsvTrainEvaluatePredict(@TempDir Path dir) throws Exception {
        Path iris = TextLabelsTest.irisCsv(dir.resolve("iris.csv"));
        Path out = dir.resolve("out");
        Result t = run("train", "--data", iris.toString(), "--header", "--epochs", "30", "--lr", "0.02", "--stratify",
                "--out", out.toString(), "--json");
        assertEquals(0, t.code, t.err);
        assertTrue(t.err.contains("4 features, 3 classes (setosa, versicolor, virginica)"), t.err);
        Map<String, Object> m = json(t.out);
        assertEquals(List.of("setosa", "versicolor", "virginica"), m.get("classes"));
        assertTrue(((Number) m.get("test_accuracy")).doubleValue() > 0.85, t.out);
        assertEquals("[\"setosa\",\"versicolor\",\"virginica\"]", dev.ember.nn.io.SafeTensors.read(
                out.resolve("model.safetensors")).metadata().get(dev.ember.nn.model.ModelFile.CLASS_NAMES));

        Result e = run("evaluate", "--model", out.toString(), "--data", iris.toString(), "--header", "--json");
        assertEquals(0, e.code, e.err);
        Map<String, Object> em = json(e.out);
        assertEquals(150L, ((Number) em.get("rows")).longValue());
        assertEquals(List.of("setosa", "versicolor", "virginica"), em.get("classes"));
        assertTrue(((Number) em.get("test_accuracy")).doubleValue() > 0.85, e.out);
        // a file with one species only: its rows are the model's class 2, in the model's 3 x 3 matrix
        List<String> lines = Files.readAllLines(iris);
        Path virginica = dir.resolve("virginica.csv");
        Files.write(virginica, lines.stream().filter(l -> !l.contains("setosa") && !l.contains("versicolor")).toList());
        Result v = run("evaluate", "--model", out.toString(), "--data", virginica.toString(), "--header", "--json");
        assertEquals(0, v.code, v.err);
        List<?> cm = (List<?>) json(v.out).get("confusion_matrix");
        assertEquals(3, cm.size(), v.out);
        assertEquals(50L, ((List<?>) cm.get(2)).stream().mapToLong(x -> ((Number) x).longValue()).sum(), v.out);
        // a name the model does not know
        Path typo = dir.resolve("typo.csv");
        Files.write(typo, List.of(lines.get(0), lines.get(1), lines.get(2).replace("\"setosa\"", "setossa")));
        oneLineError(run("evaluate", "--model", out.toString(), "--data", typo.toString(), "--header"),
                typo + " line 3, column 5: label 'setossa' is not one of the known classes (setosa, versicolor,"
                        + " virginica)");

        Path in = dir.resolve("in.csv");
        Dataset bundled = Datasets.load("iris");
        StringBuilder csv = new StringBuilder();
        for (int r : new int[] {0, 50, 100}) { // one of each species
            float[] row = bundled.row(r);
            for (int c = 0; c < row.length; c++) {
                csv.append(c == 0 ? "" : ",").append('"').append(row[c]).append('"');
            }
            csv.append('\n');
        }
        Files.writeString(in, csv);
        Result p = run("predict", "--model", out.toString(), "--input", in.toString());
        assertEquals(0, p.code, p.err);
        List<String> rows = p.out.lines().toList();
        assertEquals("prediction,p_setosa,p_versicolor,p_virginica", rows.get(0));
        assertEquals(List.of("setosa", "versicolor", "virginica"), rows.subList(1, 4).stream()
                .map(l -> l.split(",")[0]).toList(), p.out);
    }

    /**
     * Two text classes train a binary (BCE, one output) model; predict names both classes, quoting
     * a name with a comma so that its output is still CSV.
     */
    @Test
    void twoTextClassesTrainABinaryModel(@TempDir Path dir) throws Exception {
        StringBuilder csv = new StringBuilder("a,b,answer\n");
        java.util.SplittableRandom r = new java.util.SplittableRandom(5);
        for (int i = 0; i < 120; i++) {
            double a = r.nextGaussian(), b = r.nextGaussian();
            csv.append(a).append(',').append(b).append(',').append(a + b > 0 ? "yes" : "\"no, thanks\"").append('\n');
        }
        Path f = dir.resolve("yn.csv");
        Files.writeString(f, csv);
        Path out = dir.resolve("out");
        Result t = run("train", "--data", f.toString(), "--header", "--epochs", "30", "--lr", "0.05", "--out",
                out.toString(), "--json", "--quiet");
        assertEquals(0, t.code, t.err);
        Map<String, Object> m = json(t.out);
        assertEquals(List.of("no, thanks", "yes"), m.get("classes"));
        assertTrue(((String) m.get("config")).contains("loss=bce "), t.out);
        assertTrue(((Number) m.get("test_accuracy")).doubleValue() > 0.85, t.out);
        try (var s = dev.ember.nn.model.ModelFile.load(out.resolve("model.safetensors"), Devices.cpu())) {
            assertEquals("bce", s.loss());
            assertEquals(1, s.model().outputSize());
        }
        Result e = run("evaluate", "--model", out.toString(), "--data", f.toString(), "--header", "--json");
        assertEquals(0, e.code, e.err);
        assertEquals(List.of("no, thanks", "yes"), json(e.out).get("classes"));
        assertTrue(((Number) json(e.out).get("test_accuracy")).doubleValue() > 0.85, e.out);
        Path in = dir.resolve("in.csv");
        Files.writeString(in, "2,2\n-2,-2\n");
        Result p = run("predict", "--model", out.toString(), "--input", in.toString());
        assertEquals(0, p.code, p.err);
        try (java.io.BufferedReader br = new java.io.BufferedReader(new java.io.StringReader(p.out))) {
            dev.ember.nn.data.Csv.Records records = new dev.ember.nn.data.Csv.Records(br, "predict output");
            assertArrayEquals(new String[] {"prediction", "p_no, thanks", "p_yes"}, records.next());
            assertEquals("yes", records.next()[0]);
            assertEquals("no, thanks", records.next()[0]);
        }
    }

    /**
     * A model whose file has no class names (saved before they were kept, or from code that gave
     * none) predicts as before, with numbered classes, and refuses text labels in evaluate clearly.
     */
    @Test
    void aModelWithoutClassNamesPredictsNumberedClasses(@TempDir Path dir) throws Exception {
        StringBuilder csv = new StringBuilder();
        java.util.SplittableRandom r = new java.util.SplittableRandom(3);
        for (int i = 0; i < 60; i++) {
            int label = i % 3;
            csv.append(r.nextGaussian() + 2 * label).append(',').append(r.nextGaussian()).append(',').append(label)
                    .append('\n');
        }
        Path f = dir.resolve("three.csv");
        Files.writeString(f, csv);
        Path out = dir.resolve("out");
        Result t = run("train", "--data", f.toString(), "--epochs", "10", "--out", out.toString(), "--quiet");
        assertEquals(0, t.code, t.err);
        Path model = out.resolve("model.safetensors");
        Path in = dir.resolve("in.csv");
        Files.writeString(in, "0,0\n4,0\n");
        Result withNames = run("predict", "--model", model.toString(), "--input", in.toString());
        assertEquals(0, withNames.code, withNames.err);
        assertTrue(withNames.out.startsWith("prediction,p_0,p_1,p_2\n"), withNames.out);

        dev.ember.nn.io.SafeTensorsFile raw = dev.ember.nn.io.SafeTensors.read(model);
        Map<String, String> meta = new java.util.LinkedHashMap<>(raw.metadata());
        assertEquals("[\"0\",\"1\",\"2\"]", meta.remove(dev.ember.nn.model.ModelFile.CLASS_NAMES));
        Path old = dir.resolve("old.safetensors");
        dev.ember.nn.io.SafeTensors.write(old, raw.tensors(), meta);
        Result p = run("predict", "--model", old.toString(), "--input", in.toString());
        assertEquals(0, p.code, p.err);
        assertEquals(withNames.out, p.out);
        Result e = run("evaluate", "--model", old.toString(), "--data", f.toString(), "--json");
        assertEquals(0, e.code, e.err);
        assertEquals(List.of("0", "1", "2"), json(e.out).get("classes"));
        Path text = dir.resolve("text.csv");
        Files.writeString(text, "0,0,low\n4,0,high\n");
        oneLineError(run("evaluate", "--model", old.toString(), "--data", text.toString()),
                "line 1, column 3: label 'low' is text, but the classes have no names (only the indices 0 to 2)");
        oneLineError(run("train", "--data", text.toString(), "--task", "regression"),
                "line 1, column 3: 'low' is not a number; a regression target must be numeric");
    }

    /** A CSV's test part: its fraction, seed and stratification come from flags. */
    @Test
    void csvSplitFlags(@TempDir Path dir) throws Exception {
        StringBuilder csv = new StringBuilder();
        java.util.SplittableRandom r = new java.util.SplittableRandom(3);
        for (int i = 0; i < 41; i++) {
            int label = i < 21 ? 0 : i < 34 ? 1 : 2; // 21 / 13 / 7 rows
            csv.append(r.nextGaussian() + label).append(',').append(r.nextGaussian()).append(',').append(label)
                    .append('\n');
        }
        Path f = dir.resolve("three.csv");
        Files.writeString(f, csv);
        Result t = run("train", "--data", f.toString(), "--epochs", "2", "--test-fraction", "0.25", "--stratify",
                "--split-seed", "7");
        assertEquals(0, t.code, t.err);
        // ceil(0.25 * 41) = 11 test rows; stratified by largest remainder: 21 -> 5.63, 13 -> 3.49, 7 -> 1.88
        // gives 5 + 3 + 1 = 9, and the two largest remainders (0.88, 0.63) add one each: 6 / 3 / 2.
        assertTrue(t.out.contains("30 train / 11 test rows"), t.out);
        String[] cm = t.out.substring(t.out.indexOf("confusion matrix")).lines().skip(1).limit(3)
                .map(String::trim).toArray(String[]::new);
        int[] perClass = new int[3];
        for (int c = 0; c < 3; c++) {
            for (String v : cm[c].split("\\s+")) {
                perClass[c] += Integer.parseInt(v);
            }
        }
        assertEquals("[6, 3, 2]", java.util.Arrays.toString(perClass), t.out);
    }

    /** Mistakes in train's arguments stop it before any training output. */
    @Test
    void trainArgumentsAreCheckedBeforeTraining(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("taken.csv");
        Files.writeString(file, "1,2\n");
        Path rows = dir.resolve("rows.csv");
        Files.writeString(rows, "1,2\n2,4\n3,6\n");
        String[][] cases = {
            {"is a file, not a directory", "--data", "iris", "--out", file.toString()},
            {"cannot create the directory", "--data", "iris", "--out", file.resolve("sub").toString()},
            {"--task must be classification or regression, got 'foo'", "--data", file.toString(), "--task", "foo"},
            {"--task applies to CSV files", "--data", "wine", "--task", "regression"},
            {"--label-column applies to CSV files", "--data", "wine", "--label-column", "0"},
            {"bad layer spec ','", "--data", "wine", "--layers", ","},
            {"bad layer spec '32,'", "--data", "wine", "--layers", "32,"},
            {"momentum must be in [0, 1), got -0.5", "--data", "wine", "--optimizer", "sgd", "--momentum", "-0.5"},
            {"--momentum must be in [0, 1), got -1.0", "--data", "wine", "--optimizer", "sgd", "--momentum", "-1"},
            {"unknown optimizer 'foo'", "--data", "wine", "--optimizer", "foo"},
            {"gamma must be positive and finite, got -1.0", "--data", "wine", "--schedule", "exp:-1"},
            {"gamma must be positive and finite, got 0.0", "--data", "wine", "--schedule", "step:5:0"},
            {"add --patience 0", "--data", "diabetes", "--validation", "0"},
            {"--test-fraction must be in (0, 1), got 1.5", "--data", file.toString(), "--test-fraction", "1.5"},
            {"--test-fraction must be in (0, 1), got 0", "--data", file.toString(), "--test-fraction", "0"},
            {"--test-fraction must be in (0, 1), got 1", "--data", file.toString(), "--test-fraction", "1"},
            {"--stratify applies to CSV files", "--data", "wine", "--stratify"},
            {"--stratify needs classes", "--data", file.toString(), "--task", "regression", "--stratify"},
            {"data file mydata.csv.gz does not exist", "--data", "mydata.csv.gz", "--header"},
            {"data file table.tsv does not exist", "--data", "table.tsv"},
            {"epochs must be >= 1, got 0", "--data", "wine", "--epochs", "0"},
            {"batch size must be >= 1, got 0", "--data", "wine", "--batch-size", "0"},
            {"validation fraction must be in [0, 1), got 1.0", "--data", "wine", "--validation", "1"},
            {"patience must be >= 0, got -1", "--data", "wine", "--patience", "-1"},
            {"clip norm must be >= 0, got -1.0", "--data", "wine", "--clip-norm", "-1"},
            {"learning rate must be finite and >= 0, got -0.1", "--data", "wine", "--lr", "-0.1"},
            {"weight decay must be finite and >= 0, got -1.0", "--data", "wine", "--weight-decay", "-1"},
            {"Nesterov needs a non-zero momentum", "--data", "wine", "--optimizer", "nesterov", "--momentum", "0"},
            {"--loss cross_entropy needs class labels, but data diabetes is regression", "--data", "diabetes", "--loss",
                "cross_entropy"},
            {"--loss cross_entropy needs class labels", "--data", rows.toString(), "--task", "regression", "--loss",
                "cross_entropy"},
            {"--loss bce needs 2 classes, data wine has 3", "--data", "wine", "--loss", "bce"},
        };
        for (String[] c : cases) {
            String[] args = new String[c.length];
            args[0] = "train";
            System.arraycopy(c, 1, args, 1, c.length - 1);
            Result r = run(args);
            oneLineError(r, c[0]);
            assertEquals("", r.out, "nothing printed before the error: " + String.join(" ", args));
        }
    }

    /**
     * R² is undefined on a test part whose targets are all equal (one row, say): the JSON line
     * holds null there, as JSON has no NaN, instead of the run failing after training.
     */
    @Test
    void jsonWritesAnUndefinedR2AsNull(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("five.csv");
        Files.writeString(f, "1,2,3\n2,3,5\n3,4,7\n4,5,9\n5,6,11\n");
        Result t = run("train", "--data", f.toString(), "--task", "regression", "--epochs", "2", "--json", "--quiet",
                "--out", dir.resolve("out").toString());
        assertEquals(0, t.code, t.err);
        Map<String, Object> m = json(t.out);
        assertTrue(m.containsKey("test_r2") && m.get("test_r2") == null, t.out);
        assertTrue(m.get("test_mse") instanceof Number, t.out);
        Path one = dir.resolve("one.csv");
        Files.writeString(one, "1,2,3\n");
        Result e = run("evaluate", "--model", dir.resolve("out/model.safetensors").toString(), "--data", one.toString(),
                "--json");
        assertEquals(0, e.code, e.err);
        Map<String, Object> em = json(e.out);
        assertTrue(em.containsKey("test_r2") && em.get("test_r2") == null, e.out);
        assertEquals(1L, ((Number) em.get("rows")).longValue(), e.out);
    }

    @Test
    void everyCommandTakesHelp() {
        for (String cmd : new String[] {"devices", "train", "evaluate", "predict"}) {
            for (String help : new String[] {"--help", "-h"}) {
                Result r = run(cmd, help);
                assertEquals(0, r.code, cmd + " " + help + ": " + r.err);
                assertTrue(r.out.startsWith("usage: ember " + cmd), cmd + " " + help + ": " + r.out);
                assertEquals("", r.err, cmd + " " + help);
                for (String line : r.out.split("\n")) {
                    assertTrue(line.length() <= 100, cmd + " help line of " + line.length() + ": " + line);
                }
            }
        }
        // anywhere among the flags, without the required ones or a check of the others
        Result r = run("train", "--epochs", "ten", "--help");
        assertEquals(0, r.code, r.err);
        assertTrue(r.out.startsWith("usage: ember train --data NAME|FILE.csv [flags]\n"), r.out);
    }

    /**
     * A command's help: each flag's entry, from its "  --name" line through the lines indented under
     * it, by name, its whitespace collapsed ("--lr X learning rate (default 0.001)").
     */
    private static Map<String, String> helpEntries(String help) {
        Map<String, String> entries = new java.util.LinkedHashMap<>();
        String name = null;
        for (String line : help.split("\n")) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("^  --([a-z-]+)").matcher(line);
            if (m.find()) {
                name = m.group(1);
                assertFalse(entries.containsKey(name), "--" + name + " twice in\n" + help);
                entries.put(name, line.strip());
            } else if (name != null && line.startsWith("    ")) {
                entries.put(name, entries.get(name) + " " + line.strip());
            } else {
                name = null;
            }
        }
        entries.replaceAll((k, v) -> v.replaceAll("\\s+", " "));
        return entries;
    }

    @Test
    void eachCommandsHelpHasAnEntryForEveryFlagItTakes() {
        for (String cmd : new String[] {"devices", "train", "evaluate", "predict"}) {
            String help = run(cmd, "--help").out;
            // the parser's own sets: a flag added without its help fails here, and so does help
            // for a flag the command does not take
            assertEquals(new java.util.TreeSet<>(Cli.flags(cmd)), new java.util.TreeSet<>(helpEntries(help).keySet()),
                    cmd + " --help:\n" + help);
        }
        assertTrue(run("devices", "--help").out.contains("no flags"));
        // every group train's help has, in order
        String train = run("train", "--help").out;
        int at = 0;
        for (String group : new String[] {"\ndata:\n", "\nmodel:\n", "\ntraining:\n", "\noutput:\n"}) {
            int next = train.indexOf(group);
            assertTrue(next > at, group.strip() + " in\n" + train);
            at = next;
        }
    }

    @Test
    void theOverviewIsShort() {
        Result h = run("help");
        assertEquals(0, h.code, h.err);
        assertEquals("", h.err);
        assertTrue(h.out.startsWith("usage: ember <command>"), h.out);
        assertTrue(h.out.contains("ember <command> --help"), h.out);
        for (String cmd : new String[] {"devices", "train", "evaluate", "predict"}) {
            assertEquals(1, h.out.lines().filter(l -> l.startsWith("  " + cmd + " ")).count(), cmd + " in\n" + h.out);
        }
        assertTrue(h.out.lines().count() <= 8, h.out); // not every flag: those are in each command's help
        assertFalse(h.out.contains("--init"), h.out);
        for (String word : new String[] {"--help", "-h"}) {
            assertEquals(h.out, run(word).out);
        }
        Result none = run();
        assertEquals(2, none.code);
        assertEquals(h.out, none.err); // on stderr: the command was missing
        assertEquals("", none.out);
    }

    /**
     * A flag's value that is literally -h or --help (a file of that name) is that value, as Args
     * reads it, not a request for the usage that exits 0 having done nothing.
     */
    @Test
    void aFlagValueThatLooksLikeHelpIsAValue() {
        for (String value : new String[] {"-h", "--help"}) {
            assertTrue(Files.notExists(Path.of(value)), "no file " + value + " in the working directory");
            oneLineError(run("predict", "--model", value, "--input", "x.csv"), "does not exist");
            oneLineError(run("evaluate", "--model", value, "--data", "wine"), "does not exist");
        }
        // the flag itself, after a value or as a switch's neighbour, is still the usage
        for (String[] args : new String[][] {{"predict", "--model", "m", "--help"}, {"train", "--header", "-h"},
            {"evaluate", "--data=x.csv", "-h"}}) {
            Result h = run(args);
            assertEquals(0, h.code, h.err);
            assertTrue(h.out.startsWith("usage: ember " + args[0]), h.out);
        }
    }

    /** The config that a one-epoch --json training run of {@code data} with {@code flags} prints. */
    private static String trainedConfig(String data, String... flags) {
        java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("train", "--data", data));
        args.addAll(java.util.List.of(flags));
        args.addAll(java.util.List.of("--epochs", "1", "--device", "cpu", "--json", "--quiet"));
        Result r = run(args.toArray(String[]::new));
        assertEquals(0, r.code, r.err);
        return (String) json(r.out).get("config");
    }

    /** "ember help train", as git's, is train's own help. */
    @Test
    void helpWithACommandIsThatCommandsHelp() {
        for (String c : new String[] {"devices", "train", "evaluate", "predict"}) {
            Result r = run("help", c);
            assertEquals(0, r.code, r.err);
            assertEquals(run(c, "--help").out, r.out, c);
            assertTrue(r.out.startsWith("usage: ember " + c), r.out);
        }
    }

    /** As PyTorch's AdamW: weight decay 0.01 unless given (with 0 it is Adam); a reference's own value stays. */
    @Test
    void adamwTakesPyTorchsDefaultWeightDecay() {
        assertTrue(trainedConfig("iris", "--optimizer", "adamw").contains("weight_decay=0.01"),
                trainedConfig("iris", "--optimizer", "adamw"));
        assertTrue(trainedConfig("iris").contains("weight_decay=0.0 "), trainedConfig("iris"));
        String config = trainedConfig("iris", "--optimizer", "adamw", "--weight-decay", "0");
        assertTrue(config.contains("weight_decay=0.0 "), config);
        config = trainedConfig("wine", "--optimizer", "adamw"); // wine's reference: Adam with 1e-4
        assertTrue(config.contains("weight_decay=1.0E-4"), config);
        Result r = run("train", "--data", "iris", "--weight-decay", "-1", "--device", "cpu", "--quiet");
        assertEquals(2, r.code, r.err);
        assertTrue(r.err.contains("weight decay must be finite and >= 0, got -1.0"), r.err);
    }

    @Test
    void sgdShowsTheMomentumItTrainsWith() {
        // wine's reference is Adam; SGD then trains with its default momentum, PyTorch's 0, and
        // Nesterov with 0.9, which the config says
        String config = trainedConfig("wine", "--optimizer", "sgd");
        assertTrue(config.contains("optimizer=sgd") && config.contains("momentum=0.0"), config);
        config = trainedConfig("wine", "--optimizer", "nesterov");
        assertTrue(config.contains("optimizer=nesterov") && config.contains("momentum=0.9"), config);
        config = trainedConfig("wine", "--optimizer", "sgd", "--momentum", "0.5");
        assertTrue(config.contains("momentum=0.5"), config);
    }

    @Test
    void trainHelpShowsTheDefaultsOfACsvRun() {
        Map<String, String> help = helpEntries(run("train", "--help").out);
        RunConfig d = RunConfig.defaults();
        assertEquals(1, d.hidden().length);
        assertTrue(d.momentum() < 0, "the default momentum is the optimizer's: " + d.momentum());
        Map<String, Object> shown = new java.util.LinkedHashMap<>();
        shown.put("layers", d.hidden()[0]);
        shown.put("activation", d.activation());
        shown.put("loss", d.loss());
        shown.put("optimizer", d.optimizer());
        shown.put("lr", d.lr());
        shown.put("momentum", "0.0; nesterov " + dev.ember.nn.optim.Optimizer.NESTEROV_MOMENTUM);
        assertEquals(RunConfig.DEFAULT_WEIGHT_DECAY, d.weightDecay(), "the optimizer's default");
        shown.put("weight-decay", "0.0; adamw " + dev.ember.nn.optim.Optimizer.ADAMW_WEIGHT_DECAY);
        shown.put("schedule", d.schedule());
        shown.put("dropout", d.dropout());
        shown.put("batch-size", d.batchSize());
        shown.put("epochs", d.epochs());
        shown.put("seed", d.seed());
        shown.put("patience", d.patience());
        shown.put("validation", d.validation());
        shown.put("init", d.init());
        shown.put("clip-norm", d.clipNorm());
        // the CSV flags' defaults, as loadTrainData and readCsv take them
        shown.put("test-fraction", 0.2f);
        shown.put("split-seed", 42);
        shown.put("label-column", -1);
        shown.put("task", "classification");
        shown.forEach((flag, value) -> assertTrue(help.get(flag).contains("(default " + value + ")"),
                "--" + flag + " default " + value + ": " + help.get(flag)));
        assertFalse(d.batchNorm()); // --batchnorm, a switch, is off
        // the values listed are values the flags take
        for (String flag : new String[] {"activation", "loss", "optimizer", "init", "task", "schedule"}) {
            java.util.regex.Matcher listed = java.util.regex.Pattern.compile("^--" + flag + " ([a-z_|\\[\\]:NG]+) ")
                    .matcher(help.get(flag));
            assertTrue(listed.find(), help.get(flag));
            for (String v : listed.group(1).split("\\|")) {
                String value = v.replaceAll("\\[.*", ""); // step[:N[:G]] -> step
                switch (flag) {
                    case "activation" -> dev.ember.runtime.Activation.parse(value);
                    case "loss" -> {
                        if (!value.equals("auto")) {
                            dev.ember.nn.loss.Loss.parse(value);
                        }
                    }
                    case "optimizer" -> dev.ember.nn.optim.Optimizer.check(value, -1f);
                    case "init" -> dev.ember.nn.Init.parse(value);
                    case "task" -> assertTrue(value.equals("classification") || value.equals("regression"), value);
                    default -> dev.ember.nn.optim.LrSchedule.parse(value);
                }
            }
        }
        // the schedules' own defaults, as the help states them
        assertTrue(help.get("schedule").contains("(N 10, G 0.1 if left out)") && help.get("schedule")
                .contains("(G 0.95)"), help.get("schedule"));
        var step = dev.ember.nn.optim.LrSchedule.parse("step");
        assertEquals(1f, step.lr(1f, 9, 100));
        assertEquals(0.1f, step.lr(1f, 10, 100));
        assertEquals(0.95f, dev.ember.nn.optim.LrSchedule.parse("exp").lr(1f, 1, 100));
        // a bundled data set's own configuration: where to see it
        assertTrue(run("train", "--help").out.contains("reference configuration"));
    }

    @Test
    void theReferenceMomentumStaysWithSgd() {
        // digits' reference trains SGD with momentum 0.9; with --optimizer adam the config that is
        // printed (and in the JSON) is Adam's, which has no momentum
        String config = trainedConfig("digits", "--optimizer", "adam");
        assertTrue(config.contains("optimizer=adam") && !config.contains("momentum"), config);
        config = trainedConfig("digits", "--optimizer", "nesterov");
        assertTrue(config.contains("optimizer=nesterov") && config.contains("momentum=0.9"), config);
    }

    /** Writes {@code csv} to {@code name}.csv and trains on it for one epoch, which must succeed. */
    private static void trainsOneEpoch(Path dir, String name, String csv) throws Exception {
        Path f = Files.writeString(dir.resolve(name + ".csv"), csv);
        Result r = run("train", "--data", f.toString(), "--epochs", "1", "--quiet", "--out",
                dir.resolve(name).toString());
        assertEquals(0, r.code, name + ": " + r.err);
    }

    static void oneLineError(Result r, String expect) {
        assertEquals(2, r.code, r.out + r.err);
        assertEquals(1, r.err.lines().count(), r.err);
        assertTrue(r.err.contains(expect), r.err);
        assertFalse(r.err.contains("Exception") || r.err.contains("\tat "), r.err);
    }

    /**
     * A pipe as --data ("cat x.csv | ember train --data /dev/stdin", a shell's <(...)) is read as
     * a file; it was taken for a data set's name and "does not exist". A pipe opens once, so a
     * reader that opened it twice would block for ever: the test fails after 30 s instead.
     */
    @Test
    @Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aPipeAsDataIsReadAsAFile(@TempDir Path dir) throws Exception {
        StringBuilder csv = new StringBuilder();
        for (int i = 0; i < 40; i++) {
            csv.append(i * 0.1).append(',').append((i * 7) % 5).append(',').append(i < 20 ? 0 : 1).append('\n');
        }
        Path fifo = Pipes.fed(dir, "data.fifo", csv);
        Result r = run("train", "--data", fifo.toString(), "--epochs", "1", "--quiet", "--json");
        assertEquals(0, r.code, r.err);
        // all 40 rows arrived: the 80/20 split holds 8 of them out, each counted once in the matrix
        long tested = 0;
        for (Object row : (List<?>) json(r.out).get("confusion_matrix")) {
            for (Object n : (List<?>) row) {
                tested += ((Number) n).longValue();
            }
        }
        assertEquals(8, tested, r.out);
    }

    /**
     * A numeric target (prices) left at the default --task is refused with the hint, not trained as
     * one class per value; --task classification trains it so; a few numbered classes train as before.
     */
    @Test
    void aNumericTargetUnderTheDefaultTaskIsRefused(@TempDir Path dir) throws Exception {
        StringBuilder prices = new StringBuilder("size,price\n");
        StringBuilder grades = new StringBuilder();
        for (int i = 0; i < 40; i++) {
            prices.append(30 + i).append(',').append(90_000 + 3000 * i + (i % 7) * 11).append('\n');
            grades.append(i).append(',').append(1 + i % 12).append('\n'); // 12 classes of 3 or 4 rows
        }
        Path f = Files.writeString(dir.resolve("price.csv"), prices);
        Result r = run("train", "--data", f.toString(), "--header", "--epochs", "1", "--quiet");
        oneLineError(r, f + ": the label column holds 40 distinct numbers in 40 rows, 40 of them on one row only:"
                + " a numeric target, not classes? Add --task regression (or --task classification");
        r = run("train", "--data", f.toString(), "--header", "--epochs", "1", "--quiet", "--task", "classification");
        assertEquals(0, r.code, r.err);
        r = run("train", "--data", f.toString(), "--header", "--epochs", "1", "--quiet", "--task", "regression");
        assertEquals(0, r.code, r.err);
        Path g = Files.writeString(dir.resolve("grades.csv"), grades);
        r = run("train", "--data", g.toString(), "--epochs", "1", "--quiet");
        assertEquals(0, r.code, r.err);
    }

    /**
     * Evaluating the CSV a model was trained on scores its training rows too: said on stderr, as
     * the test metrics a newcomer takes it for are train's; not for another file, nor under --quiet.
     */
    @Test
    void evaluatingTheTrainingFileSaysItIsNotATestScore(@TempDir Path dir) throws Exception {
        StringBuilder csv = new StringBuilder("a,b,kind\n");
        for (int i = 0; i < 40; i++) {
            csv.append(i % 5).append(',').append(i % 3).append(',').append(i % 2 == 0 ? "even" : "odd").append('\n');
        }
        Path f = Files.writeString(dir.resolve("kinds.csv"), csv);
        Path out = dir.resolve("run");
        Result t = run("train", "--data", f.toString(), "--header", "--epochs", "1", "--quiet", "--out", out.toString());
        assertEquals(0, t.code, t.err);
        String note = "ember evaluate: note: the model was trained on data named 'kinds', as this file is";
        Result e = run("evaluate", "--model", out.toString(), "--data", f.toString(), "--header", "--json");
        assertEquals(0, e.code, e.err);
        assertTrue(e.err.startsWith(note) && e.err.contains("count its training rows too"), e.err);
        assertEquals(1, e.out.lines().count(), e.out); // the JSON line alone on stdout
        assertEquals("", run("evaluate", "--model", out.toString(), "--data", f.toString(), "--header", "--quiet").err);
        Path other = Files.writeString(dir.resolve("fresh.csv"), csv);
        e = run("evaluate", "--model", out.toString(), "--data", other.toString(), "--header");
        assertEquals(0, e.code, e.err);
        assertFalse(e.err.contains("note:"), e.err);
    }

    @Test
    void commandLineErrorsAreOneClearLine(@TempDir Path dir) {
        oneLineError(run("train", "--data", "nosuchset"), "Unknown data set 'nosuchset'");
        oneLineError(run("train", "--data", "wine", "--layers", "32,x"), "bad layer spec '32,x'");
        oneLineError(run("train", "--data", "wine", "--device", "cuda:7"), "cuda:7");
        oneLineError(run("train", "--data", "wine", "--optimizer", "adamm"), "unknown optimizer 'adamm'");
        oneLineError(run("train", "--data", "wine", "--optimizer", "adam", "--momentum", "0.5"),
                "--momentum applies to sgd and nesterov; Ember's adam has no momentum");
        oneLineError(run("train", "--data", "wine", "--optimizer", "RMSprop", "--momentum", "0.5"),
                "--momentum applies to sgd and nesterov; Ember's rmsprop has no momentum");
        oneLineError(run("train", "--data", "wine", "--epochs", "ten"), "--epochs needs an integer");
        oneLineError(run("train", "--data", "wine", "--dropout", "1"), "--dropout must be in [0, 1), got 1.0");
        oneLineError(run("train", "--data", "wine", "--layers", "32,0"), "bad layer spec '32,0'");
        oneLineError(run("train", "--data", "wine", "--frobnicate"), "unknown flag --frobnicate");
        oneLineError(run("train", "--data", dir.resolve("missing.csv").toString()), "does not exist");
        // an existing directory is named as one, neither a missing file nor an unknown data set's name
        oneLineError(run("train", "--data", dir.toString()), "--data " + dir + " is a directory, not a CSV file");
        oneLineError(run("evaluate", "--model", dir.resolve("nope.safetensors").toString(), "--data", "wine"),
                "does not exist");
        oneLineError(run("frob"), "unknown command 'frob'");
        oneLineError(run("frob", "--help"), "unknown command 'frob'"); // not the usage, as if it existed
        oneLineError(run("devices", "--json"), "unknown flag --json"); // not a plain list as if understood
    }
}
