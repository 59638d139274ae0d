package dev.ember.runtime.opencl;

import static dev.ember.runtime.opencl.OpenClTestSupport.*;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Losses on OpenCL against float64 references: mean loss in stats[0] within 1e-6 relative + 1e-6,
 * gradients within 2e-6 relative + 1e-8 (exp/log in float), and the bad-label report of
 * softmax cross-entropy (stats[1]) exactly as the CPU backend gives it.
 */
class OpenClLossParityTest {
    static java.util.List<String> devices() {
        return OpenClTestSupport.devices();
    }

    @ParameterizedTest(name = "[{0}] softmax cross-entropy")
    @MethodSource("devices")
    void crossEntropy(String device) {
        OpenClBackend cl = cl();
        for (int[] rc : new int[][] {{1, 1}, {7, 33}, {127, 10}, {3, 1000}, {300, 2}}) {
            int rows = rc[0], cols = rc[1];
            long seed = rows * 17L + cols;
            Random r = new Random(seed);
            float[] z = uniform(r, rows * cols, -8, 8);
            float[] labels = new float[rows];
            for (int i = 0; i < rows; i++) {
                labels[i] = r.nextInt(cols);
            }
            double total = 0;
            double[] grad = new double[z.length];
            for (int i = 0; i < rows; i++) {
                double max = Double.NEGATIVE_INFINITY, s = 0;
                for (int c = 0; c < cols; c++) {
                    max = Math.max(max, z[i * cols + c]);
                }
                for (int c = 0; c < cols; c++) {
                    s += Math.exp(z[i * cols + c] - max);
                }
                double lse = max + Math.log(s);
                total += lse - z[i * cols + (int) labels[i]];
                for (int c = 0; c < cols; c++) {
                    grad[i * cols + c] = (Math.exp(z[i * cols + c] - lse) - (c == labels[i] ? 1 : 0)) / rows;
                }
            }
            try (Pair pz = new Pair(cl, z); Pair pl = new Pair(cl, labels); Pair pg = new Pair(cl, z.length);
                 Pair st = new Pair(cl, 2)) {
                cl.softmaxCrossEntropy(pz.cl, pl.cl, pg.cl, st.cl, rows, cols);
                float[] stats = st.clValues();
                assertClose("xent loss " + rows + "x" + cols, seed, new double[] {total / rows}, new float[] {stats[0]}, 1e-6, 1e-6);
                assertEquals(-1f, stats[1], "no bad label expected");
                assertClose("xent grad " + rows + "x" + cols, seed, grad, pg.clValues(), 1e-8, 2e-6);
            }
        }
        // bad labels: fractional, negative and out of range; first bad row reported, its gradient zero
        float[] z = uniform(new Random(3), 4 * 5, -1, 1);
        float[] labels = {2, 1.5f, -1, 7};
        try (Pair pz = new Pair(cl, z); Pair pl = new Pair(cl, labels); Pair pg = new Pair(cl, z.length); Pair st = new Pair(cl, 2)) {
            cpu().softmaxCrossEntropy(pz.cpu, pl.cpu, pg.cpu, st.cpu, 4, 5);
            cl.softmaxCrossEntropy(pz.cl, pl.cl, pg.cl, st.cl, 4, 5);
            assertEquals(1f, st.clValues()[1]);
            assertEquals(st.cpuValues()[1], st.clValues()[1]);
            assertClose("xent loss with bad rows", 3, toDouble(st.cpuValues()), st.clValues(), 1e-6, 1e-6);
            assertClose("xent grad with bad rows", 3, toDouble(pg.cpuValues()), pg.clValues(), 1e-8, 2e-6);
        }
    }

    @ParameterizedTest(name = "[{0}] BCE with logits and MSE")
    @MethodSource("devices")
    void bceAndMse(String device) {
        OpenClBackend cl = cl();
        for (int n : new int[] {1, 7, 33, 127, 1000, 5000}) {
            long seed = 31 + n;
            Random r = new Random(seed);
            float[] z = uniform(r, n, -30, 30);
            float[] t = uniform(r, n, 0, 1);
            double bce = 0, mse = 0;
            double[] gb = new double[n], gm = new double[n];
            for (int i = 0; i < n; i++) {
                double zi = z[i], ti = t[i];
                bce += Math.max(zi, 0) - zi * ti + Math.log1p(Math.exp(-Math.abs(zi)));
                gb[i] = (1 / (1 + Math.exp(-zi)) - ti) / n;
                double d = (double) z[i] - t[i];
                mse += d * d;
                gm[i] = 2 * d / n;
            }
            try (Pair pz = new Pair(cl, z); Pair pt = new Pair(cl, t); Pair pg = new Pair(cl, n); Pair st = new Pair(cl, 1)) {
                cl.bceWithLogits(pz.cl, pt.cl, pg.cl, st.cl, n);
                assertClose("bce loss n=" + n, seed, new double[] {bce / n}, st.clValues(), 1e-6, 1e-5);
                assertClose("bce grad n=" + n, seed, gb, pg.clValues(), 1e-9, 2e-6);
                cl.mse(pz.cl, pt.cl, pg.cl, st.cl, n);
                assertClose("mse loss n=" + n, seed, new double[] {mse / n}, st.clValues(), 1e-6, 1e-5);
                assertClose("mse grad n=" + n, seed, gm, pg.clValues(), 1e-9, 2e-6);
            }
        }
    }
}
