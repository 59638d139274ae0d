package dev.ember.nn.model;

import dev.ember.nn.data.Dataset;
import dev.ember.nn.io.Json;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The CSV file a model was trained on, as far as {@code evaluate} and {@code predict} need it
 * again: how its rows were split (test fraction, split seed, stratified or not), a fingerprint of
 * the rows the split was drawn from, and its feature columns: how many columns the file has
 * besides the label, and which of those (0-based positions among them, the columns a file of
 * features for {@code predict} has) {@code --drop-columns} left out.
 * Stored in the model file's metadata under {@code ember.training_csv} as a JSON string; a model
 * trained on a bundled data set, saved from code or written before it existed has none.
 *
 * <p>The fingerprint is the row count and a SHA-256 of the rows as parsed (the features the model
 * takes, as float32 bits, and the labels as class indices or target values), not of the file's
 * bytes: the same rows gzipped, with CRLF line ends or quoted cells match, a pipe can be
 * fingerprinted without being read twice, and a changed value or row order does not match. The
 * columns {@code --drop-columns} left out are not read, so their cells (an id's text) do not enter it.
 */
public record TrainingCsv(int rows, String sha256, double testFraction, long splitSeed, boolean stratify,
                          int featureColumns, List<Integer> droppedColumns) {

    public TrainingCsv {
        droppedColumns = List.copyOf(droppedColumns);
        if (rows < 2 || sha256 == null || !sha256.matches("[0-9a-f]{64}")) {
            throw new IllegalArgumentException("rows " + rows + " and sha256 '" + sha256 + "': expected at least 2"
                    + " rows and 64 lowercase hex digits");
        }
        if (!(testFraction > 0 && testFraction < 1)) {
            throw new IllegalArgumentException("test_fraction must be in (0, 1), got " + testFraction);
        }
        if (featureColumns < 1) {
            throw new IllegalArgumentException("feature_columns must be positive, got " + featureColumns);
        }
        for (int c : droppedColumns) {
            if (c < 0 || c >= featureColumns) {
                throw new IllegalArgumentException("dropped column " + c + " is not one of the " + featureColumns
                        + " feature columns");
            }
        }
        if (droppedColumns.stream().distinct().count() != droppedColumns.size()) {
            throw new IllegalArgumentException("dropped columns " + droppedColumns + " repeat a column");
        }
        if (droppedColumns.size() >= featureColumns) {
            throw new IllegalArgumentException("dropped columns " + droppedColumns + " leave no feature");
        }
    }

    /** The number of features the model takes: the feature columns less the dropped ones. */
    public int features() {
        return featureColumns - droppedColumns.size();
    }

    /** The positions, among the {@link #featureColumns}, of the features the model takes, in order. */
    public int[] keptPositions() {
        return kept(featureColumns, droppedColumns);
    }

    /** The positions in [0, columns) that are not in {@code dropped}, in order (linear in both). */
    public static int[] kept(int columns, List<Integer> dropped) {
        boolean[] out = new boolean[columns];
        int gone = 0;
        for (int c : dropped) {
            if (c >= 0 && c < columns && !out[c]) {
                out[c] = true;
                gone++;
            }
        }
        int[] keep = new int[columns - gone];
        int k = 0;
        for (int c = 0; c < columns; c++) {
            if (!out[c]) {
                keep[k++] = c;
            }
        }
        return keep;
    }

    /** The rows' fingerprint: SHA-256 of the row and column counts, features and targets, in hex. */
    public static String fingerprint(Dataset d) {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("no SHA-256 in this JVM", e);
        }
        ByteBuffer b = ByteBuffer.allocate(8192).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(d.rows()).putInt(d.cols());
        for (float[] part : new float[][] {d.features(), d.targets()}) {
            for (float v : part) {
                if (b.remaining() < 4) {
                    md.update(b.array(), 0, b.position());
                    b.clear();
                }
                b.putFloat(v);
            }
        }
        md.update(b.array(), 0, b.position());
        return HexFormat.of().formatHex(md.digest());
    }

    /** The metadata value: a JSON object. */
    String toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("rows", rows);
        m.put("sha256", sha256);
        m.put("test_fraction", testFraction);
        m.put("split_seed", splitSeed);
        m.put("stratify", stratify);
        m.put("feature_columns", featureColumns);
        m.put("dropped_columns", droppedColumns);
        return Json.write(m);
    }

    /** Reads {@link #toJson}'s form; a missing or mistyped entry is an IllegalArgumentException naming it. */
    static TrainingCsv fromJson(String json) {
        if (!(Json.parse(json) instanceof Map<?, ?> m)) {
            throw new IllegalArgumentException("expected a JSON object");
        }
        List<Integer> dropped = new ArrayList<>();
        if (!(m.get("dropped_columns") instanceof List<?> l)) {
            throw new IllegalArgumentException("'dropped_columns' must be a list of column indices");
        }
        for (Object o : l) {
            dropped.add(count(o, "dropped_columns"));
        }
        if (!(m.get("sha256") instanceof String sha)) {
            throw new IllegalArgumentException("'sha256' must be a string");
        }
        if (!(m.get("stratify") instanceof Boolean stratify)) {
            throw new IllegalArgumentException("'stratify' must be true or false");
        }
        if (!(m.get("test_fraction") instanceof Number fraction)) {
            throw new IllegalArgumentException("'test_fraction' must be a number");
        }
        return new TrainingCsv(count(m.get("rows"), "rows"), sha, fraction.doubleValue(),
                integer(m.get("split_seed"), "split_seed"), stratify,
                count(m.get("feature_columns"), "feature_columns"), dropped);
    }

    /** An int entry: a count or column index, so negative ones are left to the constructor's checks. */
    private static int count(Object o, String name) {
        long v = integer(o, name);
        if (v != (int) v) {
            throw new IllegalArgumentException("'" + name + "' must be an integer from 0 to " + Integer.MAX_VALUE
                    + ", got " + v);
        }
        return (int) v;
    }

    private static long integer(Object o, String name) {
        if (!(o instanceof Long v)) {
            throw new IllegalArgumentException("'" + name + "' must be an integer, got " + o);
        }
        return v;
    }
}
