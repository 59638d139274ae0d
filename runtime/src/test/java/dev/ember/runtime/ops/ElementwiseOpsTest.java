package dev.ember.runtime.ops;

import dev.ember.runtime.Device;
import dev.ember.runtime.Ops;
import dev.ember.runtime.Tensor;
import dev.ember.runtime.testing.DeviceTest;
import dev.ember.runtime.testing.Rand;
import dev.ember.runtime.testing.TestDevice;
import dev.ember.runtime.testing.TestShapes;
import dev.ember.runtime.testing.Tolerance;

/**
 * add, sub, mul, scale, axpy and clamp, out of place and in place, on every test length.
 *
 * <p>Tolerances: add, sub, mul, scale and clamp are single IEEE operations, so the float32 result
 * is the float64 one rounded: rtol 6e-8 (half an ulp), atol 0 (clamp is exact). axpy may run
 * as one fused multiply-add or as two roundings: atol 6e-8 |alpha x| + rtol 6e-8 |ref|, bounded
 * here by atol 2e-7 (|alpha x| <= 3) and rtol 1.2e-7. clamp's signed zeros and NaN are compared
 * bit for bit.
 */
class ElementwiseOpsTest {
    private static final double HALF_ULP = 0x1.0p-24;

    private interface Binary {
        void run(Tensor a, Tensor b, Tensor out);
    }

    private interface Exact {
        double at(double a, double b);
    }

    private static void checkBinary(Device dev, Rand rand, String op, Binary f, Exact ref) {
        Tolerance tol = Tolerance.of(op, 0, HALF_ULP);
        for (int n : TestShapes.LENGTHS) {
            float[] a = rand.uniform(n, -4, 4), b = rand.uniform(n, -4, 4);
            double[] r = new double[n];
            for (int i = 0; i < n; i++) {
                r[i] = ref.at(a[i], b[i]);
            }
            try (Tensor ta = dev.fromArray(a, n); Tensor tb = dev.fromArray(b, n); Tensor out = dev.empty(n)) {
                f.run(ta, tb, out);
                tol.check(rand, "[" + n + "]", r, out.toArray());
                f.run(ta, tb, ta);
                tol.check(rand, "[" + n + "] into a", r, ta.toArray());
                ta.copyFrom(a);
                f.run(ta, tb, tb);
                tol.check(rand, "[" + n + "] into b", r, tb.toArray());
            }
        }
        for (int[] s : TestShapes.MATRICES) {
            int rows = s[0], cols = s[1];
            float[] a = rand.uniform(rows * cols, -4, 4), b = rand.uniform(rows * cols, -4, 4);
            double[] r = new double[a.length];
            for (int i = 0; i < a.length; i++) {
                r[i] = ref.at(a[i], b[i]);
            }
            try (Tensor ta = dev.fromArray(a, rows, cols); Tensor tb = dev.fromArray(b, rows, cols);
                 Tensor out = dev.empty(rows, cols)) {
                f.run(ta, tb, out);
                tol.check(rand, TestShapes.of(rows, cols), r, out.toArray(), cols);
            }
        }
    }

    @DeviceTest
    void add(TestDevice td) {
        checkBinary(td.open(), Rand.fresh(), "add", Ops::add, (a, b) -> a + b);
    }

    @DeviceTest
    void sub(TestDevice td) {
        checkBinary(td.open(), Rand.fresh(), "sub", Ops::sub, (a, b) -> a - b);
    }

    @DeviceTest
    void mul(TestDevice td) {
        checkBinary(td.open(), Rand.fresh(), "mul", Ops::mul, (a, b) -> a * b);
    }

    @DeviceTest
    void scale(TestDevice td) {
        Device dev = td.open();
        Rand rand = Rand.fresh();
        Tolerance tol = Tolerance.of("scale", 0, HALF_ULP);
        for (int n : TestShapes.LENGTHS) {
            float s = rand.uniform(-3, 3);
            float[] x = rand.uniform(n, -4, 4);
            double[] r = new double[n];
            for (int i = 0; i < n; i++) {
                r[i] = (double) s * x[i];
            }
            try (Tensor tx = dev.fromArray(x, n); Tensor out = dev.empty(n)) {
                Ops.scale(s, tx, out);
                tol.check(rand, "[" + n + "] s=" + s, r, out.toArray());
                Ops.scale(s, tx, tx);
                tol.check(rand, "[" + n + "] s=" + s + " in place", r, tx.toArray());
            }
        }
    }

    @DeviceTest
    void axpy(TestDevice td) {
        Device dev = td.open();
        Rand rand = Rand.fresh();
        Tolerance tol = Tolerance.of("axpy", 2e-7, 2 * HALF_ULP);
        for (int n : TestShapes.LENGTHS) {
            float alpha = rand.uniform(-0.75f, 0.75f);
            float[] x = rand.uniform(n, -4, 4), y = rand.uniform(n, -4, 4);
            double[] r = new double[n];
            for (int i = 0; i < n; i++) {
                r[i] = y[i] + (double) alpha * x[i];
            }
            try (Tensor tx = dev.fromArray(x, n); Tensor ty = dev.fromArray(y, n)) {
                Ops.axpy(alpha, tx, ty);
                tol.check(rand, "[" + n + "] alpha=" + alpha, r, ty.toArray());
            }
        }
    }

    @DeviceTest
    void clamp(TestDevice td) {
        Device dev = td.open();
        Rand rand = Rand.fresh();
        Tolerance tol = Tolerance.of("clamp", 0, 0);
        float[][] bounds = {{-1f, 1f}, {0f, 0f}, {-10f, -2f}, {0.5f, 3f}};
        for (int n : TestShapes.LENGTHS) {
            for (float[] lh : bounds) {
                float[] x = rand.uniform(n, -4, 4);
                double[] r = new double[n];
                for (int i = 0; i < n; i++) {
                    r[i] = x[i] < lh[0] ? lh[0] : (x[i] > lh[1] ? lh[1] : x[i]);
                }
                try (Tensor tx = dev.fromArray(x, n); Tensor out = dev.empty(n)) {
                    Ops.clamp(lh[0], lh[1], tx, out);
                    tol.check(rand, "[" + n + "] to [" + lh[0] + ", " + lh[1] + "]", r, out.toArray());
                    Ops.clamp(lh[0], lh[1], tx, tx);
                    tol.check(rand, "[" + n + "] to [" + lh[0] + ", " + lh[1] + "] in place", r, tx.toArray());
                }
            }
        }
    }

    /**
     * torch.clamp keeps x where it equals a bound (x < lo ? lo : x > hi ? hi : x, in ATen's CPU
     * scalar and vector kernels and its CUDA functor alike), so a zero keeps its sign: clamp of -0
     * to [0, 1] is -0, of +0 to [-0, 1] is +0; NaN stays NaN. Compared bit for bit (a tolerance
     * cannot see the sign of a zero), with the specials at random places among ordinary values
     * and at the end (where the CPU's Vector API loop leaves a scalar tail).
     */
    @DeviceTest
    void clampKeepsTheSignOfAZeroAndNan(TestDevice td) {
        Device dev = td.open();
        Rand rand = Rand.fresh();
        float[] specials = {0f, -0f, Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY};
        float[][] bounds = {{0f, 1f}, {-0f, 1f}, {-1f, 0f}, {-1f, -0f}, {-0f, 0f}, {0f, 0f}, {-0f, -0f}};
        // 8195: past the CPU's Vector API threshold (8192) with 3 values for its loop's scalar tail
        int[] lengths = java.util.stream.IntStream.concat(java.util.Arrays.stream(TestShapes.LENGTHS),
                java.util.stream.IntStream.of(8195)).toArray();
        for (int n : lengths) {
            for (float[] lh : bounds) {
                float[] x = rand.uniform(n, -2, 2);
                for (int k = 0; k < Math.max(1, n / 4); k++) {
                    x[rand.nextInt(n)] = specials[rand.nextInt(specials.length)];
                }
                for (int k = 0; k < Math.min(n, specials.length); k++) { // and the specials at the end
                    x[n - 1 - k] = specials[k];
                }
                try (Tensor tx = dev.fromArray(x, n); Tensor out = dev.empty(n)) {
                    Ops.clamp(lh[0], lh[1], tx, out);
                    float[] got = out.toArray();
                    for (int i = 0; i < n; i++) {
                        float ref = x[i] < lh[0] ? lh[0] : (x[i] > lh[1] ? lh[1] : x[i]);
                        boolean same = Float.isNaN(ref) ? Float.isNaN(got[i])
                                : Float.floatToRawIntBits(ref) == Float.floatToRawIntBits(got[i]);
                        org.junit.jupiter.api.Assertions.assertTrue(same, "clamp [" + n + "] of x[" + i + "] = " + x[i]
                                + " to [" + lh[0] + ", " + lh[1] + "] on " + dev.name() + ": " + got[i] + ", expected "
                                + ref + "; " + rand.seedNote());
                    }
                }
            }
        }
    }
}
