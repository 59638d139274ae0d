package dev.ember.runtime.ops;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import java.util.Arrays;

/**
 * The fused losses (softmax cross-entropy, BCE with logits, MSE): the returned loss against
 * float64 and the gradient against central differences of the float64 loss. Required special
 * cases: cross-entropy with logits of magnitude 1e4, BCE with logits of +-100.
 *
 * <p>Tolerances. Loss: a mean of n terms in float32, atol 1e-6, rtol 1e-5 + 1e-6 sqrt(n) (the
 * summation bound of ReductionOpsTest with positive terms; 1e-5 for device exp/log). Gradient:
 * each element is O(1/n) (n = rows for cross-entropy, elements otherwise) with the same
 * relative error as softmax/sigmoid, so atol 1e-6 / n and rtol 1e-5; the float64 finite
 * difference (step 1e-5) is accurate to ~1e-10 / n, far below.
 */
class LossOpsTest {
    private static final double STEP = 1e-5;

    private static Tolerance lossTol(String op, long n) {
        return Tolerance.of(op, 1e-6, 1e-5 + 1e-6 * Math.sqrt(n));
    }

    private static float[] labels(Rand rand, int rows, int cols) {
        float[] l = new float[rows];
        for (int r = 0; r < rows; r++) {
            l[r] = r == 0 ? 0 : r == rows - 1 ? cols - 1 : rand.nextInt(cols); // include both ends
        }
        return l;
    }

    /** Finite differences of the mean cross-entropy; rows are independent, so each row is differenced alone. */
    private static double[] crossEntropyFd(double[] z, float[] labels, int rows, int cols) {
        double[] g = new double[z.length];
        for (int r = 0; r < rows; r++) {
            int label = (int) labels[r];
            double[] row = Arrays.copyOfRange(z, r * cols, (r + 1) * cols);
            double[] gr = FiniteDiff.gradient(v -> (Ref.logSumExp(v, 0, cols) - v[label]) / rows, row, STEP);
            System.arraycopy(gr, 0, g, r * cols, cols);
        }
        return g;
    }

    @DeviceTest
    void softmaxCrossEntropyLossAndGradient(TestDevice td) {
        Device dev = td.open();
        Rand rand = Rand.fresh();
        for (int[] s : TestShapes.MATRICES) {
            int rows = s[0], cols = s[1];
            float[] z = rand.uniform(rows * cols, -4, 4), l = labels(rand, rows, cols);
            double[] zd = Ref.d(z);
            String what = "logits " + TestShapes.of(rows, cols);
            try (Tensor tz = dev.fromArray(z, rows, cols); Tensor tl = dev.fromArray(l, rows);
                 Tensor g = dev.empty(rows, cols)) {
                float loss = Ops.softmaxCrossEntropy(tz, tl, g);
                lossTol("softmaxCrossEntropy", rows).check(rand, what + " loss", Ref.softmaxCrossEntropy(zd, l, rows,
                        cols), loss);
                Tolerance.of("softmaxCrossEntropy", 1e-6 / rows, 1e-5).check(rand,
                        what + " gradient vs finite differences", crossEntropyFd(zd, l, rows, cols), g.toArray(), cols);
            }
        }
    }

    /**
     * Rows packed into the device kernels' work-groups (TestShapes.PACKED_ROWS) against the float64
     * softmax - onehot; a bad label in the last, part-empty group is still the row named.
     */
    @DeviceTest
    void softmaxCrossEntropyOfRowsPackedIntoGroups(TestDevice td) {
        Device dev = td.open();
        Rand rand = Rand.fresh();
        for (int[] s : TestShapes.PACKED_ROWS) {
            int rows = s[0], cols = s[1];
            float[] z = rand.uniform(rows * cols, -6, 6), l = labels(rand, rows, cols);
            double[] zd = Ref.d(z);
            String what = "logits " + TestShapes.of(rows, cols);
            try (Tensor tz = dev.fromArray(z, rows, cols); Tensor tl = dev.fromArray(l, rows);
                 Tensor g = dev.empty(rows, cols).fill(Float.NaN)) {
                float loss = Ops.softmaxCrossEntropy(tz, tl, g);
                lossTol("softmaxCrossEntropy", rows).check(rand, what + " loss", Ref.softmaxCrossEntropy(zd, l, rows,
                        cols), loss);
                Tolerance.of("softmaxCrossEntropy", 1e-6 / rows, 1e-5).check(rand, what + " gradient",
                        Ref.softmaxCrossEntropyGrad(zd, l, rows, cols), g.toArray(), cols);
                l[rows - 1] = cols;
                tl.copyFrom(l);
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> Ops.softmaxCrossEntropy(tz, tl, g));
                assertTrue(e.getMessage().contains("row " + (rows - 1)), what + ": " + e.getMessage());
            }
        }
    }

    /**
     * More rows than one work-group sums (over 2,048 with 256-wide groups, 512 on a CPU OpenCL
     * device): the devices add the row losses in chunks, then the chunks' sums, and take the least
     * first bad row of the chunks. Loss against float64, and a bad label in a middle chunk named
     * before one in the last.
     */
    @DeviceTest
    void softmaxCrossEntropyOverManyRowsSumsEveryChunk(TestDevice td) {
        Device dev = td.open();
        Rand rand = Rand.fresh();
        for (int[] s : new int[][] {{2049, 3}, {5000, 10}, {70001, 2}}) {
            int rows = s[0], cols = s[1];
            float[] z = rand.uniform(rows * cols, -4, 4), l = labels(rand, rows, cols);
            String what = "logits " + TestShapes.of(rows, cols);
            try (Tensor tz = dev.fromArray(z, rows, cols); Tensor tl = dev.fromArray(l, rows);
                 Tensor g = dev.empty(rows, cols)) {
                float loss = Ops.softmaxCrossEntropy(tz, tl, g);
                lossTol("softmaxCrossEntropy", rows).check(rand, what + " loss", Ref.softmaxCrossEntropy(Ref.d(z), l,
                        rows, cols), loss);
                int middle = rows / 2 + rand.nextInt(rows / 4);
                l[rows - 1] = -1;
                l[middle] = cols;
                tl.copyFrom(l);
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> Ops.softmaxCrossEntropy(tz, tl, g));
                assertTrue(e.getMessage().contains("at row " + middle + " "), what + ": " + e.getMessage());
            }
        }
    }

    /** Logits of magnitude 1e4: exp overflows without the log-sum-exp shift. */
    @DeviceTest
    void softmaxCrossEntropyWithHugeLogits(TestDevice td) {
        Device dev = td.open();
        Rand rand = Rand.fresh();
        int[][] shapes = {{1, 1}, {1, 10}, {7, 33}, {127, 10}, {33, 127}};
        for (int[] s : shapes) {
            int rows = s[0], cols = s[1];
            float[] z = rand.uniform(rows * cols, -1e4f, 1e4f), l = labels(rand, rows, cols);
            z[0] = 1e4f; // row 0's label (0) is the maximum: its loss is ~0
            double[] zd = Ref.d(z);
            double[] ref = Ref.softmaxCrossEntropyGrad(zd, l, rows, cols);
            String what = "logits " + TestShapes.of(rows, cols) + " of magnitude 1e4";
            try (Tensor tz = dev.fromArray(z, rows, cols); Tensor tl = dev.fromArray(l, rows);
                 Tensor g = dev.empty(rows, cols)) {
                float loss = Ops.softmaxCrossEntropy(tz, tl, g);
                assertTrue(Float.isFinite(loss), "softmaxCrossEntropy " + what + ": loss " + loss + " is not finite; "
                        + rand.seedNote());
                lossTol("softmaxCrossEntropy", rows).check(rand, what + " loss",
                        Ref.softmaxCrossEntropy(zd, l, rows, cols), loss);
                // The finite-difference step would be 0.1 here; the analytic (softmax - onehot) / rows is exact.
                Tolerance.of("softmaxCrossEntropy", 1e-6 / rows, 1e-5).check(rand, what + " gradient", ref,
                        g.toArray(), cols);
            }
        }
    }

    private static double bceTerm(double z, double t) {
        return Math.max(z, 0) - z * t + Math.log1p(Math.exp(-Math.abs(z)));
    }

    private static void checkBce(Device dev, Rand rand, float[] z, float[] t, String what) {
        int n = z.length;
        double[] zd = Ref.d(z), tdd = Ref.d(t);
        double[] fd = new double[n];
        for (int i = 0; i < n; i++) {
            double ti = tdd[i];
            fd[i] = FiniteDiff.derivative(v -> bceTerm(v, ti), zd[i], STEP) / n;
        }
        try (Tensor tz = dev.fromArray(z, n); Tensor tt = dev.fromArray(t, n); Tensor g = dev.empty(n)) {
            float loss = Ops.bceWithLogits(tz, tt, g);
            assertTrue(Float.isFinite(loss), "bceWithLogits " + what + ": loss " + loss + " is not finite; "
                    + rand.seedNote());
            lossTol("bceWithLogits", n).check(rand, what + " loss", Ref.bceWithLogits(zd, tdd), loss);
            Tolerance.of("bceWithLogits", 1e-6 / n, 1e-5).check(rand, what + " gradient vs finite differences", fd,
                    g.toArray());
        }
    }

    @DeviceTest
    void bceWithLogitsLossAndGradient(TestDevice td) {
        Device dev = td.open();
        Rand rand = Rand.fresh();
        for (int n : TestShapes.LENGTHS) {
            float[] z = rand.uniform(n, -8, 8);
            float[] t = n % 2 == 0 ? rand.uniform(n, 0, 1) : rand.ints(n, 0, 1); // soft and hard targets
            checkBce(dev, rand, z, t, "[" + n + "]");
        }
    }

    @DeviceTest
    void bceWithLogitsOfHundredStaysFinite(TestDevice td) {
        Device dev = td.open();
        Rand rand = Rand.fresh();
        float[] z = {100f, -100f, 100f, -100f, 100f, -100f, 88f, -88f};
        float[] t = {0f, 1f, 1f, 0f, 0.5f, 0.5f, 0f, 1f};
        checkBce(dev, rand, z, t, "logits +-100 and +-88");
        for (int n : new int[] {1, 7, 1000}) {
            float[] zz = new float[n], tt = rand.ints(n, 0, 1);
            for (int i = 0; i < n; i++) {
                zz[i] = (i % 2 == 0 ? 100f : -100f);
            }
            checkBce(dev, rand, zz, tt, "[" + n + "] of logits +-100");
        }
    }

    /** want and got are the same value: both NaN, or equal (a zero of either sign equals the other). */
    private static void assertSame(float want, float got, String what) {
        assertTrue(Float.isNaN(want) ? Float.isNaN(got) : want == got, what + ": got " + got + ", want " + want);
    }

    /**
     * PyTorch's binary_cross_entropy_with_logits term, (1 - t) z - log_sigmoid(z) with log_sigmoid(z) =
     * min(z, 0) - log1p(exp(-|z|)), evaluated as written: at z = +inf it is +inf for t < 1 and NaN
     * for t = 1 (0 * inf), at z = -inf NaN for every t (-inf + inf).
     */
    private static double torchBce(double z, double t) {
        return (1 - t) * z - (Math.min(z, 0) - Math.log1p(Math.exp(-Math.abs(z))));
    }

    /**
     * BCE at z = +-inf gives PyTorch's loss for t = 0, 0.5 and 1: +inf at z = +inf, t < 1 (Ember gave
     * NaN: max(z, 0) - z t was inf - 0 * inf), NaN at z = +inf, t = 1 and at z = -inf (Ember gave +inf
     * for t > 0), while the gradient (sigmoid(z) - t) / n stays finite: 1 - t or -t over n, exactly.
     * Each case alone and once among finite values at a random place of a longer array (the mean is
     * then the special one, the other gradients as usual); 100003 spans several CPU chunks.
     */
    @DeviceTest
    void bceWithLogitsAtInfiniteLogitsGivesPyTorchsLoss(TestDevice td) {
        Device dev = td.open();
        Rand rand = Rand.fresh();
        float inf = Float.POSITIVE_INFINITY;
        for (float zs : new float[] {inf, -inf}) {
            for (float ts : new float[] {0f, 0.5f, 1f}) {
                float want = (float) torchBce(zs, ts);
                for (int n : new int[] {1, 7, 1000, 100003}) {
                    float[] z = rand.uniform(n, -8, 8), t = rand.ints(n, 0, 1);
                    int at = rand.nextInt(n);
                    z[at] = zs;
                    t[at] = ts;
                    String what = "bceWithLogits(z=" + zs + ", t=" + ts + ") at " + at + " of [" + n + "] on "
                            + dev.name();
                    try (Tensor tz = dev.fromArray(z, n); Tensor tt = dev.fromArray(t, n); Tensor g = dev.empty(n)) {
                        float loss = Ops.bceWithLogits(tz, tt, g);
                        assertSame(want, loss, what + ", loss; " + rand.seedNote());
                        float[] grad = g.toArray();
                        assertSame(((zs > 0 ? 1f : 0f) - ts) * (1f / n), grad[at], what + ", gradient there");
                        double[] ref = new double[n];
                        for (int i = 0; i < n; i++) {
                            ref[i] = (Ref.sigmoid(z[i]) - t[i]) / n;
                        }
                        ref[at] = grad[at];
                        Tolerance.of("bceWithLogits", 1e-6 / n, 1e-5).check(rand, what + ", other gradients", ref,
                                grad);
                    }
                }
            }
        }
    }

    /**
     * The squares are floats and their total overflows as a float sum does, as in PyTorch's mean of
     * (p - t)^2 and on the OpenCL and CUDA backends: a difference of 2e19 alone, or two of 1.5e19 whose
     * squares (2.25e38) fit but whose sum does not, give +inf. The CPU squared and summed in double
     * and returned 2e38 and 2.25e38. An infinite difference gives +inf, inf - inf NaN; the gradient is
     * 2 (p - t) / n throughout. The two large values sit at both ends of the array, in different chunks
     * of the CPU's and the devices' sums; 1.3e19 alone (a square of 1.69e38) stays finite.
     */
    @DeviceTest
    void mseOverflowsAsFloatSquaresAndSumsDo(TestDevice td) {
        Device dev = td.open();
        Rand rand = Rand.fresh();
        float inf = Float.POSITIVE_INFINITY, nan = Float.NaN;
        // {p at both ends, t at both ends, loss}; the rest of the array is p = t
        float[][] cases = {
            {2e19f, 0f, 0f, 0f, inf}, {1.5e19f, 1.5e19f, 0f, 0f, inf}, {1.5e19f, 0f, -1.5e19f, 0f, inf},
            {inf, 1f, 0f, 1f, inf}, {inf, 1f, inf, 1f, nan}, {-inf, 0f, 0f, 0f, inf}};
        for (float[] c : cases) {
            for (int n : new int[] {2, 1000, 100003}) {
                float[] p = rand.uniform(n, -3, 3), t = p.clone();
                p[0] = c[0];
                p[n - 1] = c[1];
                t[0] = c[2];
                t[n - 1] = c[3];
                String what = "mse(p=[" + c[0] + ", ..., " + c[1] + "], t=[" + c[2] + ", ..., " + c[3] + "]) of [" + n
                        + "] on " + dev.name();
                try (Tensor tp = dev.fromArray(p, n); Tensor tt = dev.fromArray(t, n); Tensor g = dev.empty(n)) {
                    assertSame(c[4], Ops.mse(tp, tt, g), what + ", loss; " + rand.seedNote());
                    float[] grad = g.toArray();
                    for (int i : new int[] {0, n - 1}) {
                        assertSame((2f / n) * (p[i] - t[i]), grad[i], what + ", gradient at " + i);
                    }
                    for (int i = 1; i < n - 1; i++) {
                        assertSame(0f, grad[i], what + ", gradient at " + i);
                    }
                }
            }
        }
        float[] p = {1.3e19f, 0f};
        try (Tensor tp = dev.fromArray(p, 2); Tensor tt = dev.zeros(2); Tensor g = dev.empty(2)) {
            lossTol("mse", 2).check(rand, "p=[1.3e19, 0], t=0", 1.3e19 * 1.3e19 / 2, Ops.mse(tp, tt, g));
        }
    }

    /**
     * Infinite and NaN logits as in PyTorch's cross_entropy (log_softmax then nll_loss): -inf in a
     * class other than the label adds nothing (the loss is that of the row without it) and gets a
     * gradient of exactly 0; -inf at the label makes the loss +inf with gradient -1 / rows there;
     * a row that is all -inf, or holds +inf or NaN, makes the loss NaN and its own gradients NaN,
     * leaving other rows' gradients alone. 128x100 takes the CPU's Vector API exp and max.
     */
    @DeviceTest
    void softmaxCrossEntropyWithInfiniteAndNanLogits(TestDevice td) {
        Device dev = td.open();
        Rand rand = Rand.fresh();
        float inf = Float.POSITIVE_INFINITY;
        int[][] shapes = {{1, 2}, {7, 33}, {33, 7}, {128, 100}};
        for (int[] s : shapes) {
            int rows = s[0], cols = s[1];
            float[] l = labels(rand, rows, cols);
            float[] z = rand.uniform(rows * cols, -4, 4);
            for (int r = 0; r < rows; r++) {
                for (int c = 0; c < cols; c++) {
                    if (c != (int) l[r] && rand.nextInt(3) == 0) {
                        z[r * cols + c] = -inf;
                    }
                }
            }
            double[] zd = Ref.d(z);
            double[] ref = Ref.softmaxCrossEntropyGrad(zd, l, rows, cols);
            String what = "logits " + TestShapes.of(rows, cols) + " with -inf off the labels on " + dev.name();
            try (Tensor tz = dev.fromArray(z, rows, cols); Tensor tl = dev.fromArray(l, rows);
                 Tensor g = dev.empty(rows, cols)) {
                float loss = Ops.softmaxCrossEntropy(tz, tl, g);
                lossTol("softmaxCrossEntropy", rows).check(rand, what + " loss", Ref.softmaxCrossEntropy(zd, l, rows,
                        cols), loss);
                float[] grad = g.toArray();
                Tolerance.of("softmaxCrossEntropy", 1e-6 / rows, 1e-5).check(rand, what + " gradient", ref, grad, cols);
                for (int i = 0; i < z.length; i++) {
                    if (z[i] == -inf) {
                        assertSame(0f, grad[i], what + ", gradient at " + i);
                    }
                }
            }
            // one row at a time made special: -inf at its label, all -inf, +inf or NaN somewhere
            int r = rand.nextInt(rows);
            float[][] rowCases = {{-inf}, {-inf, -inf}, {inf}, {Float.NaN}};
            for (float[] rc : rowCases) {
                float[] zz = rand.uniform(rows * cols, -4, 4);
                int label = (int) l[r];
                String kind;
                if (rc.length == 2) {
                    java.util.Arrays.fill(zz, r * cols, (r + 1) * cols, -inf);
                    kind = "row " + r + " all -inf";
                } else if (rc[0] == -inf) {
                    zz[r * cols + label] = -inf;
                    kind = "-inf at the label of row " + r;
                } else {
                    zz[r * cols + rand.nextInt(cols)] = rc[0];
                    kind = rc[0] + " in row " + r;
                }
                double[] zzd = Ref.d(zz);
                double[] gref = Ref.softmaxCrossEntropyGrad(zzd, l, rows, cols);
                boolean labelOnly = rc.length == 1 && rc[0] == -inf;
                String w = "logits " + TestShapes.of(rows, cols) + " with " + kind + " on " + dev.name();
                try (Tensor tz = dev.fromArray(zz, rows, cols); Tensor tl = dev.fromArray(l, rows);
                     Tensor g = dev.empty(rows, cols)) {
                    float loss = Ops.softmaxCrossEntropy(tz, tl, g);
                    assertSame(labelOnly ? inf : Float.NaN, loss, w + ", loss; " + rand.seedNote());
                    float[] grad = g.toArray();
                    if (labelOnly) {
                        // the label's softmax is exactly 0; the row's other gradients as the reference (below)
                        assertSame(-1f / rows, grad[r * cols + label], w + ", gradient at the label");
                    } else {
                        for (int c = 0; c < cols; c++) {
                            assertSame(Float.NaN, grad[r * cols + c], w + ", gradient at column " + c);
                        }
                        // the NaN row is checked: compare the other rows below
                        java.util.Arrays.fill(gref, r * cols, (r + 1) * cols, 0);
                        java.util.Arrays.fill(grad, r * cols, (r + 1) * cols, 0f);
                    }
                    Tolerance.of("softmaxCrossEntropy", 1e-6 / rows, 1e-5).check(rand, w + ", gradient", gref, grad,
                            cols);
                }
            }
        }
    }

    @DeviceTest
    void mseLossAndGradient(TestDevice td) {
        Device dev = td.open();
        Rand rand = Rand.fresh();
        for (int n : TestShapes.LENGTHS) {
            float[] p = rand.uniform(n, -3, 3), t = rand.uniform(n, -3, 3);
            double[] pd = Ref.d(p), tdd = Ref.d(t);
            double[] fd = new double[n];
            for (int i = 0; i < n; i++) {
                double ti = tdd[i];
                fd[i] = FiniteDiff.derivative(v -> (v - ti) * (v - ti), pd[i], STEP) / n;
            }
            try (Tensor tp = dev.fromArray(p, n); Tensor tt = dev.fromArray(t, n); Tensor g = dev.empty(n)) {
                float loss = Ops.mse(tp, tt, g);
                lossTol("mse", n).check(rand, "[" + n + "] loss", Ref.mse(pd, tdd), loss);
                // 2 (p - t) / n: one subtraction and one scaling, so 1e-6 / n absolute covers it with margin.
                Tolerance.of("mse", 1e-6 / n, 1e-5).check(rand, "[" + n + "] gradient vs finite differences", fd,
                        g.toArray());
            }
        }
    }
}
