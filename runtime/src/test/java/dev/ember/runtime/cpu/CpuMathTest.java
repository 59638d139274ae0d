package dev.ember.runtime.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.ember.runtime.Activation;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * {@link CpuMath}'s float exp, expm1, tanh and sigmoid against float64 references (error in units of the
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

    /**
     * Error of got against the float64 value ref, in ulps of the float nearest to ref; where that
     * float is a power of two, the smaller ulp of the binade below counts (else errors just under
     * a power of two would be under-reported by half).
     */
    private static double ulps(float got, double ref) {
        float nearest = (float) ref;
        if (Float.isInfinite(nearest) || Float.isNaN(nearest)) {
            return Float.compare(got, nearest) == 0 ? 0 : Double.POSITIVE_INFINITY;
        }
        float mag = Math.abs(nearest);
        return Math.abs(got - ref) / Math.min(Math.ulp(mag), Math.max(Math.ulp(Math.nextDown(mag)), Float.MIN_VALUE));
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
        assertEquals(Float.MIN_VALUE, CpuMath.exp(CpuMath.EXP_MIN), "exp(EXP_MIN) is the smallest subnormal");
        assertEquals(0f, CpuMath.exp(Float.NEGATIVE_INFINITY));
        assertEquals(1f, CpuMath.exp(0f));
        assertEquals(1f, CpuMath.exp(-0f));
        assertTrue(Float.isNaN(CpuMath.exp(Float.NaN)));
    }

    /**
     * expm1 keeps its relative accuracy near 0, where exp(x) - 1 would lose it (ELU's negative
     * side): within 1.5 ulp over its range (0.9 on the negative side, 20M samples), tiny arguments
     * included, and -1 far below.
     */
    @Test
    void expm1WithinOneAndAHalfUlpNearZeroToo() {
        long seed = System.nanoTime();
        SplittableRandom rnd = new SplittableRandom(seed);
        float[] x = values(rnd, 200_000, -105, 88);
        for (int i = 0; i < x.length; i += 3) {
            x[i] = (float) ((rnd.nextDouble() - 0.5) * Math.pow(10, -rnd.nextInt(12))); // 1e-12 .. 0.5
        }
        checkUlps("expm1", x, Math::expm1, i -> CpuMath.expm1(x[i]), 1.5, seed);
        assertEquals(-1f, CpuMath.expm1(-200f));
        assertEquals(-1f, CpuMath.expm1(Float.NEGATIVE_INFINITY));
        assertEquals(Float.POSITIVE_INFINITY, CpuMath.expm1(Math.nextUp(CpuMath.EXP_MAX)));
        assertEquals(1e-20f, CpuMath.expm1(1e-20f));
        assertEquals(0f, CpuMath.expm1(0f));
        assertTrue(Float.isNaN(CpuMath.expm1(Float.NaN)));
    }

    @Test
    void tanhWithinTwoUlpAndSigmoidWithinThree() {
        long seed = System.nanoTime();
        float[] x = values(new SplittableRandom(seed), 200_000, -20, 20);
        checkUlps("tanh", x, Math::tanh, i -> CpuMath.tanh(x[i]), 2, seed);
        assertEquals(Float.floatToRawIntBits(-0f), Float.floatToRawIntBits(CpuMath.tanh(-0f)), "tanh(-0) = -0");
        assertEquals(1f, CpuMath.tanh(Float.POSITIVE_INFINITY));
        assertEquals(-1f, CpuMath.tanh(Float.NEGATIVE_INFINITY));
        // sigmoid(x) for x < -88.72 is below 3e-39 and flushes to 0: compare above that only.
        float[] s = values(new SplittableRandom(seed + 1), 200_000, -88.7, 30);
        for (int i = 0; i < s.length; i++) {
            if (s[i] < -88.7f) {
                s[i] = -88.7f;
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
        // The large size repeated, so that the comparison also runs on C2's compiled code (C1 and
        // the interpreter do not intrinsify the Vector API).
        int[] sizes = new int[37];
        System.arraycopy(new int[] {1, 7, 8, 9, 33, 127, 1000}, 0, sizes, 0, 7);
        Arrays.fill(sizes, 7, sizes.length, 100_003);
        for (int n : sizes) {
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
     * The activation loops (vector exp or expm1 above {@link CpuActivations#VECTOR_MIN} values,
     * sigmoid and tanh in blocks of {@link CpuActivations#EXP_BLOCK}) give each value the scalar
     * function's bits, in place too; ELU keeps x = -0.
     */
    @Test
    void activationLoopsMatchTheScalarFunctionsBitForBit() {
        long seed = System.nanoTime();
        SplittableRandom rnd = new SplittableRandom(seed);
        float alpha = 1.3f;
        for (int n : new int[] {1, 33, CpuActivations.VECTOR_MIN + 1001, 3 * CpuActivations.EXP_BLOCK + 7}) {
            float[] x = values(rnd, n + 3, -100, 100);
            for (dev.ember.runtime.Activation act : new dev.ember.runtime.Activation[] {
                Activation.SIGMOID, Activation.TANH, Activation.ELU}) {
                float[] want = new float[n];
                for (int i = 0; i < n; i++) {
                    float v = x[3 + i];
                    want[i] = act == Activation.SIGMOID ? CpuMath.sigmoid(v) : act == Activation.TANH ? CpuMath.tanh(v)
                            : v >= 0 ? v : alpha * CpuMath.expm1(v);
                }
                String at = " (n=" + n + ", seed=" + seed + ")";
                float[] got = new float[n + 2];
                CpuActivations.forward(act, alpha, x, 3, got, 2, n);
                assertBits(x, want, Arrays.copyOfRange(got, 2, n + 2), act + at);
                float[] inPlace = x.clone();
                CpuActivations.forward(act, alpha, inPlace, 3, inPlace, 3, n);
                assertBits(x, want, Arrays.copyOfRange(inPlace, 3, n + 3), act + " in place" + at);
            }
        }
    }

    /**
     * Under -XX:-UseFMA, Math.fma would be BigDecimal arithmetic: exp, tanh and sigmoid must take
     * Math's functions instead (their results are compared bit for bit in the child, which the fma
     * forms would miss on some of the inputs), and the Vector API paths must be off.
     */
    @Test
    void withoutHardwareFmaMathsFunctionsAreUsed() throws Exception {
        assumeTrue(java.lang.management.ManagementFactory.getPlatformMXBean(
                com.sun.management.HotSpotDiagnosticMXBean.class) != null, "needs a HotSpot JVM (UseFMA)");
        Path javaBin = Path.of(System.getProperty("java.home"), "bin", "java");
        Set<String> cp = new LinkedHashSet<>(List.of(System.getProperty("java.class.path").split(File.pathSeparator)));
        for (Class<?> c : List.of(CpuMathTest.class, CpuMath.class)) {
            cp.add(Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString());
        }
        Process p = new ProcessBuilder(javaBin.toString(), "-XX:-UseFMA", "--add-modules", "jdk.incubator.vector", "-cp",
                String.join(File.pathSeparator, cp), NoFmaChild.class.getName()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "child JVM did not finish");
        assertEquals(0, p.exitValue(), "child JVM exit code; output:\n" + out);
        assertTrue(out.contains("no-fma ok"), out);
    }

    /** The child of {@link #withoutHardwareFmaMathsFunctionsAreUsed}. */
    public static final class NoFmaChild {
        public static void main(String[] args) {
            require(!CpuMath.HARDWARE_FMA, "HARDWARE_FMA is true under -XX:-UseFMA");
            require(!CpuVector.AVAILABLE && CpuVector.MISSING.contains("fused multiply-add"),
                    "Vector API paths on without FMA: " + CpuVector.MISSING);
            SplittableRandom rnd = new SplittableRandom(7);
            int n = 20_000;
            float[] x = new float[n], y = new float[n];
            for (int i = 0; i < n; i++) {
                x[i] = (float) (rnd.nextDouble() * 40 - 20);
                require(Float.floatToIntBits(CpuMath.exp(x[i])) == Float.floatToIntBits((float) Math.exp(x[i])),
                        "exp(" + x[i] + ")");
            }
            CpuActivations.forward(Activation.TANH, 0f, x, 0, y, 0, n);
            for (int i = 0; i < n; i++) {
                require(Float.floatToIntBits(y[i]) == Float.floatToIntBits((float) Math.tanh(x[i])), "tanh(" + x[i] + ")");
            }
            CpuActivations.forward(Activation.SIGMOID, 0f, x, 0, y, 0, n);
            for (int i = 0; i < n; i++) {
                float want = (float) (1.0 / (1.0 + Math.exp(-x[i])));
                require(Float.floatToIntBits(y[i]) == Float.floatToIntBits(want), "sigmoid(" + x[i] + ")");
            }
            System.out.println("no-fma ok");
        }

        private static void require(boolean ok, String what) {
            if (!ok) {
                System.out.println("FAILED: " + what);
                System.exit(1);
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
