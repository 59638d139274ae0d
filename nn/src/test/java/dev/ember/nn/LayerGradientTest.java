package dev.ember.nn;

import dev.ember.nn.loss.Loss;
import dev.ember.runtime.Device;
import dev.ember.runtime.Devices;
import dev.ember.runtime.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Backward passes of whole models against central finite differences of the loss (float32 model,
 * eps 1e-2; tolerance atol 2e-3 + rtol 3e-2, loose enough for float32 rounding in the loss, tight
 * enough to catch any wrong term), and fused dense+activation against the unfused path.
 */
class LayerGradientTest {
    static final Device CPU = Devices.cpu();

    static float[] random(long seed, int n) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (r.nextDouble() * 2 - 1);
        }
        return a;
    }

    private static float loss(Sequential m, Loss loss, Tensor x, Tensor t, Tensor g) {
        return loss.compute(m.forward(x), t, g);
    }

    private static void check(Sequential m, Loss loss, float[] xs, float[] ts, int rows, int tcols, long seed) {
        try (Tensor x = CPU.fromArray(xs, rows, m.inputSize());
             Tensor t = tcols == 0 ? CPU.fromArray(ts, rows) : CPU.fromArray(ts, rows, tcols);
             Tensor g = CPU.empty(rows, m.outputSize())) {
            loss(m, loss, x, t, g);
            Tensor gx = m.backward(x, g, true);
            float[] dx = gx.toArray();
            // analytic gradients copied before finite differences overwrite buffers
            List<Parameter> ps = m.parameters();
            float[][] analytic = new float[ps.size()][];
            for (int i = 0; i < ps.size(); i++) {
                analytic[i] = ps.get(i).grad().toArray();
            }
            float eps = 1e-2f;
            for (int i = 0; i < ps.size(); i++) {
                Tensor v = ps.get(i).value();
                float[] w = v.toArray();
                for (int j = 0; j < w.length; j++) {
                    float old = w[j];
                    w[j] = old + eps;
                    v.copyFrom(w);
                    double lp = loss(m, loss, x, t, g);
                    w[j] = old - eps;
                    v.copyFrom(w);
                    double lm = loss(m, loss, x, t, g);
                    w[j] = old;
                    v.copyFrom(w);
                    double fd = (lp - lm) / (2 * eps);
                    near(fd, analytic[i][j], ps.get(i).name() + "[" + j + "]", seed);
                }
            }
            float[] xv = xs.clone();
            for (int j = 0; j < xv.length; j++) {
                float old = xv[j];
                xv[j] = old + eps;
                x.copyFrom(xv);
                double lp = loss(m, loss, x, t, g);
                xv[j] = old - eps;
                x.copyFrom(xv);
                double lm = loss(m, loss, x, t, g);
                xv[j] = old;
                x.copyFrom(xv);
                near((lp - lm) / (2 * eps), dx[j], "input[" + j + "]", seed);
            }
        }
    }

    private static void near(double ref, float got, String what, long seed) {
        if (!(Math.abs(got - ref) <= 2e-3 + 3e-2 * Math.abs(ref))) {
            fail(what + ": analytic " + got + " vs finite difference " + ref + " (seed " + seed + ")");
        }
    }

    @Test
    void smoothModelWithBatchNormAndSoftmaxMatchesFiniteDifferences() {
        long seed = 11;
        try (Sequential m = Sequential.builder(5).dense(7, "tanh").batchNorm().dense(6, "elu").dense(4, "sigmoid")
                .dense(3).softmax().build(CPU, seed)) {
            int rows = 7;
            check(m, Loss.parse("mse"), random(seed, rows * 5), random(seed + 1, rows * 3), rows, 3, seed);
        }
    }

    /**
     * Evaluation mode (frozen batch norm, input gradients of a trained model): the running
     * statistics are constants of the forward, and the backward must differentiate that forward,
     * not the last training batch's.
     */
    @Test
    void batchNormInEvaluationModeMatchesFiniteDifferences() {
        long seed = 14;
        try (Sequential m = Sequential.builder(5).dense(6, "tanh").batchNorm().dense(3).build(CPU, seed)) {
            // Running statistics and gamma/beta away from their initial 0/1, from training batches.
            for (int step = 0; step < 5; step++) {
                try (Tensor x = CPU.fromArray(random(seed + 10 + step, 8 * 5), 8, 5)) {
                    m.forward(x);
                }
            }
            for (Parameter p : m.parameters()) {
                if (p.name().startsWith("1.")) {
                    float[] v = random(seed + p.name().length(), (int) p.value().size());
                    for (int i = 0; i < v.length; i++) {
                        v[i] = p.name().endsWith("weight") ? 1f + 0.5f * v[i] : 0.3f * v[i];
                    }
                    p.value().copyFrom(v);
                }
            }
            m.eval();
            int rows = 4;
            float[] labels = {2, 0, 1, 2};
            check(m, Loss.parse("cross_entropy"), random(seed, rows * 5), labels, rows, 0, seed);
        }
    }

    @Test
    void crossEntropyAndLeakyReluMatchFiniteDifferences() {
        long seed = 12;
        try (Sequential m = Sequential.builder(4).dense(9, "leaky_relu").dense(3).build(CPU, seed)) {
            int rows = 5;
            float[] labels = {0, 2, 1, 1, 0};
            check(m, Loss.parse("cross_entropy"), random(seed, rows * 4), labels, rows, 0, seed);
        }
    }

    @Test
    void bceOnLogitsMatchesFiniteDifferences() {
        long seed = 13;
        try (Sequential m = Sequential.builder(3).dense(5, "tanh").dense(1).build(CPU, seed)) {
            check(m, Loss.parse("bce"), random(seed, 6 * 3), new float[] {0, 1, 1, 0, 1, 0}, 6, 1, seed);
        }
    }

    @Test
    void fusedDenseActivationEqualsUnfusedPath() {
        for (String act : new String[] {"relu", "leaky_relu", "sigmoid", "tanh", "elu"}) {
            long seed = 21;
            int rows = 33;
            float[] xs = random(seed, rows * 7);
            float[] ts = random(seed + 1, rows * 2);
            float[][] res = new float[2][];
            float[][] grads = new float[2][];
            for (int f = 0; f < 2; f++) {
                try (Sequential m = Sequential.builder(7).dense(13, act).dense(11, act).dense(2).fuse(f == 0)
                        .build(CPU, seed);
                     Tensor x = CPU.fromArray(xs, rows, 7); Tensor t = CPU.fromArray(ts, rows, 2);
                     Tensor g = CPU.empty(rows, 2)) {
                    res[f] = m.forward(x).toArray();
                    Loss.parse("mse").compute(m.forward(x), t, g);
                    m.backward(g);
                    StringBuilder names = new StringBuilder();
                    java.util.List<Float> all = new java.util.ArrayList<>();
                    for (Parameter p : m.parameters()) {
                        names.append(p.name()).append(' ');
                        for (float v : p.grad().toArray()) {
                            all.add(v);
                        }
                    }
                    assertEquals("0.weight 0.bias 2.weight 2.bias 4.weight 4.bias ", names.toString());
                    grads[f] = new float[all.size()];
                    for (int i = 0; i < all.size(); i++) {
                        grads[f][i] = all.get(i);
                    }
                    boolean fused = m.summary().contains("fused");
                    assertEquals(f == 0 && !act.equals("elu"), fused, act + " fusion in summary:\n" + m.summary());
                }
            }
            for (int i = 0; i < res[0].length; i++) {
                assertEquals(res[1][i], res[0][i], 1e-6f, act + " output " + i);
            }
            for (int i = 0; i < grads[0].length; i++) {
                assertEquals(grads[1][i], grads[0][i], 1e-6f, act + " gradient " + i);
            }
        }
    }

    @Test
    void dropoutAppliesOneMaskForwardAndBackwardAndIsIdentityInEval() {
        try (Sequential m = Sequential.builder(1000).dropout(0.3).build(CPU, 5);
             Tensor x = CPU.fromArray(random(5, 3000), 3, 1000); Tensor g = CPU.empty(3, 1000).fill(1f)) {
            float[] xs = x.toArray();
            float[] y = m.forward(x).toArray();
            float[] dx = m.backward(x, g, true).toArray();
            int dropped = 0;
            for (int i = 0; i < y.length; i++) {
                if (y[i] == 0f) {
                    dropped++;
                    assertEquals(0f, dx[i]);
                } else {
                    assertEquals(xs[i] / 0.7f, y[i], 1e-6f);
                    assertEquals(1f / 0.7f, dx[i], 1e-6f);
                }
            }
            assertTrue(dropped > 800 && dropped < 1000, "dropped " + dropped + " of 3000 at p=0.3");
            float[] y2 = m.forward(x).toArray();
            assertTrue(!java.util.Arrays.equals(y, y2), "each step draws a new mask");
            m.eval();
            assertEquals(java.util.Arrays.toString(xs), java.util.Arrays.toString(m.forward(x).toArray()));
            float[] ones = g.toArray();
            assertEquals(java.util.Arrays.toString(ones), java.util.Arrays.toString(m.backward(x, g, true).toArray()),
                    "and so is its backward");
            assertEquals(0.3f, ((dev.ember.nn.layers.Dropout) m.layers().get(0)).probability());
        }
        // p = 0 is allowed and is the identity in training too; p = 1 would drop everything
        try (dev.ember.nn.layers.Dropout none = new dev.ember.nn.layers.Dropout(CPU, 0f, 1);
             Tensor x = CPU.fromArray(random(6, 33), 1, 33)) {
            assertEquals(java.util.Arrays.toString(x.toArray()), java.util.Arrays.toString(none.forward(x).toArray()));
        }
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new dev.ember.nn.layers.Dropout(CPU, 1f, 1));
        assertEquals("Dropout: probability must be in [0, 1), got 1.0", e.getMessage());
    }

    @Test
    void batchNormRunningStatisticsFollowPyTorch() {
        try (Sequential m = Sequential.builder(2).batchNorm().build(CPU, 1);
             Tensor x = CPU.fromArray(new float[] {1, 10, 3, 20, 5, 60}, 3, 2)) {
            m.forward(x);
            float[] rm = m.stateDict().get("0.running_mean").toArray();
            float[] rv = m.stateDict().get("0.running_var").toArray();
            assertEquals(0.3f, rm[0], 1e-6f);
            assertEquals(3f, rm[1], 1e-5f);
            assertEquals(0.9f + 0.1f * 4f, rv[0], 1e-5f); // unbiased var of 1,3,5 is 4
            assertEquals(0.9f + 0.1f * 700f, rv[1], 1e-3f); // unbiased var of 10,20,60 is 700
            m.eval();
            float[] y = m.forward(x).toArray();
            assertEquals((1 - 0.3) / Math.sqrt(1.3 + 1e-5), y[0], 1e-5);
        }
    }

    /**
     * Three training steps from awkward, off-centre batches (7, 33 and 2 rows of 33 features, the
     * layer made with momentum 0.3): running_mean = (1 - m) running_mean + m mean and running_var =
     * (1 - m) running_var + m unbiased var, against float64; then evaluation mode normalises with them.
     */
    @Test
    void batchNormRunningStatisticsFollowPyTorchOverSeveralSteps() {
        int f = 33;
        double m = 0.3, eps = 1e-5;
        double[] rm = new double[f], rv = new double[f];
        java.util.Arrays.fill(rv, 1);
        try (dev.ember.nn.layers.BatchNorm1d bn = new dev.ember.nn.layers.BatchNorm1d(CPU, f, (float) eps, (float) m)) {
            float[] last = null;
            int lastRows = 0;
            for (int rows : new int[] {7, 33, 2}) {
                float[] xs = random(rows, rows * f);
                for (int i = 0; i < xs.length; i++) {
                    xs[i] = xs[i] * (1 + i % f) + 3 * (i % f) - 40; // column scale and offset
                }
                try (Tensor x = CPU.fromArray(xs, rows, f)) {
                    bn.forward(x);
                }
                for (int j = 0; j < f; j++) {
                    double mean = 0, ss = 0;
                    for (int r = 0; r < rows; r++) {
                        mean += xs[r * f + j];
                    }
                    mean /= rows;
                    for (int r = 0; r < rows; r++) {
                        ss += (xs[r * f + j] - mean) * (xs[r * f + j] - mean);
                    }
                    rm[j] = (1 - m) * rm[j] + m * mean;
                    rv[j] = (1 - m) * rv[j] + m * ss / (rows - 1);
                }
                last = xs;
                lastRows = rows;
            }
            float[] gotMean = bn.stateBuffers().get("running_mean").toArray();
            float[] gotVar = bn.stateBuffers().get("running_var").toArray();
            for (int j = 0; j < f; j++) {
                assertEquals(rm[j], gotMean[j], 1e-4 + 1e-5 * Math.abs(rm[j]), "running_mean[" + j + "]");
                assertEquals(rv[j], gotVar[j], 1e-4 + 1e-5 * Math.abs(rv[j]), "running_var[" + j + "]");
            }
            assertEquals(3, bn.counters().get("num_batches_tracked").get());
            bn.train(false);
            try (Tensor x = CPU.fromArray(last, lastRows, f)) {
                float[] y = bn.forward(x).toArray();
                for (int i = 0; i < y.length; i++) {
                    int j = i % f;
                    double ref = (last[i] - rm[j]) / Math.sqrt(rv[j] + eps);
                    assertEquals(ref, y[i], 1e-4 + 1e-4 * Math.abs(ref), "eval y[" + i + "]");
                }
            }
        }
    }

    /** Bad arguments and inputs are named; the ends of the ranges (1 feature, momentum 0 and 1) are allowed. */
    @Test
    void batchNormChecksItsArgumentsAndInputs() {
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new dev.ember.nn.layers.BatchNorm1d(CPU, 0, 1e-5f, 0.1f));
        assertTrue(e.getMessage().startsWith("BatchNorm1d: bad arguments features=0, eps=1.0E-5, momentum=0.1"),
                e.getMessage());
        e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new dev.ember.nn.layers.BatchNorm1d(CPU, 3, 0f, 0.1f));
        assertTrue(e.getMessage().startsWith("BatchNorm1d: bad arguments features=3, eps=0.0"), e.getMessage());
        for (float[] ok : new float[][] {{1, 0.1f}, {3, 0f}, {3, 1f}}) {
            new dev.ember.nn.layers.BatchNorm1d(CPU, (int) ok[0], 1e-5f, ok[1]).close();
        }
        try (dev.ember.nn.layers.BatchNorm1d bn = new dev.ember.nn.layers.BatchNorm1d(CPU, 33);
             Tensor two = CPU.fromArray(random(3, 66), 2, 33); Tensor one = CPU.fromArray(random(4, 33), 1, 33);
             Tensor narrow = CPU.fromArray(random(5, 35), 7, 5)) {
            float[] y = bn.forward(two).toArray(); // two rows: each column is -1 and 1 (up to eps)
            assertEquals(-y[33], y[0], 1e-3f);
            assertEquals(1f, Math.abs(y[0]), 1e-3f);
            e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> bn.forward(one));
            assertEquals("BatchNorm1d: training needs more than one row per batch, got 1x33", e.getMessage());
            e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> bn.forward(narrow));
            assertEquals("BatchNorm1d(33): expected input of shape [rows, 33], got 7x5", e.getMessage());
        }
    }
}
