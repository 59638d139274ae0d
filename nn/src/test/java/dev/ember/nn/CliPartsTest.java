package dev.ember.nn;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static dev.ember.nn.CliTest.json;
import static dev.ember.nn.CliTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code evaluate --part} (a CSV's held-out part again) and {@code train --drop-columns}. */
class CliPartsTest {

    /** id,a,b,label: an id column, two features, three classes (or a numeric target). */
    private static Path csv(Path dir, String name, boolean header, boolean regression, int rows) throws Exception {
        StringBuilder s = new StringBuilder(header ? "id,a,b,label\n" : "");
        java.util.SplittableRandom r = new java.util.SplittableRandom(7);
        for (int i = 0; i < rows; i++) {
            double a = r.nextGaussian(), b = r.nextGaussian();
            String label = regression ? Double.toString(2 * a - b + 0.1 * r.nextGaussian())
                    : Integer.toString(a + b > 0.7 ? 2 : a + b > -0.7 ? 1 : 0);
            s.append(1000 + i).append(',').append(a).append(',').append(b).append(',').append(label).append('\n');
        }
        return Files.writeString(dir.resolve(name), s);
    }

    private static void sameMetrics(Map<String, Object> train, Map<String, Object> eval, String... keys) {
        for (String k : keys) {
            assertEquals(((Number) train.get(k)).doubleValue(), ((Number) eval.get(k)).doubleValue(), 1e-6,
                    k + ": train " + train + " evaluate " + eval);
        }
    }

    private static void partReproducesTrainsTestMetrics(Path dir, boolean regression, boolean stratify)
            throws Exception {
        Path f = csv(dir, "d.csv", true, regression, 120);
        Path out = dir.resolve("run" + regression + stratify);
        java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("train", "--data", f.toString(),
                "--header", "--epochs", "3", "--test-fraction", "0.3", "--split-seed", "5", "--device", "cpu",
                "--quiet", "--json", "--out", out.toString()));
        if (regression) {
            args.addAll(java.util.List.of("--task", "regression"));
        }
        if (stratify) {
            args.add("--stratify");
        }
        CliTest.Result t = run(args.toArray(String[]::new));
        assertEquals(0, t.code(), t.err());
        CliTest.Result e = run("evaluate", "--model", out.toString(), "--data", f.toString(), "--header",
                "--part", "test", "--json", "--device", "cpu");
        assertEquals(0, e.code(), e.err());
        assertFalse(e.err().contains("note:"), e.err());
        Map<String, Object> tm = json(t.out()), em = json(e.out());
        assertEquals(36, ((Number) em.get("rows")).intValue(), e.out()); // ceil(0.3 * 120)
        assertEquals("test", em.get("part"));
        sameMetrics(tm, em, "test_loss");
        sameMetrics(tm, em, regression ? "test_r2" : "test_accuracy");
        if (!regression) {
            assertEquals(tm.get("confusion_matrix"), em.get("confusion_matrix"));
        }
        CliTest.Result tr = run("evaluate", "--model", out.toString(), "--data", f.toString(), "--header",
                "--part", "train", "--json", "--device", "cpu");
        assertEquals(0, tr.code(), tr.err());
        assertEquals(84, ((Number) json(tr.out()).get("rows")).intValue(), tr.out());
        CliTest.Result all = run("evaluate", "--model", out.toString(), "--data", f.toString(), "--header",
                "--json", "--device", "cpu");
        assertEquals(120, ((Number) json(all.out()).get("rows")).intValue(), all.out());
        assertTrue(all.err().contains("--part test"), all.err()); // the note points at it
    }

    @Test
    void partTestReproducesTrainsClassificationMetrics(@TempDir Path dir) throws Exception {
        partReproducesTrainsTestMetrics(dir, false, false);
        partReproducesTrainsTestMetrics(dir, false, true);
    }

    @Test
    void partTestReproducesTrainsRegressionMetrics(@TempDir Path dir) throws Exception {
        partReproducesTrainsTestMetrics(dir, true, false);
    }

    @Test
    void partRefusesAnotherFileAndAModelWithoutASplitRecord(@TempDir Path dir) throws Exception {
        Path f = csv(dir, "d.csv", false, false, 60);
        Path out = dir.resolve("run");
        assertEquals(0, run("train", "--data", f.toString(), "--epochs", "1", "--quiet", "--out", out.toString()).code());
        Path fewer = csv(dir, "fewer.csv", false, false, 50);
        CliTest.oneLineError(run("evaluate", "--model", out.toString(), "--data", fewer.toString(), "--part", "test"),
                "is not the data model " + out + " was trained on: it has 50 rows, the model's split was drawn from 60");
        String changed = Files.readString(f).replaceFirst("1000,", "1000.5,");
        Path other = Files.writeString(dir.resolve("other.csv"), changed);
        CliTest.oneLineError(run("evaluate", "--model", out.toString(), "--data", other.toString(), "--part", "test"),
                "the same 60 rows, but other values or another order");
        // the same rows gzipped are the same data
        Path gz = dir.resolve("d.csv.gz");
        try (var o = new java.util.zip.GZIPOutputStream(Files.newOutputStream(gz))) {
            o.write(Files.readAllBytes(f));
        }
        assertEquals(0, run("evaluate", "--model", out.toString(), "--data", gz.toString(), "--part", "test").code());
        CliTest.oneLineError(run("evaluate", "--model", out.toString(), "--data", f.toString(), "--part", "half"),
                "--part must be test, train or all, got 'half'");
        Path wine = dir.resolve("wine");
        assertEquals(0, run("train", "--data", "wine", "--epochs", "1", "--quiet", "--out", wine.toString()).code());
        Path wineCsv = Files.writeString(dir.resolve("w.csv"), Files.readString(f));
        CliTest.oneLineError(run("evaluate", "--model", out.toString().replace("run", "wine"), "--data",
                wineCsv.toString(), "--part", "test"), "has no record of a CSV split");
    }

    @Test
    void partOfABundledDataSetIsItsReferenceSplit(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("wine");
        CliTest.Result t = run("train", "--data", "wine", "--epochs", "2", "--quiet", "--json", "--out",
                out.toString(), "--device", "cpu");
        assertEquals(0, t.code(), t.err());
        CliTest.Result e = run("evaluate", "--model", out.toString(), "--data", "wine", "--part", "test", "--json",
                "--device", "cpu");
        assertEquals(0, e.code(), e.err());
        sameMetrics(json(t.out()), json(e.out()), "test_loss", "test_accuracy");
        assertEquals(36, ((Number) json(e.out()).get("rows")).intValue()); // wine: 178 rows, 20%
        CliTest.Result tr = run("evaluate", "--model", out.toString(), "--data", "wine", "--part", "train", "--json");
        assertEquals(142, ((Number) json(tr.out()).get("rows")).intValue(), tr.out() + tr.err());
        CliTest.Result all = run("evaluate", "--model", out.toString(), "--data", "wine", "--part", "all", "--json");
        assertEquals(178, ((Number) json(all.out()).get("rows")).intValue(), all.out() + all.err());
    }

    @Test
    void dropColumnsWithoutAHeaderIsRecordedForPredictAndEvaluate(@TempDir Path dir) throws Exception {
        Path f = csv(dir, "d.csv", false, false, 80);
        Path out = dir.resolve("run");
        CliTest.Result t = run("train", "--data", f.toString(), "--drop-columns", "0", "--epochs", "2", "--quiet",
                "--json", "--out", out.toString(), "--stratify");
        assertEquals(0, t.code(), t.err());
        // the model takes 2 features, not the id
        CliTest.Result e = run("evaluate", "--model", out.toString(), "--data", f.toString(), "--part", "test",
                "--json");
        assertEquals(0, e.code(), e.err());
        sameMetrics(json(t.out()), json(e.out()), "test_loss", "test_accuracy");
        // predict takes the training file's layout without the label: id,a,b
        StringBuilder in = new StringBuilder();
        StringBuilder noId = new StringBuilder();
        for (String line : Files.readAllLines(f).subList(0, 5)) {
            String[] c = line.split(",");
            in.append(c[0]).append(',').append(c[1]).append(',').append(c[2]).append('\n');
            noId.append("9999999,").append(c[1]).append(',').append(c[2]).append('\n');
        }
        CliTest.Result p = run("predict", "--model", out.toString(), "--input",
                Files.writeString(dir.resolve("in.csv"), in).toString());
        assertEquals(0, p.code(), p.err());
        assertEquals(6, p.out().lines().count(), p.out());
        // the id is left out, so another id predicts the same
        CliTest.Result q = run("predict", "--model", out.toString(), "--input",
                Files.writeString(dir.resolve("in2.csv"), noId).toString());
        assertEquals(p.out(), q.out());
        // a file of just the two features, as a user who dropped the id from it would write: the same predictions
        StringBuilder features = new StringBuilder();
        for (String line : in.toString().lines().toList()) {
            features.append(line.substring(line.indexOf(',') + 1)).append('\n');
        }
        CliTest.Result r = run("predict", "--model", out.toString(), "--input",
                Files.writeString(dir.resolve("features.csv"), features).toString());
        assertEquals(0, r.code(), r.err());
        assertEquals(p.out(), r.out());
        Path four = Files.writeString(dir.resolve("four.csv"), "1,0.5,0.1,7\n");
        CliTest.Result bad = run("predict", "--model", out.toString(), "--input", four.toString());
        assertEquals(2, bad.code(), bad.err());
        assertTrue(bad.err().contains("has 4 columns, the model takes 2 features, alone or among the 3 columns"),
                bad.err());
        // evaluate likewise takes the training layout or just the features and the label
        StringBuilder labelled = new StringBuilder();
        for (String line : Files.readAllLines(f)) {
            labelled.append(line.substring(line.indexOf(',') + 1)).append('\n');
        }
        CliTest.Result n = run("evaluate", "--model", out.toString(), "--data",
                Files.writeString(dir.resolve("narrow.csv"), labelled).toString(), "--part", "test", "--json");
        assertEquals(0, n.code(), n.err());
        sameMetrics(json(t.out()), json(n.out()), "test_loss", "test_accuracy");
        Path wide = Files.writeString(dir.resolve("wide.csv"), "1,2,0.5,0.1,1\n3,4,0.2,0.3,0\n");
        CliTest.oneLineError(run("evaluate", "--model", out.toString(), "--data", wide.toString()),
                "takes 2 features, alone or as the 3 columns of its training file besides the label");
    }

    /** A wide file's many dropped columns: the refusal of another layout is a line, not the whole list. */
    @Test
    void anotherLayoutRefusalAbbreviatesManyDroppedColumns(@TempDir Path dir) throws Exception {
        StringBuilder s = new StringBuilder();
        StringBuilder drop = new StringBuilder();
        for (int r = 0; r < 20; r++) {
            for (int c = 0; c < 400; c++) {
                s.append((r * 7 + c) % 11).append(',');
            }
            s.append(r % 2).append('\n');
        }
        for (int c = 0; c < 398; c++) {
            drop.append(c == 0 ? "" : ",").append(c);
        }
        Path f = Files.writeString(dir.resolve("wide.csv"), s);
        Path out = dir.resolve("run");
        CliTest.Result t = run("train", "--data", f.toString(), "--drop-columns", drop.toString(), "--epochs", "1",
                "--quiet", "--out", out.toString());
        assertEquals(0, t.code(), t.err());
        Path three = Files.writeString(dir.resolve("three.csv"), "0.5,0.1,0.7,1\n0.2,0.3,0.4,0\n");
        CliTest.Result e = run("evaluate", "--model", out.toString(), "--data", three.toString());
        CliTest.oneLineError(e, "takes 2 features, alone or as the 400 columns of its training file besides the label");
        assertTrue(e.err().contains("398 positions: 0, 1, 2"), e.err());
        assertTrue(e.err().length() < 400, e.err());
    }

    @Test
    void dropColumnsByNameWithAHeaderIsIgnoredByName(@TempDir Path dir) throws Exception {
        Path f = csv(dir, "d.csv", true, true, 80);
        Path out = dir.resolve("run");
        CliTest.Result t = run("train", "--data", f.toString(), "--header", "--label-column", "label",
                "--drop-columns", "id", "--task", "regression", "--epochs", "2", "--quiet", "--json", "--out",
                out.toString());
        assertEquals(0, t.code(), t.err());
        CliTest.Result e = run("evaluate", "--model", out.toString(), "--data", f.toString(), "--header",
                "--label-column", "label", "--part", "test", "--json");
        assertEquals(0, e.code(), e.err());
        assertTrue(e.err().contains("ignored: id"), e.err());
        sameMetrics(json(t.out()), json(e.out()), "test_loss", "test_r2");
        CliTest.Result p = run("predict", "--model", out.toString(), "--input", f.toString(), "--header");
        assertEquals(0, p.code(), p.err());
        assertTrue(p.err().contains("ignored: id, label"), p.err());
    }

    @Test
    void dropColumnsRefusesTheLabelUnknownColumnsRepeatsAndEverything(@TempDir Path dir) throws Exception {
        Path f = csv(dir, "d.csv", true, false, 40);
        String file = f.toString();
        CliTest.oneLineError(run("train", "--data", file, "--header", "--drop-columns", "label"),
                "--drop-columns label is the label column ('label')");
        CliTest.oneLineError(run("train", "--data", file, "--header", "--drop-columns", "3"),
                "--drop-columns 3 is the label column");
        CliTest.oneLineError(run("train", "--data", file, "--header", "--drop-columns", "ID"),
                "--drop-columns ID: no column of " + file + " is named so (columns: id, a, b, label); 'id' differs"
                        + " only in case");
        CliTest.oneLineError(run("train", "--data", file, "--header", "--drop-columns", "7"),
                "--drop-columns 7: no such column; " + file + " has 4 columns, 0 to 3");
        CliTest.oneLineError(run("train", "--data", file, "--header", "--drop-columns", "id,0"),
                "names column 0 ('id') twice");
        CliTest.oneLineError(run("train", "--data", file, "--header", "--drop-columns", "id,a,b"),
                "drops every feature: " + file + " has 4 columns, the label and 3 features");
        CliTest.oneLineError(run("train", "--data", file, "--header", "--drop-columns", "id,,a"), "has an empty entry");
        CliTest.oneLineError(run("train", "--data", file.replace("d.csv", "x.csv"), "--drop-columns", "id"),
                "does not exist");
        Path noHeader = csv(dir, "n.csv", false, false, 40);
        CliTest.oneLineError(run("train", "--data", noHeader.toString(), "--drop-columns", "id"),
                "--drop-columns id is a column name, which needs --header");
        CliTest.oneLineError(run("train", "--data", "wine", "--drop-columns", "0"),
                "--drop-columns applies to CSV files");
        CliTest.oneLineError(run("train", "--data", file, "--drop-colums", "0"), "did you mean --drop-columns?");
        CliTest.oneLineError(run("evaluate", "--model", file, "--data", file, "--prt", "test"), "did you mean --part?");
    }

    /**
     * id,a,name,b,label: a text id ("C1000"), two features around a text name column (some names
     * empty), three classes; {@code idPrefix} changes the ids' text only.
     */
    private static String textColumns(boolean header, String idPrefix, boolean label, int rows) {
        StringBuilder s = new StringBuilder(header ? "id,a,name,b" + (label ? ",label" : "") + "\n" : "");
        java.util.SplittableRandom r = new java.util.SplittableRandom(11);
        String[] names = {"alice", "", "bob smith", "\"Lee, Ann\"", "  "};
        for (int i = 0; i < rows; i++) {
            double a = r.nextGaussian(), b = r.nextGaussian();
            s.append(idPrefix).append(1000 + i).append(',').append(a).append(',').append(names[i % names.length])
                    .append(',').append(b);
            if (label) {
                s.append(',').append(a + b > 0.7 ? 2 : a + b > -0.7 ? 1 : 0);
            }
            s.append('\n');
        }
        return s.toString();
    }

    /**
     * train --drop-columns of a text id and a text name (empty cells among them), then evaluate
     * --part test (train's metrics again, also with other id text: text is not in the fingerprint)
     * and predict (the same predictions whatever the ids say).
     */
    private static void droppedTextColumnsRoundTrip(Path dir, boolean header, String drop) throws Exception {
        Path f = Files.writeString(dir.resolve("t" + header + ".csv"), textColumns(header, "C", true, 90));
        Path out = dir.resolve("run" + header);
        java.util.List<String> h = header ? java.util.List.of("--header") : java.util.List.of();
        java.util.List<String> train = new java.util.ArrayList<>(java.util.List.of("train", "--data", f.toString(),
                "--drop-columns", drop, "--epochs", "3", "--device", "cpu", "--quiet", "--json", "--out",
                out.toString()));
        train.addAll(h);
        CliTest.Result t = run(train.toArray(String[]::new));
        assertEquals(0, t.code(), t.err());
        Path renamed = Files.writeString(dir.resolve("r" + header + ".csv"), textColumns(header, "user-", true, 90));
        for (Path data : new Path[] {f, renamed}) {
            java.util.List<String> eval = new java.util.ArrayList<>(java.util.List.of("evaluate", "--model",
                    out.toString(), "--data", data.toString(), "--part", "test", "--json", "--device", "cpu"));
            eval.addAll(h);
            CliTest.Result e = run(eval.toArray(String[]::new));
            assertEquals(0, e.code(), e.err());
            assertEquals(18, ((Number) json(e.out()).get("rows")).intValue(), e.out());
            sameMetrics(json(t.out()), json(e.out()), "test_loss", "test_accuracy");
            assertEquals(json(t.out()).get("confusion_matrix"), json(e.out()).get("confusion_matrix"));
        }
        java.util.List<String> predict = new java.util.ArrayList<>(java.util.List.of("predict", "--model",
                out.toString(), "--device", "cpu", "--input"));
        predict.add(Files.writeString(dir.resolve("in" + header + ".csv"), textColumns(header, "C", false, 12))
                .toString());
        predict.addAll(h);
        CliTest.Result p = run(predict.toArray(String[]::new));
        assertEquals(0, p.code(), p.err());
        assertEquals(13, p.out().lines().count(), p.out());
        predict.set(6, Files.writeString(dir.resolve("in2" + header + ".csv"), textColumns(header, "x-", false, 12))
                .toString());
        CliTest.Result q = run(predict.toArray(String[]::new));
        assertEquals(0, q.code(), q.err());
        assertEquals(p.out(), q.out());
    }

    @Test
    void droppedTextColumnsByNameWithAHeaderAreNotRead(@TempDir Path dir) throws Exception {
        droppedTextColumnsRoundTrip(dir, true, "id,name");
    }

    @Test
    void droppedTextColumnsByIndexWithoutAHeaderAreNotRead(@TempDir Path dir) throws Exception {
        droppedTextColumnsRoundTrip(dir, false, "0,2");
    }

    /**
     * pandas' to_csv writes its row index as a first column with an empty header cell: refused as a
     * feature (the message names --drop-columns 0), trained on with --drop-columns 0, and then
     * evaluated and predicted by name from the same layout.
     */
    @Test
    void aPandasIndexColumnCanBeDroppedByPosition(@TempDir Path dir) throws Exception {
        StringBuilder s = new StringBuilder(",a,b,label\n");
        java.util.SplittableRandom r = new java.util.SplittableRandom(3);
        for (int i = 0; i < 80; i++) {
            double a = r.nextGaussian(), b = r.nextGaussian();
            s.append(i).append(',').append(a).append(',').append(b).append(',').append(a + b > 0 ? 1 : 0).append('\n');
        }
        Path f = Files.writeString(dir.resolve("pandas.csv"), s);
        Path out = dir.resolve("run");
        CliTest.Result refused = run("train", "--data", f.toString(), "--header", "--epochs", "2", "--device", "cpu",
                "--quiet");
        assertEquals(2, refused.code(), refused.err());
        assertTrue(refused.err().contains("the first column has no name") && refused.err().contains("--drop-columns 0"),
                refused.err());
        CliTest.Result t = run("train", "--data", f.toString(), "--header", "--drop-columns", "0", "--epochs", "3",
                "--device", "cpu", "--quiet", "--json", "--out", out.toString());
        assertEquals(0, t.code(), t.err());
        CliTest.Result e = run("evaluate", "--model", out.toString(), "--data", f.toString(), "--header", "--part",
                "test", "--json", "--device", "cpu");
        assertEquals(0, e.code(), e.err());
        sameMetrics(json(t.out()), json(e.out()), "test_loss", "test_accuracy");
        CliTest.Result p = run("predict", "--model", out.toString(), "--input", f.toString(), "--header", "--device",
                "cpu");
        assertEquals(0, p.code(), p.err());
        assertEquals(81, p.out().lines().count(), p.out());
        // the model's features are a and b alone: a file of just those predicts the same
        Path ab = Files.writeString(dir.resolve("ab.csv"), s.toString().lines()
                .map(l -> String.join(",", java.util.Arrays.asList(l.split(",", -1)).subList(1, 3)))
                .collect(java.util.stream.Collectors.joining("\n", "", "\n")));
        CliTest.Result q = run("predict", "--model", out.toString(), "--input", ab.toString(), "--header", "--device",
                "cpu");
        assertEquals(0, q.code(), q.err());
        assertEquals(p.out(), q.out());
    }

    @Test
    void aBadCellInAKeptColumnNamesItsColumnInTheFile(@TempDir Path dir) throws Exception {
        String good = textColumns(false, "C", true, 40);
        // line 3: b, the file's 4th column (the 2nd feature kept), is text
        String[] lines = good.split("\n");
        String[] cells = lines[2].split(",");
        cells[3] = "n/k";
        lines[2] = String.join(",", cells);
        Path f = Files.writeString(dir.resolve("bad.csv"), String.join("\n", lines) + "\n");
        CliTest.oneLineError(run("train", "--data", f.toString(), "--drop-columns", "0,2"),
                f + " line 3, column 4: 'n/k' is not a number");
        Path h = Files.writeString(dir.resolve("badh.csv"), "id,a,name,b,label\n" + String.join("\n", lines) + "\n");
        CliTest.oneLineError(run("train", "--data", h.toString(), "--header", "--drop-columns", "id,name"),
                h + " line 4, column 4: 'n/k' is not a number (column 'b' is read as a feature");
        // an empty kept cell is still a missing value
        Path empty = Files.writeString(dir.resolve("empty.csv"), good.replaceFirst(",[^,]*,alice,", ",,alice,"));
        CliTest.oneLineError(run("train", "--data", empty.toString(), "--drop-columns", "0,2"),
                empty + " line 1, column 2: missing value");
        // evaluate and predict name the same column
        Path out = dir.resolve("run");
        Path ok = Files.writeString(dir.resolve("ok.csv"), good);
        assertEquals(0, run("train", "--data", ok.toString(), "--drop-columns", "0,2", "--epochs", "1", "--quiet",
                "--out", out.toString()).code());
        CliTest.oneLineError(run("evaluate", "--model", out.toString(), "--data", f.toString()),
                f + " line 3, column 4: 'n/k' is not a number");
        Path in = Files.writeString(dir.resolve("in.csv"), "C1,0.5,bob,n/k\n");
        CliTest.oneLineError(run("predict", "--model", out.toString(), "--input", in.toString()),
                in + " line 1, column 4: 'n/k' is not a number");
        // a file of another layout is refused for its column count, not for a text cell
        Path wide = Files.writeString(dir.resolve("wide.csv"), "C1,0.5,bob,0.1,7,1\nC2,0.2,al,0.3,8,0\n");
        CliTest.oneLineError(run("evaluate", "--model", out.toString(), "--data", wide.toString()),
                "takes 2 features, alone or as the 4 columns of its training file besides the label");
    }

    /** --drop-columns with --header reads the header once, so a pipe (cat x.csv | ember train --data -) works. */
    @Test
    @org.junit.jupiter.api.Timeout(value = 30, threadMode = org.junit.jupiter.api.Timeout.ThreadMode.SEPARATE_THREAD)
    void dropColumnsByNameReadsAPipe(@TempDir Path dir) throws Exception {
        Path fifo = Pipes.fed(dir, "data.fifo", textColumns(true, "C", true, 50));
        CliTest.Result r = run("train", "--data", fifo.toString(), "--header", "--drop-columns", "id,name",
                "--epochs", "1", "--quiet", "--json");
        assertEquals(0, r.code(), r.err());
    }
}
