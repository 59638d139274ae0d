package dev.ember.runtime.ops;

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
 * Row-wise softmax (out of place and in place), including logits of magnitude 1e4 that
 * overflow exp without max subtraction.
 *
 * <p>Tolerance: atol 1e-7, rtol 1e-5: exp on devices may be a few ulp off (we allow ~100 ulp),
 * and x - max is rounded in float32 (6e-7 relative for |x| <= 5). For 1e4 logits the spread of
 * a row is so large that every non-maximal entry is far below atol, and x - max is exact
 * (Sterbenz) for entries near the maximum.
 */
class SoftmaxOpsTest {
    private static final Tolerance TOL = Tolerance.of("softmax", 1e-7, 1e-5);

    @DeviceTest
    void softmaxMatchesFloat64(TestDevice td) {
        Device dev = td.open();
        Rand rand = Rand.fresh();
        for (int[] s : TestShapes.MATRICES) {
            int rows = s[0], cols = s[1];
            float[] x = rand.uniform(rows * cols, -5, 5);
            double[] ref = Ref.softmax(Ref.d(x), rows, cols);
            String what = "x " + TestShapes.of(rows, cols);
            try (Tensor tx = dev.fromArray(x, rows, cols); Tensor y = dev.empty(rows, cols)) {
                Ops.softmax(tx, y);
                float[] out = y.toArray();
                TOL.check(rand, what, ref, out, cols);
                double[] ones = new double[rows];
                float[] rowSums = new float[rows];
                for (int i = 0; i < out.length; i++) {
                    rowSums[i / cols] += out[i];
                    ones[i / cols] = 1;
                }
                Tolerance.of("softmax", 0, 1e-5).check(rand, what + " row sums", ones, rowSums);
                Ops.softmax(tx, tx);
                TOL.check(rand, what + " in place", ref, tx.toArray(), cols);
            }
        }
    }

    @DeviceTest
    void hugeLogitsStayFinite(TestDevice td) {
        Device dev = td.open();
        Rand rand = Rand.fresh();
        for (int[] s : TestShapes.MATRICES) {
            int rows = s[0], cols = s[1];
            float[] x = rand.uniform(rows * cols, -1e4f, 1e4f);
            if (cols > 1) {
                x[1] = x[0]; // a tie at the top of row 0 is still finite and split evenly when it is the max
            }
            try (Tensor tx = dev.fromArray(x, rows, cols); Tensor y = dev.empty(rows, cols)) {
                Ops.softmax(tx, y);
                TOL.check(rand, "x " + TestShapes.of(rows, cols) + " with |logits| up to 1e4",
                        Ref.softmax(Ref.d(x), rows, cols), y.toArray(), cols);
            }
        }
    }
}
