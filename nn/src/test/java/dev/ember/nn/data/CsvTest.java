package dev.ember.nn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CsvTest {
    @TempDir
    Path dir;

    private Path write(String name, String text) throws IOException {
        Path f = dir.resolve(name);
        Files.writeString(f, text);
        return f;
    }

    private void assertError(Path f, boolean header, int label, boolean cls, String... parts) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Csv.read(f, header, label, cls));
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), "message '" + e.getMessage() + "' lacks '" + p + "'");
        }
    }

    @Test
    void readsHeaderAndChosenLabelColumn() throws IOException {
        Path f = write("t.csv", "a,label,b\n1.5,1,2\n-3e2,0,.25\n\n4,2,+5\n");
        Dataset d = Csv.read(f, true, 1, true);
        assertEquals(3, d.rows());
        assertEquals(2, d.cols());
        assertEquals(3, d.classes());
        assertEquals(List.of("a", "b"), d.featureNames());
        assertArrayEquals(new float[] {1.5f, 2, -300, 0.25f, 4, 5}, d.features());
        assertArrayEquals(new float[] {1, 0, 2}, d.targets());
        assertEquals("t", d.name());
    }

    /** --label-column by name, as df["label"]: exact first, else unique up to case; quotes and spaces ignored. */
    @Test
    void labelColumnByHeaderName() throws IOException {
        Path f = write("n.csv", "a, \"Quality\" ,b\n1.5,1,2\n-3,0,.25\n");
        Dataset d = Csv.read(f, true, "Quality", true);
        assertEquals(List.of("a", "b"), d.featureNames());
        assertArrayEquals(new float[] {1, 0}, d.targets());
        assertArrayEquals(new float[] {1.5f, 2, -3, 0.25f}, d.features());
        assertArrayEquals(new float[] {1, 0}, Csv.read(f, true, "quality", true).targets());
        assertArrayEquals(new float[] {2, 0.25f}, Csv.read(f, true, " b ", false).targets());

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Csv.read(f, true, "label", true));
        assertTrue(e.getMessage().contains("n.csv") && e.getMessage().contains("no column is named 'label'")
                && e.getMessage().contains("columns: a, Quality, b"), e.getMessage());

        Path twice = write("twice.csv", "y,x,Y\n1,2,3\n0,4,5\n");
        assertArrayEquals(new float[] {1, 0}, Csv.read(twice, true, "y", true).targets()); // exact wins over case
        assertArrayEquals(new float[] {3, 5}, Csv.read(twice, true, "Y ", false).targets());
        e = assertThrows(IllegalArgumentException.class, () -> Csv.read(write("dup.csv", "y,x,y\n1,2,3\n"), true, "y", false));
        assertTrue(e.getMessage().contains("more than one column is named 'y'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Csv.read(twice, true, "Y_", false));
        assertTrue(e.getMessage().contains("no column is named 'Y_'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Csv.read(twice, true, "x1", false));
        assertTrue(e.getMessage().contains("columns: y, x, Y"), e.getMessage());
        Path upper = write("upper.csv", "A,Y,Z\n1,2,3\n");
        e = assertThrows(IllegalArgumentException.class, () -> Csv.read(write("amb.csv", "Yy,x,yY\n1,2,3\n"), true, "yy", false));
        assertTrue(e.getMessage().contains("more than one column is named 'yy'"), e.getMessage());
        assertArrayEquals(new float[] {3}, Csv.read(upper, true, "z", false).targets());
    }

    /**
     * Positions and names through one entry point: an integer is a 0-based position, unless, with
     * a header, it also names another column (pandas writes ",0,1,2" for integer column names);
     * then it is refused rather than read either way.
     */
    @Test
    void labelColumnPositionOrNameAndTheAmbiguousCase() throws IOException {
        Path plain = write("p.csv", "1,2,0\n3,4,1\n");
        assertArrayEquals(new float[] {1, 3}, Csv.read(plain, false, "0", false).targets());
        assertArrayEquals(new float[] {0, 1}, Csv.read(plain, false, "-1", true).targets());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Csv.read(plain, false, "y", true));
        assertTrue(e.getMessage().contains("'y' is a name, which needs a header line"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Csv.read(plain, false, "99999999999", true));
        assertTrue(e.getMessage().contains("label column 99999999999 does not exist"), e.getMessage());

        Path pandas = write("pd.csv", ",0,1,2\n0,1.5,2,0\n1,3.5,4,1\n");
        e = assertThrows(IllegalArgumentException.class, () -> Csv.read(pandas, true, "2", true));
        assertTrue(e.getMessage().contains("label column 2 is ambiguous") && e.getMessage().contains("column '1'")
                && e.getMessage().contains("name of column 3"), e.getMessage());
        assertArrayEquals(new float[] {0, 1}, Csv.read(pandas, true, "3", true).targets()); // only a position
        assertArrayEquals(new float[] {0, 1}, Csv.read(pandas, true, "-1", true).targets());
        Path named = write("nm.csv", "a,2,b\n1,5,0\n2,6,1\n");
        assertArrayEquals(new float[] {5, 6}, Csv.read(named, true, "1", false).targets()); // "1" names nothing
        assertThrows(IllegalArgumentException.class, () -> Csv.read(named, true, "2", false));
    }

    @Test
    void regressionLastColumnNoHeader() throws IOException {
        Dataset d = Csv.read(write("r.csv", "1,2,0.5\r\n3,4,-1.25\r\n"), false, -1, false);
        assertEquals(0, d.classes());
        assertArrayEquals(new float[] {0.5f, -1.25f}, d.targets());
        assertEquals(List.of("x0", "x1"), d.featureNames());
    }

    @Test
    void nonNumericCellNamesFileLineAndColumn() throws IOException {
        Path f = write("bad.csv", "a,b,y\n1,2,0\n3,abc,1\n");
        assertError(f, true, -1, true, "bad.csv", "line 3", "column 2", "'abc' is not a number");
    }

    @Test
    void emptyCellIsMissing() throws IOException {
        assertError(write("m.csv", "1,2,0\n3,,1\n"), false, -1, true, "m.csv", "line 2", "column 2",
                "missing value");
    }

    @Test
    void shortLineIsMissingValueAtFirstAbsentColumn() throws IOException {
        assertError(write("s.csv", "1,2,0\n3,1\n"), false, -1, true, "s.csv", "line 2", "column 3", "missing");
    }

    @Test
    void extraCellIsReported() throws IOException {
        assertError(write("e.csv", "1,2,0\n3,4,1,9\n"), false, -1, true, "line 2", "column 4", "extra");
    }

    /** The hand-written number check accepts exactly what the grammar's regex accepts. */
    @Test
    void decimalCheckAgreesWithItsRegex() {
        java.util.regex.Pattern ref = java.util.regex.Pattern.compile("[+-]?(?:\\d+(?:\\.\\d*)?|\\.\\d+)(?:[eE][+-]?\\d+)?");
        String alphabet = "0123456789.+-eE x";
        long seed = System.nanoTime();
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(seed);
        int accepted = 0;
        for (int t = 0; t < 200_000; t++) {
            StringBuilder b = new StringBuilder();
            for (int len = rnd.nextInt(9); b.length() < len; ) {
                // digits more often than the rest, so that valid numbers are common
                b.append(rnd.nextInt(3) == 0 ? alphabet.charAt(rnd.nextInt(alphabet.length())) : (char) ('0' + rnd.nextInt(10)));
            }
            String s = b.toString();
            boolean want = ref.matcher(s).matches();
            assertEquals(want, Csv.isDecimal(s), "'" + s + "' (seed " + seed + ")");
            accepted += want ? 1 : 0;
        }
        assertTrue(accepted > 10_000, "too few valid numbers drawn: " + accepted);
        for (String s : new String[] {"1.", ".5", "-.5e-3", "+7E+10", "٣", "1e", "e1", ".", "+", "1.2.3", "0x1F", "1f"}) {
            assertEquals(ref.matcher(s).matches(), Csv.isDecimal(s), s);
        }
    }

    @Test
    void nanInfinityAndJavaSuffixesAreRejected() throws IOException {
        assertError(write("n1.csv", "1,NaN,0\n"), false, -1, true, "line 1", "column 2");
        assertError(write("n2.csv", "1,Infinity,0\n"), false, -1, true, "column 2");
        assertError(write("n3.csv", "1,2f,0\n"), false, -1, true, "column 2");
        assertError(write("n4.csv", "1,1e39,0\n"), false, -1, true, "column 2", "range");
    }

    @Test
    void badClassLabelNamesLineAndColumn() throws IOException {
        assertError(write("l.csv", "1,2,0\n3,4,1.5\n"), false, -1, true, "line 2", "column 3", "class index");
        assertError(write("l2.csv", "1,2,0\n3,4,-1\n"), false, 2, true, "line 2", "column 3");
        assertError(write("l3.csv", "1,2,0\n"), false, 5, true, "label column 5");
        assertError(write("empty.csv", "x,y\n"), true, -1, true, "no data rows");
        assertThrows(IllegalArgumentException.class, () -> Csv.read(dir.resolve("nope.csv"), false, -1, true));
    }

    @Test
    void readsGzipByMagic() throws IOException {
        Path f = dir.resolve("z.csv.gz");
        try (OutputStream o = new GZIPOutputStream(Files.newOutputStream(f))) {
            o.write("1,2,1\n3,4,0\n".getBytes(StandardCharsets.US_ASCII));
        }
        Dataset d = Csv.read(f, false, -1, true);
        assertEquals(2, d.rows());
        assertEquals("z", d.name());
    }

    /** Excel's "CSV UTF-8" starts with the byte-order mark EF BB BF; it is not part of the first cell. */
    @Test
    void leadingByteOrderMarkIsDropped() throws IOException {
        Dataset plain = Csv.read(write("bom.csv", "\uFEFF1,2,1\n3,4,0\n"), false, -1, true);
        assertArrayEquals(new float[] {1, 2, 3, 4}, plain.features());
        Dataset named = Csv.read(write("bomh.csv", "\uFEFFa,b,y\n1,2,1\n3,4,0\n"), true, -1, true);
        assertEquals(List.of("a", "b"), named.featureNames());
        Dataset sk = Csv.readSklearn(write("bomsk.csv", "\uFEFF2,2,no,yes\n1,2,0\n3,4,1\n"), true);
        assertEquals(2, sk.rows());
        Path gz = dir.resolve("bom.csv.gz");
        try (OutputStream o = new GZIPOutputStream(Files.newOutputStream(gz))) {
            o.write("\uFEFF5,6,1\n7,8,0\n".getBytes(StandardCharsets.UTF_8));
        }
        assertEquals(5f, Csv.read(gz, false, -1, true).features()[0]);
        // only a leading mark is dropped: one inside the data is still an error
        assertError(write("bom2.csv", "1,2,1\n\uFEFF3,4,0\n"), false, -1, true, "line 2", "column 1");
    }

    private Path writeBytes(String name, byte[] bytes) throws IOException {
        Path f = dir.resolve(name);
        Files.write(f, bytes);
        return f;
    }

    @Test
    void textThatIsNotUtf8IsReportedWithItsLine() throws IOException {
        // Latin-1 bytes: e9 alone is not UTF-8
        assertError(writeBytes("latin1.csv", "x,y\n1,0\n2,\u00e9\n".getBytes(StandardCharsets.ISO_8859_1)),
                true, -1, true, "latin1.csv line 3", "not UTF-8");
        assertError(writeBytes("latin1h.csv", "caf\u00e9,y\n1,0\n".getBytes(StandardCharsets.ISO_8859_1)),
                true, -1, true, "latin1h.csv line 1", "not UTF-8");
        // UTF-16 with its byte-order mark (ff fe is not UTF-8), and without (NUL bytes)
        assertError(writeBytes("u16.csv", "1,2,0\n".getBytes(StandardCharsets.UTF_16)), false, -1, true,
                "u16.csv line 1", "not UTF-8");
        assertError(writeBytes("u16le.csv", "1,2,0\n".getBytes(StandardCharsets.UTF_16LE)), false, -1, true,
                "u16le.csv line 1", "NUL");
        // a replacement character that the file really holds is text, not an encoding error
        Dataset d = Csv.read(write("fffd.csv", "a\uFFFD,y\n1,0\n2,1\n"), true, -1, true);
        assertEquals(List.of("a\uFFFD"), d.featureNames());
    }

    @Test
    void sklearnHeaderIsCheckedAgainstData() throws IOException {
        Dataset d = Csv.readSklearn(write("toy.csv", "2,2,no,yes\n1,2,0\n3,4,1\n"), true);
        assertEquals(List.of("no", "yes"), d.classNames());
        assertThrows(IllegalArgumentException.class,
                () -> Csv.readSklearn(write("toy2.csv", "3,2,no,yes\n1,2,0\n3,4,1\n"), true));
        // Boston style: a second header line of quoted names, regression.
        Dataset b = Csv.readSklearn(write("boston.csv", "2,2,,\n\"A\",\"B\",\"MEDV\"\n1,2,24\n3,4,21.6\n"), false);
        assertEquals(List.of("A", "B"), b.featureNames());
        assertArrayEquals(new float[] {24, 21.6f}, b.targets());
    }

    @Test
    void sharedBostonFileReadsWhenPresent() {
        Path f = Path.of("/work/shared/datasets/sklearn/boston_house_prices.csv");
        if (!Files.isRegularFile(f)) {
            return;
        }
        Dataset b = Csv.readSklearn(f, false);
        assertEquals(506, b.rows());
        assertEquals(13, b.cols());
        assertEquals("CRIM", b.featureNames().get(0));
        assertEquals(24f, b.targets()[0]);
    }

    /** Found by fuzzing: a long digit run is refused at once, and a long first row of a scikit-learn file reads. */
    @Test
    void longCellsAndRowsAreHandledQuickly(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path digits = dir.resolve("digits.csv");
        java.nio.file.Files.writeString(digits, "1".repeat(64_000) + "x,1\n");
        org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(5), () -> {
            IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> Csv.read(digits, false, -1, true));
            org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("is not a number"), e.getMessage());
        });
        StringBuilder sk = new StringBuilder("2,40000,a,b\n");
        for (int r = 0; r < 2; r++) {
            sk.append("1,".repeat(40_000)).append(r).append('\n');
        }
        java.nio.file.Path wide = dir.resolve("wide.csv");
        java.nio.file.Files.writeString(wide, sk);
        try (java.io.InputStream in = java.nio.file.Files.newInputStream(wide)) {
            Dataset d = Csv.readSklearn(in, wide.toString(), "wide", true, null);
            org.junit.jupiter.api.Assertions.assertEquals(2, d.rows());
            org.junit.jupiter.api.Assertions.assertEquals(40_000, d.cols());
        }
        java.nio.file.Path cut = dir.resolve("cut.csv.gz");
        java.nio.file.Files.write(cut, new byte[] {0x1f, (byte) 0x8b});
        java.io.UncheckedIOException u = org.junit.jupiter.api.Assertions.assertThrows(java.io.UncheckedIOException.class,
                () -> Csv.read(cut, false, -1, true));
        org.junit.jupiter.api.Assertions.assertTrue(u.getMessage().contains("cut.csv.gz") && u.getMessage().contains("truncated"),
                u.getMessage());
    }
}
