package dev.ember.runtime.opencl;

import static dev.ember.runtime.opencl.OpenClTestSupport.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Reductions on OpenCL against float64 references and the CPU backend, and their determinism (two
 * runs give the same bits). Tolerances: sums |err| <= 1e-6 * sum|x| + 1e-6 (float accumulation in a
 * fixed tree); column statistics and softmax 2e-6 relative + 1e-7 (softmax 4 ulp of exp); argmax exact.
 */
class OpenClReductionParityTest {
    static java.util.List<String> devices() {
        return OpenClTestSupport.devices();
    }

    @ParameterizedTest(name = "[{0}] sum and sumSquares, deterministic")
    @MethodSource("devices")
    void sums(String device) {
        OpenClBackend cl = cl();
        for (int n : new int[] {1, 7, 33, 127, 1000, 4099, 70001}) {
            long seed = 5 + n;
            float[] x = uniform(new Random(seed), n, -2, 2);
            double s = 0, sq = 0, abs = 0;
            for (float v : x) {
                s += v;
                sq += (double) v * v;
                abs += Math.abs(v);
            }
            try (Pair px = new Pair(cl, x); Pair out = new Pair(cl, 1)) {
                cl.sum(px.cl, n, out.cl);
                float first = out.clValues()[0];
                assertClose("sum n=" + n, seed, new double[] {s}, new float[] {first}, 1e-6 * abs + 1e-6, 0);
                cl.sum(px.cl, n, out.cl);
                assertEquals(Float.floatToIntBits(first), Float.floatToIntBits(out.clValues()[0]), "sum not deterministic");
                cl.sumSquares(px.cl, n, out.cl);
                assertClose("sumSquares n=" + n, seed, new double[] {sq}, out.clValues(), 1e-6, 1e-6);
            }
        }
    }

    @ParameterizedTest(name = "[{0}] columnSums and columnMeanVariance")
    @MethodSource("devices")
    void columns(String device) {
        OpenClBackend cl = cl();
        for (int[] rc : new int[][] {{1, 1}, {7, 33}, {127, 7}, {200, 130}, {1000, 3}, {33, 1000}}) {
            int rows = rc[0], cols = rc[1];
            long seed = rows * 1000L + cols;
            Random r = new Random(seed);
            float[] x = uniform(r, rows * cols, -1, 3);
            float[] prev = uniform(r, cols, -1, 1);
            double[] sum = new double[cols], mean = new double[cols], var = new double[cols], abs = new double[cols];
            for (int i = 0; i < rows; i++) {
                for (int c = 0; c < cols; c++) {
                    sum[c] += x[i * cols + c];
                    abs[c] += Math.abs(x[i * cols + c]);
                }
            }
            for (int c = 0; c < cols; c++) {
                mean[c] = sum[c] / rows;
            }
            for (int i = 0; i < rows; i++) {
                for (int c = 0; c < cols; c++) {
                    double d = x[i * cols + c] - mean[c];
                    var[c] += d * d / rows;
                }
            }
            try (Pair px = new Pair(cl, x); Pair out = new Pair(cl, prev); Pair m = new Pair(cl, cols); Pair v = new Pair(cl, cols)) {
                cl.columnSums(px.cl, out.cl, rows, cols, 1f);
                double[] expect = new double[cols];
                for (int c = 0; c < cols; c++) {
                    expect[c] = prev[c] + sum[c];
                }
                float[] got = out.clValues();
                for (int c = 0; c < cols; c++) {
                    assertClose("columnSums beta=1 " + rows + "x" + cols, seed, new double[] {expect[c]}, new float[] {got[c]},
                            1e-6 * (abs[c] + 1), 0);
                }
                cl.fill(out.cl, 0, cols, Float.NaN); // beta == 0 must not read out
                cl.columnSums(px.cl, out.cl, rows, cols, 0f);
                got = out.clValues();
                for (int c = 0; c < cols; c++) {
                    assertClose("columnSums beta=0 " + rows + "x" + cols, seed, new double[] {sum[c]}, new float[] {got[c]},
                            1e-6 * (abs[c] + 1), 0);
                }
                cl.columnMeanVariance(px.cl, m.cl, v.cl, rows, cols);
                assertClose("column mean " + rows + "x" + cols, seed, mean, m.clValues(), 1e-6, 2e-6);
                assertClose("column variance " + rows + "x" + cols, seed, var, v.clValues(), 1e-6, 1e-5);
                float[] m1 = m.clValues(), v1 = v.clValues();
                cl.columnMeanVariance(px.cl, m.cl, v.cl, rows, cols);
                assertArrayEquals(m1, m.clValues(), "column mean not deterministic");
                assertArrayEquals(v1, v.clValues(), "column variance not deterministic");
            }
        }
    }

    @ParameterizedTest(name = "[{0}] rowArgmax with ties and NaN, like the CPU")
    @MethodSource("devices")
    void argmax(String device) {
        OpenClBackend cl = cl();
        for (int[] rc : new int[][] {{1, 1}, {7, 33}, {127, 10}, {3, 1000}, {5, 700}}) {
            int rows = rc[0], cols = rc[1];
            long seed = rows * 7L + cols;
            Random r = new Random(seed);
            float[] x = new float[rows * cols];
            for (int i = 0; i < x.length; i++) {
                x[i] = r.nextInt(5); // many ties
            }
            if (rows >= 3 && cols >= 3) {
                java.util.Arrays.fill(x, 0, cols, Float.NaN); // all NaN: index 0
                x[cols] = Float.NaN; // leading NaN then numbers
                x[2 * cols + cols - 1] = 9f; // max at the end
            }
            try (Pair px = new Pair(cl, x); Pair out = new Pair(cl, rows)) {
                cpu().rowArgmax(px.cpu, out.cpu, rows, cols);
                cl.rowArgmax(px.cl, out.cl, rows, cols);
                assertArrayEquals(out.cpuValues(), out.clValues(), "rowArgmax " + rows + "x" + cols + " seed " + seed);
            }
        }
    }

    @ParameterizedTest(name = "[{0}] softmax rows")
    @MethodSource("devices")
    void softmax(String device) {
        OpenClBackend cl = cl();
        for (int[] rc : new int[][] {{1, 1}, {7, 33}, {127, 10}, {3, 1000}}) {
            int rows = rc[0], cols = rc[1];
            long seed = rows * 13L + cols;
            float[] x = uniform(new Random(seed), rows * cols, -20, 20);
            double[] ref = new double[x.length];
            for (int i = 0; i < rows; i++) {
                double max = Double.NEGATIVE_INFINITY, s = 0;
                for (int c = 0; c < cols; c++) {
                    max = Math.max(max, x[i * cols + c]);
                }
                for (int c = 0; c < cols; c++) {
                    s += Math.exp(x[i * cols + c] - max);
                }
                for (int c = 0; c < cols; c++) {
                    ref[i * cols + c] = Math.exp(x[i * cols + c] - max) / s;
                }
            }
            try (Pair px = new Pair(cl, x)) {
                cl.softmax(px.cl, px.cl, rows, cols); // in place
                assertClose("softmax " + rows + "x" + cols, seed, ref, px.clValues(), 1e-8, 2e-6);
            }
        }
    }
}
