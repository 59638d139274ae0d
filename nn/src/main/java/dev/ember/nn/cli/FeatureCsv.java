package dev.ember.nn.cli;

import dev.ember.nn.data.Csv;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a features-only CSV for {@code predict}: one row per record ({@link Csv.Records}: cells
 * may be quoted), numbers as {@link Csv#parseCell} reads them, optional header line, blank lines
 * skipped. A bad cell is reported with file, line and column.
 * The file is opened like training data ({@link Csv#openText}): gzip, a byte-order mark and text
 * that is not UTF-8 are handled the same way.
 *
 * <p>When the header names the model's features, the columns are taken by name, as
 * {@code df[feature_names]} takes them: in any order, and other columns (the label, a pandas
 * index) are left out and listed in {@link Table#ignored}. A header that names some of the
 * features but not all, or none of them, is refused, as scikit-learn refuses feature names that
 * differ from those seen in fit. A model trained without a header (features x0, x1, ...) takes
 * the columns in order, the header skipped.
 */
final class FeatureCsv {
    private FeatureCsv() {
    }

    /** The features, row-major, and the header's columns that were left out (none when read in order). */
    record Table(float[] values, int rows, int cols, List<String> ignored) {
    }

    static Table read(Path file, boolean header, int expectedCols) throws IOException {
        return read(file, header, expectedCols, List.of());
    }

    /**
     * @param features the model's feature names; empty, or x0, x1, ... (a model trained without a
     *                 header), when it has none to match a header against
     */
    static Table read(Path file, boolean header, int expectedCols, List<String> features) throws IOException {
        return read(file, header, expectedCols, features, expectedCols, null);
    }

    /**
     * As {@link #read(Path, boolean, int, List)}, for a model that leaves out some of its training
     * file's columns: a file read in order (no header, or one that does not name the features)
     * has either {@code columns} columns, of which those at {@code keep} are the features, or the
     * features alone (its first row decides).
     */
    static Table read(Path file, boolean header, int expectedCols, List<String> features, int columns, int[] keep)
            throws IOException {
        if (Files.isDirectory(file) || !Files.exists(file)) { // a pipe is read: /dev/stdin, --input -
            throw new UsageException("input file " + file + (Files.isDirectory(file) ? " is a directory, not a CSV file"
                    : " does not exist"));
        }
        List<float[]> rows = new ArrayList<>();
        List<String> ignored = List.of();
        try (BufferedReader r = Csv.openText(file)) {
            Csv.Records records = new Csv.Records(r, file.toString());
            int[] take = null; // the file's column of each feature, when taken by name
            int width = expectedCols;
            if (header) {
                String[] names = records.next();
                if (names != null) {
                    List<String> stripped = new ArrayList<>(names.length);
                    for (String h : names) {
                        stripped.add(h.strip());
                    }
                    take = byName(file + " line " + records.line(), stripped, features);
                    if (take != null) {
                        width = names.length;
                        ignored = leftOut(stripped, take);
                    } else if (stripped.equals(features)) {
                        keep = null; // exactly the model's features: nothing to leave out
                    }
                }
            }
            boolean dropping = take == null && keep != null;
            if (dropping) {
                take = keep;
                width = columns;
            }
            String[] cells;
            boolean first = true;
            while ((cells = records.next()) != null) {
                int lineNo = records.line();
                if (first && dropping && cells.length == expectedCols) {
                    // a file of just the model's features, in order (columns > expectedCols whenever some were dropped)
                    take = null;
                    width = expectedCols;
                    dropping = false;
                }
                first = false;
                if (cells.length != width) {
                    throw new IllegalArgumentException(file + ": line " + lineNo + " has " + cells.length
                            + " columns, " + (take == null ? "the model takes " + expectedCols + " features"
                            : dropping ? "the model takes " + expectedCols + " features, alone or among the " + columns
                            + " columns of its training file besides the label (train --drop-columns left out the"
                            + " others)" : "the header has " + width) + (lineNo == 1 && !header && !isNumber(cells[0])
                            ? " (if line 1 names the columns, add --header)" : ""));
                }
                float[] v = new float[expectedCols];
                for (int c = 0; c < expectedCols; c++) {
                    int at = take == null ? c : take[c];
                    // the same cells as training data: "1f", hex, NaN and Infinity are refused
                    try {
                        v[c] = Csv.parseCell(cells[at], file.toString(), lineNo, at + 1);
                    } catch (IllegalArgumentException e) {
                        if (lineNo == 1 && !header) {
                            throw new IllegalArgumentException(e.getMessage()
                                    + " (if line 1 names the columns, add --header)", e);
                        }
                        throw e;
                    }
                }
                rows.add(v);
            }
        } catch (IOException e) {
            // e.g. a truncated .gz; the stream's own message does not name the file
            throw new IOException("cannot read " + file + ": " + dev.ember.nn.io.IoErrors.reason(e), e);
        }
        if (rows.isEmpty()) {
            throw new IllegalArgumentException(file + ": no data rows");
        }
        float[] all = new float[rows.size() * expectedCols];
        for (int i = 0; i < rows.size(); i++) {
            System.arraycopy(rows.get(i), 0, all, i * expectedCols, expectedCols);
        }
        return new Table(all, rows.size(), expectedCols, ignored);
    }

    /**
     * The column of {@code names} (a header's, stripped) that holds each of {@code features}, or
     * null to read the columns in order: the model has no names of its own, or the header is
     * exactly its features. A header that names some features but not all, none of them, or one
     * twice, is refused; the message starts with {@code where}, the file and the header's line.
     */
    static int[] byName(String where, List<String> names, List<String> features) {
        if (features.isEmpty() || isNumbered(features)) {
            return null;
        }
        if (names.equals(features)) {
            return null;
        }
        int[] take = new int[features.size()];
        List<String> missing = new ArrayList<>();
        for (int f = 0; f < features.size(); f++) {
            String want = features.get(f);
            take[f] = names.indexOf(want);
            if (take[f] < 0) {
                missing.add(want);
            } else if (names.lastIndexOf(want) != take[f]) {
                throw new IllegalArgumentException(where + ": more than one column is named '" + want
                        + "', a feature of the model");
            }
        }
        if (missing.size() == features.size()) {
            throw new IllegalArgumentException(where + ": the header names none of the model's features (the"
                    + " model's: " + firstFew(features) + "; the header's: " + firstFew(shown(names)) + "); name the"
                    + " columns as in the training data");
        }
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException(where + ": the header lacks the model's feature"
                    + (missing.size() == 1 ? " " : "s ") + listed(missing) + " (columns: " + listed(names)
                    + "; the model's features: " + listed(features) + ")" + caseHint(missing, names));
        }
        return take;
    }

    /**
     * "; 'Sepal_Length' differs from 'sepal_length' only in case, and names must match exactly"
     * for the first missing feature a column spells in another case (a renamed export), else "".
     */
    private static String caseHint(List<String> missing, List<String> names) {
        for (String want : missing) {
            for (String name : names) {
                if (name.equalsIgnoreCase(want)) {
                    return "; '" + name + "' differs from '" + want + "' only in case, and names must match exactly";
                }
            }
        }
        return "";
    }

    /** The names of the columns that {@code take} leaves out. */
    static List<String> leftOut(List<String> header, int[] take) {
        boolean[] used = new boolean[header.size()];
        for (int t : take) {
            used[t] = true;
        }
        List<String> shown = shown(header);
        List<String> out = new ArrayList<>();
        for (int c = 0; c < header.size(); c++) {
            if (!used[c]) {
                out.add(shown.get(c));
            }
        }
        return out;
    }

    /** The header's names, an empty one written "(column N, unnamed)". */
    private static List<String> shown(List<String> header) {
        List<String> out = new ArrayList<>(header.size());
        for (int c = 0; c < header.size(); c++) {
            out.add(header.get(c).isEmpty() ? "(column " + (c + 1) + ", unnamed)" : header.get(c));
        }
        return out;
    }

    /** x0, x1, ...: the names a data set without a header gets. */
    private static boolean isNumbered(List<String> features) {
        for (int i = 0; i < features.size(); i++) {
            if (!features.get(i).equals("x" + i)) {
                return false;
            }
        }
        return true;
    }

    private static boolean isNumber(String cell) {
        try {
            Csv.parseCell(cell, "", 0, 0);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** Up to six of {@code names}, or the first five and how many more; each shortened to 40 characters. */
    private static String firstFew(List<String> names) {
        int shown = names.size() <= 6 ? names.size() : 5;
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < shown; i++) {
            String n = names.get(i);
            s.append(i == 0 ? "" : ", ").append(n.length() <= 40 ? n : n.substring(0, 37) + "...");
        }
        return shown == names.size() ? s.toString() : s + ", ... " + (names.size() - shown) + " more";
    }

    private static String listed(List<String> names) {
        String all = String.join(", ", names);
        return all.length() <= 200 ? all : all.substring(0, 197) + "...";
    }
}
