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
 * biasAdd (out of place and in place) and biasGrad (fresh and accumulated), the latter against
 * finite differences of sum(dy o (x + bias)).
 */
class BiasOpsTest {
    /** One float32 addition: half an ulp of the result. */
    private static final Tolerance ADD = Tolerance.of("biasAdd", 0, 1.2e-7);

    @DeviceTest
    void biasAddBroadcastsOverRows(TestDevice td) {
        Device dev = td.open();
        Rand rand = Rand.fresh();
        for (int[] s : TestShapes.MATRICES) {
            int rows = s[0], cols = s[1];
            float[] x = rand.uniform(rows * cols, -3, 3), b = rand.uniform(cols, -3, 3);
            double[] ref = new double[x.length];
            for (int i = 0; i < x.length; i++) {
                ref[i] = (double) x[i] + b[i % cols];
            }
            try (Tensor tx = dev.fromArray(x, rows, cols); Tensor tb = dev.fromArray(b, cols);
                 Tensor out = dev.empty(rows, cols)) {
                Ops.biasAdd(tx, tb, out);
                ADD.check(rand, "x " + TestShapes.of(rows, cols), ref, out.toArray(), cols);
                Ops.biasAdd(tx, tb, tx);
                ADD.check(rand, "x " + TestShapes.of(rows, cols) + " in place", ref, tx.toArray(), cols);
            }
            // A 1 x cols bias is accepted as well as a rank-1 one.
            try (Tensor tx = dev.fromArray(x, rows, cols); Tensor tb = dev.fromArray(b, 1, cols);
                 Tensor out = dev.empty(rows, cols)) {
                Ops.biasAdd(tx, tb, out);
                ADD.check(rand, "x " + TestShapes.of(rows, cols) + " bias 1x" + cols, ref, out.toArray(), cols);
            }
        }
    }

    /**
     * db = column sums of dy: float64 finite differences of L(bias) = sum(dy o (x + bias)).
     * Tolerance: the reduction bound used throughout, atol = 1e-6 sqrt(rows) S with
     * S = rows >= sum_r |dy_rc| (|dy| <= 1), for float32 summation of rows terms in any order;
     * rtol 1e-6.
     */
    @DeviceTest
    void biasGradIsColumnSumsAndMatchesFiniteDifferences(TestDevice td) {
        Device dev = td.open();
        Rand rand = Rand.fresh();
        for (int[] s : TestShapes.MATRICES) {
            int rows = s[0], cols = s[1];
            float[] dy = rand.uniform(rows * cols, -1, 1), x = rand.uniform(rows * cols, -1, 1);
            float[] prev = rand.uniform(cols, -1, 1), bias = rand.uniform(cols, -1, 1);
            double[] dyd = Ref.d(dy), xd = Ref.d(x);
            double[] fd = FiniteDiff.gradient(bv -> {
                double l = 0;
                for (int i = 0; i < xd.length; i++) {
                    l += dyd[i] * (xd[i] + bv[i % cols]);
                }
                return l;
            }, Ref.d(bias));
            Tolerance tol = Tolerance.of("biasGrad", 1e-6 * Math.sqrt(rows) * rows, 1e-6);
            try (Tensor tdy = dev.fromArray(dy, rows, cols); Tensor db = dev.empty(cols).fill(Float.NaN)) {
                // A fresh gradient must not read db (the kernels' beta = 0): NaN there must not reach it.
                Ops.biasGrad(tdy, db, false);
                tol.check(rand, "dy " + TestShapes.of(rows, cols) + " vs finite differences, db full of NaN before", fd,
                        db.toArray());
                db.copyFrom(prev);
                Ops.biasGrad(tdy, db, true);
                double[] acc = fd.clone();
                for (int c = 0; c < cols; c++) {
                    acc[c] += prev[c];
                }
                tol.check(rand, "dy " + TestShapes.of(rows, cols) + " accumulated onto db", acc, db.toArray());
            }
        }
    }

    /**
     * Tall dy: the device backends sum more than 1,024 rows in chunks and then add the chunks'
     * sums (ReductionLayout.columnChunkRows); a lost, doubled or overlapping chunk shows here.
     * Against column sums in float64, same tolerance as above.
     */
    @DeviceTest
    void biasGradOfTallGradientsCoversEveryChunk(TestDevice td) {
        Device dev = td.open();
        Rand rand = Rand.fresh();
        for (int[] s : new int[][] {{1025, 1}, {2049, 7}, {5000, 33}, {70001, 3}}) {
            int rows = s[0], cols = s[1];
            float[] dy = rand.uniform(rows * cols, -1, 1), prev = rand.uniform(cols, -1, 1);
            double[] sums = new double[cols];
            for (int i = 0; i < dy.length; i++) {
                sums[i % cols] += dy[i];
            }
            double[] acc = sums.clone();
            for (int c = 0; c < cols; c++) {
                acc[c] += prev[c];
            }
            Tolerance tol = Tolerance.of("biasGrad", 1e-6 * Math.sqrt(rows) * rows, 1e-6);
            try (Tensor tdy = dev.fromArray(dy, rows, cols); Tensor db = dev.empty(cols).fill(Float.NaN)) {
                Ops.biasGrad(tdy, db, false);
                tol.check(rand, "dy " + TestShapes.of(rows, cols) + ", fresh", sums, db.toArray());
                db.copyFrom(prev);
                Ops.biasGrad(tdy, db, true);
                tol.check(rand, "dy " + TestShapes.of(rows, cols) + ", accumulated", acc, db.toArray());
            }
        }
    }
}
