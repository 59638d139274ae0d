package dev.ember.runtime.ops;

import dev.ember.runtime.Device;
import dev.ember.runtime.Ops;
import dev.ember.runtime.Tensor;
import dev.ember.runtime.testing.DeviceTest;
import dev.ember.runtime.testing.FiniteDiff;
import dev.ember.runtime.testing.Rand;
import dev.ember.runtime.testing.Ref;
import dev.ember.runtime.testing.TestDevice;
import dev.ember.runtime.testing.TestShapes;
import dev.ember.runtime.testing.Tolerance;

/**
 * batchNorm with given statistics against float64, and the training-mode batchNormBackward
 * (statistics from columnMeanVariance of x) against central differences of
 * L = sum(dy o BN(x; mean(x), var(x), gamma, beta)) in float64, for dx, dgamma and dbeta.
 *
 * <p>Tolerances. Forward: inputs up to ~4.5 in magnitude are centred and scaled by
 * |gamma| / sqrt(var) <= ~2.5, so rounding terms of size ~10 give errors ~1e-6: atol 1e-5,
 * rtol 1e-5. Backward: the device works from float32 batch statistics (relative error ~1e-6)
 * while the finite differences use float64 ones; dx = gamma invstd / rows (rows dy - sum dy -
 * xhat sum dy xhat) cancels terms of size ~rows: atol 2e-5, rtol 1e-4. dgamma, dbeta are sums of
 * rows terms: atol 2e-6 sqrt(rows) S, with S = sum_r |dy| (|xhat| + 1), rtol 1e-5.
 */
class BatchNormOpsTest {
    /**
     * PyTorch's default eps, and one the size of the variances (0.2 to 2 and up): at the default,
     * sqrt(var + eps) and sqrt(var) + eps differ by ~1e-6 relative, inside the tolerances; at 0.5
     * by percents.
     */
    private static final float[] EPSILONS = {1e-5f, 0.5f};

    private static float[] inputs(Rand rand, int rows, int cols) {
        float[] off = rand.uniform(cols, -3, 3), spread = rand.uniform(cols, 0.3f, 1.5f);
        float[] x = rand.uniform(rows * cols, -1, 1);
        for (int i = 0; i < x.length; i++) {
            x[i] = x[i] * spread[i % cols] + off[i % cols];
        }
        return x;
    }

    @DeviceTest
    void forwardMatchesFloat64(TestDevice td) {
        Device dev = td.open();
        Rand rand = Rand.fresh();
        for (float eps : EPSILONS) {
            forwardMatchesFloat64(dev, rand, eps);
        }
    }

    private static void forwardMatchesFloat64(Device dev, Rand rand, float eps) {
        for (int[] s : TestShapes.MATRICES) {
            int rows = s[0], cols = s[1];
            float[] x = inputs(rand, rows, cols), gamma = rand.uniform(cols, -2, 2), beta = rand.uniform(cols, -1, 1);
            // Statistics need not be the batch's (inference uses running ones): take perturbed ones.
            float[] mean = rand.uniform(cols, -3, 3), var = rand.uniform(cols, 0.2f, 2f);
            double[] ref = Ref.batchNorm(Ref.d(x), Ref.d(mean), Ref.d(var), Ref.d(gamma), Ref.d(beta), eps, rows, cols);
            try (Tensor tx = dev.fromArray(x, rows, cols); Tensor tm = dev.fromArray(mean, cols);
                 Tensor tv = dev.fromArray(var, cols); Tensor tg = dev.fromArray(gamma, cols);
                 Tensor tb = dev.fromArray(beta, cols); Tensor y = dev.empty(rows, cols)) {
                Ops.batchNorm(tx, tm, tv, tg, tb, eps, y);
                Tolerance.of("batchNorm", 1e-5, 1e-5).check(rand, "x " + TestShapes.of(rows, cols) + " eps=" + eps, ref,
                        y.toArray(), cols);
            }
        }
    }

    /** L for one column: sum over rows of dy * BN(x) with that column's batch statistics. */
    private static double columnLoss(double[] xc, double[] dyc, double gamma, double beta, float eps) {
        int rows = xc.length;
        double m = 0;
        for (double v : xc) {
            m += v;
        }
        m /= rows;
        double var = 0;
        for (double v : xc) {
            var += (v - m) * (v - m);
        }
        var /= rows;
        double inv = 1 / Math.sqrt(var + eps), l = 0;
        for (int r = 0; r < rows; r++) {
            l += dyc[r] * ((xc[r] - m) * inv * gamma + beta);
        }
        return l;
    }

    @DeviceTest
    void backwardMatchesFiniteDifferences(TestDevice td) {
        Device dev = td.open();
        Rand rand = Rand.fresh();
        for (float eps : EPSILONS) {
            backwardMatchesFiniteDifferences(dev, rand, eps);
        }
    }

    private static void backwardMatchesFiniteDifferences(Device dev, Rand rand, float eps) {
        for (int[] s : TestShapes.MATRICES) {
            int rows = s[0], cols = s[1];
            float[] x = inputs(rand, rows, cols), gamma = rand.uniform(cols, -2, 2), beta = rand.uniform(cols, -1, 1);
            float[] dy = rand.uniform(rows * cols, -1, 1);
            double[] fdx = new double[x.length], fdg = new double[cols], fdb = new double[cols];
            double scale = 0;
            double[] var = Ref.columnVariances(Ref.d(x), rows, cols), mean = Ref.columnMeans(Ref.d(x), rows, cols);
            // Columns are independent, so each column's loss is differenced on its own.
            for (int c = 0; c < cols; c++) {
                double[] xc = new double[rows], dyc = new double[rows];
                double sc = 0;
                for (int r = 0; r < rows; r++) {
                    xc[r] = x[r * cols + c];
                    dyc[r] = dy[r * cols + c];
                    sc += Math.abs(dyc[r]) * (Math.abs((xc[r] - mean[c]) / Math.sqrt(var[c] + eps)) + 1);
                }
                scale = Math.max(scale, sc);
                double g = gamma[c], b = beta[c];
                double[] gx = FiniteDiff.gradient(v -> columnLoss(v, dyc, g, b, eps), xc, 1e-5);
                for (int r = 0; r < rows; r++) {
                    fdx[r * cols + c] = gx[r];
                }
                fdg[c] = FiniteDiff.derivative(v -> columnLoss(xc, dyc, v, b, eps), g, 1e-5);
                fdb[c] = FiniteDiff.derivative(v -> columnLoss(xc, dyc, g, v, eps), b, 1e-5);
            }
            String what = "x " + TestShapes.of(rows, cols) + " eps=" + eps + " vs finite differences";
            try (Tensor tx = dev.fromArray(x, rows, cols); Tensor tm = dev.empty(cols); Tensor tv = dev.empty(cols);
                 Tensor tg = dev.fromArray(gamma, cols); Tensor tdy = dev.fromArray(dy, rows, cols);
                 Tensor dx = dev.empty(rows, cols); Tensor dg = dev.empty(cols); Tensor db = dev.empty(cols)) {
                Ops.columnMeanVariance(tx, tm, tv);
                Ops.batchNormBackward(tx, tm, tv, tg, eps, tdy, dx, dg, db);
                Tolerance.of("batchNormBackward(dx)", 2e-5, 1e-4).check(rand, what, fdx, dx.toArray(), cols);
                Tolerance sums = Tolerance.of("batchNormBackward(dgamma)", 2e-6 * Math.sqrt(rows) * scale, 1e-5);
                sums.check(rand, what, fdg, dg.toArray());
                Tolerance.of("batchNormBackward(dbeta)", sums.atol(), 1e-5).check(rand, what, fdb, db.toArray());
            }
        }
    }
}
