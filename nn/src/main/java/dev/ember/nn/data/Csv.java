package dev.ember.nn.data;

import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;

/**
 * Numeric CSV reading with validation: every cell must be a finite decimal number, and a
 * non-numeric, empty or missing cell raises an {@link IllegalArgumentException} naming the file,
 * the 1-based line and the 1-based column. Gzipped files are recognised by their magic bytes.
 * Also reads scikit-learn's bundled files, whose first line is {@code n_samples,n_features,class
 * names...} (Boston adds a second line of quoted column names), and whitespace-separated tables.
 * Text is UTF-8; a leading byte-order mark is dropped, and a file that is not UTF-8 is reported as
 * such with the line where that shows. {@link #openText} and {@link #checkText} give other readers
 * the same handling.
 */
public final class Csv {
    private static final Pattern WHITESPACE = Pattern.compile("\\s+");
    /**
     * Decoded in place of bytes that are not UTF-8, so the line holding them can be named. A
     * noncharacter rather than U+FFFD, which a valid file may contain.
     */
    private static final char NOT_UTF8 = '\uFFFF';

    private Csv() {
    }

    /** A parsed numeric table: row-major values, the column count and the header names if any. */
    record Table(String source, float[] values, int rows, int cols, List<String> header, int[] lines) {
        float get(int r, int c) {
            return values[r * cols + c];
        }
    }

    /**
     * Reads a comma-separated numeric file into a data set.
     *
     * @param header         whether the first line holds column names
     * @param labelColumn    0-based column of the target, or -1 for the last column
     * @param classification targets are class indices 0..k-1 (k = largest label + 1, at least 2);
     *                       otherwise they are regression values
     */
    public static Dataset read(Path file, boolean header, int labelColumn, boolean classification) {
        return toDataset(table(file, header), baseName(file), labelColumn, classification, null, null);
    }

    /**
     * Reads a comma-separated numeric file with the target column given as text, as a command
     * line gives it: a 0-based position ({@code -1} for the last column) or, when the first line
     * names the columns, a column name (as {@code df[name]} would; surrounding spaces and double
     * quotes in the header are ignored, and an exact match wins over one that differs only in
     * case). With a header, an integer that is also the name of a column at another position (as
     * pandas writes integer column names) is refused as ambiguous rather than read either way.
     *
     * @throws IllegalArgumentException naming the file and its columns when the column does not
     *                                  exist or cannot be told apart
     */
    public static Dataset read(Path file, boolean header, String labelColumn, boolean classification) {
        String spec = labelColumn.strip();
        boolean position = spec.matches("[+-]?\\d+");
        if (!position && !header) {
            throw new IllegalArgumentException(file + ": label column '" + abbreviate(spec) + "' is a name, which needs"
                    + " a header line (or give the column's 0-based position)");
        }
        Table t = table(file, header);
        if (!position) {
            return toDataset(t, baseName(file), columnNamed(t, spec), classification, null, null);
        }
        int at;
        try {
            at = Integer.parseInt(spec);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(t.source() + ": label column " + abbreviate(spec) + " does not exist"
                    + " (the file has " + t.cols() + " columns, 0-based; -1 = last)");
        }
        if (header && at >= 0) {
            String asName = spec.startsWith("+") ? spec.substring(1) : spec;
            for (int c = 0; c < t.header().size(); c++) {
                if (c != at && unquote(t.header().get(c).strip()).equals(asName)) {
                    throw new IllegalArgumentException(t.source() + ": label column " + spec + " is ambiguous: it is"
                            + " a 0-based position" + (at < t.cols() ? " (column '" + abbreviate(unquote(
                            t.header().get(at).strip())) + "')" : "") + " and the name of column " + c
                            + "; give the position you mean (columns: " + listed(names(t)) + ")");
                }
            }
        }
        return toDataset(t, baseName(file), at, classification, null, null);
    }

    private static List<String> names(Table t) {
        List<String> names = new ArrayList<>();
        for (String h : t.header()) {
            names.add(unquote(h.strip()));
        }
        return names;
    }

    private static Table table(Path file, boolean header) {
        try (InputStream in = open(file)) {
            return parse(in, file.toString(), false, header ? 1 : 0, header);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + file + ": " + dev.ember.nn.io.IoErrors.reason(e), e);
        }
    }

    private static String baseName(Path file) {
        return file.getFileName().toString().replaceFirst("(\\.csv)?(\\.gz)?$", "");
    }

    /** The 0-based column whose header is {@code wanted}: exact, else the one equal up to case. */
    static int columnNamed(Table t, String wanted) {
        List<String> names = names(t);
        String w = unquote(wanted.strip());
        int exact = names.indexOf(w);
        if (exact >= 0 && names.lastIndexOf(w) == exact) {
            return exact;
        }
        int found = -1, count = 0;
        for (int i = 0; i < names.size(); i++) {
            if (names.get(i).equalsIgnoreCase(w)) {
                found = i;
                count++;
            }
        }
        if (exact < 0 && count == 1) {
            return found;
        }
        throw new IllegalArgumentException(t.source() + ": " + (exact >= 0 || count > 1 ? "more than one column is"
                : "no column is") + " named '" + abbreviate(w) + "' (columns: " + listed(names) + ")");
    }

    private static String listed(List<String> names) {
        String all = String.join(", ", names);
        return all.length() <= 200 ? all : all.substring(0, 197) + "...";
    }

    private static String unquote(String s) {
        return s.length() >= 2 && s.startsWith("\"") && s.endsWith("\"") ? s.substring(1, s.length() - 1).strip() : s;
    }

    /**
     * Reads a scikit-learn data file ({@code wine_data.csv}, {@code iris.csv},
     * {@code breast_cancer.csv}, {@code boston_house_prices.csv}): line 1 is
     * {@code n_samples,n_features,class names...} and is checked against the data; an optional line 2
     * of quoted column names (Boston) names the features; the target is the last column.
     */
    public static Dataset readSklearn(Path file, boolean classification) {
        try (InputStream in = open(file)) {
            String name = file.getFileName().toString().replaceFirst("(_data)?(\\.csv)?(\\.gz)?$", "");
            return readSklearn(in, file.toString(), name, classification, null);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + file + ": " + dev.ember.nn.io.IoErrors.reason(e), e);
        }
    }

    static Dataset readSklearn(InputStream raw, String source, String name, boolean classification,
                               List<String> featureNames) throws IOException {
        BufferedReader r = reader(raw);
        String first = line(r, source, 1);
        if (first == null) {
            throw new IllegalArgumentException(source + ": empty file");
        }
        String[] meta = first.split(",", -1);
        if (meta.length < 2) {
            throw new IllegalArgumentException(source + " line 1: expected 'n_samples,n_features,...', got '"
                    + abbreviate(first) + "'");
        }
        int nSamples = parseCount(meta[0], source, 1);
        int nFeatures = parseCount(meta[1], source, 2);
        List<String> classNames = new ArrayList<>();
        for (int i = 2; i < meta.length; i++) {
            if (!meta[i].isBlank()) {
                classNames.add(meta[i].trim());
            }
        }
        // Is line 2 a line of quoted column names? Peek at its first non-blank character only: a
        // mark over the whole line failed ("Mark invalid") once a data row passed 64K characters.
        r.mark(4096);
        int ch, seen = 0;
        do {
            ch = r.read();
        } while ((ch == ' ' || ch == '\t') && ++seen < 4096);
        r.reset();
        List<String> names = featureNames;
        int skipped = 1;
        if (ch == '"') {
            String second = line(r, source, 2);
            List<String> cols = unquote(second.split(",", -1));
            names = cols.subList(0, cols.size() - 1);
            if (names.size() != nFeatures) {
                throw new IllegalArgumentException(source + " line 2: " + names.size() + " feature names for the "
                        + nFeatures + " features line 1 announces");
            }
            skipped = 2;
        }
        Table t = parseLines(r, source, false, skipped + 1, null);
        if (t.rows() != nSamples || t.cols() != nFeatures + 1) {
            throw new IllegalArgumentException(source + ": line 1 announces " + nSamples + " rows of " + nFeatures
                    + " features + label, the file has " + t.rows() + " rows of " + t.cols() + " columns");
        }
        if (classification && classNames.isEmpty()) {
            classNames = null;
        }
        return toDataset(t, name, -1, classification, names, classification ? classNames : null);
    }

    /**
     * Parses a numeric table. {@code whitespace} splits on runs of blanks instead of commas;
     * {@code skip} leading lines are ignored (the first one is the header when {@code header}).
     * Empty lines are skipped; every other line must have the same number of cells.
     */
    static Table parse(InputStream raw, String source, boolean whitespace, int skip, boolean header)
            throws IOException {
        BufferedReader r = reader(raw);
        List<String> names = null;
        for (int i = 0; i < skip; i++) {
            String line = line(r, source, i + 1);
            if (line == null) {
                throw new IllegalArgumentException(source + ": file ends at line " + (i + 1) + " before any data");
            }
            if (header && i == 0) {
                names = unquote(whitespace ? WHITESPACE.split(line.trim()) : line.split(",", -1));
            }
        }
        return parseLines(r, source, whitespace, skip + 1, names);
    }

    private static Table parseLines(BufferedReader r, String source, boolean whitespace, int firstLine,
                                    List<String> header) throws IOException {
        int cols = header == null ? -1 : header.size();
        float[] values = new float[1024];
        int[] lines = new int[64];
        int n = 0;
        int rows = 0;
        int lineNo = firstLine - 1;
        String line;
        while ((line = r.readLine()) != null) {
            checkText(line, source, ++lineNo);
            if (line.isBlank()) {
                continue;
            }
            String[] cells = whitespace ? WHITESPACE.split(line.strip()) : line.split(",", -1);
            if (cols < 0) {
                cols = cells.length;
            }
            if (cells.length < cols) {
                throw new IllegalArgumentException(source + " line " + lineNo + ", column " + (cells.length + 1)
                        + ": missing value (the line has " + cells.length + " cells, expected " + cols + ")");
            }
            if (cells.length > cols) {
                throw new IllegalArgumentException(source + " line " + lineNo + ", column " + (cols + 1)
                        + ": unexpected extra cell '" + abbreviate(cells[cols]) + "' (expected " + cols
                        + " cells)");
            }
            if (n + cols > values.length) {
                values = Arrays.copyOf(values, Math.max(values.length * 2, n + cols));
            }
            for (int c = 0; c < cols; c++) {
                values[n++] = parseCell(cells[c], source, lineNo, c + 1);
            }
            if (rows == lines.length) {
                lines = Arrays.copyOf(lines, rows * 2);
            }
            lines[rows++] = lineNo;
        }
        if (rows == 0) {
            throw new IllegalArgumentException(source + ": no data rows");
        }
        return new Table(source, Arrays.copyOf(values, n), rows, cols, header, Arrays.copyOf(lines, rows));
    }

    /**
     * One cell as a float32: a plain decimal number (optionally with an exponent; no hex, no "1f",
     * no NaN or Infinity), within float32 range; otherwise an {@link IllegalArgumentException}
     * naming the source, the 1-based line and column, and the cell.
     */
    public static float parseCell(String cell, String source, int line, int column) {
        String s = cell.strip();
        if (s.isEmpty()) {
            throw new IllegalArgumentException(source + " line " + line + ", column " + column + ": missing value");
        }
        if (!isDecimal(s)) {
            throw new IllegalArgumentException(source + " line " + line + ", column " + column + ": '"
                    + abbreviate(s) + "' is not a number");
        }
        float v = Float.parseFloat(s);
        if (!Float.isFinite(v)) {
            throw new IllegalArgumentException(source + " line " + line + ", column " + column + ": '"
                    + abbreviate(s) + "' is out of float32 range");
        }
        return v;
    }

    /**
     * Whether s is a plain decimal number: {@code [+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?} with
     * ASCII digits. Written out: as a regex, matched once a cell, C2 spent 0.2-1 s of one of this
     * machine's two cores compiling the matcher while a bundled data set loaded (JFR).
     */
    static boolean isDecimal(String s) {
        int i = 0, n = s.length();
        if (i < n && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
            i++;
        }
        int digits = 0;
        for (; i < n && isDigit(s.charAt(i)); i++) {
            digits++;
        }
        if (i < n && s.charAt(i) == '.') {
            for (i++; i < n && isDigit(s.charAt(i)); i++) {
                digits++;
            }
        }
        if (digits == 0) {
            return false;
        }
        if (i < n && (s.charAt(i) == 'e' || s.charAt(i) == 'E')) {
            i++;
            if (i < n && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
                i++;
            }
            int exponent = 0;
            for (; i < n && isDigit(s.charAt(i)); i++) {
                exponent++;
            }
            if (exponent == 0) {
                return false;
            }
        }
        return i == n;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    /** Splits a table into features and a target column, validating labels for classification. */
    static Dataset toDataset(Table t, String name, int labelColumn, boolean classification,
                             List<String> featureNames, List<String> classNames) {
        int label = labelColumn == -1 ? t.cols() - 1 : labelColumn;
        if (label < 0 || label >= t.cols()) {
            throw new IllegalArgumentException(t.source() + ": label column " + labelColumn + " does not exist (the "
                    + "file has " + t.cols() + " columns, 0-based; -1 = last)");
        }
        if (t.cols() < 2) {
            throw new IllegalArgumentException(t.source() + ": need at least one feature column besides the label");
        }
        int fc = t.cols() - 1;
        float[] features = new float[t.rows() * fc];
        float[] targets = new float[t.rows()];
        int maxLabel = -1;
        for (int r = 0; r < t.rows(); r++) {
            int o = r * fc;
            for (int c = 0; c < t.cols(); c++) {
                if (c != label) {
                    features[o++] = t.get(r, c);
                }
            }
            float y = t.get(r, label);
            if (classification) {
                if (y < 0 || y != Math.rint(y) || y > 1_000_000) {
                    throw new IllegalArgumentException(t.source() + " line " + lineOf(t, r) + ", column " + (label + 1)
                            + ": label " + y + " is not a class index (a non-negative integer)");
                }
                maxLabel = Math.max(maxLabel, (int) y);
            }
            targets[r] = y;
        }
        List<String> names = featureNames;
        if (names == null && t.header() != null) {
            List<String> h = new ArrayList<>(t.header());
            h.remove(label);
            names = h;
        }
        int classes = classification ? Math.max(2, maxLabel + 1) : 0;
        if (classNames != null && classNames.size() != classes) {
            throw new IllegalArgumentException(t.source() + ": header names " + classNames.size() + " classes "
                    + classNames + " but labels go up to " + maxLabel);
        }
        return new Dataset(name, features, t.rows(), fc, targets, classes, names, classNames);
    }

    private static int lineOf(Table t, int r) {
        return t.lines()[r];
    }

    static InputStream open(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("No such file: " + file);
        }
        InputStream in = Files.newInputStream(file);
        try {
            return maybeGunzip(in);
        } catch (IOException | RuntimeException e) {
            in.close();
            throw e;
        }
    }

    /**
     * Opens a text file the way this class reads one: gunzipped when it starts with gzip's magic
     * bytes, decoded as UTF-8, a leading byte-order mark dropped. Pass each line to
     * {@link #checkText}, which reports bytes that were not UTF-8.
     *
     * @throws IllegalArgumentException when {@code file} is not a regular file
     */
    public static BufferedReader openText(Path file) throws IOException {
        InputStream in = open(file);
        try {
            return reader(in);
        } catch (IOException | RuntimeException e) {
            in.close();
            throw e;
        }
    }

    /**
     * Returns {@code line} (line {@code lineNo} of {@code source}, read from {@link #openText})
     * after checking that it was UTF-8 text: invalid byte sequences or a NUL (a binary file, or
     * UTF-16 as Excel's "Unicode text" writes it) raise an {@link IllegalArgumentException} that
     * says so, naming the file and line.
     */
    public static String checkText(String line, String source, int lineNo) {
        int bad = line.indexOf(NOT_UTF8);
        if (bad >= 0) {
            throw new IllegalArgumentException(source + " line " + lineNo + ": not UTF-8 text (the bytes at character "
                    + (bad + 1) + " are not valid UTF-8; save the file as UTF-8)");
        }
        if (line.indexOf('\0') >= 0) {
            throw new IllegalArgumentException(source + " line " + lineNo + ": not UTF-8 text (it contains NUL "
                    + "bytes: a binary file, or UTF-16 text; save the file as UTF-8)");
        }
        return line;
    }

    private static String line(BufferedReader r, String source, int lineNo) throws IOException {
        String line = r.readLine();
        return line == null ? null : checkText(line, source, lineNo);
    }

    /** Wraps a stream in a gzip decoder when it starts with the gzip magic bytes 1f 8b. */
    static InputStream maybeGunzip(InputStream in) throws IOException {
        BufferedInputStream b = new BufferedInputStream(in, 1 << 16);
        b.mark(2);
        int m0 = b.read();
        int m1 = b.read();
        b.reset();
        return m0 == 0x1f && m1 == 0x8b ? new BufferedInputStream(new GZIPInputStream(b, 1 << 16), 1 << 16) : b;
    }

    /**
     * A UTF-8 reader over {@code in} that drops a leading byte-order mark (Excel writes one), so it
     * reaches neither the first cell nor the first header name.
     */
    private static BufferedReader reader(InputStream in) throws IOException {
        CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPLACE)
                .onUnmappableCharacter(CodingErrorAction.REPLACE).replaceWith(String.valueOf(NOT_UTF8));
        BufferedReader r = new BufferedReader(new InputStreamReader(in, utf8), 1 << 16);
        r.mark(1);
        if (r.read() != '\uFEFF') {
            r.reset();
        }
        return r;
    }

    private static int parseCount(String s, String source, int column) {
        try {
            int v = Integer.parseInt(s.strip());
            if (v > 0) {
                return v;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new IllegalArgumentException(source + " line 1, column " + column + ": '" + abbreviate(s)
                + "' is not a positive count");
    }

    private static List<String> unquote(String[] cells) {
        List<String> out = new ArrayList<>(cells.length);
        for (String c : cells) {
            String s = c.strip();
            if (s.length() >= 2 && s.startsWith("\"") && s.endsWith("\"")) {
                s = s.substring(1, s.length() - 1);
            }
            out.add(s);
        }
        return out;
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 37) + "...";
    }
}
