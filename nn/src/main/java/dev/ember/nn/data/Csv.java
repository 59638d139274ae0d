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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;

/**
 * CSV reading with validation: every feature cell must be a finite decimal number, and a
 * non-numeric, empty or missing cell raises an {@link IllegalArgumentException} naming the file,
 * the 1-based line and the 1-based column. Cells may be quoted as RFC 4180 writes them
 * ({@code "1.5"}, {@code "Iris, setosa"}, {@code "say ""hi"""}, line breaks inside quotes); a
 * quote left open, text after a closing quote or a quote inside an unquoted cell is an error.
 * A classification label column may hold text instead of class indices: its labels become
 * classes in sorted order (as scikit-learn's {@code LabelEncoder} numbers them), or the indices of
 * given classes ({@link #read(Path, boolean, String, List)}); integers other than 0..k-1 (1..k,
 * -1/1) become classes named by their values the same way. Gzipped files are recognised by
 * their magic bytes. Also reads scikit-learn's bundled files, whose first line is
 * {@code n_samples,n_features,class names...} (Boston adds a second line of quoted column names),
 * and whitespace-separated tables. Text is UTF-8; a leading byte-order mark is dropped, and a file
 * that is not UTF-8 is reported as such with the line where that shows. {@link #openText},
 * {@link #checkText} and {@link Records} give other readers the same handling.
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

    /**
     * Cells that pandas' {@code read_csv} reads as a missing value (its default {@code na_values}):
     * in a label column they are refused as missing rather than taken as a class named "NA".
     */
    private static final Set<String> MISSING = Set.of("#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN",
            "-nan", "1.#IND", "1.#QNAN", "<NA>", "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null");

    /**
     * A parsed table: row-major values, the column count, the header names if any and each row's
     * line. {@code label} is the column whose cells may be text (-1: none, every cell is a number);
     * its text cells are in {@code text} (null when every label is a number) and hold NaN in
     * {@code values}.
     */
    record Table(String source, float[] values, int rows, int cols, List<String> header, int[] lines, int label,
                 TextLabels text) {
        float get(int r, int c) {
            return values[r * cols + c];
        }
    }

    /**
     * The text cells of a label column: the distinct labels in order of first appearance, and for
     * each row the index of its label in that list, or -1 where the row's label is a number.
     */
    record TextLabels(List<String> distinct, int[] ids) {
    }

    /**
     * Columns a reader leaves unread (an id or name column a caller drops from the features): their
     * cells may hold anything (text, nothing), are not parsed and hold 0 in the data set's
     * features, which the caller then leaves out, and their header names may be empty. The file
     * must still have them (every line the same number of cells). The reader asks once, when it
     * has read the header or, without one, the first row (never for a file without rows); naming
     * the label or a column outside the file is an {@link IllegalStateException}.
     */
    @FunctionalInterface
    public interface Skipped {
        /**
         * The 0-based file columns to leave unread, given the header's names (stripped; null for a
         * file without a header), the column count and the label's column; never the label.
         */
        Set<Integer> columns(List<String> header, int cols, int label);
    }

    /** Finds the label column once the column count (and the header, if any) is known. */
    @FunctionalInterface
    private interface LabelColumn {
        /** The 0-based label column; {@code header} is null for a file without one. */
        int resolve(List<String> header, int cols);
    }

    /**
     * Reads a comma-separated file into a data set.
     *
     * @param header         whether the first line holds column names
     * @param labelColumn    0-based column of the target, or -1 for the last column
     * @param classification targets are classes: class indices 0..k-1 (k = largest label + 1, at
     *                       least 2); other integers, or text labels (every label must then be text),
     *                       numbered in sorted order; otherwise they are regression values
     */
    public static Dataset read(Path file, boolean header, int labelColumn, boolean classification) {
        Table t = table(file, header, (names, cols) -> {
            if (labelColumn < -1 || labelColumn >= cols) {
                throw new IllegalArgumentException(file + ": label column " + labelColumn + " does not exist (the "
                        + "file has " + cols + " columns, 0-based; -1 = last)");
            }
            return labelColumn == -1 ? cols - 1 : labelColumn;
        }, classification);
        return toDataset(t, baseName(file), t.label(), classification, null, null, null);
    }

    /**
     * Reads a comma-separated file with the target column given as text, as a command line gives
     * it: a 0-based position ({@code -1} for the last column) or, when the first line names the
     * columns, a column name (as {@code df[name]} would; surrounding spaces and double quotes in the
     * header are ignored, and an exact match wins over one that differs only in case). With a
     * header, an integer that is also the name of a column at another position (as pandas writes
     * integer column names) is refused as ambiguous rather than read either way. Labels are read as
     * by {@link #read(Path, boolean, int, boolean)}.
     *
     * @throws IllegalArgumentException naming the file and its columns when the column does not
     *                                  exist or cannot be told apart
     */
    public static Dataset read(Path file, boolean header, String labelColumn, boolean classification) {
        return read(file, header, labelColumn, classification, null);
    }

    /**
     * Reads a labelled file for a model that knows its classes, as {@code evaluate} does: text
     * labels become their index in {@code classes}, and a label that is not one of them is an error
     * naming the file, line, label and classes. Numeric labels are class indices, as in
     * {@link #read(Path, boolean, String, boolean)}, and the data set's class count is then the
     * file's own (a file need not hold every class; the caller checks the indices against its own).
     */
    public static Dataset read(Path file, boolean header, String labelColumn, List<String> classes) {
        return read(file, header, labelColumn, true, List.copyOf(classes), null);
    }

    private static Dataset read(Path file, boolean header, String labelColumn, boolean classification,
                                List<String> classes) {
        return read(file, header, labelColumn, classification, classes, null);
    }

    /**
     * As {@link #read(Path, boolean, String, boolean)}, or with {@code classes} (non-null:
     * classification) as {@link #read(Path, boolean, String, List)}, leaving the columns
     * {@code skipped} names unread (null: none); they hold 0 in the features.
     */
    public static Dataset read(Path file, boolean header, String labelColumn, boolean classification,
                               List<String> classes, Skipped skipped) {
        String spec = labelColumn.strip();
        boolean position = spec.matches("[+-]?\\d+");
        if (!position && !header) {
            throw new IllegalArgumentException(file + ": label column '" + abbreviate(spec) + "' is a name, which needs"
                    + " a header line (or give the column's 0-based position)");
        }
        String source = file.toString();
        Table t = table(file, header, (names, cols) -> position ? position(source, spec, names, cols)
                : columnNamed(source, names, spec), classification || classes != null, skipped);
        return toDataset(t, baseName(file), t.label(), classification || classes != null, null, null,
                classes == null ? null : List.copyOf(classes));
    }

    /** The column at position {@code spec}, refusing one that is also another column's name. */
    private static int position(String source, String spec, List<String> header, int cols) {
        int at;
        try {
            at = Integer.parseInt(spec);
        } catch (NumberFormatException e) {
            at = Integer.MAX_VALUE; // beyond any file: reported below
        }
        if (header != null && at >= 0) {
            String asName = spec.startsWith("+") ? spec.substring(1) : spec;
            for (int c = 0; c < header.size(); c++) {
                if (c != at && header.get(c).equals(asName)) {
                    throw new IllegalArgumentException(source + ": label column " + spec + " is ambiguous: it is"
                            + " a 0-based position" + (at < cols ? " (column '" + abbreviate(header.get(at)) + "')"
                            : "") + " and the name of column " + c + "; give the position you mean (columns: "
                            + listed(header) + ")");
                }
            }
        }
        if (at < -1 || at >= cols) {
            throw new IllegalArgumentException(source + ": label column " + abbreviate(spec) + " does not exist"
                    + " (the file has " + cols + " columns, 0-based; -1 = last)");
        }
        return at == -1 ? cols - 1 : at;
    }

    private static Table table(Path file, boolean header, LabelColumn label, boolean textLabels) {
        return table(file, header, label, textLabels, null);
    }

    private static Table table(Path file, boolean header, LabelColumn label, boolean textLabels, Skipped skipped) {
        try (InputStream in = open(file)) {
            return parse(in, file.toString(), false, header, label, textLabels, skipped);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + file + ": " + dev.ember.nn.io.IoErrors.reason(e), e);
        }
    }

    private static String baseName(Path file) {
        return file.getFileName().toString().replaceFirst("(\\.csv)?(\\.gz)?$", "");
    }

    /** The 0-based column whose header is {@code wanted}: exact, else the one equal up to case. */
    private static int columnNamed(String source, List<String> names, String wanted) {
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
        throw new IllegalArgumentException(source + ": " + (exact >= 0 || count > 1 ? "more than one column is"
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
        Table t = parseLines(new Records(r, source, skipped, false), null, (header, cols) -> cols - 1, classification,
                null);
        if (t.rows() != nSamples || t.cols() != nFeatures + 1) {
            throw new IllegalArgumentException(source + ": line 1 announces " + nSamples + " rows of " + nFeatures
                    + " features + label, the file has " + t.rows() + " rows of " + t.cols() + " columns");
        }
        if (classification && classNames.isEmpty()) {
            classNames = null;
        }
        return toDataset(t, name, -1, classification, names, classification ? classNames : null, null);
    }

    /**
     * Parses a table of numbers without a header. {@code whitespace} splits on runs of blanks
     * instead of commas. Empty lines are skipped; every other line must have the same number of cells.
     */
    static Table parse(InputStream raw, String source, boolean whitespace) throws IOException {
        return parse(raw, source, whitespace, false, null, false, null);
    }

    /**
     * Parses a table whose first record names the columns when {@code header}. With a
     * {@code label} column, its cells may be text when {@code textLabels} (classification);
     * otherwise a text cell there is refused as a target that is not a number. The columns
     * {@code skipped} names (null: none) are not read.
     */
    private static Table parse(InputStream raw, String source, boolean whitespace, boolean header, LabelColumn label,
                               boolean textLabels, Skipped skipped) throws IOException {
        Records records = new Records(reader(raw), source, 0, whitespace);
        List<String> names = null;
        if (header) {
            String[] cells = records.next();
            if (cells == null) {
                throw new IllegalArgumentException(source + ": the file is empty (a header line was expected)");
            }
            names = new ArrayList<>(cells.length);
            for (String c : cells) {
                names.add(c.strip());
            }
        }
        return parseLines(records, names, label, textLabels, skipped);
    }

    /** Infinity as pandas, numpy and Java write it. */
    private static final Pattern INFINITE = Pattern.compile("[+-]?(?i:inf|infinity)");

    /** pandas' name for a column whose header cell is empty. */
    private static final Pattern UNNAMED = Pattern.compile("Unnamed: \\d+");

    /**
     * Refuses a header (on line {@code line}) with a column that has no name (empty, or pandas'
     * "Unnamed: N"): the first is a row index as pandas' {@code to_csv} (index=True, its default)
     * and R's {@code write.csv} write it, which would otherwise be learned as a feature; the last is
     * what a comma at the end of every line leaves, a column of nothing that would become the label;
     * one in between is an export mistake that would be trained on as a feature that predict
     * cannot take by name. A column left unread ({@code skip}, null for none) may have no name.
     */
    private static void checkUnnamed(String source, int line, List<String> names, boolean[] skip) {
        int last = names.size() - 1;
        String where = source + " line " + line + ", column ";
        if (last > 0 && unnamed(names.get(0)) && !(skip != null && skip[0])) {
            throw new IllegalArgumentException(where + "1: the first column has no name" + pandasName(names.get(0))
                    + ", as a row index written by pandas' to_csv or R's write.csv has; an index is not a feature:"
                    + " save the file without it (to_csv(index=False)), remove the column, or leave it unread"
                    + " (ember train --drop-columns 0)");
        }
        if (last > 0 && unnamed(names.get(last)) && !(skip != null && skip[last])) {
            throw new IllegalArgumentException(where + (last + 1) + ": the last column has no name"
                    + (names.get(last).isEmpty() ? " (does every line end with a comma? remove the trailing commas)"
                    : " ('" + names.get(last) + "'); name it or remove it"));
        }
        for (int c = 1; c < last; c++) {
            if (unnamed(names.get(c)) && !(skip != null && skip[c])) {
                throw new IllegalArgumentException(where + (c + 1) + ": the column after '"
                        + abbreviate(names.get(c - 1)) + "' has no name" + pandasName(names.get(c)) + "; name it in the"
                        + " header or remove the column (predict and evaluate take a model's features by name)");
            }
        }
    }

    private static boolean unnamed(String name) {
        return name.isEmpty() || UNNAMED.matcher(name).matches();
    }

    /** " ('Unnamed: 2')" for pandas' name of an unnamed column, "" for an empty one. */
    private static String pandasName(String name) {
        return name.isEmpty() ? "" : " ('" + name + "')";
    }

    private static Table parseLines(Records records, List<String> header, LabelColumn labelColumn, boolean textLabels,
                                    Skipped skipped) throws IOException {
        String source = records.source;
        int cols = header == null ? -1 : header.size();
        int label = header == null || labelColumn == null ? -1 : labelColumn.resolve(header, cols);
        boolean[] skip = header == null ? null : skipped(skipped, header, cols, label);
        if (header != null) {
            checkUnnamed(source, records.line(), header, skip); // after the skips: a skipped index may be unnamed
        }
        float[] values = new float[1024];
        int[] lines = new int[64];
        int[] ids = null; // per row, the label's index in distinct (-1: a number); made at the first text label
        Map<String, Integer> textIds = new HashMap<>();
        List<String> distinct = new ArrayList<>();
        int n = 0;
        int rows = 0;
        String[] cells;
        while ((cells = records.next()) != null) {
            int lineNo = records.line();
            if (cols < 0) {
                cols = cells.length;
                label = labelColumn == null ? -1 : labelColumn.resolve(null, cols);
                skip = skipped(skipped, null, cols, label);
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
            if (rows == lines.length) {
                lines = Arrays.copyOf(lines, rows * 2);
                ids = ids == null ? null : Arrays.copyOf(ids, rows * 2);
            }
            int textId = -1;
            for (int c = 0; c < cols; c++) {
                String cell = cells[c];
                if (skip != null && skip[c]) {
                    values[n++] = 0; // left out by the caller: any text, or none
                    continue;
                }
                if (c != label) {
                    values[n++] = header == null ? parseCell(cell, source, lineNo, c + 1)
                            : featureCell(cell, source, lineNo, c + 1, header.get(c));
                    continue;
                }
                String s = cell.strip();
                if (s.isEmpty() || isDecimal(s)) {
                    values[n++] = parseCell(s, source, lineNo, c + 1);
                    continue;
                }
                if (MISSING.contains(s)) {
                    throw new IllegalArgumentException(source + " line " + lineNo + ", column " + (c + 1) + ": label '"
                            + s + "' is a missing value (pandas reads it as NaN); every row needs a label");
                }
                if (!textLabels) {
                    throw new IllegalArgumentException(source + " line " + lineNo + ", column " + (c + 1) + ": '"
                            + abbreviate(s) + "' is not a number; a regression target must be numeric (text labels"
                            + " name classes, which needs classification)");
                }
                if (ids == null) {
                    ids = new int[lines.length];
                    Arrays.fill(ids, 0, rows, -1);
                }
                Integer id = textIds.get(s);
                if (id == null) {
                    id = distinct.size();
                    textIds.put(s, id);
                    distinct.add(s);
                }
                textId = id;
                values[n++] = Float.NaN;
            }
            if (ids != null) {
                ids[rows] = textId;
            }
            lines[rows++] = lineNo;
        }
        if (rows == 0) {
            throw new IllegalArgumentException(source + ": no data rows");
        }
        TextLabels text = ids == null ? null : new TextLabels(List.copyOf(distinct), Arrays.copyOf(ids, rows));
        return new Table(source, Arrays.copyOf(values, n), rows, cols, header, Arrays.copyOf(lines, rows), label, text);
    }

    /** The columns {@code skipped} leaves unread, by column; null when none. */
    private static boolean[] skipped(Skipped skipped, List<String> header, int cols, int label) {
        Set<Integer> columns = skipped == null ? Set.of() : skipped.columns(header, cols, label);
        if (columns.isEmpty()) {
            return null;
        }
        boolean[] skip = new boolean[cols];
        for (int c : columns) {
            if (c < 0 || c >= cols || c == label) {
                throw new IllegalStateException("column " + c + " cannot be skipped in a file of " + cols
                        + " columns whose label is column " + label);
            }
            skip[c] = true;
        }
        return skip;
    }

    /**
     * Reads records of comma-separated cells as RFC 4180 writes them: a cell in double quotes may
     * hold commas, line breaks and doubled quotes ({@code ""} for one), and spaces around the quotes
     * are ignored. Blank lines are skipped. A quote that is never closed, text after a closing
     * quote, or a quote inside an unquoted cell raise an {@link IllegalArgumentException} naming
     * the source, line and column, as does text that is not UTF-8 ({@link #checkText}). Cells are
     * returned unquoted but not stripped. Use with {@link #openText}.
     */
    public static final class Records {
        private final BufferedReader in;
        private final String source;
        private final boolean whitespace;
        private int lineNo;
        private int recordLine;

        /** Records of {@code in}, whose lines are named as lines of {@code source}, counted from 1. */
        public Records(BufferedReader in, String source) {
            this(in, source, 0, false);
        }

        /**
         * {@code linesRead} lines of the source precede {@code in}; {@code whitespace} splits lines
         * on runs of blanks instead of commas, without quoting.
         */
        Records(BufferedReader in, String source, int linesRead, boolean whitespace) {
            this.in = in;
            this.source = source;
            this.lineNo = linesRead;
            this.whitespace = whitespace;
        }

        /** The cells of the next record, or null at the end of the input. */
        public String[] next() throws IOException {
            String line;
            do {
                line = in.readLine();
                if (line == null) {
                    return null;
                }
                checkText(line, source, ++lineNo);
            } while (line.isBlank());
            recordLine = lineNo;
            if (whitespace) {
                return WHITESPACE.split(line.strip());
            }
            if (line.indexOf('"') >= 0) {
                return quoted(line);
            }
            if (line.indexOf(',') < 0) {
                checkSeparator(line);
            }
            return line.split(",", -1);
        }

        /**
         * Refuses a line without commas that a semicolon or tab separates: Excel writes ';' where
         * the decimal mark is a comma, and a .tsv has tabs. Read as one column, such a file would
         * fail later with a message about labels or column counts that does not say why. Tabs only
         * between cells count: a single column's cell padded with one ("1.5\t") is a cell, as before.
         */
        private void checkSeparator(String line) {
            String text = line.strip();
            char sep = text.indexOf(';') >= 0 ? ';' : text.indexOf('\t') >= 0 ? '\t' : 0;
            if (sep != 0) {
                throw new IllegalArgumentException(source + " line " + recordLine + ": no comma on the line, but "
                        + (sep == ';' ? "semicolons" : "tabs") + " ('" + abbreviate(line.strip()) + "'); Ember reads"
                        + " comma-separated values: save the file with ',' as the separator and '.' as the decimal"
                        + " mark");
            }
        }

        /** The 1-based line on which the record last returned by {@link #next} starts. */
        public int line() {
            return recordLine;
        }

        private String[] quoted(String line) throws IOException {
            List<String> cells = new ArrayList<>();
            StringBuilder cell = new StringBuilder();
            int i = 0;
            while (true) {
                int column = cells.size() + 1;
                int start = i;
                i = skipBlanks(line, i);
                if (i < line.length() && line.charAt(i) == '"') {
                    int opened = lineNo;
                    cell.setLength(0);
                    i++;
                    while (true) {
                        if (i == line.length()) {
                            String more = in.readLine();
                            if (more == null) {
                                throw error(opened, column, "the quoted cell is not closed (no closing double quote"
                                        + " before the end of the file)");
                            }
                            checkText(more, source, ++lineNo);
                            cell.append('\n');
                            line = more;
                            i = 0;
                            continue;
                        }
                        char c = line.charAt(i++);
                        if (c != '"') {
                            cell.append(c);
                        } else if (i < line.length() && line.charAt(i) == '"') {
                            cell.append('"');
                            i++;
                        } else {
                            break;
                        }
                    }
                    int closed = i;
                    i = skipBlanks(line, i);
                    if (i < line.length() && line.charAt(i) != ',') {
                        int end = line.indexOf(',', i);
                        throw error(lineNo, column, "unexpected text '" + abbreviate(line.substring(closed,
                                end < 0 ? line.length() : end).strip()) + "' after the closing double quote of '"
                                + abbreviate(cell.toString()) + "' (a quote inside a quoted cell is written \"\")");
                    }
                    cells.add(cell.toString());
                } else {
                    int end = line.indexOf(',', start);
                    end = end < 0 ? line.length() : end;
                    String s = line.substring(start, end);
                    if (s.indexOf('"') >= 0) {
                        throw error(lineNo, column, "double quote inside the unquoted cell '" + abbreviate(s.strip())
                                + "' (put the whole cell in quotes and write a quote inside it as \"\")");
                    }
                    cells.add(s);
                    i = end;
                }
                if (i >= line.length()) {
                    return cells.toArray(new String[0]);
                }
                i++; // the comma
            }
        }

        private static int skipBlanks(String line, int i) {
            while (i < line.length() && (line.charAt(i) == ' ' || line.charAt(i) == '\t')) {
                i++;
            }
            return i;
        }

        private IllegalArgumentException error(int line, int column, String what) {
            return new IllegalArgumentException(source + " line " + line + ", column " + column + ": " + what);
        }
    }

    /**
     * {@code cell} as a CSV cell: as it is, unless it holds a comma, a double quote, a line break
     * or surrounding spaces; then in double quotes, with each quote doubled (RFC 4180).
     */
    public static String quote(String cell) {
        boolean plain = cell.strip().equals(cell) && cell.chars().noneMatch(c -> c == ',' || c == '"' || c == '\n'
                || c == '\r');
        return plain ? cell : '"' + cell.replace("\"", "\"\"") + '"';
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
            String why = MISSING.contains(s) ? " is a missing value (pandas reads it as NaN); a feature must be a"
                    + " finite number, so fill or drop the row" : INFINITE.matcher(s).matches() ? " is infinite; a"
                    + " feature must be a finite number" : " is not a number";
            throw new IllegalArgumentException(source + " line " + line + ", column " + column + ": '"
                    + abbreviate(s) + "'" + why);
        }
        float v = Float.parseFloat(s);
        if (!Float.isFinite(v)) {
            throw new IllegalArgumentException(source + " line " + line + ", column " + column + ": '"
                    + abbreviate(s) + "' is out of float32 range");
        }
        return v;
    }

    /**
     * {@link #parseCell} of a feature in the column a header names: a text cell there ("Rome" in a
     * city column) is named with its column and what to do, as a newcomer's first CSV often has one.
     */
    private static float featureCell(String cell, String source, int line, int column, String name) {
        try {
            return parseCell(cell, source, line, column);
        } catch (IllegalArgumentException e) {
            if (!e.getMessage().endsWith("' is not a number")) {
                throw e;
            }
            throw new IllegalArgumentException(e.getMessage() + " (column '" + abbreviate(name) + "' is read as a"
                    + " feature, and features are numbers: encode a text column as numbers, or remove it)", e);
        }
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

    /**
     * Splits a table into features and a target column, validating labels for classification.
     * {@code classNames} names the classes of numeric labels (their count must match the labels);
     * {@code knownClasses}, or else {@code classNames}, gives the classes that text labels must be
     * among; with neither, text labels are numbered in sorted order.
     */
    static Dataset toDataset(Table t, String name, int labelColumn, boolean classification,
                             List<String> featureNames, List<String> classNames, List<String> knownClasses) {
        int label = labelColumn == -1 ? t.cols() - 1 : labelColumn;
        if (label < 0 || label >= t.cols()) {
            throw new IllegalArgumentException(t.source() + ": label column " + labelColumn + " does not exist (the "
                    + "file has " + t.cols() + " columns, 0-based; -1 = last)");
        }
        if (t.text() != null && t.label() != label) {
            throw new IllegalStateException(t.source() + ": text labels were read from column " + t.label()
                    + ", not " + label);
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
            if (classification && t.text() == null) {
                if (y != Math.rint(y)) {
                    throw new IllegalArgumentException(t.source() + " line " + lineOf(t, r) + ", column " + (label + 1)
                            + ": label " + y + " is not a class index (an integer; a numeric target needs --task"
                            + " regression)");
                }
                if (Math.abs(y) > EXACT_INTEGERS) {
                    throw new IllegalArgumentException(t.source() + " line " + lineOf(t, r) + ", column " + (label + 1)
                            + ": label " + (long) y + " is too large for a class (float32 holds integers exactly"
                            + " only up to " + EXACT_INTEGERS + ")");
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
        if (t.text() != null) {
            List<String> classes = encode(t, knownClasses != null ? knownClasses : classNames, targets);
            return new Dataset(name, features, t.rows(), fc, targets, classes.size(), names, classes);
        }
        if (classification && classNames == null) {
            List<String> byValue = integerClasses(t, label, targets, knownClasses);
            if (byValue != null) {
                return new Dataset(name, features, t.rows(), fc, targets, byValue.size(), names, byValue);
            }
            for (int r = 0; r < t.rows(); r++) {
                if (targets[r] < 0) { // only with a model's classes, which are numbered from 0
                    throw new IllegalArgumentException(t.source() + " line " + lineOf(t, r) + ", column "
                            + (label + 1) + ": label " + (long) targets[r] + " is not a class index (the classes are"
                            + " numbered from 0)");
                }
            }
        }
        int classes = classification ? Math.max(2, maxLabel + 1) : 0;
        if (classNames != null && classNames.size() != classes) {
            throw new IllegalArgumentException(t.source() + ": header names " + classNames.size() + " classes "
                    + classNames + " but labels go up to " + maxLabel);
        }
        return new Dataset(name, features, t.rows(), fc, targets, classes, names, classNames);
    }

    /** The largest integer that float32 holds exactly, with all those below it (2^24). */
    private static final int EXACT_INTEGERS = 1 << 24;

    /**
     * Integer labels that are not the class indices 0..k-1 (1..k as UCI files number classes,
     * -1/1, years): classes named by their values, sorted numerically as scikit-learn's
     * {@code LabelEncoder} sorts them, rather than a model with an output for every integer up to
     * the largest (2025 classes for the labels 1999 and 2024) or a refusal of -1. With
     * {@code known} classes (a model's) whose names are all integers other than 0..k-1, labels are
     * looked up by value. Writes the class indices into {@code targets}; returns the class names, or
     * null where the labels are to stay class indices.
     */
    private static List<String> integerClasses(Table t, int label, float[] targets, List<String> known) {
        if (known != null) {
            if (known.equals(Dataset.defaultClassNames(known.size()))
                    || !known.stream().allMatch(k -> k.matches("-?\\d{1,8}"))) {
                return null; // numbered classes, or named ones: numeric labels are indices
            }
            Map<String, Integer> index = new HashMap<>();
            for (int i = 0; i < known.size(); i++) {
                index.putIfAbsent(known.get(i), i);
            }
            for (int r = 0; r < targets.length; r++) {
                String v = Long.toString((long) targets[r]);
                Integer c = index.get(v);
                if (c == null) {
                    throw new IllegalArgumentException(t.source() + " line " + lineOf(t, r) + ", column " + (label + 1)
                            + ": label " + v + " is not one of the known classes (" + listed(known) + ")");
                }
                targets[r] = c;
            }
            return known;
        }
        java.util.TreeSet<Integer> values = new java.util.TreeSet<>();
        for (float y : targets) {
            values.add((int) y);
        }
        int min = values.first(), max = values.last();
        if (min >= 0 && (max <= 1 || values.size() == max + 1)) {
            return null; // the class indices 0..k-1 (or a binary file that holds one of 0 and 1)
        }
        if (values.size() < 2) {
            throw new IllegalArgumentException(t.source() + ", column " + (label + 1) + ": every label is " + min
                    + "; classification needs at least 2 classes");
        }
        List<String> classes = new ArrayList<>(values.size());
        Map<Integer, Integer> index = new HashMap<>();
        for (int v : values) {
            index.put(v, classes.size());
            classes.add(Integer.toString(v));
        }
        for (int r = 0; r < targets.length; r++) {
            targets[r] = index.get((int) targets[r]);
        }
        return classes;
    }

    /**
     * Writes the class index of each row's text label into {@code targets} and returns the class
     * names by index: {@code known} when given (each label must be one of them), else the distinct
     * labels sorted by Unicode code point, as Python sorts strings (and {@code LabelEncoder} numbers
     * classes). A column that mixes numbers and text is refused.
     */
    private static List<String> encode(Table t, List<String> known, float[] targets) {
        int[] ids = t.text().ids();
        List<String> distinct = t.text().distinct();
        String where = ", column " + (t.label() + 1) + ": ";
        int number = -1, text = -1;
        for (int r = 0; r < ids.length && (number < 0 || text < 0); r++) {
            if (ids[r] < 0 && number < 0) {
                number = r;
            } else if (ids[r] >= 0 && text < 0) {
                text = r;
            }
        }
        if (number >= 0) {
            float y = t.get(number, t.label());
            String asWritten = y == Math.rint(y) && Math.abs(y) < 1e9 ? Long.toString((long) y) : Float.toString(y);
            throw new IllegalArgumentException(t.source() + " line " + lineOf(t, number) + where + "label " + asWritten
                    + " is a number, but the label on line " + lineOf(t, text) + " is '"
                    + abbreviate(distinct.get(ids[text])) + "'; labels must be all class indices or all class names");
        }
        List<String> classes;
        if (known == null) {
            checkCase(t, distinct, ids, where);
            classes = new ArrayList<>(distinct);
            classes.sort(Csv::compareCodePoints);
            if (classes.size() < 2) {
                throw new IllegalArgumentException(t.source() + where + "every label is '" + abbreviate(classes.get(0))
                        + "'; classification needs at least 2 classes");
            }
        } else {
            classes = known;
        }
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < classes.size(); i++) {
            index.putIfAbsent(classes.get(i), i);
        }
        for (int r = 0; r < ids.length; r++) {
            String s = distinct.get(ids[r]);
            Integer c = index.get(s);
            if (c == null) {
                throw new IllegalArgumentException(t.source() + " line " + lineOf(t, r) + where + unknown(s, classes));
            }
            targets[r] = c;
        }
        return classes;
    }

    /**
     * Refuses labels that differ only in case ("Yes" and "yes"): one class written two ways, or two
     * classes; either way the file should say which, rather than train a class of each.
     */
    private static void checkCase(Table t, List<String> distinct, int[] ids, String where) {
        Map<String, Integer> folded = new HashMap<>();
        for (int i = 0; i < distinct.size(); i++) {
            Integer other = folded.putIfAbsent(distinct.get(i).toLowerCase(java.util.Locale.ROOT), i);
            if (other != null) {
                throw new IllegalArgumentException(t.source() + " line " + lineOf(t, firstRow(ids, i)) + where + "label '"
                        + abbreviate(distinct.get(i)) + "' differs from '" + abbreviate(distinct.get(other))
                        + "' (line " + lineOf(t, firstRow(ids, other)) + ") only in case; write one class one way");
            }
        }
    }

    private static int firstRow(int[] ids, int id) {
        for (int r = 0; ; r++) {
            if (ids[r] == id) {
                return r;
            }
        }
    }

    /** Why text label {@code s} is not one of {@code classes}. */
    private static String unknown(String s, List<String> classes) {
        if (classes.equals(Dataset.defaultClassNames(classes.size()))) {
            return "label '" + abbreviate(s) + "' is text, but the classes have no names (only the indices 0 to "
                    + (classes.size() - 1) + "), so the labels must be class indices";
        }
        return "label '" + abbreviate(s) + "' is not one of the known classes (" + listed(classes) + ")";
    }

    /** Orders strings by Unicode code point, as Python compares them (String.compareTo uses UTF-16 units). */
    private static int compareCodePoints(String a, String b) {
        int i = 0, j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i), cb = b.codePointAt(j);
            if (ca != cb) {
                return Integer.compare(ca, cb);
            }
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Integer.compare(a.length() - i, b.length() - j);
    }

    private static int lineOf(Table t, int r) {
        return t.lines()[r];
    }

    static InputStream open(Path file) throws IOException {
        // a pipe is read as a file: /dev/stdin under "cat x.csv | ...", /dev/fd/N from a shell's <(...)
        if (Files.isDirectory(file)) {
            throw new IllegalArgumentException(file + " is a directory, not a file");
        }
        if (!Files.exists(file)) {
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
     * @throws IllegalArgumentException when {@code file} does not exist or is a directory (a named
     *                                  pipe or /dev/stdin is read)
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
