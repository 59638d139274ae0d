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
        for (int[] s : TestShapes.plus(TestShapes.MATRICES, TestShapes.PACKED_ROWS)) {
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

    /**
     * As torch.softmax: -inf entries get exactly 0 and the rest of their row is the softmax of the
     * finite entries; a row that is -inf throughout, or holds +inf (inf - inf) or NaN, is NaN
     * throughout, and the other rows are untouched. One special row per shape, at a random place;
     * 128x100 takes the CPU's Vector API exp and max.
     */
    @DeviceTest
    void infinitiesAndNanAsTorchSoftmax(TestDevice td) {
        Device dev = td.open();
        Rand rand = Rand.fresh();
        float inf = Float.POSITIVE_INFINITY;
        int[][] shapes = {{1, 1}, {1, 33}, {7, 33}, {33, 7}, {128, 100}};
        for (int[] s : shapes) {
            int rows = s[0], cols = s[1];
            for (String kind : new String[] {"-inf entries", "all -inf", "+inf", "NaN"}) {
                float[] x = rand.uniform(rows * cols, -5, 5);
                int r = rand.nextInt(rows), o = r * cols;
                switch (kind) {
                    case "-inf entries" -> {
                        for (int i = 0; i < x.length; i++) {
                            if (rand.nextInt(3) == 0) {
                                x[i] = -inf;
                            }
                        }
                        x[o + rand.nextInt(cols)] = 1f; // row r keeps a finite entry (others may lose all)
                    }
                    case "all -inf" -> java.util.Arrays.fill(x, o, o + cols, -inf);
                    case "+inf" -> x[o + rand.nextInt(cols)] = inf;
                    default -> x[o + rand.nextInt(cols)] = Float.NaN;
                }
                double[] ref = Ref.softmax(Ref.d(x), rows, cols); // NaN rows where torch has them
                String what = "x " + TestShapes.of(rows, cols) + " with " + kind + " in row " + r + " on " + dev.name();
                try (Tensor tx = dev.fromArray(x, rows, cols); Tensor y = dev.empty(rows, cols)) {
                    Ops.softmax(tx, y);
                    float[] out = y.toArray();
                    for (int i = 0; i < out.length; i++) {
                        boolean nanRow = Double.isNaN(ref[i]);
                        if (nanRow || x[i] == -inf) {
                            org.junit.jupiter.api.Assertions.assertTrue(nanRow ? Float.isNaN(out[i]) : out[i] == 0f,
                                    what + ": y[" + i / cols + "][" + i % cols + "] = " + out[i] + " for x = " + x[i]
                                            + ", want " + (nanRow ? "NaN" : "0") + "; " + rand.seedNote());
                            ref[i] = 0;
                            out[i] = 0f;
                        }
                    }
                    TOL.check(rand, what + ", the other entries", ref, out, cols);
                }
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
