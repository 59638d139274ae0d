package dev.ember.runtime.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.SplittableRandom;
import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * {@link CpuMath}'s float exp, tanh and sigmoid against float64 references (error in units of the
 * last place of the float result), over their whole ranges and at the edges of each branch; and
 * {@link CpuVectorMath}'s lanes against the scalar functions bit for bit.
 */
class CpuMathTest {
    private static final float[] SPECIAL = {0f, -0f, Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY,
        Float.MIN_VALUE, -Float.MIN_VALUE, Float.MIN_NORMAL, 1e-30f, -1e-30f, 1e30f, -1e30f,
        CpuMath.EXP_MAX, Math.nextUp(CpuMath.EXP_MAX), Math.nextDown(CpuMath.EXP_MAX),
        CpuMath.EXP_MIN, Math.nextDown(CpuMath.EXP_MIN), Math.nextUp(CpuMath.EXP_MIN), -87.33655f, -87.5f, -100f,
        CpuMath.TANH_SMALL, Math.nextUp(CpuMath.TANH_SMALL), -CpuMath.TANH_SMALL, -Math.nextUp(CpuMath.TANH_SMALL),
        0.34657359f, -0.34657359f, 0.6931472f, 9.01f, -9.01f, 44.4f, 45f, -88.8f, 88.8f};

    /** Random values: a fifth from SPECIAL, the rest spread over [lo, hi] and near zero. */
    private static float[] values(SplittableRandom rnd, int n, double lo, double hi) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            int pick = rnd.nextInt(10);
            v[i] = pick < 2 ? SPECIAL[rnd.nextInt(SPECIAL.length)]
                    : pick == 2 ? (float) ((rnd.nextDouble() - 0.5) * 1e-3)
                    : (float) (lo + rnd.nextDouble() * (hi - lo));
        }
        return v;
    }

    /** Error of got against the float64 value ref, in ulps of the float nearest to ref. */
    private static double ulps(float got, double ref) {
        float nearest = (float) ref;
        if (Float.isInfinite(nearest) || Float.isNaN(nearest)) {
            return Float.compare(got, nearest) == 0 ? 0 : Double.POSITIVE_INFINITY;
        }
        return Math.abs(got - ref) / Math.ulp(nearest);
    }

    private static void checkUlps(String what, float[] x, DoubleUnaryOperator ref, java.util.function.IntFunction<Float> got,
                                  double maxUlps, long seed) {
        double worst = 0;
        float worstX = 0;
        for (int i = 0; i < x.length; i++) {
            double want = ref.applyAsDouble(x[i]);
            float g = got.apply(i);
            if (Double.isNaN(want)) {
                assertTrue(Float.isNaN(g), what + "(" + x[i] + ") = " + g + ", want NaN (seed " + seed + ")");
                continue;
            }
            double e = ulps(g, want);
            if (e > worst) {
                worst = e;
                worstX = x[i];
            }
        }
        if (worst > maxUlps) {
            fail(what + ": " + worst + " ulp at x = " + worstX + " (" + Float.floatToRawIntBits(worstX) + " bits), allowed "
                    + maxUlps + " (seed " + seed + ")");
        }
    }

    @Test
    void expWithinOneAndAHalfUlpOverItsRange() {
        long seed = System.nanoTime();
        float[] x = values(new SplittableRandom(seed), 200_000, -105, 90);
        // Results below Float.MIN_NORMAL are subnormal: one rounding, so within one subnormal step.
        checkUlps("exp", x, v -> {
            double e = Math.exp(v);
            return e < Float.MIN_NORMAL ? (float) e : e;
        }, i -> CpuMath.exp(x[i]), 1.5, seed);
        assertEquals(Float.POSITIVE_INFINITY, CpuMath.exp(Math.nextUp(CpuMath.EXP_MAX)));
        assertTrue(Float.isFinite(CpuMath.exp(CpuMath.EXP_MAX)), "exp(EXP_MAX) must be finite");
        assertEquals(0f, CpuMath.exp(Math.nextDown(CpuMath.EXP_MIN)));
        assertEquals(0f, CpuMath.exp(Float.NEGATIVE_INFINITY));
        assertEquals(1f, CpuMath.exp(0f));
        assertEquals(1f, CpuMath.exp(-0f));
        assertTrue(Float.isNaN(CpuMath.exp(Float.NaN)));
    }

    @Test
    void tanhWithinTwoUlpAndSigmoidWithinThree() {
        long seed = System.nanoTime();
        float[] x = values(new SplittableRandom(seed), 200_000, -20, 20);
        checkUlps("tanh", x, Math::tanh, i -> CpuMath.tanh(x[i]), 2, seed);
        assertEquals(Float.floatToRawIntBits(-0f), Float.floatToRawIntBits(CpuMath.tanh(-0f)), "tanh(-0) = -0");
        assertEquals(1f, CpuMath.tanh(Float.POSITIVE_INFINITY));
        assertEquals(-1f, CpuMath.tanh(Float.NEGATIVE_INFINITY));
        // sigmoid(x) for x < -88.72 is below 3e-39 and may flush to 0: compare on the normal range only.
        float[] s = values(new SplittableRandom(seed + 1), 200_000, -87, 30);
        for (int i = 0; i < s.length; i++) {
            if (s[i] < -87f) {
                s[i] = -87f;
            }
        }
        checkUlps("sigmoid", s, v -> 1 / (1 + Math.exp(-v)), i -> CpuMath.sigmoid(s[i]), 3, seed);
        assertTrue(CpuMath.sigmoid(-1e30f) >= 0f && CpuMath.sigmoid(-1e30f) < 1e-38f);
        assertEquals(1f, CpuMath.sigmoid(1e30f));
        assertEquals(0.5f, CpuMath.sigmoid(0f));
    }

    @Test
    void vectorExpMatchesTheScalarOneBitForBit() {
        assumeTrue(CpuVector.AVAILABLE, "needs --add-modules jdk.incubator.vector");
        long seed = System.nanoTime();
        SplittableRandom rnd = new SplittableRandom(seed);
        for (int n : new int[] {1, 7, 8, 9, 33, 127, 1000, 100_003}) {
            for (int from : new int[] {0, 5}) {
                float[] x = values(rnd, n + from, -110, 95);
                float[] got = new float[n + from], want = new float[n + from];
                String at = " (n=" + n + ", from=" + from + ", seed=" + seed + ")";
                float shift = n == 1 ? 0f : x[from + 1] / 4;
                // The arguments the callers use: softmax (1, shift), sigmoid (-1), tanh (2 |x|); and others.
                float[][] args = {{0, 1f, shift}, {0, -1f, 0f}, {0, 1f, 0f}, {1, 2f, 0f}, {1, -0.5f, -3f}};
                for (float[] a : args) {
                    boolean abs = a[0] != 0;
                    CpuVectorMath.expArgs(x, from, abs, a[1], a[2], got, from, n);
                    CpuMath.expArgs(x, from, abs, a[1], a[2], want, from, n);
                    assertBits(x, want, got, "exp(" + (abs ? "|x|" : "x") + " * " + a[1] + " - " + a[2] + ")" + at);
                }

                float m = Float.NEGATIVE_INFINITY;
                for (int i = 0; i < n; i++) {
                    m = Math.max(m, x[from + i]);
                }
                assertEquals(Float.floatToIntBits(m), Float.floatToIntBits(CpuVectorMath.max(x, from, n)), "max" + at);
                float[] noNan = x.clone();
                m = Float.NEGATIVE_INFINITY;
                for (int i = 0; i < noNan.length; i++) {
                    noNan[i] = Float.isNaN(noNan[i]) ? -0f : noNan[i];
                    m = i >= from ? Math.max(m, noNan[i]) : m;
                }
                assertEquals(Float.floatToIntBits(m), Float.floatToIntBits(CpuVectorMath.max(noNan, from, n)),
                        "max without NaN" + at);
            }
        }
    }

    /**
     * The activation loops (vector exp above {@link CpuActivations#VECTOR_MIN} values, in blocks
     * of {@link CpuActivations#EXP_BLOCK}) give each value the scalar function's bits, in place too.
     */
    @Test
    void activationLoopsMatchTheScalarFunctionsBitForBit() {
        long seed = System.nanoTime();
        SplittableRandom rnd = new SplittableRandom(seed);
        float alpha = 1.3f;
        for (int n : new int[] {1, 33, CpuActivations.VECTOR_MIN + 1001, 3 * CpuActivations.EXP_BLOCK + 7}) {
            float[] x = values(rnd, n + 3, -100, 100);
            for (dev.ember.runtime.Activation act : new dev.ember.runtime.Activation[] {
                dev.ember.runtime.Activation.SIGMOID, dev.ember.runtime.Activation.TANH}) {
                float[] want = new float[n];
                for (int i = 0; i < n; i++) {
                    float v = x[3 + i];
                    want[i] = act == dev.ember.runtime.Activation.SIGMOID ? CpuMath.sigmoid(v) : CpuMath.tanh(v);
                }
                String at = " (n=" + n + ", seed=" + seed + ")";
                float[] got = new float[n + 2];
                CpuActivations.forward(act, alpha, x, 3, got, 2, n);
                assertBits(x, want, java.util.Arrays.copyOfRange(got, 2, n + 2), act + at);
                float[] inPlace = x.clone();
                CpuActivations.forward(act, alpha, inPlace, 3, inPlace, 3, n);
                assertBits(x, want, java.util.Arrays.copyOfRange(inPlace, 3, n + 3), act + " in place" + at);
            }
        }
    }

    private static void assertBits(float[] x, float[] want, float[] got, String what) {
        for (int i = 0; i < want.length; i++) {
            // NaN payloads may differ with operand order; any NaN matches any NaN.
            if (Float.floatToIntBits(want[i]) != Float.floatToIntBits(got[i])) {
                fail(what + ": index " + i + " got " + got[i] + ", scalar gives " + want[i]);
            }
        }
    }
}
