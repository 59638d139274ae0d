package dev.ember.nn.data;

import java.util.Arrays;
import java.util.Objects;

/**
 * Per-column affine scaling {@code (x - mean) / std}, like scikit-learn's StandardScaler: fitted
 * with the population standard deviation (ddof = 0) in double precision, a zero-std column gets
 * std 1 (so it transforms to 0, no division by zero). Only an exactly zero variance counts: a
 * constant float column always has one here (its double sum is exact below 2^29 rows), while
 * sklearn also treats a variance below ~10 eps * mean² as zero. Fixed scalings are expressed with {@link #of}: dividing by 16 is mean 0, std 16.
 * Statistics are kept in double so that transforming matches a float64 reference before the
 * final rounding to float32.
 */
public final class StandardScaler {
    private final double[] mean;
    private final double[] std;

    private StandardScaler(double[] mean, double[] std) {
        if (mean.length != std.length || mean.length == 0) {
            throw new IllegalArgumentException("StandardScaler: mean has " + mean.length + " values, std has "
                    + std.length + " (need equal, non-zero)");
        }
        for (int j = 0; j < std.length; j++) {
            if (!(std[j] > 0) || !Double.isFinite(std[j]) || !Double.isFinite(mean[j])) {
                throw new IllegalArgumentException("StandardScaler: column " + j + " has mean " + mean[j] + ", std "
                        + std[j] + " (std must be finite and > 0)");
            }
        }
        this.mean = mean;
        this.std = std;
    }

    /** Fits per-column mean and population std of a row-major {@code rows x cols} array. */
    public static StandardScaler fit(float[] x, int rows, int cols) {
        checkShape("fit", x, rows, cols);
        if (rows == 0) {
            throw new IllegalArgumentException("StandardScaler.fit: no rows");
        }
        double[] mean = new double[cols];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                mean[j] += x[i * cols + j];
            }
        }
        for (int j = 0; j < cols; j++) {
            mean[j] /= rows;
        }
        double[] var = new double[cols];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                double d = x[i * cols + j] - mean[j];
                var[j] += d * d;
            }
        }
        double[] std = new double[cols];
        for (int j = 0; j < cols; j++) {
            double s = Math.sqrt(var[j] / rows);
            std[j] = s == 0 ? 1 : s;
        }
        return new StandardScaler(mean, std);
    }

    /** A scaler with given statistics (e.g. read back from a model file). */
    public static StandardScaler of(float[] mean, float[] std) {
        Objects.requireNonNull(mean, "mean");
        Objects.requireNonNull(std, "std");
        double[] m = new double[mean.length];
        double[] s = new double[std.length];
        for (int j = 0; j < m.length; j++) {
            m[j] = mean[j];
        }
        for (int j = 0; j < s.length; j++) {
            s[j] = std[j];
        }
        return new StandardScaler(m, s);
    }

    /** A scaler with given double-precision statistics. */
    public static StandardScaler ofDouble(double[] mean, double[] std) {
        return new StandardScaler(mean.clone(), std.clone());
    }

    /** Divides every one of {@code cols} columns by {@code divisor} (mean 0, std divisor). */
    public static StandardScaler constant(int cols, double divisor) {
        double[] m = new double[cols];
        double[] s = new double[cols];
        Arrays.fill(s, divisor);
        return new StandardScaler(m, s);
    }

    /** Number of columns. */
    public int size() {
        return mean.length;
    }

    /** Scaled copy of {@code x}. */
    public float[] transform(float[] x, int rows, int cols) {
        float[] out = x.clone();
        transformInPlace(out, rows, cols);
        return out;
    }

    /** Scales {@code x} in place (saves a copy of large sets such as Fashion-MNIST). */
    public void transformInPlace(float[] x, int rows, int cols) {
        checkShape("transform", x, rows, cols);
        checkCols("transform", cols);
        for (int i = 0; i < rows; i++) {
            int o = i * cols;
            for (int j = 0; j < cols; j++) {
                x[o + j] = (float) ((x[o + j] - mean[j]) / std[j]);
            }
        }
    }

    /** Unscaled copy of {@code x}: {@code x * std + mean}. */
    public float[] inverse(float[] x, int rows, int cols) {
        checkShape("inverse", x, rows, cols);
        checkCols("inverse", cols);
        float[] out = new float[x.length];
        for (int i = 0; i < rows; i++) {
            int o = i * cols;
            for (int j = 0; j < cols; j++) {
                out[o + j] = (float) (x[o + j] * std[j] + mean[j]);
            }
        }
        return out;
    }

    /** Column means (float copy). */
    public float[] mean() {
        return toFloat(mean);
    }

    /** Column standard deviations (float copy; zero-std columns read 1). */
    public float[] std() {
        return toFloat(std);
    }

    /** Column means in double precision (copy). */
    public double[] meanDouble() {
        return mean.clone();
    }

    /** Column standard deviations in double precision (copy). */
    public double[] stdDouble() {
        return std.clone();
    }

    private void checkCols(String op, int cols) {
        if (cols != mean.length) {
            throw new IllegalArgumentException("StandardScaler." + op + ": data has " + cols
                    + " columns, scaler was fitted on " + mean.length);
        }
    }

    private static void checkShape(String op, float[] x, int rows, int cols) {
        Objects.requireNonNull(x, "x");
        if (rows < 0 || cols < 1 || (long) rows * cols != x.length) {
            throw new IllegalArgumentException("StandardScaler." + op + ": array of " + x.length
                    + " values is not rows x cols = " + rows + " x " + cols);
        }
    }

    private static float[] toFloat(double[] d) {
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) {
            f[i] = (float) d[i];
        }
        return f;
    }

    @Override
    public String toString() {
        return "StandardScaler[" + mean.length + " columns]";
    }
}
