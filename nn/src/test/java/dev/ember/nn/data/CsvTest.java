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

        // integer column names as pandas writes them (an unnamed index column is refused on its own)
        Path pandas = write("pd.csv", "id,0,1,2\n0,1.5,2,0\n1,3.5,4,1\n");
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

    /**
     * A file separated by semicolons (Excel where the decimal mark is a comma) or tabs is named as
     * such on its first line without commas, instead of being read as one column.
     */
    @Test
    void semicolonOrTabSeparatedFileIsNamed() throws IOException {
        assertError(write("semi.csv", "a;b;label\n1.5;2;x\n"), true, -1, true, "semi.csv line 1",
                "semicolons", "'a;b;label'", "comma-separated");
        assertError(write("semi2.csv", "1.5;2;0\n3;4;1\n"), false, -1, true, "semi2.csv line 1", "semicolons");
        assertError(write("tab.csv", "a\tb\tlabel\n1\t2\t0\n"), true, -1, true, "tab.csv line 1", "tabs");
        // one such line among comma-separated ones is named at its own line
        assertError(write("mixed.csv", "a,b,label\n1,2,0\n3;4;1\n"), true, -1, true, "mixed.csv line 3",
                "semicolons");
        // a semicolon inside a comma-separated or quoted cell is a cell's text, as before
        Dataset d = Csv.read(write("ok.csv", "a,label\n1,x;y\n2,z\n\"3\",\"x;y\"\n"), true, -1, true);
        assertEquals(List.of("x;y", "z"), d.classNames());
        assertArrayEquals(new float[] {0, 1, 0}, d.targets());
    }

    @Test
    void nonNumericCellNamesFileLineAndColumn() throws IOException {
        Path f = write("bad.csv", "a,b,y\n1,2,0\n3,abc,1\n");
        assertError(f, true, -1, true, "bad.csv", "line 3", "column 2", "'abc' is not a number");
    }

    /** With a header, a text feature cell names its column and what to do with a text column. */
    @Test
    void textFeatureCellNamesItsColumn() throws IOException {
        Path f = write("city.csv", "city,size,y\nRome,2,0\nParis,3,1\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Csv.read(f, true, -1, true));
        assertTrue(e.getMessage().endsWith("city.csv line 2, column 1: 'Rome' is not a number (column 'city' is read"
                + " as a feature, and features are numbers: encode a text column as numbers, or remove it)"),
                e.getMessage());
        // other refusals keep their own reasons; without a header there is no name to give
        assertError(write("na.csv", "city,size,y\nNA,2,0\n"), true, -1, true, "'NA' is a missing value");
        e = assertThrows(IllegalArgumentException.class, () -> Csv.read(write("na2.csv", "city,size,y\nNA,2,0\n"),
                true, -1, true));
        assertTrue(!e.getMessage().contains("read as a feature"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Csv.read(write("nh.csv", "1,2,0\nRome,2,1\n"), false,
                -1, true));
        assertTrue(e.getMessage().endsWith("nh.csv line 2, column 1: 'Rome' is not a number"), e.getMessage());
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
        // pandas' spellings, said for what they are: never a NaN feature in a model
        assertError(write("n5.csv", "1,0\nnan,1\n"), false, -1, true, "n5.csv line 2, column 1: 'nan' is a missing"
                + " value (pandas reads it as NaN); a feature must be a finite number");
        assertError(write("n6.csv", "x,y\n1,0\n-inf,1\n"), true, -1, true, "n6.csv line 3, column 1: '-inf' is"
                + " infinite");
        assertError(write("n7.csv", "1,-Infinity,0\n"), false, -1, true, "'-Infinity' is infinite");
        assertError(write("n8.csv", "1,NULL,0\n"), false, -1, true, "'NULL' is a missing value");
        assertError(write("n3.csv", "1,2f,0\n"), false, -1, true, "column 2");
        assertError(write("n4.csv", "1,1e39,0\n"), false, -1, true, "column 2", "range");
    }

    @Test
    void badClassLabelNamesLineAndColumn() throws IOException {
        assertError(write("l.csv", "1,2,0\n3,4,1.5\n"), false, -1, true, "line 2", "column 3", "class index");
        assertError(write("l2.csv", "1,2,0\n3,4,2e7\n"), false, 2, true, "line 2", "column 3", "too large");
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

    /** Text labels become classes numbered in sorted order, as LabelEncoder numbers them. */
    @Test
    void textLabelsAreNumberedInSortedOrder() throws IOException {
        Path f = write("iris.csv", "\"sepal length\",\"petal width\",\"species\"\n5.1,0.2,\"setosa\"\n"
                + "6.3,1.8, virginica\n5.9,1.5,versicolor\n4.9,0.1,setosa\n");
        Dataset d = Csv.read(f, true, -1, true);
        assertEquals(List.of("setosa", "versicolor", "virginica"), d.classNames());
        assertEquals(3, d.classes());
        assertArrayEquals(new float[] {0, 2, 1, 0}, d.targets());
        assertArrayEquals(new float[] {5.1f, 0.2f, 6.3f, 1.8f, 5.9f, 1.5f, 4.9f, 0.1f}, d.features());
        assertEquals(List.of("sepal length", "petal width"), d.featureNames());
        // the label in another column, by name and by position; two classes for a binary target
        Path yn = write("yn.csv", "buy,x\nyes,1\nno,2\nyes,3\n");
        assertArrayEquals(new float[] {1, 0, 1}, Csv.read(yn, true, "buy", true).targets());
        assertEquals(List.of("no", "yes"), Csv.read(yn, true, "0", true).classNames());
        // sorted by code point as Python sorts str (U+FFFD before U+1F600; UTF-16 order has them the other way)
        Dataset u = Csv.read(write("u.csv", "1,\uD83D\uDE00\n2,\uFFFD\n3,B\n4,a\n"), false, -1, true);
        assertEquals(List.of("B", "a", "\uFFFD", "\uD83D\uDE00"), u.classNames());
        assertArrayEquals(new float[] {3, 2, 0, 1}, u.targets());
    }

    /** Numeric labels keep their meaning as class indices; text must be all or nothing, and present. */
    @Test
    void textLabelsAreRefusedWhereTheyCannotBeClasses() throws IOException {
        Dataset numeric = Csv.read(write("n.csv", "1,2\n3,0\n4,1\n"), false, -1, true);
        assertEquals(List.of("0", "1", "2"), numeric.classNames());
        assertArrayEquals(new float[] {2, 0, 1}, numeric.targets());
        assertError(write("mixed.csv", "1,yes\n2,0\n3,no\n"), false, -1, true, "mixed.csv line 2, column 2",
                "label 0 is a number, but the label on line 1 is 'yes'", "all class indices or all class names");
        // the rows before the first text label count as numbers too, not as that label
        assertError(write("numfirst.csv", "1,0\n2,yes\n3,no\n"), false, -1, true, "numfirst.csv line 1, column 2",
                "label 0 is a number, but the label on line 2 is 'yes'");
        assertError(write("one.csv", "1,yes\n2,yes\n"), false, -1, true, "one.csv", "every label is 'yes'",
                "at least 2 classes");
        assertError(write("na.csv", "1,yes\n2,NA\n3,no\n"), false, -1, true, "na.csv line 2, column 2",
                "label 'NA' is a missing value");
        assertError(write("empty.csv", "1,yes\n2,\"\"\n"), false, -1, true, "empty.csv line 2, column 2",
                "missing value");
        assertError(write("reg.csv", "1,2.5\n2,high\n"), false, -1, false, "reg.csv line 2, column 2",
                "'high' is not a number; a regression target must be numeric");
        // a feature column stays numeric: the same error as before text labels were read
        assertError(write("feat.csv", "x,y,label\n1,2,a\n3,abc,b\n"), true, -1, true, "feat.csv line 3, column 2",
                "'abc' is not a number");
        assertError(write("first.csv", "setosa,1,2\nvirginica,3,4\n"), false, -1, true, "line 1, column 1",
                "'setosa' is not a number");
    }

    /**
     * A header whose first column has no name is a row index (pandas' to_csv, R's write.csv):
     * refused rather than learned as a feature. An unnamed last column is a trailing comma.
     */
    @Test
    void unnamedIndexOrTrailingColumnIsRefused() throws IOException {
        assertError(write("pd.csv", ",x1,x2,y\n0,1,2,0\n1,3,4,1\n2,5,6,0\n"), true, -1, true,
                "pd.csv line 1, column 1: the first column has no name", "to_csv(index=False)");
        assertError(write("pd0.csv", "Unnamed: 0,x1,y\n0,1,0\n1,3,1\n"), true, -1, true,
                "pd0.csv line 1, column 1: the first column has no name ('Unnamed: 0')");
        assertError(write("r.csv", "\"\",\"x1\",\"y\"\n\"1\",1,0\n\"2\",3,1\n"), true, -1, true,
                "r.csv line 1, column 1: the first column has no name");
        assertError(write("trail.csv", "x1,x2,y,\n1,2,0,\n3,4,1,\n"), true, -1, true,
                "trail.csv line 1, column 4: the last column has no name", "trailing commas");
        // a named column is read as before, and a header-less file has no names to check
        assertEquals(2, Csv.read(write("ok.csv", "i,x1,y\n0,1,0\n1,3,1\n"), true, -1, true).cols());
        assertEquals(2, Csv.read(write("nh.csv", "0,1,0\n1,3,1\n"), false, -1, true).cols());
    }

    /**
     * A column without a name inside the header (an export mistake; pandas reads it as
     * "Unnamed: N" and writes that back) would be trained on as a feature that predict cannot
     * match by name: refused like an unnamed first or last column, naming the line and column.
     */
    @Test
    void unnamedMiddleColumnIsRefused() throws IOException {
        assertError(write("mid.csv", "a,,c,label\n1,2,3,0\n4,5,6,1\n"), true, -1, true,
                "mid.csv line 1, column 2: the column after 'a' has no name", "name it in the header or remove the"
                        + " column");
        assertError(write("pdmid.csv", "a,Unnamed: 1,c,label\n1,2,3,0\n4,5,6,1\n"), true, -1, true,
                "pdmid.csv line 1, column 2: the column after 'a' has no name ('Unnamed: 1')");
        assertError(write("quoted.csv", "\"a\",\"b\",\" \",\"y\"\n1,2,3,0\n4,5,6,1\n"), true, -1, true,
                "quoted.csv line 1, column 3: the column after 'b' has no name");
        // the header's own line when blank lines come first; the label column needs a name as well
        assertError(write("late.csv", "\n\na,b,,y\n1,2,3,0\n4,5,6,1\n"), true, 0, true,
                "late.csv line 3, column 3: the column after 'b' has no name");
        // a trailing comma keeps its own hint, though the columns before it are unnamed too
        assertError(write("trail2.csv", "a,b,,\n1,2,3,\n"), true, -1, true,
                "trail2.csv line 1, column 4: the last column has no name", "trailing commas");
        // the same file without --header has no names to check
        assertEquals(3, Csv.read(write("mid2.csv", "1,2,3,0\n4,5,6,1\n"), false, -1, true).cols());
    }

    /** "Yes" and "yes" are one class written two ways, or two classes: the file must say which. */
    @Test
    void labelsDifferingOnlyInCaseAreRefused() throws IOException {
        assertError(write("case.csv", "x,y\n1,no\n2,yes\n3,Yes\n4,no\n"), true, -1, true,
                "case.csv line 4, column 2: label 'Yes' differs from 'yes' (line 3) only in case");
        // with a model's classes, a label spelled otherwise is simply not one of them
        Dataset d = Csv.read(write("known.csv", "x,y\n1,Yes\n2,no\n"), true, "y", List.of("no", "yes", "Yes"));
        assertArrayEquals(new float[] {2, 0}, d.targets());
    }

    /**
     * Integer labels other than 0..k-1 are classes named by their values, sorted numerically as
     * LabelEncoder sorts them: 1..k (UCI's numbering, pandas' 1.0/2.0), -1/1, years. Labels 0..k-1
     * stay class indices. A model whose classes are such values maps a file's labels by value.
     */
    @Test
    void integerLabelsThatAreNotIndicesAreClassesByValue() throws IOException {
        Dataset oneBased = Csv.read(write("uci.csv", "x,y\n1,1.0\n2,2.0\n3,3.0\n4,1.0\n"), true, -1, true);
        assertEquals(List.of("1", "2", "3"), oneBased.classNames());
        assertArrayEquals(new float[] {0, 1, 2, 0}, oneBased.targets());
        Dataset signs = Csv.read(write("pm.csv", "1,-1\n2,1\n3,-1\n"), false, -1, true);
        assertEquals(List.of("-1", "1"), signs.classNames());
        assertArrayEquals(new float[] {0, 1, 0}, signs.targets());
        Dataset years = Csv.read(write("yr.csv", "1,2024\n2,1999\n3,10\n"), false, -1, true);
        assertEquals(List.of("10", "1999", "2024"), years.classNames());
        assertArrayEquals(new float[] {2, 1, 0}, years.targets());
        Dataset gap = Csv.read(write("gap.csv", "1,0\n2,2\n"), false, -1, true);
        assertEquals(List.of("0", "2"), gap.classNames());
        // indices 0..k-1, and a binary file holding only one of 0 and 1, are as before
        assertEquals(List.of("0", "1", "2"), Csv.read(write("i.csv", "1,2\n2,0\n3,1\n"), false, -1, true)
                .classNames());
        assertEquals(2, Csv.read(write("ones.csv", "1,1\n2,1\n"), false, -1, true).classes());
        assertError(write("same.csv", "1,5\n2,5\n"), false, -1, true, "same.csv, column 2: every label is 5");
        assertError(write("half.csv", "1,1\n2,1.5\n"), false, -1, true, "half.csv line 2, column 2",
                "not a class index", "--task regression");
        // evaluate: a model with classes 1, 2, 3 reads the labels by value
        Path eval = write("e.csv", "x,y\n1,3\n2,1\n");
        assertArrayEquals(new float[] {2, 0}, Csv.read(eval, true, "y", List.of("1", "2", "3")).targets());
        assertError(eval, List.of("1", "2"), "e.csv line 2, column 2: label 3 is not one of the known classes (1, 2)");
        // a model with numbered or named classes takes numeric labels as indices, never negative ones
        assertArrayEquals(new float[] {2, 0}, Csv.read(write("e2.csv", "x,y\n1,2\n2,0\n"), true, "y",
                List.of("a", "b", "c")).targets());
        assertError(write("neg.csv", "x,y\n1,-1\n"), List.of("0", "1"), "neg.csv line 2, column 2",
                "label -1 is not a class index");
    }

    private static void assertError(Path f, List<String> classes, String... parts) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Csv.read(f, true, "-1", classes));
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), "message '" + e.getMessage() + "' lacks '" + p + "'");
        }
    }

    /** A model's classes, as evaluate passes them: text labels map by name, in the model's order. */
    @Test
    void textLabelsMapThroughKnownClasses() throws IOException {
        Path f = write("bc.csv", "a,diagnosis\n1,benign\n2,benign\n3,malignant\n");
        Dataset d = Csv.read(f, true, "diagnosis", List.of("malignant", "benign"));
        assertArrayEquals(new float[] {1, 1, 0}, d.targets());
        assertEquals(List.of("malignant", "benign"), d.classNames());
        // a file with a single class is fine when the classes are known
        Dataset one = Csv.read(write("b1.csv", "1,benign\n"), false, "-1", List.of("malignant", "benign"));
        assertEquals(2, one.classes());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Csv.read(
                write("unk.csv", "a,y\n1,benign\n2,begnin\n"), true, "y", List.of("malignant", "benign")));
        assertTrue(e.getMessage().equals(dir.resolve("unk.csv") + " line 3, column 2: label 'begnin' is not one of"
                + " the known classes (malignant, benign)"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Csv.read(f, true, "-1", List.of("0", "1", "2")));
        assertTrue(e.getMessage().contains("bc.csv line 2, column 2: label 'benign' is text, but the classes have no"
                + " names (only the indices 0 to 2)"), e.getMessage());
        // numeric labels are class indices, and the file's class count is its own
        Dataset idx = Csv.read(write("i.csv", "1,1\n2,0\n"), false, "-1", List.of("a", "b", "c"));
        assertArrayEquals(new float[] {1, 0}, idx.targets());
        assertEquals(2, idx.classes());
    }

    /** RFC 4180 quoting: quoted numbers, header names, commas, doubled quotes and line breaks inside quotes. */
    @Test
    void quotedCellsAreRead() throws IOException {
        Path f = write("q.csv", "\"a, first\", \"b\" ,\"the \"\"label\"\"\"\n\"1.5\",\" -2 \",\"Iris, setosa\"\n"
                + "3,4,\"two\nlines\"\n\n5,\"6\",plain\n");
        Dataset d = Csv.read(f, true, -1, true);
        assertEquals(List.of("a, first", "b"), d.featureNames());
        assertArrayEquals(new float[] {1.5f, -2, 3, 4, 5, 6}, d.features());
        assertEquals(List.of("Iris, setosa", "plain", "two\nlines"), d.classNames());
        assertArrayEquals(new float[] {0, 2, 1}, d.targets());
        assertArrayEquals(new float[] {0.5f}, Csv.read(write("qh.csv", "\"x\",\"the \"\"label\"\"\"\n1,\"0.5\"\n"),
                true, "the \"label\"", false).targets());
        // a record over two lines: later lines keep their own numbers
        assertError(write("ql.csv", "1,\"a\nb\"\n2,x\n3,\n"), false, -1, true, "ql.csv line 4, column 2", "missing");
    }

    @Test
    void malformedQuotingIsAnError() throws IOException {
        assertError(write("open.csv", "1,2\n3,\"4\n5,6\n"), false, -1, false, "open.csv line 2, column 2",
                "the quoted cell is not closed");
        assertError(write("after.csv", "1,\"2\"x,3\n"), false, -1, false, "after.csv line 1, column 2",
                "unexpected text 'x' after the closing double quote of '2'");
        assertError(write("inside.csv", "1,ab\"c,3\n"), false, -1, false, "inside.csv line 1, column 2",
                "double quote inside the unquoted cell 'ab\"c'");
    }

    @Test
    void cellsAreQuotedForWritingOnlyWhenNeeded() throws IOException {
        assertEquals("setosa", Csv.quote("setosa"));
        assertEquals("1", Csv.quote("1"));
        assertEquals("\"Iris, setosa\"", Csv.quote("Iris, setosa"));
        assertEquals("\"say \"\"hi\"\"\"", Csv.quote("say \"hi\""));
        assertEquals("\" padded \"", Csv.quote(" padded "));
        assertEquals("\"a\nb\"", Csv.quote("a\nb"));
        // what quote writes, Records reads back
        String line = String.join(",", Csv.quote("Iris, setosa"), Csv.quote("say \"hi\""), Csv.quote(" padded "));
        try (java.io.BufferedReader r = new java.io.BufferedReader(new java.io.StringReader(line))) {
            assertArrayEquals(new String[] {"Iris, setosa", "say \"hi\"", " padded "},
                    new Csv.Records(r, "s").next());
        }
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

    /** Quoted lines with an empty cell first or last: the empty cells are kept, not merged or overrun. */
    @Test
    void emptyCellsBesideQuotedOnes() throws IOException {
        try (java.io.BufferedReader r = new java.io.BufferedReader(new java.io.StringReader(",\"a\"\n\"b\",\n"))) {
            Csv.Records records = new Csv.Records(r, "s");
            assertArrayEquals(new String[] {"", "a"}, records.next());
            assertArrayEquals(new String[] {"b", ""}, records.next());
        }
        // and in a file: the empty cell is a missing value where it is, not a quote error
        assertError(write("e.csv", "1,\"2\",0\n,\"4\",1\n"), false, -1, true, "e.csv line 2, column 1: missing value");
    }

    /** Bad bytes and NUL at the very start of a line are found too (UTF-16BE starts each ASCII char with NUL). */
    @Test
    void encodingErrorsAtTheStartOfALine() throws IOException {
        assertError(writeBytes("first.csv", "\u00e9,y\n1,0\n".getBytes(StandardCharsets.ISO_8859_1)), true, -1, true,
                "first.csv line 1: not UTF-8 text (the bytes at character 1 are not valid UTF-8");
        assertError(writeBytes("u16be.csv", "1,2,0\n".getBytes(StandardCharsets.UTF_16BE)), false, -1, true,
                "u16be.csv line 1", "NUL");
    }

    /** Label columns at the edges of the range: -1 is the last, -2 and the column count are refused. */
    @Test
    void labelColumnBoundaries() throws IOException {
        Path f = write("b.csv", "1,2,0\n3,4,1\n");
        assertError(f, false, -2, true, "b.csv: label column -2 does not exist (the file has 3 columns");
        assertError(f, false, 3, true, "label column 3 does not exist (the file has 3 columns");
        assertArrayEquals(new float[] {2, 4}, Csv.read(f, false, 1, false).targets());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Csv.read(f, false, "-2", true));
        assertTrue(e.getMessage().contains("label column -2 does not exist"), e.getMessage());
        // position 0 that is also another column's name is ambiguous too, with or without a '+'
        Path zero = write("z.csv", "a,0,y\n1,5,0\n2,6,1\n");
        for (String spec : new String[] {"0", "+0"}) {
            e = assertThrows(IllegalArgumentException.class, () -> Csv.read(zero, true, spec, false));
            assertTrue(e.getMessage().contains("label column " + spec + " is ambiguous") && e.getMessage()
                    .contains("(column 'a') and the name of column 1"), e.getMessage());
        }
        // a quoted name given on the command line is the name inside the quotes
        assertArrayEquals(new float[] {0, 1}, Csv.read(zero, true, "\"y\"", true).targets());
        // a single unnamed header cell is no index column: the file lacks features, and says so
        assertError(write("one.csv", "\"\"\n1\n2\n"), true, -1, false, "need at least one feature column");
    }

    /** The first number and the first text label are the ones named, however many of each follow. */
    @Test
    void mixedLabelsNameTheFirstOfEach() throws IOException {
        assertError(write("m1.csv", "1,0\n2,1\n3,yes\n4,no\n"), false, -1, true, "m1.csv line 1, column 2: label 0"
                + " is a number, but the label on line 3 is 'yes'");
        assertError(write("m2.csv", "1,yes\n2,no\n3,0\n4,1\n"), false, -1, true, "m2.csv line 3, column 2: label 0"
                + " is a number, but the label on line 1 is 'yes'");
    }

    /** Labels where one is a prefix of another sort the shorter first; 2^24 is still an exact class. */
    @Test
    void labelEdgeCases() throws IOException {
        Dataset d = Csv.read(write("p.csv", "1,setosa\n2,set\n3,se\n"), false, -1, true);
        assertEquals(List.of("se", "set", "setosa"), d.classNames());
        assertArrayEquals(new float[] {2, 1, 0}, d.targets());
        assertEquals(List.of("se", "set", "setosa"), Csv.read(write("p2.csv", "1,se\n2,set\n3,setosa\n"), false, -1, true)
                .classNames());
        Dataset big = Csv.read(write("big.csv", "1,0\n2,16777216\n"), false, -1, true);
        assertEquals(List.of("0", "16777216"), big.classNames());
        assertError(write("big2.csv", "1,0\n2,16777218\n"), false, -1, true, "big2.csv line 2, column 2",
                "label 16777218 is too large");
        // 0 and 3 are two classes by value, not four indices
        Dataset gap = Csv.read(write("gap3.csv", "1,0\n2,3\n3,0\n"), false, -1, true);
        assertEquals(List.of("0", "3"), gap.classNames());
        assertArrayEquals(new float[] {0, 1, 0}, gap.targets());
        // a model's classes by value are the data set's classes
        Dataset known = Csv.read(write("k.csv", "x,y\n1,3\n2,1\n"), true, "y", List.of("1", "2", "3"));
        assertEquals(List.of("1", "2", "3"), known.classNames());
        assertEquals(3, known.classes());
    }

    /** scikit-learn files: no class names (regression or classification), text labels, a count of 0. */
    @Test
    void sklearnEdgeCases() throws IOException {
        Dataset reg = Csv.readSklearn(write("r.csv", "2,2\n1,2,0.5\n3,4,1.5\n"), false);
        assertArrayEquals(new float[] {0.5f, 1.5f}, reg.targets());
        Dataset unnamed = Csv.readSklearn(write("c.csv", "2,2,,\n1,2,0\n3,4,1\n"), true);
        assertEquals(2, unnamed.classes());
        assertArrayEquals(new float[] {0, 1}, unnamed.targets());
        // a data row indented by more than the peek for a line of names reads as data
        Dataset wide = Csv.readSklearn(write("w.csv", "2,2\n" + " ".repeat(70_000) + "1,2,5\n3,4,6\n"), false);
        assertArrayEquals(new float[] {1, 2, 3, 4}, wide.features());
        // line 2 of names may be indented
        Dataset named = Csv.readSklearn(write("n.csv", "2,2,,\n  \"A\",\"B\",\"y\"\n1,2,5\n3,4,6\n"), false);
        assertEquals(List.of("A", "B"), named.featureNames());
        assertArrayEquals(new float[] {5, 6}, named.targets());
        Dataset text = Csv.readSklearn(write("t.csv", "2,2\n1,2,virginica\n3,4,setosa\n"), true);
        assertEquals(List.of("setosa", "virginica"), text.classNames());
        assertArrayEquals(new float[] {1, 2, 3, 4}, text.features());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Csv.readSklearn(write("z.csv", "0,2\n1,2,0\n"), false));
        assertTrue(e.getMessage().contains("z.csv line 1, column 1: '0' is not a positive count"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Csv.readSklearn(write("one.csv", "5\n1,2,0\n"), false));
        assertTrue(e.getMessage().contains("one.csv line 1: expected 'n_samples,n_features,...', got '5'"),
                e.getMessage());
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

    @Test
    void skippedColumnsAreNotReadAndHoldZero() throws IOException {
        Path f = write("skip.csv", "id,a,name,label\nC1,1.5,alice,0\n,2.5,,1\nC3,x,bob,1\n");
        List<Object> seen = new java.util.ArrayList<>();
        Csv.Skipped skip = (header, cols, label) -> {
            seen.add(header);
            seen.add(cols);
            seen.add(label);
            return java.util.Set.of(0, 2);
        };
        // the bad cell of a read column is named by its column in the file
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Csv.read(f, true, "label", true, null, skip));
        assertTrue(e.getMessage().contains("line 4, column 2: 'x' is not a number"), e.getMessage());
        assertEquals(List.of(List.of("id", "a", "name", "label"), 4, 3), seen);
        Path ok = write("skip2.csv", "C1,1.5,alice,0\n,2.5,,1\n");
        Dataset d = Csv.read(ok, false, "-1", true, null, (header, cols, label) -> java.util.Set.of(0, 2));
        assertArrayEquals(new float[] {0, 1.5f, 0, 0, 2.5f, 0}, d.features());
        assertArrayEquals(new float[] {0, 1}, d.targets());
        assertThrows(IllegalStateException.class,
                () -> Csv.read(ok, false, "-1", true, null, (header, cols, label) -> java.util.Set.of(3)));
    }

    /** A header column without a name is refused only where it would be read: first, middle and last. */
    @Test
    void unnamedColumnsMayBeSkipped() throws IOException {
        Path f = write("unnamed.csv", ",a,,y,\n0,1.5,x,1,\n1,2.5,y,0,\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Csv.read(f, true, "y", true, null, (header, cols, label) -> java.util.Set.of(0, 2)));
        assertTrue(e.getMessage().contains("column 5: the last column has no name"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Csv.read(f, true, "y", true, null, (header, cols, label) -> java.util.Set.of(2, 4)));
        assertTrue(e.getMessage().contains("column 1: the first column has no name"), e.getMessage());
        Dataset d = Csv.read(f, true, "y", true, null, (header, cols, label) -> java.util.Set.of(0, 2, 4));
        assertArrayEquals(new float[] {0, 1.5f, 0, 0, 0, 2.5f, 0, 0}, d.features());
        assertArrayEquals(new float[] {1, 0}, d.targets());
    }
}
