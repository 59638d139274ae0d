package dev.ember.nn.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The predict input reader opens files like the training reader: byte-order mark, gzip, encoding errors. */
class FeatureCsvTest {
    @TempDir
    Path dir;

    private Path write(String name, byte[] bytes) throws IOException {
        Path f = dir.resolve(name);
        Files.write(f, bytes);
        return f;
    }

    private static byte[] gzip(String text) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (OutputStream o = new GZIPOutputStream(b)) {
            o.write(text.getBytes(StandardCharsets.UTF_8));
        }
        return b.toByteArray();
    }

    @Test
    void byteOrderMarkIsDroppedWithAndWithoutHeader() throws IOException {
        byte[] bom = "\uFEFF1.5,2\n3,4\n".getBytes(StandardCharsets.UTF_8);
        assertEquals(0xEF, bom[0] & 0xFF);
        FeatureCsv.Table t = FeatureCsv.read(write("bom.csv", bom), false, 2);
        assertArrayEquals(new float[] {1.5f, 2, 3, 4}, t.values());
        t = FeatureCsv.read(write("bomh.csv", "\uFEFFa,b\n5,6\n".getBytes(StandardCharsets.UTF_8)), true, 2);
        assertArrayEquals(new float[] {5, 6}, t.values());
    }

    /**
     * A named pipe is read as a file: "--input -" (/dev/stdin under a pipe) and a shell's <(...)
     * are pipes, which were refused as files that "do not exist". A pipe can be opened once: a
     * reader that opened it twice (to sniff, then to read) would block for ever on the second open,
     * which no interrupt ends, so the test runs in a thread of its own and fails after 30 s.
     */
    @Test
    @Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aNamedPipeIsRead() throws Exception {
        Path fifo = dev.ember.nn.Pipes.fed(dir, "in.fifo", "a,b\n1.5,2\n3,4\n");
        FeatureCsv.Table t = FeatureCsv.read(fifo, true, 2, java.util.List.of("b", "a"));
        assertArrayEquals(new float[] {2, 1.5f, 4, 3}, t.values());
    }

    /** A directory given as predict's input is named as one, not as a missing file. */
    @Test
    void directoryOrMissingInputIsNamed() {
        UsageException e = assertThrows(UsageException.class, () -> FeatureCsv.read(dir, false, 2));
        assertEquals("input file " + dir + " is a directory, not a CSV file", e.getMessage());
        e = assertThrows(UsageException.class, () -> FeatureCsv.read(dir.resolve("none.csv"), false, 2));
        assertEquals("input file " + dir.resolve("none.csv") + " does not exist", e.getMessage());
    }

    /** predict's input separated by semicolons is named as such, not counted as one column. */
    @Test
    void semicolonSeparatedInputIsNamed() throws IOException {
        Path f = write("semi.csv", "1.5;2\n3;4\n".getBytes(StandardCharsets.UTF_8));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FeatureCsv.read(f, false, 2));
        assertTrue(e.getMessage().contains("semi.csv line 1: no comma on the line, but semicolons"), e.getMessage());
        // a one-feature model's input is one column: a tab padding its cells is not a separator
        FeatureCsv.Table t = FeatureCsv.read(write("one.csv", "1.5\t\n\t3\n".getBytes(StandardCharsets.UTF_8)), false, 1);
        assertArrayEquals(new float[] {1.5f, 3}, t.values());
        e = assertThrows(IllegalArgumentException.class, () -> FeatureCsv.read(write("tabs.csv",
                "1.5\t2\n".getBytes(StandardCharsets.UTF_8)), false, 2));
        assertTrue(e.getMessage().contains("tabs.csv line 1: no comma on the line, but tabs"), e.getMessage());
    }

    @Test
    void gzippedInputIsRead() throws IOException {
        FeatureCsv.Table t = FeatureCsv.read(write("x.csv.gz", gzip("\uFEFF1,2\n\n3,4\n")), false, 2);
        assertEquals(2, t.rows());
        assertArrayEquals(new float[] {1, 2, 3, 4}, t.values());
    }

    /** Cells are read as training data reads them: no Java-only spellings, nothing non-finite. */
    @Test
    void cellsFollowTheTrainingDataRules() throws IOException {
        for (String bad : new String[] {"1f", "0x1p3", "NaN", "Infinity", "1e999", "", "abc"}) {
            Path f = write("bad.csv", ("1,2\n3," + bad + "\n").getBytes(StandardCharsets.UTF_8));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FeatureCsv.read(f, false, 2),
                    bad);
            assertTrue(e.getMessage().contains("bad.csv line 2, column 2"), e.getMessage());
        }
        FeatureCsv.Table t = FeatureCsv.read(write("ok.csv", " -1.5e2 , .25\n".getBytes(StandardCharsets.UTF_8)),
                false, 2);
        assertArrayEquals(new float[] {-150f, 0.25f}, t.values());
    }

    /** Quoted cells, as pandas' to_csv(quoting=QUOTE_ALL) writes them; a broken quote is still an error. */
    @Test
    void quotedCellsAreRead() throws IOException {
        FeatureCsv.Table t = FeatureCsv.read(write("q.csv", "\"a, cm\",\"b\"\n\"1.5\", \"2\" \n3,\"-4e1\"\n"
                .getBytes(StandardCharsets.UTF_8)), true, 2);
        assertArrayEquals(new float[] {1.5f, 2, 3, -40}, t.values());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FeatureCsv.read(
                write("open.csv", "1,2\n\"3,4\n".getBytes(StandardCharsets.UTF_8)), false, 2));
        assertTrue(e.getMessage().contains("open.csv line 2, column 1: the quoted cell is not closed"), e.getMessage());
    }

    private Path text(String name, String text) throws IOException {
        return write(name, text.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * A header that names the model's features picks them by name, as df[feature_names] does:
     * another order, the label column and a pandas index column present. Some names but not all is
     * refused, as is a header of other names; a model without names reads in order.
     */
    @Test
    void headerNamesPickTheModelsFeatures() throws IOException {
        java.util.List<String> model = java.util.List.of("x1", "x2");
        FeatureCsv.Table t = FeatureCsv.read(text("o.csv", "x2,x1\n2,1\n4,3\n"), true, 2, model);
        assertArrayEquals(new float[] {1, 2, 3, 4}, t.values());
        assertEquals(java.util.List.of(), t.ignored());
        t = FeatureCsv.read(text("l.csv", ",x1,y,x2\n0,1,0,2\n1,3,1,4\n"), true, 2, model);
        assertArrayEquals(new float[] {1, 2, 3, 4}, t.values());
        assertEquals(java.util.List.of("(column 1, unnamed)", "y"), t.ignored());
        assertArrayEquals(new float[] {1, 2}, FeatureCsv.read(text("s.csv", " x1 ,\"x2\"\n1,2\n"), true, 2, model)
                .values());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> FeatureCsv.read(text("m.csv", "x1,x3\n1,2\n"), true, 2, model));
        assertTrue(e.getMessage().contains("m.csv line 1: the header lacks the model's feature x2 (columns: x1, x3;"),
                e.getMessage());
        assertTrue(e.getMessage().endsWith(")"), "no case hint without a column spelled so: " + e.getMessage());
        // a column that spells the feature in another case is named: the match is exact
        e = assertThrows(IllegalArgumentException.class,
                () -> FeatureCsv.read(text("c.csv", "x1,X2\n1,2\n"), true, 2, model));
        assertTrue(e.getMessage().endsWith("the model's features: x1, x2); 'X2' differs from 'x2' only in case, and"
                + " names must match exactly"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> FeatureCsv.read(text("d.csv", "x1,x2,x1\n1,2,3\n"), true, 2, model));
        assertTrue(e.getMessage().contains("more than one column is named 'x1'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> FeatureCsv.read(text("w.csv", "x2,x1,y\n1,2\n"), true, 2, model));
        assertTrue(e.getMessage().contains("w.csv: line 2 has 2 columns, the header has 3"), e.getMessage());
        // none of the model's names: refused with both lists, the model's shortened after five
        e = assertThrows(IllegalArgumentException.class,
                () -> FeatureCsv.read(text("a.csv", "a,b\n1,2\n"), true, 2, model));
        assertTrue(e.getMessage().contains("a.csv line 1: the header names none of the model's features (the model's:"
                + " x1, x2; the header's: a, b)"), e.getMessage());
        // the header's own line, after blank lines
        e = assertThrows(IllegalArgumentException.class,
                () -> FeatureCsv.read(text("b.csv", "\n\na,b\n1,2\n"), true, 2, model));
        assertTrue(e.getMessage().contains("b.csv line 3: the header names none"), e.getMessage());
        java.util.List<String> wide = java.util.stream.IntStream.range(0, 12).mapToObj(i -> "f" + i).toList();
        e = assertThrows(IllegalArgumentException.class,
                () -> FeatureCsv.read(text("wide.csv", ",g1,g2\n1,2,3\n"), true, 12, wide));
        assertTrue(e.getMessage().contains("(the model's: f0, f1, f2, f3, f4, ... 7 more; the header's:"
                + " (column 1, unnamed), g1, g2)"), e.getMessage());
        // a model with only numbered features (trained without a header): the columns in order
        assertArrayEquals(new float[] {1, 2}, FeatureCsv.read(text("n.csv", "x1,x0\n1,2\n"), true, 2,
                java.util.List.of("x0", "x1")).values());
        // a header given as data says what to do
        e = assertThrows(IllegalArgumentException.class,
                () -> FeatureCsv.read(text("h.csv", "x1,x2\n1,2\n"), false, 2, model));
        assertTrue(e.getMessage().contains("h.csv line 1, column 1: 'x1' is not a number (if line 1 names the"
                + " columns, add --header)"), e.getMessage());
    }

    /** A wrong column count names the line and counts; only a first line of names, read as data, gets the hint. */
    @Test
    void columnCountErrorsHintAtAHeaderOnlyOnLineOne() throws IOException {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> FeatureCsv.read(text("h.csv", "x1,x2,y\n1,2,0\n"), false, 2));
        assertTrue(e.getMessage().endsWith("h.csv: line 1 has 3 columns, the model takes 2 features (if line 1 names"
                + " the columns, add --header)"), e.getMessage());
        for (String[] c : new String[][] {{"n.csv", "1,2,3\n", "1"}, {"l2.csv", "1,2\nx,2,3\n", "2"}}) {
            e = assertThrows(IllegalArgumentException.class, () -> FeatureCsv.read(text(c[0], c[1]), false, 2));
            assertTrue(e.getMessage().endsWith(c[0] + ": line " + c[2] + " has 3 columns, the model takes 2 features"),
                    e.getMessage());
        }
        e = assertThrows(IllegalArgumentException.class, () -> FeatureCsv.read(text("hd.csv", "a,b\nx,2,3\n"), true, 2));
        assertTrue(e.getMessage().endsWith("hd.csv: line 2 has 3 columns, the model takes 2 features"), e.getMessage());
        // six names are listed in full; the shortening starts at seven
        java.util.List<String> six = java.util.stream.IntStream.range(0, 6).mapToObj(i -> "f" + i).toList();
        e = assertThrows(IllegalArgumentException.class, () -> FeatureCsv.read(text("six.csv", "a,b\n1,2\n"), true, 6,
                six));
        assertTrue(e.getMessage().contains("(the model's: f0, f1, f2, f3, f4, f5; the header's: a, b)"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> FeatureCsv.read(text("none.csv", "a,b\n\n"), true, 2));
        assertTrue(e.getMessage().equals(dir.resolve("none.csv") + ": no data rows"), e.getMessage());
    }

    @Test
    void encodingAndGzipProblemsNameTheFile() throws IOException {
        Path latin1 = write("latin1.csv", "1,2\n3,\u00e9\n".getBytes(StandardCharsets.ISO_8859_1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> FeatureCsv.read(latin1, false, 2));
        assertTrue(e.getMessage().contains("latin1.csv line 2") && e.getMessage().contains("not UTF-8"),
                e.getMessage());
        Path utf16 = write("u16.csv", "1,2\n".getBytes(StandardCharsets.UTF_16));
        e = assertThrows(IllegalArgumentException.class, () -> FeatureCsv.read(utf16, false, 2));
        assertTrue(e.getMessage().contains("u16.csv line 1") && e.getMessage().contains("not UTF-8"),
                e.getMessage());
        byte[] gz = gzip("1,2\n".repeat(1000));
        Path cut = write("cut.csv.gz", Arrays.copyOf(gz, gz.length / 2));
        IOException io = assertThrows(IOException.class, () -> FeatureCsv.read(cut, false, 2));
        assertTrue(io.getMessage().contains("cut.csv.gz"), io.getMessage());
    }
}
