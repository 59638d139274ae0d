package dev.ember.runtime.testing;

import dev.ember.runtime.Activation;

/**
 * Float64 reference implementations, written from the definitions (no shared code with any
 * backend), against which the float32 ops are checked.
 */
public final class Ref {
    private Ref() {
    }

    public static double[] d(float[] a) {
        double[] r = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            r[i] = a[i];
        }
        return r;
    }

    /** op(A) as a row-major rows x cols array, where A is stored rows x cols, or cols x rows when transposed. */
    private static double[] op(double[] a, boolean trans, int rows, int cols) {
        if (!trans) {
            return a;
        }
        double[] out = new double[rows * cols];
        for (int i = 0; i < rows; i++) {
            for (int p = 0; p < cols; p++) {
                out[i * cols + p] = a[p * rows + i];
            }
        }
        return out;
    }

    /** op(B) transposed, as a row-major n x k array (so the dot products run along contiguous rows). */
    private static double[] opT(double[] b, boolean trans, int k, int n) {
        return op(b, !trans, n, k);
    }

    /**
     * alpha * op(A) op(B) + beta * C (C read only when beta != 0, as the Backend contract says),
     * op(A) m x k, op(B) k x n.
     */
    public static double[] gemm(boolean ta, boolean tb, int m, int n, int k, double alpha, double[] a, double[] b,
                                double beta, double[] c) {
        double[] oa = op(a, ta, m, k), obt = opT(b, tb, k, n);
        double[] out = new double[m * n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int p = 0; p < k; p++) {
                    s += oa[i * k + p] * obt[j * k + p];
                }
                out[i * n + j] = alpha * s + (beta == 0 ? 0 : beta * c[i * n + j]);
            }
        }
        return out;
    }

    /** Sum over p of |op(A)[i,p]| |op(B)[p,j]| for every (i, j): the scale of GEMM rounding error. */
    public static double[] gemmAbs(boolean ta, boolean tb, int m, int n, int k, double[] a, double[] b) {
        double[] oa = op(a, ta, m, k), obt = opT(b, tb, k, n);
        double[] out = new double[m * n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int p = 0; p < k; p++) {
                    s += Math.abs(oa[i * k + p] * obt[j * k + p]);
                }
                out[i * n + j] = s;
            }
        }
        return out;
    }

    public static double sigmoid(double x) {
        return 1 / (1 + Math.exp(-x));
    }

    public static double act(Activation act, double alpha, double x) {
        return switch (act) {
            case IDENTITY -> x;
            case RELU -> Math.max(x, 0);
            case LEAKY_RELU -> x > 0 ? x : alpha * x;
            case ELU -> x > 0 ? x : alpha * Math.expm1(x);
            case SIGMOID -> sigmoid(x);
            case TANH -> Math.tanh(x);
        };
    }

    public static double[] act(Activation a, double alpha, double[] x) {
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = act(a, alpha, x[i]);
        }
        return y;
    }

    /**
     * The derivative act'(x), from the definition, taken from the left at the kinks, and at NaN as
     * PyTorch's backward formulas branch: threshold_backward (relu) and elu_backward test x <= 0, so
     * NaN takes the slope 1; leaky_relu_backward tests x > 0, so NaN takes alpha.
     */
    public static double actDerivative(Activation act, double alpha, double x) {
        return switch (act) {
            case IDENTITY -> 1;
            case RELU -> x <= 0 ? 0 : 1;
            case LEAKY_RELU -> x > 0 ? 1 : alpha;
            case ELU -> x <= 0 ? alpha * Math.exp(x) : 1;
            case SIGMOID -> sigmoid(x) * (1 - sigmoid(x));
            case TANH -> 1 - Math.tanh(x) * Math.tanh(x);
        };
    }

    /** log(sum(exp(x[o..o+n)))), max-subtracted. */
    public static double logSumExp(double[] x, int o, int n) {
        double max = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < n; c++) {
            max = Math.max(max, x[o + c]);
        }
        double s = 0;
        for (int c = 0; c < n; c++) {
            s += Math.exp(x[o + c] - max);
        }
        return max + Math.log(s);
    }

    public static double[] softmax(double[] x, int rows, int cols) {
        double[] y = new double[x.length];
        for (int r = 0; r < rows; r++) {
            double lse = logSumExp(x, r * cols, cols);
            for (int c = 0; c < cols; c++) {
                y[r * cols + c] = Math.exp(x[r * cols + c] - lse);
            }
        }
        return y;
    }

    /** Mean over rows of lse(z_r) - z_r[label_r]. */
    public static double softmaxCrossEntropy(double[] z, float[] labels, int rows, int cols) {
        double s = 0;
        for (int r = 0; r < rows; r++) {
            s += logSumExp(z, r * cols, cols) - z[r * cols + (int) labels[r]];
        }
        return s / rows;
    }

    /** The gradient of {@link #softmaxCrossEntropy} in z: (softmax(z) - onehot(label)) / rows. */
    public static double[] softmaxCrossEntropyGrad(double[] z, float[] labels, int rows, int cols) {
        double[] g = softmax(z, rows, cols);
        for (int r = 0; r < rows; r++) {
            g[r * cols + (int) labels[r]] -= 1;
        }
        for (int i = 0; i < g.length; i++) {
            g[i] /= rows;
        }
        return g;
    }

    /** Mean of max(z, 0) - z t + log(1 + exp(-|z|)), the stable form of BCE on logits. */
    public static double bceWithLogits(double[] z, double[] t) {
        double s = 0;
        for (int i = 0; i < z.length; i++) {
            s += Math.max(z[i], 0) - z[i] * t[i] + Math.log1p(Math.exp(-Math.abs(z[i])));
        }
        return s / z.length;
    }

    public static double mse(double[] p, double[] t) {
        double s = 0;
        for (int i = 0; i < p.length; i++) {
            s += (p[i] - t[i]) * (p[i] - t[i]);
        }
        return s / p.length;
    }

    public static double[] columnMeans(double[] x, int rows, int cols) {
        double[] m = new double[cols];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                m[c] += x[r * cols + c];
            }
        }
        for (int c = 0; c < cols; c++) {
            m[c] /= rows;
        }
        return m;
    }

    /** Population variance of each column (two-pass). */
    public static double[] columnVariances(double[] x, int rows, int cols) {
        double[] m = columnMeans(x, rows, cols);
        double[] v = new double[cols];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                double dd = x[r * cols + c] - m[c];
                v[c] += dd * dd;
            }
        }
        for (int c = 0; c < cols; c++) {
            v[c] /= rows;
        }
        return v;
    }

    /** y = (x - mean) / sqrt(var + eps) * gamma + beta per column, with the given statistics. */
    public static double[] batchNorm(double[] x, double[] mean, double[] var, double[] gamma, double[] beta,
                                     double eps, int rows, int cols) {
        double[] y = new double[x.length];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                int i = r * cols + c;
                y[i] = (x[i] - mean[c]) / Math.sqrt(var[c] + eps) * gamma[c] + beta[c];
            }
        }
        return y;
    }

    /** Sum of a[i] * b[i]: turns an output into a scalar loss whose gradient is the upstream dy. */
    public static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    public static double sumAbs(double[] a) {
        double s = 0;
        for (double v : a) {
            s += Math.abs(v);
        }
        return s;
    }
}
