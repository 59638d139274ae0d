package dev.ember.runtime.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ember.runtime.Device;
import dev.ember.runtime.Ops;
import dev.ember.runtime.Tensor;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The CPU's batch-norm backward walks the rows of a block of columns (four columns at a time on
 * the Vector API for large inputs), but sums over the rows in order and in the same arithmetic as
 * the plain per-column loop below, so it gives that loop's bits exactly (the float64 reference
 * checks are in BatchNormOpsTest) on every shape, one column or many, with column blocks of the
 * pool split unevenly.
 */
class CpuBatchNormTest {
    @Test
    void backwardGivesThePerColumnLoopsBits() {
        long seed = System.nanoTime();
        SplittableRandom rnd = new SplittableRandom(seed);
        float eps = 1e-5f;
        for (int threads : new int[] {1, 2, 3}) {
            Device dev = new Device(new CpuBackend(threads));
            // from 128x65 on, at least CpuActivations.VECTOR_MIN elements: the Vector API path with
            // column blocks of 64, 63, 9 and 1 (scalar tails of 3 and 1 columns)
            for (int[] s : new int[][] {{1, 1}, {2, 7}, {33, 127}, {1000, 3}, {7, 1000}, {128, 65}, {100, 127},
                {1000, 9}, {9, 1000}, {2, 4099}}) {
                int rows = s[0], cols = s[1];
                float[] x = values(rnd, rows * cols, 3), dy = values(rnd, rows * cols, 1);
                float[] gamma = values(rnd, cols, 2), mean = new float[cols], var = new float[cols];
                for (int c = 0; c < cols; c++) {
                    mean[c] = (float) (rnd.nextDouble() - 0.5);
                    var[c] = (float) (rnd.nextDouble() * 2);
                }
                float[] dx = new float[rows * cols], dg = new float[cols], db = new float[cols];
                perColumn(x, mean, var, gamma, eps, dy, dx, dg, db, rows, cols);
                try (Tensor tx = dev.fromArray(x, rows, cols); Tensor tm = dev.fromArray(mean, cols);
                     Tensor tv = dev.fromArray(var, cols); Tensor tg = dev.fromArray(gamma, cols);
                     Tensor tdy = dev.fromArray(dy, rows, cols); Tensor tdx = dev.empty(rows, cols);
                     Tensor tdg = dev.empty(cols); Tensor tdb = dev.empty(cols)) {
                    Ops.batchNormBackward(tx, tm, tv, tg, eps, tdy, tdx, tdg, tdb);
                    String what = rows + "x" + cols + " on " + threads + " threads (seed " + seed + ")";
                    assertBits(dx, tdx.toArray(), "dx " + what);
                    assertBits(dg, tdg.toArray(), "dgamma " + what);
                    assertBits(db, tdb.toArray(), "dbeta " + what);
                }
            }
            dev.close();
        }
    }

    /** The backward as one column at a time down the rows, in the CPU backend's arithmetic. */
    private static void perColumn(float[] xs, float[] ms, float[] vs, float[] gs, float eps, float[] dys, float[] dxs,
                                  float[] dgs, float[] dbs, int rows, int cols) {
        for (int c = 0; c < cols; c++) {
            double inv = 1.0 / Math.sqrt(vs[c] + (double) eps);
            double sdy = 0, sdyx = 0;
            for (int r = 0; r < rows; r++) {
                double xhat = (xs[r * cols + c] - ms[c]) * inv;
                sdy += dys[r * cols + c];
                sdyx += dys[r * cols + c] * xhat;
            }
            dgs[c] = (float) sdyx;
            dbs[c] = (float) sdy;
            double k = gs[c] * inv / rows;
            for (int r = 0; r < rows; r++) {
                int i = r * cols + c;
                double xhat = (xs[i] - ms[c]) * inv;
                dxs[i] = (float) (k * (rows * (double) dys[i] - sdy - xhat * sdyx));
            }
        }
    }

    private static float[] values(SplittableRandom rnd, int n, double scale) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) ((rnd.nextDouble() * 2 - 1) * scale);
        }
        return v;
    }

    private static void assertBits(float[] want, float[] got, String what) {
        for (int i = 0; i < want.length; i++) {
            assertEquals(Float.floatToRawIntBits(want[i]), Float.floatToRawIntBits(got[i]), what + ": index " + i);
        }
    }
}
