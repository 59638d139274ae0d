package dev.ember.runtime.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.runtime.Device;
import dev.ember.runtime.Ops;
import dev.ember.runtime.Philox;
import dev.ember.runtime.Tensor;
import dev.ember.runtime.testing.DeviceTest;
import dev.ember.runtime.testing.FiniteDiff;
import dev.ember.runtime.testing.Rand;
import dev.ember.runtime.testing.TestDevice;
import dev.ember.runtime.testing.TestShapes;
import dev.ember.runtime.testing.Tolerance;

/**
 * Dropout forward and backward: element i is kept exactly when Philox.uniform(seed, i) >= p
 * (the same mask on every device), kept values are scaled by 1 / (1 - p), the keep rate is near
 * 1 - p, and the backward applies the same mask (checked against finite differences of
 * sum(dy o dropout(x))).
 *
 * <p>Tolerance on kept values: rtol 5e-7 (about 4 ulp): x * (1 / (1 - p)) or x / (1 - p) is one
 * to three roundings, and OpenCL allows single-precision division and reciprocal 2.5 ulp unless
 * correctly rounded division is requested. The mask itself must match exactly.
 */
class DropoutOpsTest {
    private static final float[] PS = {0f, 0.1f, 0.5f, 0.9f};

    private static double[] reference(long seed, float p, float[] x) {
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = Philox.uniform(seed, i) >= p ? x[i] / (1.0 - p) : 0.0;
        }
        return y;
    }

    private static void checkMask(Rand rand, String what, long seed, float p, float[] out) {
        for (int i = 0; i < out.length; i++) {
            boolean keep = Philox.uniform(seed, i) >= p;
            if (keep == (out[i] == 0f)) {
                assertEquals(keep, out[i] != 0f, "dropout " + what + " seed=" + seed + " p=" + p + ": element " + i
                        + " should be " + (keep ? "kept" : "dropped") + " (Philox.uniform=" + Philox.uniform(seed, i)
                        + "), got " + out[i] + "; " + rand.seedNote());
            }
        }
    }

    @DeviceTest
    void forwardUsesThePhiloxMask(TestDevice td) {
        Device dev = td.open();
        Rand rand = Rand.fresh();
        for (int n : TestShapes.LENGTHS) {
            for (float p : PS) {
                long seed = rand.nextLong();
                float[] x = rand.awayFromZero(n, -3, 3, 1e-3f);
                double[] ref = reference(seed, p, x);
                String what = "[" + n + "] seed=" + seed + " p=" + p;
                Tolerance tol = Tolerance.of("dropout", 0, 5e-7);
                try (Tensor tx = dev.fromArray(x, n); Tensor y = dev.empty(n)) {
                    Ops.dropout(seed, p, tx, y);
                    float[] out = y.toArray();
                    checkMask(rand, what, seed, p, out);
                    tol.check(rand, what, ref, out);
                    Ops.dropout(seed, p, tx, tx);
                    tol.check(rand, what + " in place", ref, tx.toArray());
                }
            }
        }
        // Lengths whose scalar path (under the CPU's vector threshold, or a short last parallel
        // chunk) takes its uniforms in more than one block of 4096, the last one partial.
        for (int n : new int[] {6007, 3 * 32768 + 6007}) {
            long seed = rand.nextLong();
            float[] x = rand.awayFromZero(n, -3, 3, 1e-3f);
            try (Tensor tx = dev.fromArray(x, n); Tensor y = dev.empty(n)) {
                Ops.dropout(seed, 0.5f, tx, y);
                float[] out = y.toArray();
                String what = "[" + n + "] seed=" + seed + " p=0.5";
                checkMask(rand, what, seed, 0.5f, out);
                Tolerance.of("dropout", 0, 5e-7).check(rand, what, reference(seed, 0.5f, x), out);
            }
        }
        // Seed 0 and a seed using only the high key word.
        for (long seed : new long[] {0L, 1L << 40}) {
            float[] x = rand.awayFromZero(33, -1, 1, 1e-3f);
            try (Tensor tx = dev.fromArray(x, 3, 11); Tensor y = dev.empty(3, 11)) {
                Ops.dropout(seed, 0.5f, tx, y);
                Tolerance.of("dropout", 0, 5e-7).check(rand, "3x11 seed=" + seed, reference(seed, 0.5f, x),
                        y.toArray(), 11);
            }
        }
    }

    /**
     * The mask's boundary: element i is kept when Philox.uniform(seed, i) equals p exactly (u >= p,
     * as the CPU backend), forward and backward. p is taken from the stream itself (a multiple of
     * 2^-24, so exact in float32) at random indices of an awkward length, and in the last 27 of
     * 8219; a kernel testing u > p drops those elements, which random p hits with probability
     * ~2^-24 per element.
     */
    @DeviceTest
    void anElementWhoseUniformEqualsPIsKept(TestDevice td) {
        Device dev = td.open();
        Rand rand = Rand.fresh();
        for (int trial = 0; trial < 9; trial++) {
            // 8219 = 256 * 32 + 27: the CPU's Vector API loop, 32 values a step, leaves a scalar
            // tail of 27, where the last three trials put the boundary element
            int n = trial < 6 ? 1000 : 8219;
            long seed = rand.nextLong();
            int at = trial < 6 ? rand.nextInt(n) : n - 1 - rand.nextInt(27);
            float p = Philox.uniform(seed, at);
            if (p == 0f) {
                continue; // p = 0 keeps everything: no boundary to test
            }
            float[] x = rand.awayFromZero(n, -3, 3, 1e-3f), dy = rand.awayFromZero(n, -1, 1, 1e-3f);
            String what = "[" + n + "] seed=" + seed + " p=" + p + " = Philox.uniform(seed, " + at + ")";
            try (Tensor tx = dev.fromArray(x, n); Tensor y = dev.empty(n); Tensor tdy = dev.fromArray(dy, n);
                 Tensor dx = dev.empty(n)) {
                Ops.dropout(seed, p, tx, y);
                Ops.dropoutBackward(seed, p, tdy, dx);
                float[] out = y.toArray(), back = dx.toArray();
                assertTrue(out[at] != 0f && back[at] != 0f, "dropout " + what + ": element " + at
                        + " (uniform == p) must be kept, got forward " + out[at] + " backward " + back[at] + " on "
                        + dev.name() + "; " + rand.seedNote());
                checkMask(rand, what, seed, p, out);
                checkMask(rand, what + " backward", seed, p, back);
                Tolerance.of("dropout", 0, 5e-7).check(rand, what, reference(seed, p, x), out);
                Tolerance.of("dropoutBackward", 0, 5e-7).check(rand, what, reference(seed, p, dy), back);
            }
        }
    }

    /**
     * A dropped element is exactly +0 even where x is NaN or infinite (Ops.dropout's documented
     * difference from PyTorch, whose x * mask gives NaN there), and a kept one stays NaN or
     * infinite, up to p = nextDown(1) (scale 2^24). Specials at random places among random
     * values, so both forms of the CPU loop see them.
     */
    @DeviceTest
    void droppedSpecialsAreZeroAndKeptOnesStay(TestDevice td) {
        Device dev = td.open();
        Rand rand = Rand.fresh();
        float[] specials = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, -0f};
        for (float p : new float[] {0f, 0.5f, Math.nextDown(1f)}) {
            for (int n : TestShapes.LENGTHS) {
                long seed = rand.nextLong();
                float[] x = rand.uniform(n, -3, 3);
                for (int k = 0; k < n / 7 + 1; k++) {
                    x[rand.nextInt(n)] = specials[rand.nextInt(specials.length)];
                }
                try (Tensor tx = dev.fromArray(x, n); Tensor y = dev.empty(n)) {
                    Ops.dropout(seed, p, tx, y);
                    float[] out = y.toArray();
                    for (int i = 0; i < n; i++) {
                        boolean keep = Philox.uniform(seed, i) >= p;
                        float want = keep ? x[i] * (1f / (1f - p)) : 0f;
                        if (keep && Float.isFinite(x[i])) {
                            continue; // scaling is checked to a tolerance by forwardUsesThePhiloxMask
                        }
                        assertEquals(Float.floatToIntBits(want), Float.floatToIntBits(out[i]), "dropout [" + n + "] seed="
                                + seed + " p=" + p + " of " + x[i] + " at " + i + " (" + (keep ? "kept" : "dropped")
                                + "): " + out[i] + " on " + dev.name() + "; " + rand.seedNote());
                    }
                }
            }
        }
    }

    @DeviceTest
    void keepRateIsNearOneMinusP(TestDevice td) {
        Device dev = td.open();
        Rand rand = Rand.fresh();
        int n = 1 << 17;
        try (Tensor x = dev.empty(n).fill(1f); Tensor y = dev.empty(n)) {
            for (float p : new float[] {0.1f, 0.25f, 0.5f, 0.9f}) {
                long seed = rand.nextLong();
                Ops.dropout(seed, p, x, y);
                float[] out = y.toArray();
                int kept = 0;
                for (float v : out) {
                    kept += v != 0f ? 1 : 0;
                }
                double rate = kept / (double) n, sd = Math.sqrt(p * (1 - p) / n);
                assertTrue(Math.abs(rate - (1 - p)) <= 6 * sd, "dropout [" + n + "] seed=" + seed + " p=" + p
                        + ": keep rate " + rate + " is more than 6 sd (" + sd + ") from " + (1 - p) + "; "
                        + rand.seedNote());
                // E[y] = x: the 1 / (1 - p) scaling keeps the mean.
                double mean = 0;
                for (float v : out) {
                    mean += v;
                }
                mean /= n;
                assertTrue(Math.abs(mean - 1) <= 6 * sd / (1 - p), "dropout p=" + p + ": mean of kept-scaled ones "
                        + mean + " is not near 1; " + rand.seedNote());
            }
        }
    }

    @DeviceTest
    void backwardAppliesTheSameMask(TestDevice td) {
        Device dev = td.open();
        Rand rand = Rand.fresh();
        for (int n : TestShapes.LENGTHS) {
            for (float p : PS) {
                long seed = rand.nextLong();
                float[] x = rand.awayFromZero(n, -3, 3, 1e-3f), dy = rand.awayFromZero(n, -1, 1, 1e-3f);
                // L(x) = sum dy o dropout(x) is separable: dL/dx_i = dy_i * d dropout_i / dx_i.
                double[] deriv = new double[n];
                for (int i = 0; i < n; i++) {
                    boolean keep = Philox.uniform(seed, i) >= p;
                    deriv[i] = dy[i] * FiniteDiff.derivative(v -> keep ? v / (1.0 - p) : 0.0, x[i], 1e-4);
                }
                String what = "[" + n + "] seed=" + seed + " p=" + p;
                try (Tensor tx = dev.fromArray(x, n); Tensor y = dev.empty(n); Tensor tdy = dev.fromArray(dy, n);
                     Tensor dx = dev.empty(n)) {
                    Ops.dropout(seed, p, tx, y);
                    Ops.dropoutBackward(seed, p, tdy, dx);
                    float[] fwd = y.toArray(), back = dx.toArray();
                    for (int i = 0; i < n; i++) {
                        if ((fwd[i] == 0f) != (back[i] == 0f)) {
                            assertEquals(fwd[i] == 0f, back[i] == 0f, "dropoutBackward " + what + ": element " + i
                                    + " forward " + fwd[i] + " backward " + back[i] + " use different masks; "
                                    + rand.seedNote());
                        }
                    }
                    Tolerance.of("dropoutBackward", 1e-9, 5e-7).check(rand, what + " vs finite differences", deriv,
                            back);
                    Ops.dropoutBackward(seed, p, tdy, tdy);
                    Tolerance.of("dropoutBackward", 1e-9, 5e-7).check(rand, what + " in place", deriv,
                            tdy.toArray());
                }
            }
        }
    }

    @DeviceTest
    void differentSeedsGiveDifferentMasks(TestDevice td) {
        Device dev = td.open();
        Rand rand = Rand.fresh();
        int n = 4096;
        long seed = rand.nextLong();
        try (Tensor x = dev.empty(n).fill(1f); Tensor a = dev.empty(n); Tensor b = dev.empty(n)) {
            Ops.dropout(seed, 0.5f, x, a);
            Ops.dropout(seed + 1, 0.5f, x, b);
            float[] fa = a.toArray(), fb = b.toArray();
            int differ = 0;
            for (int i = 0; i < n; i++) {
                differ += (fa[i] == 0f) != (fb[i] == 0f) ? 1 : 0;
            }
            // Independent masks differ in half the places: 2048 +- 32.
            assertTrue(differ > 1800 && differ < 2300, "dropout seeds " + seed + " and " + (seed + 1) + " differ in "
                    + differ + " of " + n + " places; " + rand.seedNote());
        }
    }
}
