package dev.ember.runtime.ops;

import dev.ember.runtime.Device;
import dev.ember.runtime.Ops;
import dev.ember.runtime.Tensor;
import dev.ember.runtime.testing.DeviceTest;
import dev.ember.runtime.testing.Rand;
import dev.ember.runtime.testing.TestDevice;
import dev.ember.runtime.testing.Tolerance;

/**
 * The in-place optimizer updates (SGD with momentum, Nesterov and weight decay; Adam and AdamW
 * with bias correction; RMSprop; Adagrad), run for several steps with fresh gradients and
 * compared after every step, parameters and state, with float64 references written from the
 * PyTorch definitions.
 *
 * <p>Tolerance: atol 1e-6, rtol 1e-5 over {@value #STEPS} steps: each step is a handful of
 * float32 roundings on values of size ~1 (the Adam ratio m / sqrt(v) is well conditioned), and
 * the float32 state drifts from the float64 one by a few ulp per step. Gradients are kept at
 * least 0.1 in magnitude (weight decay adds at most 0.05 * 1.5): the adaptive methods divide g by
 * about |g| + eps, and where |g| + wd p cancels down to ~eps that ratio turns the unavoidable
 * float32 rounding of g + wd p into a large relative error (seen as a 1e-5 miss in rmsprop at
 * |g| ~ 1e-7), which says nothing about the update itself.
 */
class OptimizerOpsTest {
    private static final int STEPS = 5;
    private static final int[] SIZES = {1, 7, 33, 127, 1000, 100003};
    /**
     * The adaptive methods run with PyTorch's default eps and with this one, of the size of sqrt(v)
     * (|g| in [0.1, 1]): at the default, where eps sits (sqrt(v) / sqrt(1 - beta2^t) + eps against
     * (sqrt(v) + eps) / sqrt(1 - beta2^t) in Adam, sqrt(s) + eps against sqrt(s + eps) in RMSprop and
     * Adagrad) moves an update (~lr) by a few 1e-6 of itself at most, which the tolerance on the
     * parameter (~1) cannot see; at 0.1 it moves it by percents.
     */
    private static final float LARGE_EPS = 0.1f;

    private static float[] grad(Rand rand, int n) {
        return rand.awayFromZero(n, -1, 1, 0.1f);
    }

    private static Tolerance tol(String op) {
        return Tolerance.of(op, 1e-6, 1e-5);
    }

    private static double[] d(float[] a) {
        double[] r = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            r[i] = a[i];
        }
        return r;
    }

    @DeviceTest
    void sgd(TestDevice td) {
        Device dev = td.open();
        Rand rand = Rand.fresh();
        // {momentum, weight decay, nesterov (1/0)}
        float[][] configs = {{0f, 0f, 0}, {0f, 0.01f, 0}, {0.9f, 0f, 0}, {0.9f, 0.05f, 0}, {0.8f, 0.01f, 1}};
        for (int n : SIZES) {
            for (float[] cfg : configs) {
                float lr = 0.1f, mom = cfg[0], wd = cfg[1];
                boolean nesterov = cfg[2] != 0;
                float[] p0 = rand.uniform(n, -1, 1);
                double[] p = d(p0), v = new double[n];
                String what = "[" + n + "] lr=" + lr + " momentum=" + mom + " weightDecay=" + wd + " nesterov="
                        + nesterov;
                // Garbage in the velocity: the first step must overwrite it (v = g), not blend it.
                try (Tensor tp = dev.fromArray(p0, n); Tensor tg = dev.empty(n);
                     Tensor tv = mom != 0 ? dev.empty(n).fill(1e3f) : null) {
                    for (int step = 1; step <= STEPS; step++) {
                        float[] g = grad(rand, n);
                        tg.copyFrom(g);
                        Ops.sgd(tp, tg, tv, lr, mom, wd, nesterov, step == 1);
                        for (int i = 0; i < n; i++) {
                            double gi = g[i] + (double) wd * p[i];
                            if (mom != 0) {
                                v[i] = step == 1 ? gi : mom * v[i] + gi;
                                gi = nesterov ? gi + mom * v[i] : v[i];
                            }
                            p[i] -= lr * gi;
                        }
                        tol("sgd").check(rand, what + " step " + step + " param", p, tp.toArray());
                        if (tv != null) {
                            tol("sgd").check(rand, what + " step " + step + " velocity", v, tv.toArray());
                        }
                    }
                }
            }
        }
    }

    @DeviceTest
    void adamAndAdamW(TestDevice td) {
        Device dev = td.open();
        Rand rand = Rand.fresh();
        for (float eps : new float[] {1e-8f, LARGE_EPS}) {
            adamAndAdamW(dev, rand, eps);
        }
    }

    private static void adamAndAdamW(Device dev, Rand rand, float eps) {
        float lr = 0.01f, b1 = 0.9f, b2 = 0.999f;
        for (int n : SIZES) {
            for (boolean decoupled : new boolean[] {false, true}) {
                for (float wd : new float[] {0f, 0.1f}) {
                    String op = decoupled ? "adamw" : "adam";
                    float[] p0 = rand.uniform(n, -1, 1);
                    double[] p = d(p0), m = new double[n], v = new double[n];
                    String what = "[" + n + "] lr=" + lr + " eps=" + eps + " weightDecay=" + wd;
                    try (Tensor tp = dev.fromArray(p0, n); Tensor tg = dev.empty(n); Tensor tm = dev.zeros(n);
                         Tensor tv = dev.zeros(n)) {
                        for (int step = 1; step <= STEPS; step++) {
                            float[] g = grad(rand, n);
                            tg.copyFrom(g);
                            Ops.adam(tp, tg, tm, tv, lr, b1, b2, eps, wd, decoupled, step);
                            double bc1 = 1 - Math.pow(b1, step), bc2 = 1 - Math.pow(b2, step);
                            for (int i = 0; i < n; i++) {
                                double gi = g[i] + (decoupled ? 0 : wd * p[i]);
                                if (decoupled) {
                                    p[i] *= 1 - (double) lr * wd;
                                }
                                m[i] = b1 * m[i] + (1 - (double) b1) * gi;
                                v[i] = b2 * v[i] + (1 - (double) b2) * gi * gi;
                                p[i] -= lr * (m[i] / bc1) / (Math.sqrt(v[i] / bc2) + eps);
                            }
                            tol(op).check(rand, what + " step " + step + " param", p, tp.toArray());
                            tol(op).check(rand, what + " step " + step + " m", m, tm.toArray());
                            Tolerance.of(op, 1e-9, 1e-5).check(rand, what + " step " + step + " v", v, tv.toArray());
                        }
                    }
                }
            }
        }
    }

    @DeviceTest
    void rmsprop(TestDevice td) {
        Device dev = td.open();
        Rand rand = Rand.fresh();
        for (float eps : new float[] {1e-8f, LARGE_EPS}) {
            rmsprop(dev, rand, eps);
        }
    }

    private static void rmsprop(Device dev, Rand rand, float eps) {
        float lr = 0.01f, alpha = 0.99f;
        for (int n : SIZES) {
            for (float wd : new float[] {0f, 0.05f}) {
                float[] p0 = rand.uniform(n, -1, 1);
                double[] p = d(p0), s = new double[n];
                String what = "[" + n + "] eps=" + eps + " weightDecay=" + wd;
                try (Tensor tp = dev.fromArray(p0, n); Tensor tg = dev.empty(n); Tensor ts = dev.zeros(n)) {
                    for (int step = 1; step <= STEPS; step++) {
                        float[] g = grad(rand, n);
                        tg.copyFrom(g);
                        Ops.rmsprop(tp, tg, ts, lr, alpha, eps, wd);
                        for (int i = 0; i < n; i++) {
                            double gi = g[i] + wd * p[i];
                            s[i] = alpha * s[i] + (1 - (double) alpha) * gi * gi;
                            p[i] -= lr * gi / (Math.sqrt(s[i]) + eps);
                        }
                        tol("rmsprop").check(rand, what + " step " + step + " param", p, tp.toArray());
                        Tolerance.of("rmsprop", 1e-9, 1e-5).check(rand, what + " step " + step + " sq", s,
                                ts.toArray());
                    }
                }
            }
        }
    }

    @DeviceTest
    void adagrad(TestDevice td) {
        Device dev = td.open();
        Rand rand = Rand.fresh();
        for (float eps : new float[] {1e-10f, LARGE_EPS}) {
            adagrad(dev, rand, eps);
        }
    }

    private static void adagrad(Device dev, Rand rand, float eps) {
        float lr = 0.05f;
        for (int n : SIZES) {
            for (float wd : new float[] {0f, 0.05f}) {
                float[] p0 = rand.uniform(n, -1, 1);
                double[] p = d(p0), s = new double[n];
                String what = "[" + n + "] eps=" + eps + " weightDecay=" + wd;
                try (Tensor tp = dev.fromArray(p0, n); Tensor tg = dev.empty(n); Tensor ts = dev.zeros(n)) {
                    for (int step = 1; step <= STEPS; step++) {
                        float[] g = grad(rand, n);
                        tg.copyFrom(g);
                        Ops.adagrad(tp, tg, ts, lr, eps, wd);
                        for (int i = 0; i < n; i++) {
                            double gi = g[i] + wd * p[i];
                            s[i] += gi * gi;
                            p[i] -= lr * gi / (Math.sqrt(s[i]) + eps);
                        }
                        tol("adagrad").check(rand, what + " step " + step + " param", p, tp.toArray());
                        Tolerance.of("adagrad", 1e-9, 1e-5).check(rand, what + " step " + step + " sum", s,
                                ts.toArray());
                    }
                }
            }
        }
    }

    /**
     * The edges of the accepted hyperparameters are accepted and computed, as PyTorch allows them:
     * a learning rate of 0 leaves every parameter exactly as it was (also with weight decay, and
     * with AdamW's decoupled decay 1 - lr * wd = 1) while the state still moves; Adam with both
     * betas 0 keeps no history (m = g, v = g^2, no bias correction left), so each step is
     * lr * g / (|g| + eps).
     */
    @DeviceTest
    void zeroLearningRateAndZeroBetasAreAccepted(TestDevice td) {
        Device dev = td.open();
        Rand rand = Rand.fresh();
        for (int n : new int[] {7, 1000}) {
            float[] p0 = rand.uniform(n, -1, 1), g = grad(rand, n);
            for (String op : new String[] {"sgd", "adam", "adamw", "rmsprop", "adagrad"}) {
                float[][] got = step(dev, op, p0, g, 0f);
                org.junit.jupiter.api.Assertions.assertArrayEquals(p0, got[0],
                        op + " with lr 0 on " + dev.name() + " [" + n + "]; " + rand.seedNote());
                for (int i = 0; i < n; i++) {
                    org.junit.jupiter.api.Assertions.assertTrue(got[1][i] != 0f, op + " with lr 0 on " + dev.name()
                            + " [" + n + "]: the state must still be updated, index " + i + "; " + rand.seedNote());
                }
            }
            float lr = 0.01f, eps = LARGE_EPS;
            for (boolean decoupled : new boolean[] {false, true}) {
                String op = decoupled ? "adamw" : "adam";
                float[] p1 = rand.uniform(n, -1, 1);
                double[] p = d(p1), m = new double[n], v = new double[n];
                try (Tensor tp = dev.fromArray(p1, n); Tensor tg = dev.empty(n); Tensor tm = dev.zeros(n);
                     Tensor tv = dev.zeros(n)) {
                    for (int step = 1; step <= STEPS; step++) {
                        float[] gs = grad(rand, n);
                        tg.copyFrom(gs);
                        Ops.adam(tp, tg, tm, tv, lr, 0f, 0f, eps, 0.1f, decoupled, step);
                        for (int i = 0; i < n; i++) {
                            double gi = gs[i] + (decoupled ? 0 : 0.1f * p[i]);
                            if (decoupled) {
                                p[i] *= 1 - (double) lr * 0.1f;
                            }
                            m[i] = gi;
                            v[i] = gi * gi;
                            p[i] -= lr * m[i] / (Math.sqrt(v[i]) + eps);
                        }
                        String what = "[" + n + "] betas 0, 0 step " + step;
                        tol(op).check(rand, what + " param", p, tp.toArray());
                        tol(op).check(rand, what + " m", m, tm.toArray());
                        Tolerance.of(op, 1e-9, 1e-5).check(rand, what + " v", v, tv.toArray());
                    }
                }
            }
        }
    }

    /**
     * A NaN or infinite gradient element goes through the update as PyTorch's formulas take it, with
     * weight decay and momentum on, and touches no other element (no clamp, no crash): SGD moves the
     * parameter to NaN, -inf or +inf (p - lr g) and the velocity to NaN, +inf or -inf; Adam, AdamW,
     * RMSprop and Adagrad divide inf by inf, so the parameter becomes NaN for all three, with the first
     * moment NaN, +inf or -inf and the squared statistics NaN, +inf, +inf. Every other element gets
     * exactly the bits it gets from the same step with only finite gradients.
     */
    @DeviceTest
    void nanAndInfiniteGradientsPropagateAsInPyTorch(TestDevice td) {
        Device dev = td.open();
        Rand rand = Rand.fresh();
        float nan = Float.NaN, inf = Float.POSITIVE_INFINITY;
        float[] specials = {nan, inf, -inf};
        for (String op : new String[] {"sgd", "adam", "adamw", "rmsprop", "adagrad"}) {
            for (int n : new int[] {3, 1000, 100003}) {
                float[] p0 = rand.uniform(n, -1, 1), g = grad(rand, n), clean = g.clone();
                int[] at = {0, 1, 2}; // three distinct places, random ones past n = 3
                if (n > 3) {
                    do {
                        at = new int[] {rand.nextInt(n), rand.nextInt(n), rand.nextInt(n)};
                    } while (at[0] == at[1] || at[0] == at[2] || at[1] == at[2]);
                }
                for (int k = 0; k < 3; k++) {
                    g[at[k]] = specials[k];
                }
                float[][] got = step(dev, op, p0, g), want = step(dev, op, p0, clean);
                // {param, first state, second state} at NaN, +inf and -inf gradients
                float[][] special = switch (op) {
                    case "sgd" -> new float[][] {{nan, -inf, inf}, {nan, inf, -inf}, {0f, 0f, 0f}};
                    case "adam", "adamw" -> new float[][] {{nan, nan, nan}, {nan, inf, -inf}, {nan, inf, inf}};
                    default -> new float[][] {{nan, nan, nan}, {nan, inf, inf}, {0f, 0f, 0f}};
                };
                String[] names = {"param", "state 1", "state 2"};
                for (int k = 0; k < 3; k++) {
                    for (int q = 0; q < 3; q++) {
                        float w = special[q][k], v = got[q][at[k]];
                        org.junit.jupiter.api.Assertions.assertTrue(Float.isNaN(w) ? Float.isNaN(v) : w == v,
                                op + " on " + dev.name() + " [" + n + "], gradient " + specials[k] + " at " + at[k] + ": "
                                        + names[q] + " " + v + ", want " + w + "; " + rand.seedNote());
                        got[q][at[k]] = want[q][at[k]];
                    }
                }
                for (int q = 0; q < 3; q++) {
                    org.junit.jupiter.api.Assertions.assertArrayEquals(want[q], got[q], op + " on " + dev.name() + " ["
                            + n + "]: " + names[q] + " away from the NaN and infinite gradients; " + rand.seedNote());
                }
            }
        }
    }

    /** One step of op from p0 with gradient g: {param, first state, second state (zeros if none)}. */
    private static float[][] step(Device dev, String op, float[] p0, float[] g) {
        return step(dev, op, p0, g, -1f);
    }

    /** {@link #step(Device, String, float[], float[])} with learning rate lr, or op's own when lr < 0. */
    private static float[][] step(Device dev, String op, float[] p0, float[] g, float lr) {
        int n = p0.length;
        try (Tensor p = dev.fromArray(p0, n); Tensor tg = dev.fromArray(g, n); Tensor s1 = dev.zeros(n);
             Tensor s2 = dev.zeros(n)) {
            switch (op) {
                case "sgd" -> Ops.sgd(p, tg, s1, lr < 0 ? 0.1f : lr, 0.9f, 0.01f, true, true);
                case "adam" -> Ops.adam(p, tg, s1, s2, lr < 0 ? 0.01f : lr, 0.9f, 0.999f, 1e-8f, 0.01f, false, 1);
                case "adamw" -> Ops.adam(p, tg, s1, s2, lr < 0 ? 0.01f : lr, 0.9f, 0.999f, 1e-8f, 0.01f, true, 1);
                case "rmsprop" -> Ops.rmsprop(p, tg, s1, lr < 0 ? 0.01f : lr, 0.99f, 1e-8f, 0.01f);
                default -> Ops.adagrad(p, tg, s1, lr < 0 ? 0.05f : lr, 1e-10f, 0.01f);
            }
            return new float[][] {p.toArray(), s1.toArray(), s2.toArray()};
        }
    }
}
