package dev.ember.runtime.ops;

import dev.ember.runtime.Activation;
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
 * activation and activationBackward for identity, relu, leaky_relu, elu, sigmoid and tanh:
 * forward against float64, backward against central differences of L(x) = sum dy o act(x),
 * with saturating inputs (+-20, +-100) that must stay finite.
 *
 * <p>Tolerances. Forward: identity and relu are exact; leaky relu is one rounding (rtol 1.2e-7);
 * elu, sigmoid and tanh allow device math libraries up to ~100 ulp (rtol 1e-5) and atol 1e-6
 * for results near 0 (e.g. exp(x) - 1 computed without expm1, or flushed subnormals).
 * Backward: atol 1e-6 (|dy| <= 1), rtol 1e-5: the derivative is formed from y = act(x) in
 * float32, and s (1 - s) near s = 1 loses relative, but not absolute, precision.
 */
class ActivationOpsTest {
    private static final float[] EXTREMES = {-100f, -30f, -20f, -5e-3f, 5e-3f, 20f, 30f, 100f};

    /**
     * The test lengths and one just past the CPU backend's Vector API threshold (8192 values) with
     * 3 left over, so that the scalar tail of its vector loops runs; the specials of the tests
     * below are also put at the end of each array, where that tail meets them.
     */
    private static final int[] LENGTHS_AND_TAIL = java.util.stream.IntStream.concat(
            java.util.Arrays.stream(TestShapes.LENGTHS), java.util.stream.IntStream.of(8195)).toArray();

    private static float alphaFor(Activation act) {
        return switch (act) {
            case LEAKY_RELU -> 0.2f;
            case ELU -> 0.7f;
            default -> 0.3f; // ignored by the others
        };
    }

    private static Tolerance forwardTol(Activation act) {
        String op = "activation(" + act + ")";
        return switch (act) {
            case IDENTITY, RELU -> Tolerance.of(op, 0, 0);
            case LEAKY_RELU -> Tolerance.of(op, 0, 1.2e-7);
            default -> Tolerance.of(op, 1e-6, 1e-5);
        };
    }

    /** Random values (away from the kink at 0 by 1e-2, so finite differences are valid) and the extremes. */
    private static float[] inputs(Rand rand, int n) {
        float[] x = rand.awayFromZero(n, -6, 6, 1e-2f);
        for (int i = 0; i < Math.min(n, EXTREMES.length); i++) {
            x[(int) ((long) i * n / Math.min(n, EXTREMES.length))] = EXTREMES[i];
        }
        return x;
    }

    /**
     * NaN stays NaN through every activation, as in PyTorch (a relu written x > 0 ? x : 0 turned
     * it into 0 on OpenCL and CUDA, hiding a diverged model behind plausible outputs); the
     * infinities give their limits exactly (PoCL's tanh(-Inf) was -0.99999994). Also through
     * gemm's fused epilogue.
     */
    @DeviceTest
    void nanStaysNanAndInfinitiesGiveTheirLimits(TestDevice td) {
        Device dev = td.open();
        float nan = Float.NaN, inf = Float.POSITIVE_INFINITY;
        float[] x = {nan, inf, -inf, 1.5f, -1.5f, nan, 0f, -0f, nan};
        for (Activation act : Activation.values()) {
            float alpha = alphaFor(act);
            try (Tensor tx = dev.fromArray(x, 3, 3); Tensor y = dev.empty(3, 3)) {
                Ops.activation(act, alpha, tx, y);
                float[] out = y.toArray();
                for (int i = 0; i < x.length; i++) {
                    String what = "activation(" + act + ") of " + x[i] + " on " + dev.name() + ": " + out[i];
                    if (Float.isNaN(x[i])) {
                        org.junit.jupiter.api.Assertions.assertTrue(Float.isNaN(out[i]), what);
                    } else if (Float.isInfinite(x[i])) {
                        // exactly: every limit here (+-Inf, 0, +-1, -alpha) is a float
                        double limit = Ref.act(act, alpha, new double[] {x[i]})[0];
                        org.junit.jupiter.api.Assertions.assertEquals((float) limit, out[i], what);
                    }
                }
            }
        }
        // relu fused into gemm: a NaN in row 1 of A makes row 1 of C NaN, the other rows stay finite
        float[] a = {1f, 2f, nan, 1f, -1f, 0.5f};
        float[] b = {1f, -1f, 2f, 0.5f, 3f, -2f};
        try (Tensor ta = dev.fromArray(a, 3, 2); Tensor tb = dev.fromArray(b, 2, 3); Tensor tc = dev.empty(3, 3)) {
            Ops.gemm(false, false, 1f, ta, tb, 0f, tc, null, Activation.RELU, 0f);
            float[] c = tc.toArray();
            for (int i = 0; i < c.length; i++) {
                boolean rowOfNan = i / 3 == 1;
                org.junit.jupiter.api.Assertions.assertEquals(rowOfNan, Float.isNaN(c[i]),
                        "gemm + relu on " + dev.name() + ", C[" + i / 3 + "][" + i % 3 + "] = " + c[i]);
            }
        }
    }

    /**
     * Backward at NaN, the infinities and the signed zeros follows PyTorch's formulas (Ref.actDerivative):
     * relu and elu pass dy through at NaN, leaky relu gives alpha * dy, sigmoid and tanh NaN; at
     * -Inf relu and elu give 0. Specials sit at random places among ordinary values, and the
     * longest array takes the CPU's Vector API loops, which must branch as the scalar ones do.
     */
    @DeviceTest
    void backwardAtNanInfinitiesAndZerosFollowsPyTorch(TestDevice td) {
        Device dev = td.open();
        Rand rand = Rand.fresh();
        float[] specials = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0f, -0f};
        Tolerance ordinary = Tolerance.of("activationBackward", 1e-6, 1e-5);
        Tolerance special = Tolerance.of("activationBackward", 0, 1.2e-7); // one rounding of dy * slope
        for (Activation act : new Activation[] {Activation.IDENTITY, Activation.RELU, Activation.LEAKY_RELU,
                Activation.ELU, Activation.SIGMOID}) {
            float alpha = alphaFor(act);
            for (int n : LENGTHS_AND_TAIL) {
                float[] x = rand.uniform(n, -4, 4), dy = rand.uniform(n, -1, 1);
                boolean[] isSpecial = new boolean[n];
                for (int k = 0; k < Math.max(1, n / 50); k++) {
                    int i = rand.nextInt(n);
                    x[i] = specials[rand.nextInt(specials.length)];
                    isSpecial[i] = true;
                }
                for (int k = 0; k < Math.min(n, specials.length); k++) { // 0, -0, NaN, Inf, -Inf from the end
                    x[n - 1 - k] = specials[(k + 3) % specials.length];
                    isSpecial[n - 1 - k] = true;
                }
                try (Tensor tx = dev.fromArray(x, n); Tensor y = dev.empty(n); Tensor tdy = dev.fromArray(dy, n);
                     Tensor dx = dev.empty(n)) {
                    Ops.activation(act, alpha, tx, y);
                    Ops.activationBackward(act, alpha, tx, y, tdy, dx);
                    float[] got = dx.toArray();
                    for (int i = 0; i < n; i++) {
                        double ref = dy[i] * Ref.actDerivative(act, alpha, x[i]);
                        String what = "[" + n + "] at " + i + ": x=" + x[i] + " dy=" + dy[i] + " alpha=" + alpha
                                + " on " + dev.name();
                        if (Double.isNaN(ref)) {
                            org.junit.jupiter.api.Assertions.assertTrue(Float.isNaN(got[i]),
                                    "activationBackward(" + act + ") " + what + ": " + got[i] + ", expected NaN; "
                                            + rand.seedNote());
                        } else {
                            (isSpecial[i] ? special : ordinary).check(rand, "(" + act + ") " + what, ref, got[i]);
                        }
                    }
                }
            }
        }
    }

    /**
     * elu of a zero is that zero, sign included, for any alpha, on every device as on the CPU (x >= 0
     * takes the identity branch). OpenCL and CUDA took alpha * expm1(x) there, so with a negative
     * alpha elu(+0) came out -0 and elu(-0) +0. Zeros of both signs at random places among random
     * values, through the activation op, gemm with alpha = 0 (which reads neither A nor B and
     * applies the activation op to beta * C, without the GEMM kernel) and the GEMM kernel's own
     * fused epilogue (alpha = 1 on zero A and B: C = elu(0 + C), so each zero reaches it as +0);
     * the longest array takes the CPU's Vector API loop.
     */
    @DeviceTest
    void eluOfZeroIsThatZeroForAnyAlpha(TestDevice td) {
        Device dev = td.open();
        Rand rand = Rand.fresh();
        for (float alpha : new float[] {-0.5f, 0f, 0.7f}) {
            for (int n : LENGTHS_AND_TAIL) {
                float[] x = withSignedZeros(rand, n);
                try (Tensor tx = dev.fromArray(x, n); Tensor y = dev.empty(n); Tensor c = dev.fromArray(x, 1, n);
                     Tensor k = dev.fromArray(x, 1, n); Tensor a = dev.zeros(1, 1); Tensor b = dev.zeros(1, n)) {
                    Ops.activation(Activation.ELU, alpha, tx, y);
                    Ops.gemm(false, false, 0f, a, b, 1f, c, null, Activation.ELU, alpha);
                    Ops.gemm(false, false, 1f, a, b, 1f, k, null, Activation.ELU, alpha);
                    float[] got = y.toArray(), fused = c.toArray(), kernel = k.toArray();
                    for (int i = 0; i < n; i++) {
                        if (x[i] == 0f) {
                            String what = "elu(" + x[i] + ") with alpha " + alpha + " at " + i + " of [" + n + "] on "
                                    + dev.name();
                            org.junit.jupiter.api.Assertions.assertEquals(Float.floatToRawIntBits(0f),
                                    Float.floatToRawIntBits(kernel[i]), "GEMM kernel epilogue, elu(0 + " + x[i]
                                            + ") with alpha " + alpha + ": " + kernel[i] + "; " + rand.seedNote());
                            org.junit.jupiter.api.Assertions.assertEquals(Float.floatToRawIntBits(x[i]),
                                    Float.floatToRawIntBits(got[i]), what + ": " + got[i] + "; " + rand.seedNote());
                            org.junit.jupiter.api.Assertions.assertEquals(Float.floatToRawIntBits(x[i]),
                                    Float.floatToRawIntBits(fused[i]), "gemm + " + what + ": " + fused[i] + "; "
                                            + rand.seedNote());
                        }
                    }
                }
            }
        }
    }

    /**
     * leaky relu of a zero is alpha times that zero, as PyTorch's x > 0 ? x : x * slope (and every
     * backend's): with a negative alpha +0 gives -0 and -0 gives +0. Compared bit for bit, zeros
     * at random places and at the end (the Vector API loop's scalar tail on the CPU).
     */
    @DeviceTest
    void leakyReluOfZeroIsAlphaTimesThatZero(TestDevice td) {
        Device dev = td.open();
        Rand rand = Rand.fresh();
        for (float alpha : new float[] {-0.5f, 0.2f}) {
            for (int n : LENGTHS_AND_TAIL) {
                float[] x = withSignedZeros(rand, n);
                try (Tensor tx = dev.fromArray(x, n); Tensor y = dev.empty(n)) {
                    Ops.activation(Activation.LEAKY_RELU, alpha, tx, y);
                    float[] got = y.toArray();
                    for (int i = 0; i < n; i++) {
                        if (x[i] == 0f) {
                            org.junit.jupiter.api.Assertions.assertEquals(Float.floatToRawIntBits(alpha * x[i]),
                                    Float.floatToRawIntBits(got[i]), "leaky_relu(" + x[i] + ") with alpha " + alpha
                                            + " at " + i + " of [" + n + "] on " + dev.name() + ": " + got[i] + "; "
                                            + rand.seedNote());
                        }
                    }
                }
            }
        }
    }

    /**
     * tanh is exactly +-1 wherever the correctly rounded float tanh is (|x| >= 9.010914, the first
     * such float), and its gradient there exactly 0: |x| from there up to Float.MAX_VALUE and Inf,
     * random signs, through the activation op and gemm's fused epilogue. Device libraries may stop
     * one ulp short (PoCL gave 0.99999994), leaving a gradient of 1.2e-7 where PyTorch has none.
     */
    @DeviceTest
    void tanhSaturatesToExactlyOne(TestDevice td) {
        Device dev = td.open();
        Rand rand = Rand.fresh();
        float first = 9.010914f; // 0x1.205968p3; the float below it has tanh 0.99999994
        float[] big = {first, Math.nextUp(first), 9.5f, 20f, 88f, 1e30f, Float.MAX_VALUE, Float.POSITIVE_INFINITY};
        for (int n : TestShapes.LENGTHS) {
            float[] x = new float[n], dy = rand.uniform(n, -1, 1);
            double[] one = new double[n], zero = new double[n];
            for (int i = 0; i < n; i++) {
                float m = rand.nextInt(3) == 0 ? big[rand.nextInt(big.length)] : rand.uniform(first, 60f);
                x[i] = rand.nextInt(2) == 0 ? -m : m;
                one[i] = Math.signum(x[i]);
            }
            try (Tensor tx = dev.fromArray(x, n); Tensor y = dev.empty(n); Tensor tdy = dev.fromArray(dy, n);
                 Tensor dx = dev.empty(n)) {
                Ops.activation(Activation.TANH, 0f, tx, y);
                Tolerance.of("activation(TANH)", 0, 0).check(rand, "[" + n + "] at |x| >= " + first, one, y.toArray());
                Ops.activationBackward(Activation.TANH, 0f, tx, y, tdy, dx);
                Tolerance.of("activationBackward(TANH)", 0, 0).check(rand, "[" + n + "] at |x| >= " + first, zero,
                        dx.toArray());
            }
        }
        // gemm + tanh: C = A B with A a column of +-10..40 and B a row of +-1, so |C| >= 10
        for (int[] s : TestShapes.MATRICES) {
            int rows = s[0], cols = s[1];
            float[] a = new float[rows], b = new float[cols];
            for (int i = 0; i < rows; i++) {
                a[i] = rand.uniform(10f, 40f) * (rand.nextInt(2) == 0 ? -1 : 1);
            }
            for (int j = 0; j < cols; j++) {
                b[j] = rand.nextInt(2) == 0 ? -1f : 1f;
            }
            double[] ref = new double[rows * cols];
            for (int i = 0; i < rows; i++) {
                for (int j = 0; j < cols; j++) {
                    ref[i * cols + j] = Math.signum(a[i] * b[j]);
                }
            }
            try (Tensor ta = dev.fromArray(a, rows, 1); Tensor tb = dev.fromArray(b, 1, cols);
                 Tensor tc = dev.empty(rows, cols)) {
                Ops.gemm(false, false, 1f, ta, tb, 0f, tc, null, Activation.TANH, 0f);
                Tolerance.of("gemm + tanh", 0, 0).check(rand, TestShapes.of(rows, cols), ref, tc.toArray(), cols);
            }
        }
    }

    /**
     * sigmoid(x) is exactly 0 below x = -88.73, where exp(-x) overflows in 1 / (1 + exp(-x)) (PyTorch's
     * form on its CPU and CUDA, and the CPU backend's), down to -Float.MAX_VALUE and -Inf, and its
     * gradient there is 0 too; through the activation op and gemm's fused epilogue. OpenCL and CUDA
     * took e / (1 + e) for x < 0 and returned subnormals down to x = -103.9 (2.2e-39 at -89).
     */
    @DeviceTest
    void sigmoidIsExactlyZeroWhereExpOfMinusXOverflows(TestDevice td) {
        Device dev = td.open();
        Rand rand = Rand.fresh();
        float first = -88.73f; // exp(88.73) > Float.MAX_VALUE (ln of it is 88.7228)
        float[] big = {first, -89f, -95f, -103.5f, -104f, -200f, -1e30f, -Float.MAX_VALUE, Float.NEGATIVE_INFINITY};
        for (int n : TestShapes.LENGTHS) {
            float[] x = new float[n], dy = rand.uniform(n, -1, 1);
            for (int i = 0; i < n; i++) {
                x[i] = rand.nextInt(3) == 0 ? big[rand.nextInt(big.length)] : rand.uniform(-110f, first);
            }
            try (Tensor tx = dev.fromArray(x, n); Tensor y = dev.empty(n); Tensor tdy = dev.fromArray(dy, n);
                 Tensor dx = dev.empty(n)) {
                Ops.activation(Activation.SIGMOID, 0f, tx, y);
                Tolerance.of("activation(SIGMOID)", 0, 0).check(rand, "[" + n + "] at x <= " + first + " on " + dev.name(),
                        new double[n], y.toArray());
                Ops.activationBackward(Activation.SIGMOID, 0f, tx, y, tdy, dx);
                Tolerance.of("activationBackward(SIGMOID)", 0, 0).check(rand, "[" + n + "] at x <= " + first + " on "
                        + dev.name(), new double[n], dx.toArray());
            }
        }
        // gemm + sigmoid: C = A B with A a column of -89..-1e4 and B a row of ones
        for (int[] s : TestShapes.MATRICES) {
            int rows = s[0], cols = s[1];
            float[] a = new float[rows], b = new float[cols];
            for (int i = 0; i < rows; i++) {
                a[i] = -rand.uniform(89f, 1e4f);
            }
            java.util.Arrays.fill(b, 1f);
            try (Tensor ta = dev.fromArray(a, rows, 1); Tensor tb = dev.fromArray(b, 1, cols);
                 Tensor tc = dev.empty(rows, cols)) {
                Ops.gemm(false, false, 1f, ta, tb, 0f, tc, null, Activation.SIGMOID, 0f);
                Tolerance.of("gemm + sigmoid", 0, 0).check(rand, TestShapes.of(rows, cols) + " on " + dev.name(),
                        new double[rows * cols], tc.toArray(), cols);
            }
        }
    }

    @DeviceTest
    void forwardMatchesFloat64(TestDevice td) {
        Device dev = td.open();
        Rand rand = Rand.fresh();
        for (Activation act : Activation.values()) {
            float alpha = alphaFor(act);
            Tolerance tol = forwardTol(act);
            for (int[] s : TestShapes.MATRICES) {
                int rows = s[0], cols = s[1];
                float[] x = inputs(rand, rows * cols);
                double[] ref = Ref.act(act, alpha, Ref.d(x));
                String what = "x " + TestShapes.of(rows, cols) + " alpha=" + alpha;
                try (Tensor tx = dev.fromArray(x, rows, cols); Tensor y = dev.empty(rows, cols)) {
                    Ops.activation(act, alpha, tx, y);
                    tol.check(rand, what, ref, y.toArray(), cols);
                    Ops.activation(act, alpha, tx, tx);
                    tol.check(rand, what + " in place", ref, tx.toArray(), cols);
                }
            }
            int n = TestShapes.LENGTHS[TestShapes.LENGTHS.length - 1];
            float[] x = inputs(rand, n);
            try (Tensor tx = dev.fromArray(x, n); Tensor y = dev.empty(n)) {
                Ops.activation(act, alpha, tx, y);
                tol.check(rand, "x [" + n + "]", Ref.act(act, alpha, Ref.d(x)), y.toArray());
            }
        }
    }

    /**
     * Long enough that a grid-stride kernel at its largest grid (about 1M work-items on the GPUs
     * and PoCL here) takes its four-elements-per-trip loop, with a tail; in place too.
     */
    @DeviceTest
    void forwardMatchesFloat64OnLongArrays(TestDevice td) {
        Device dev = td.open();
        Rand rand = Rand.fresh();
        int n = (1 << 22) + 4099;
        for (Activation act : new Activation[] {Activation.RELU, Activation.SIGMOID, Activation.ELU}) {
            float alpha = alphaFor(act);
            float[] x = inputs(rand, n);
            double[] ref = Ref.act(act, alpha, Ref.d(x));
            try (Tensor tx = dev.fromArray(x, n); Tensor y = dev.empty(n)) {
                Ops.activation(act, alpha, tx, y);
                forwardTol(act).check(rand, "x [" + n + "]", ref, y.toArray());
                Ops.activation(act, alpha, tx, tx);
                forwardTol(act).check(rand, "x [" + n + "] in place", ref, tx.toArray());
            }
        }
    }

    @DeviceTest
    void backwardMatchesFiniteDifferences(TestDevice td) {
        Device dev = td.open();
        Rand rand = Rand.fresh();
        for (Activation act : Activation.values()) {
            float alpha = alphaFor(act);
            Tolerance tol = Tolerance.of("activationBackward(" + act + ")", 1e-6, 1e-5);
            for (int n : TestShapes.LENGTHS) {
                float[] x = inputs(rand, n), dy = rand.uniform(n, -1, 1);
                double[] deriv = FiniteDiff.elementwise(v -> Ref.act(act, alpha, v), Ref.d(x), 1e-4);
                double[] ref = new double[n];
                for (int i = 0; i < n; i++) {
                    ref[i] = dy[i] * deriv[i];
                }
                String what = "x [" + n + "] alpha=" + alpha + " vs finite differences";
                try (Tensor tx = dev.fromArray(x, n); Tensor y = dev.empty(n); Tensor tdy = dev.fromArray(dy, n);
                     Tensor dx = dev.empty(n)) {
                    Ops.activation(act, alpha, tx, y);
                    Ops.activationBackward(act, alpha, tx, y, tdy, dx);
                    tol.check(rand, what, ref, dx.toArray());
                    Ops.activationBackward(act, alpha, tx, y, tdy, tdy);
                    tol.check(rand, what + " (dx = dy in place)", ref, tdy.toArray());
                }
            }
        }
    }

    /**
     * n uniforms in [-4, 4) with +0 and -0 at random places and at the end (+0 last, -0 before
     * it), where the CPU's Vector API loops leave a scalar tail.
     */
    private static float[] withSignedZeros(Rand rand, int n) {
        float[] x = rand.uniform(n, -4, 4);
        for (int k = 0; k < n / 10 + 1; k++) {
            x[rand.nextInt(n)] = rand.nextInt(2) == 0 ? 0f : -0f;
        }
        for (int k = 0; k < Math.min(n, 2); k++) {
            x[n - 1 - k] = k == 0 ? 0f : -0f;
        }
        return x;
    }
}
