package dev.ember.runtime.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ember.runtime.Device;
import dev.ember.runtime.Ops;
import dev.ember.runtime.Tensor;
import dev.ember.runtime.testing.DeviceTest;
import dev.ember.runtime.testing.Rand;
import dev.ember.runtime.testing.Ref;
import dev.ember.runtime.testing.TestDevice;
import dev.ember.runtime.testing.TestShapes;
import dev.ember.runtime.testing.Tolerance;

/**
 * sum, mean, sumSquares, rowArgmax and columnMeanVariance.
 *
 * <p>Tolerances: a float32 reduction of n terms in any order (sequential, blocked or tree) has
 * an error well under 1e-6 sqrt(n) sum|x_i| in practice (about 16 eps32 with random-walk
 * growth); that is the atol, with rtol 1e-6. Small integers are also summed, where every partial
 * sum is exact in float32, so the result must be exact: this catches a dropped or doubled
 * element even at n = 100003. Column variance: inputs sit on column offsets up to 10 with
 * spread ~1, so a one-pass E[x^2] - E[x]^2 in float32 would lose ~1e-4 relative; we accept
 * rtol 2e-5 for the variance (a two-pass or Welford update passes with margin).
 */
class ReductionOpsTest {

    private static Tolerance sumTol(String op, int n, double sumAbs) {
        return Tolerance.of(op, 1e-6 * Math.sqrt(n) * sumAbs, 1e-6);
    }

    @DeviceTest
    void sumMeanAndSumSquares(TestDevice td) {
        Device dev = td.open();
        Rand rand = Rand.fresh();
        for (int n : TestShapes.LENGTHS) {
            float[] x = rand.uniform(n, -2, 3);
            double[] xd = Ref.d(x);
            double sum = 0, sq = 0;
            for (double v : xd) {
                sum += v;
                sq += v * v;
            }
            double sumAbs = Ref.sumAbs(xd);
            try (Tensor t = dev.fromArray(x, n)) {
                sumTol("sum", n, sumAbs).check(rand, "[" + n + "]", sum, Ops.sum(t));
                sumTol("mean", n, sumAbs / n).check(rand, "[" + n + "]", sum / n, Ops.mean(t));
                sumTol("sumSquares", n, sq).check(rand, "[" + n + "]", sq, Ops.sumSquares(t));
            }
            // Rank 2 reduces over every element.
            if (n == 1000) {
                try (Tensor t = dev.fromArray(x, 8, 125)) {
                    sumTol("sum", n, sumAbs).check(rand, "8x125", sum, Ops.sum(t));
                }
            }
        }
    }

    @DeviceTest
    void integerSumsAreExact(TestDevice td) {
        Device dev = td.open();
        Rand rand = Rand.fresh();
        for (int n : TestShapes.LENGTHS) {
            // Every partial sum is an integer below 2^24 (|sum| <= 8 n, sum of squares <= 64 n = 6.4e6), so exact.
            float[] x = rand.ints(n, -8, 8);
            long sum = 0, sq = 0;
            for (float v : x) {
                sum += (long) v;
                sq += (long) v * (long) v;
            }
            try (Tensor t = dev.fromArray(x, n)) {
                Tolerance.of("sum", 0, 0).check(rand, "[" + n + "] of integers in [-8, 8]", sum, Ops.sum(t));
                Tolerance.of("sumSquares", 0, 0).check(rand, "[" + n + "] of integers in [-8, 8]", sq,
                        Ops.sumSquares(t));
            }
        }
    }

    /**
     * torch.argmax's rule: a NaN ranks above every number (the first NaN of a row wins), else the
     * first of the largest values. Rows get planted ties, infinities and NaNs at random columns;
     * with 1000 columns the candidates sit in different work-items of the GPU kernels' tree, so a
     * later NaN or maximum in a lower lane must still lose to the earlier one.
     */
    @DeviceTest
    void rowArgmaxPicksTheFirstNanElseTheFirstLargest(TestDevice td) {
        Device dev = td.open();
        Rand rand = Rand.fresh();
        float nan = Float.NaN, inf = Float.POSITIVE_INFINITY;
        for (int[] s : TestShapes.plus(TestShapes.MATRICES, TestShapes.PACKED_ROWS)) {
            int rows = s[0], cols = s[1];
            float[] x = rand.uniform(rows * cols, -5, 5);
            for (int r = 0; r < rows; r++) {
                int o = r * cols;
                switch (r % 5) {
                    case 0 -> { // a tie of the maximum: the first must win
                        if (cols >= 2) {
                            int first = rand.nextInt(cols - 1), second = first + 1 + rand.nextInt(cols - 1 - first);
                            x[o + first] = 7f;
                            x[o + second] = 7f;
                        }
                    }
                    case 1 -> { // a NaN beats +Inf, wherever either is
                        x[o + rand.nextInt(cols)] = inf;
                        x[o + rand.nextInt(cols)] = nan;
                    }
                    case 2 -> { // two NaNs: the first wins, wherever the larger numbers are
                        x[o + rand.nextInt(cols)] = nan;
                        x[o + rand.nextInt(cols)] = nan;
                        x[o + rand.nextInt(cols)] = 9f;
                    }
                    case 3 -> { // -Inf everywhere but one column: that column, or 0 if it is -Inf too
                        java.util.Arrays.fill(x, o, o + cols, -inf);
                        x[o + rand.nextInt(cols)] = rand.uniform(-5, 5);
                    }
                    default -> { // a NaN at the end behind a maximum at the start (different lanes)
                        x[o] = 8f;
                        x[o + cols - 1] = nan;
                    }
                }
            }
            double[] ref = new double[rows];
            for (int r = 0; r < rows; r++) {
                int best = -1;
                for (int c = 0; c < cols && best < 0; c++) {
                    if (Float.isNaN(x[r * cols + c])) {
                        best = c;
                    }
                }
                if (best < 0) {
                    best = 0;
                    for (int c = 1; c < cols; c++) {
                        if ((double) x[r * cols + c] > x[r * cols + best]) {
                            best = c;
                        }
                    }
                }
                ref[r] = best;
            }
            try (Tensor t = dev.fromArray(x, rows, cols); Tensor out = dev.empty(rows)) {
                Ops.rowArgmax(t, out);
                Tolerance.of("rowArgmax", 0, 0).check(rand, "x " + TestShapes.of(rows, cols)
                        + " (row r % 5: 0 tie, 1 NaN and +Inf, 2 two NaNs, 3 -Inf, 4 NaN last)", ref, out.toArray());
            }
        }
    }

    @DeviceTest
    void columnMeanVariance(TestDevice td) {
        Device dev = td.open();
        Rand rand = Rand.fresh();
        for (int[] s : TestShapes.MATRICES) {
            int rows = s[0], cols = s[1];
            float[] offsets = rand.uniform(cols, -10, 10);
            float[] x = rand.uniform(rows * cols, -1.5f, 1.5f);
            for (int i = 0; i < x.length; i++) {
                x[i] += offsets[i % cols];
            }
            double[] xd = Ref.d(x);
            double[] mean = Ref.columnMeans(xd, rows, cols), var = Ref.columnVariances(xd, rows, cols);
            String what = "x " + TestShapes.of(rows, cols);
            try (Tensor t = dev.fromArray(x, rows, cols); Tensor m = dev.empty(cols); Tensor v = dev.empty(1, cols)) {
                Ops.columnMeanVariance(t, m, v);
                // Mean: a reduction of rows terms of magnitude <= 11.5, divided by rows.
                Tolerance.of("columnMeanVariance(mean)", 1e-6 * Math.sqrt(rows) * 11.5, 1e-6)
                        .check(rand, what, mean, m.toArray());
                Tolerance.of("columnMeanVariance(var)", 1e-7, 2e-5).check(rand, what, var, v.toArray());
            }
        }
    }
}
