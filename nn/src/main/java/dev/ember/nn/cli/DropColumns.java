package dev.ember.nn.cli;

import dev.ember.nn.data.Csv;
import dev.ember.nn.data.Dataset;
import dev.ember.nn.model.TrainingCsv;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code train --drop-columns}: columns of a CSV left out of the features, as pandas'
 * {@code df.drop(columns=[...])}, by 0-based index or, with {@code --header}, by name. The label,
 * an unknown column, one given twice and dropping every feature are refused with the file's
 * columns named. The columns are resolved once the file's header (or first row) is read, and the
 * reader leaves them unread ({@link Csv.Skipped}), so their cells may hold anything: an id or name
 * as text, or nothing.
 */
final class DropColumns {
    private DropColumns() {
    }

    /**
     * The file's column count, its label's column and the dropped columns (0-based file indices);
     * {@link #positions} gives the latter among the columns other than the label.
     */
    record Layout(int columns, int label, List<Integer> dropped) {
        List<Integer> positions() {
            List<Integer> out = new ArrayList<>(dropped.size());
            for (int c : dropped) {
                out.add(position(c, label));
            }
            return out;
        }
    }

    /** Where file column {@code column} (not the label) stands among the columns other than the label. */
    static int position(int column, int label) {
        return column < label ? column : column - 1;
    }

    /** The file column of the feature column at {@code position} among the columns other than the label. */
    static int fileColumn(int position, int label) {
        return position < label ? position : position + 1;
    }

    /**
     * The columns {@code spec} names in {@code file}, whose header's names are {@code names} (null
     * without a header), with {@code columns} columns, the label's at {@code label}.
     */
    static Layout resolve(String spec, Path file, List<String> names, int columns, int label) {
        boolean header = names != null;
        java.util.LinkedHashSet<Integer> dropped = new java.util.LinkedHashSet<>(); // in the order given
        for (String part : spec.split(",", -1)) {
            String item = part.strip();
            if (item.isEmpty()) {
                throw new UsageException("--drop-columns '" + spec + "' has an empty entry (columns by 0-based index"
                        + (header ? " or name" : "") + ", separated by commas, e.g. 0,3" + (header ? " or id,date" : "")
                        + ")");
            }
            int c = column(item, names, columns, file);
            if (c == label) {
                throw new UsageException("--drop-columns " + item + " is the label column" + shown(names, c)
                        + "; only features are dropped (the label is set by --label-column)");
            }
            if (dropped.contains(c)) {
                throw new UsageException("--drop-columns '" + spec + "' names column " + c + shown(names, c) + " twice");
            }
            dropped.add(c);
        }
        if (dropped.size() >= columns - 1) {
            throw new UsageException("--drop-columns '" + spec + "' drops every feature: " + file + " has " + columns
                    + " columns, the label and " + (columns - 1) + " feature" + (columns == 2 ? "" : "s")
                    + "; keep at least one");
        }
        return new Layout(columns, label, List.copyOf(dropped));
    }

    /** {@code d} without the dropped columns; without a header the kept features are renamed x0, x1, ... */
    static Dataset apply(Dataset d, Layout layout, boolean header) {
        int[] keep = TrainingCsv.kept(d.cols(), layout.positions());
        return take(d, keep, header ? null : numbered(keep.length));
    }

    /** The columns {@code keep} of {@code d}'s features; {@code names} null keeps their own names. */
    static Dataset take(Dataset d, int[] keep, List<String> names) {
        float[] x = new float[d.rows() * keep.length];
        for (int r = 0; r < d.rows(); r++) {
            for (int c = 0; c < keep.length; c++) {
                x[r * keep.length + c] = d.features()[r * d.cols() + keep[c]];
            }
        }
        List<String> kept = names;
        if (kept == null) {
            kept = new ArrayList<>(keep.length);
            for (int c : keep) {
                kept.add(d.featureNames().get(c));
            }
        }
        return new Dataset(d.name(), x, d.rows(), keep.length, d.targets(), d.classes(), kept, d.classNames());
    }

    private static List<String> numbered(int n) {
        List<String> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add("x" + i);
        }
        return out;
    }

    private static String shown(List<String> names, int c) {
        return names == null ? "" : " ('" + names.get(c) + "')";
    }

    private static int column(String item, List<String> names, int columns, Path file) {
        if (item.matches("[+-]?\\d+")) {
            int c;
            try {
                c = Integer.parseInt(item);
            } catch (NumberFormatException e) {
                c = Integer.MAX_VALUE;
            }
            if (c < 0 || c >= columns) {
                throw new UsageException("--drop-columns " + item + ": no such column; " + file + " has " + columns
                        + " columns, 0 to " + (columns - 1) + (names == null ? "" : " (" + listed(names) + ")"));
            }
            if (names != null) {
                String asName = item.startsWith("+") ? item.substring(1) : item;
                int named = names.indexOf(asName);
                if (named >= 0 && named != c) {
                    throw new UsageException("--drop-columns " + item + " is ambiguous: column " + c + " ('"
                            + names.get(c) + "') and the name of column " + named + "; rename the column or give"
                            + " the position you mean as the other column's name");
                }
            }
            return c;
        }
        if (names == null) {
            throw new UsageException("--drop-columns " + item + " is a column name, which needs --header (or give"
                    + " the column's 0-based index)");
        }
        int c = names.indexOf(item);
        if (c < 0) {
            String near = "";
            for (String n : names) {
                if (n.equalsIgnoreCase(item)) {
                    near = "; '" + n + "' differs only in case, and names must match exactly";
                }
            }
            throw new UsageException("--drop-columns " + item + ": no column of " + file + " is named so (columns: "
                    + listed(names) + ")" + near);
        }
        if (names.lastIndexOf(item) != c) {
            throw new UsageException("--drop-columns " + item + ": more than one column of " + file + " is named so;"
                    + " give their 0-based indices");
        }
        return c;
    }

    private static String listed(List<String> names) {
        String all = String.join(", ", names);
        return all.length() <= 200 ? all : all.substring(0, 197) + "...";
    }
}
