package dev.ember.nn.data;

import java.util.List;
import java.util.Objects;

/**
 * An in-memory table of float32 examples: row-major {@code features} ({@code rows x cols}) and one
 * target per row. For classification ({@code classes >= 2}) a target is the class index stored as a
 * float; for regression ({@code classes == 0}) it is the value itself. The canonical constructor
 * checks every length and label, so a {@code Dataset} that exists is consistent.
 *
 * <p>The arrays are held, not copied: treat them as read-only once the record is built.
 */
public record Dataset(String name, float[] features, int rows, int cols, float[] targets, int classes,
                      List<String> featureNames, List<String> classNames) {

    public Dataset {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(features, "features");
        Objects.requireNonNull(targets, "targets");
        if (rows < 0 || cols < 1) {
            throw new IllegalArgumentException("Dataset " + name + ": rows must be >= 0 and cols >= 1, got rows="
                    + rows + " cols=" + cols);
        }
        if ((long) rows * cols != features.length) {
            throw new IllegalArgumentException("Dataset " + name + ": features has " + features.length
                    + " values, expected rows*cols = " + rows + "*" + cols + " = " + (long) rows * cols);
        }
        if (targets.length != rows) {
            throw new IllegalArgumentException("Dataset " + name + ": targets has " + targets.length
                    + " values, expected one per row (" + rows + ")");
        }
        if (classes == 1 || classes < 0) {
            throw new IllegalArgumentException("Dataset " + name + ": classes must be 0 (regression) or >= 2, got "
                    + classes);
        }
        featureNames = featureNames == null ? defaultFeatureNames(cols) : List.copyOf(featureNames);
        if (featureNames.size() != cols) {
            throw new IllegalArgumentException("Dataset " + name + ": " + featureNames.size()
                    + " feature names for " + cols + " columns");
        }
        classNames = classNames == null ? defaultClassNames(classes) : List.copyOf(classNames);
        if (classNames.size() != classes) {
            throw new IllegalArgumentException("Dataset " + name + ": " + classNames.size()
                    + " class names for " + classes + " classes");
        }
        for (int i = 0; i < rows; i++) {
            float t = targets[i];
            if (classes > 0) {
                if (!(t >= 0 && t < classes) || t != Math.rint(t)) {
                    throw new IllegalArgumentException("Dataset " + name + ": label of row " + i + " is " + t
                            + ", expected an integer in [0, " + classes + ")");
                }
            } else if (!Float.isFinite(t)) {
                throw new IllegalArgumentException("Dataset " + name + ": target of row " + i + " is " + t);
            }
        }
    }

    /**
     * A classification set from host arrays: {@code features} row-major with {@code cols} values per
     * row, one label in [0, classes) per row (as PyTorch's cross-entropy takes them). The features
     * array is held, not copied.
     */
    public static Dataset classification(float[] features, int cols, int[] labels, int classes) {
        Objects.requireNonNull(labels, "labels");
        sameRowCount("classification", features, cols, labels.length, "labels");
        if (classes < 2) {
            throw new IllegalArgumentException("Dataset.classification: classes must be >= 2, got " + classes);
        }
        float[] t = new float[labels.length];
        for (int i = 0; i < t.length; i++) {
            // checked here: a large int would round to an in-range float label
            if (labels[i] < 0 || labels[i] >= classes) {
                throw new IllegalArgumentException("Dataset.classification: label of row " + i + " is " + labels[i]
                        + ", expected an integer in [0, " + classes + ")");
            }
            t[i] = labels[i];
        }
        return new Dataset("data", features, t.length, cols, t, classes, null, null);
    }

    /** {@link #classification(float[], int, int[], int)} from one array per row (copied). */
    public static Dataset classification(float[][] rows, int[] labels, int classes) {
        return classification(flatten(rows, "classification"), width(rows), labels, classes);
    }

    /**
     * A regression set from host arrays: {@code features} row-major with {@code cols} values per
     * row, one finite target per row. Both arrays are held, not copied.
     */
    public static Dataset regression(float[] features, int cols, float[] targets) {
        Objects.requireNonNull(targets, "targets");
        sameRowCount("regression", features, cols, targets.length, "targets");
        return new Dataset("data", features, targets.length, cols, targets, 0, null, null);
    }

    /**
     * Whole rows of features whose count differs from the labels' is said as such (as scikit-learn's
     * "inconsistent numbers of samples"), not as a features array of the wrong length for the
     * labels' row count; a length that is no whole number of rows is left to the constructor.
     */
    private static void sameRowCount(String kind, float[] features, int cols, int labels, String what) {
        Objects.requireNonNull(features, "features");
        if (cols >= 1 && features.length % cols == 0 && features.length / cols != labels) {
            throw new IllegalArgumentException("Dataset." + kind + ": " + features.length / cols + " rows of features ("
                    + features.length + " values of " + cols + " columns) but " + labels + " " + what
                    + "; one per row");
        }
    }

    /** {@link #regression(float[], int, float[])} from one array per row (copied). */
    public static Dataset regression(float[][] rows, float[] targets) {
        return regression(flatten(rows, "regression"), width(rows), targets);
    }

    private static int width(float[][] rows) {
        return rows.length == 0 ? 1 : rows[0].length;
    }

    private static float[] flatten(float[][] rows, String kind) {
        Objects.requireNonNull(rows, "rows");
        int cols = width(rows);
        float[] f = new float[Math.multiplyExact(rows.length, cols)];
        for (int r = 0; r < rows.length; r++) {
            if (rows[r] == null || rows[r].length != cols) {
                throw new IllegalArgumentException("Dataset." + kind + ": row " + r + " has "
                        + (rows[r] == null ? "no array" : rows[r].length + " values") + ", row 0 has " + cols);
            }
            System.arraycopy(rows[r], 0, f, r * cols, cols);
        }
        return f;
    }

    /** True when targets are class indices ({@code classes >= 2}). */
    public boolean isClassification() {
        return classes >= 2;
    }

    /** The features of one row (a copy). */
    public float[] row(int r) {
        Objects.checkIndex(r, rows);
        float[] out = new float[cols];
        System.arraycopy(features, r * cols, out, 0, cols);
        return out;
    }

    /** Number of rows of each class (classification only). */
    public int[] classCounts() {
        if (!isClassification()) {
            throw new IllegalStateException("Dataset " + name + " is a regression set: no classes to count");
        }
        int[] counts = new int[classes];
        for (float t : targets) {
            counts[(int) t]++;
        }
        return counts;
    }

    /** A new data set of the given rows, in the given order (rows may repeat). */
    public Dataset subset(int[] rowIndices) {
        Objects.requireNonNull(rowIndices, "rowIndices");
        float[] f = new float[Math.multiplyExact(rowIndices.length, cols)];
        float[] t = new float[rowIndices.length];
        for (int i = 0; i < rowIndices.length; i++) {
            int r = rowIndices[i];
            if (r < 0 || r >= rows) {
                throw new IllegalArgumentException("Dataset " + name + ".subset: row index " + r + " at position " + i
                        + " is outside [0, " + rows + ")");
            }
            System.arraycopy(features, r * cols, f, i * cols, cols);
            t[i] = targets[r];
        }
        return new Dataset(name, f, rowIndices.length, cols, t, classes, featureNames, classNames);
    }

    /** The same rows with other features (e.g. scaled); shape must match. */
    public Dataset withFeatures(float[] newFeatures) {
        return new Dataset(name, newFeatures, rows, cols, targets, classes, featureNames, classNames);
    }

    /** The same rows with other targets (e.g. a standardised regression target). */
    public Dataset withTargets(float[] newTargets) {
        return new Dataset(name, features, rows, cols, newTargets, classes, featureNames, classNames);
    }

    static List<String> defaultFeatureNames(int cols) {
        String[] n = new String[Math.max(cols, 0)];
        for (int i = 0; i < n.length; i++) {
            n[i] = "x" + i;
        }
        return List.of(n);
    }

    static List<String> defaultClassNames(int classes) {
        String[] n = new String[Math.max(classes, 0)];
        for (int i = 0; i < n.length; i++) {
            n[i] = Integer.toString(i);
        }
        return List.of(n);
    }

    @Override
    public String toString() {
        return "Dataset[" + name + ": " + rows + " x " + cols + (isClassification() ? ", " + classes + " classes"
                : ", regression") + "]";
    }
}
