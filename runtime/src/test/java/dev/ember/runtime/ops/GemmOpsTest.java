package dev.ember.runtime.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.fail;

import dev.ember.runtime.Activation;
import dev.ember.runtime.Device;
import dev.ember.runtime.Ops;
import dev.ember.runtime.Tensor;
import dev.ember.runtime.testing.DeviceTest;
import dev.ember.runtime.testing.FiniteDiff;
import dev.ember.runtime.testing.Rand;
import dev.ember.runtime.testing.Ref;
import dev.ember.runtime.testing.TestDevice;
import dev.ember.runtime.testing.Tolerance;
import java.util.ArrayList;
import java.util.List;

/**
 * gemm (four transpose cases, alpha/beta, beta = 0 ignoring NaN in C, fused bias + activation),
 * matmul, and gemm as the backward of matmul against finite differences.
 *
 * <p>Tolerance: inputs are uniform in [-1, 1], so the float32 rounding error of an element is
 * bounded by a small multiple of eps32 * sqrt(k) * S, where S = |alpha| sum_p |op(A)_ip op(B)_pj|
 * + |beta| |C_ij| + |bias_j| is the scale of the terms summed (random-walk growth in k for any
 * summation order). We accept atol = 1e-6 sqrt(k) max S (about 16 eps32 sqrt(k) S) and
 * rtol = 1e-6; a wrong or missing term changes an element by ~|a b| ~ 0.3, far above that.
 */
class GemmOpsTest {
    private static final double RTOL = 1e-6, ATOL_PER_SQRT_K = 1e-6;

    /** (m, n, k): 1x1, 1xN, Nx1, 7, 33, 127, non-square; all sides <= 256 so PoCL stays fast. */
    private static final int[][] SHAPES = {
        {1, 1, 1}, {1, 33, 7}, {33, 1, 7}, {7, 7, 1}, {1, 1, 127}, {7, 33, 127}, {127, 33, 7}, {33, 127, 65},
        {129, 31, 256}, {256, 256, 256},
    };
    /** Shapes with a side of 1000, run on the CPU only (the float64 reference is the slow part elsewhere). */
    private static final int[][] CPU_SHAPES = {{1000, 7, 33}, {7, 1000, 33}, {33, 7, 1000}, {127, 129, 1000}};
    private static final float[][] ALPHA_BETA = {{1f, 0f}, {1.5f, 0.5f}, {-0.75f, 1f}};

    private static List<int[]> shapes(TestDevice td) {
        List<int[]> s = new ArrayList<>(List.of(SHAPES));
        if (td.isCpu()) {
            s.addAll(List.of(CPU_SHAPES));
        }
        return s;
    }

    /** Checks C against the float64 reference with the scaled tolerance described above. */
    private static void checkGemm(Rand rand, String what, boolean ta, boolean tb, int m, int n, int k, float alpha,
                                  double[] a, double[] b, float beta, double[] c0, double[] bias, Activation act,
                                  float actAlpha, float[] out) {
        double[] pre = Ref.gemm(ta, tb, m, n, k, alpha, a, b, beta, c0);
        double[] abs = Ref.gemmAbs(ta, tb, m, n, k, a, b);
        double scale = 0;
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                int e = i * n + j;
                if (bias != null) {
                    pre[e] += bias[j];
                }
                double s = Math.abs(alpha) * abs[e] + (beta == 0 ? 0 : Math.abs(beta * c0[e]))
                        + (bias == null ? 0 : Math.abs(bias[j]));
                scale = Math.max(scale, s);
            }
        }
        // Every activation here is Lipschitz with constant <= 1 (elu with alpha <= 1), so the
        // GEMM error bound carries over; the activation itself adds a relative rounding error.
        double[] ref = Ref.act(act, actAlpha, pre);
        double rtol = act == Activation.IDENTITY || act == Activation.RELU ? RTOL : 1e-5;
        Tolerance.of("gemm", ATOL_PER_SQRT_K * Math.sqrt(k) * scale, rtol).check(rand, what, ref, out, n);
    }

    private static String describe(boolean ta, boolean tb, int m, int n, int k, float alpha, float beta) {
        return "op(A) " + m + "x" + k + (ta ? " (A transposed)" : "") + " op(B) " + k + "x" + n
                + (tb ? " (B transposed)" : "") + " alpha=" + alpha + " beta=" + beta;
    }

    @DeviceTest
    void allTransposeCasesAlphaBeta(TestDevice td) {
        Device dev = td.open();
        Rand rand = Rand.fresh();
        int combo = 0;
        for (int[] s : shapes(td)) {
            int m = s[0], n = s[1], k = s[2];
            for (int t = 0; t < 4; t++) {
                boolean ta = (t & 1) != 0, tb = (t & 2) != 0;
                float alpha = ALPHA_BETA[combo % 3][0], beta = ALPHA_BETA[combo % 3][1];
                combo++;
                float[] a = rand.uniform(m * k, -1, 1), b = rand.uniform(k * n, -1, 1), c = rand.uniform(m * n, -1, 1);
                try (Tensor ta2 = dev.fromArray(a, ta ? k : m, ta ? m : k);
                     Tensor tb2 = dev.fromArray(b, tb ? n : k, tb ? k : n);
                     Tensor tc = dev.fromArray(c, m, n)) {
                    Ops.gemm(ta, tb, alpha, ta2, tb2, beta, tc);
                    checkGemm(rand, describe(ta, tb, m, n, k, alpha, beta), ta, tb, m, n, k, alpha, Ref.d(a),
                            Ref.d(b), beta, Ref.d(c), null, Activation.IDENTITY, 0f, tc.toArray());
                }
            }
        }
    }

    @DeviceTest
    void betaZeroDoesNotReadC(TestDevice td) {
        Device dev = td.open();
        Rand rand = Rand.fresh();
        int[][] shapes = {{1, 1, 1}, {7, 33, 5}, {33, 7, 127}, {64, 65, 17}};
        for (int[] s : shapes) {
            int m = s[0], n = s[1], k = s[2];
            for (int t = 0; t < 4; t++) {
                boolean ta = (t & 1) != 0, tb = (t & 2) != 0;
                float[] a = rand.uniform(m * k, -1, 1), b = rand.uniform(k * n, -1, 1);
                try (Tensor ta2 = dev.fromArray(a, ta ? k : m, ta ? m : k);
                     Tensor tb2 = dev.fromArray(b, tb ? n : k, tb ? k : n);
                     Tensor tc = dev.empty(m, n).fill(Float.NaN)) {
                    Ops.gemm(ta, tb, 2f, ta2, tb2, 0f, tc);
                    checkGemm(rand, describe(ta, tb, m, n, k, 2f, 0f) + " with C full of NaN", ta, tb, m, n, k, 2f,
                            Ref.d(a), Ref.d(b), 0f, null, null, Activation.IDENTITY, 0f, tc.toArray());
                }
            }
        }
    }

    /**
     * A NaN in op(A) reaches only its row of C and a NaN in op(B) only its column (NaN times anything
     * is NaN; nothing else reads it). The NaNs sit at the start of a stored row, right after the end
     * of the row before it: a tile load that reads past the end of a row of length K (a vector of
     * four crossing it, a K-tail guard off by one) pulls that NaN into a zero-padded slot, where
     * 0 * NaN poisons a row or column of C that must stay finite. K takes every residue mod 4 (the
     * vector loads are used at K = 0 mod 4 only), with tails past the 16-deep tiles; all four
     * transpose cases. Finite elements get the GEMM tolerance.
     */
    @DeviceTest
    void aNanInAOrBStaysInItsRowOrColumn(TestDevice td) {
        Device dev = td.open();
        Rand rand = Rand.fresh();
        int[][] shapes = {{7, 9, 10}, {34, 33, 34}, {33, 34, 17}, {66, 35, 65}, {10, 66, 36}, {9, 7, 3}};
        for (int[] s : shapes) {
            int m = s[0], n = s[1], k = s[2];
            for (int t = 0; t < 4; t++) {
                boolean ta = (t & 1) != 0, tb = (t & 2) != 0;
                float[] a = rand.uniform(m * k, -1, 1), b = rand.uniform(k * n, -1, 1);
                int aRows = ta ? k : m, aCols = ta ? m : k, bRows = tb ? n : k, bCols = tb ? k : n;
                // the first element of a stored row other than the first
                a[(1 + rand.nextInt(aRows - 1)) * aCols] = Float.NaN;
                b[(1 + rand.nextInt(bRows - 1)) * bCols] = Float.NaN;
                double[] ref = Ref.gemm(ta, tb, m, n, k, 1.5, Ref.d(a), Ref.d(b), 0, null);
                String what = describe(ta, tb, m, n, k, 1.5f, 0f) + ", NaN at the start of a stored row of A and of B";
                try (Tensor ta2 = dev.fromArray(a, aRows, aCols); Tensor tb2 = dev.fromArray(b, bRows, bCols);
                     Tensor tc = dev.empty(m, n)) {
                    Ops.gemm(ta, tb, 1.5f, ta2, tb2, 0f, tc);
                    float[] out = tc.toArray();
                    double[] finiteRef = ref.clone();
                    for (int e = 0; e < ref.length; e++) {
                        if (Double.isNaN(ref[e]) != Float.isNaN(out[e])) {
                            fail("gemm " + what + " on " + dev.name() + ": C[" + e / n + "][" + e % n + "] = "
                                    + out[e] + ", reference " + ref[e] + "; " + rand.seedNote());
                        }
                        if (Double.isNaN(ref[e])) {
                            finiteRef[e] = 0;
                            out[e] = 0f;
                        }
                    }
                    // |op(A) op(B)| <= k elementwise with inputs in [-1, 1]: the GEMM bound with S = 1.5 k.
                    Tolerance.of("gemm", ATOL_PER_SQRT_K * Math.sqrt(k) * 1.5 * k, RTOL).check(rand, what, finiteRef,
                            out, n);
                }
            }
        }
    }

    /**
     * BLAS semantics for alpha = 0: A and B are not read, so Inf and NaN in them do not reach C,
     * which becomes act(beta * C + bias) (beta = 0 still ignores NaN in C).
     */
    @DeviceTest
    void alphaZeroDoesNotReadAOrB(TestDevice td) {
        Device dev = td.open();
        Rand rand = Rand.fresh();
        int[][] shapes = {{1, 1, 1}, {7, 33, 5}, {33, 7, 127}};
        int combo = 0;
        for (int[] s : shapes) {
            int m = s[0], n = s[1], k = s[2];
            for (int t = 0; t < 4; t++) {
                boolean ta = (t & 1) != 0, tb = (t & 2) != 0, withBias = (combo & 1) == 0;
                float beta = new float[] {0f, 1f, -0.5f}[combo % 3];
                Activation act = new Activation[] {Activation.IDENTITY, Activation.RELU, Activation.TANH}[combo % 3];
                combo++;
                float[] a = rand.uniform(m * k, -1, 1), b = rand.uniform(k * n, -1, 1);
                a[rand.nextInt(a.length)] = Float.POSITIVE_INFINITY;
                b[rand.nextInt(b.length)] = Float.NaN;
                float[] c = rand.uniform(m * n, -1, 1), bias = rand.uniform(n, -2, 2);
                double[] c0 = Ref.d(c);
                if (beta == 0f) {
                    java.util.Arrays.fill(c, Float.NaN);
                }
                try (Tensor ta2 = dev.fromArray(a, ta ? k : m, ta ? m : k);
                     Tensor tb2 = dev.fromArray(b, tb ? n : k, tb ? k : n);
                     Tensor tc = dev.fromArray(c, m, n); Tensor tbias = dev.fromArray(bias, n)) {
                    Ops.gemm(ta, tb, 0f, ta2, tb2, beta, tc, withBias ? tbias : null, act, 0f);
                    double[] pre = new double[m * n];
                    double scale = 0;
                    for (int i = 0; i < m; i++) {
                        for (int j = 0; j < n; j++) {
                            int e = i * n + j;
                            pre[e] = (beta == 0f ? 0 : beta * c0[e]) + (withBias ? bias[j] : 0);
                            scale = Math.max(scale, Math.abs(pre[e]));
                        }
                    }
                    Tolerance.of("gemm alpha=0", 1e-6 * scale, 1e-5).check(rand, describe(ta, tb, m, n, k, 0f, beta)
                            + " bias=" + withBias + " act=" + act + ", Inf in A, NaN in B"
                            + (beta == 0f ? ", NaN in C" : ""), Ref.act(act, 0f, pre), tc.toArray(), n);
                }
            }
        }
    }

    @DeviceTest
    void fusedBiasAndActivationEpilogue(TestDevice td) {
        Device dev = td.open();
        Rand rand = Rand.fresh();
        int[][] shapes = {{1, 1, 1}, {1, 33, 7}, {33, 1, 7}, {7, 33, 127}, {127, 65, 33}};
        int combo = 0;
        for (Activation act : Activation.values()) {
            float actAlpha = act == Activation.LEAKY_RELU ? 0.1f : act == Activation.ELU ? 0.8f : 0f;
            for (int[] s : shapes) {
                int m = s[0], n = s[1], k = s[2];
                boolean ta = (combo & 1) != 0, tb = (combo & 2) != 0, withBias = (combo % 3) != 2;
                float beta = (combo % 2 == 0) ? 0f : 1f;
                combo++;
                float[] a = rand.uniform(m * k, -1, 1), b = rand.uniform(k * n, -1, 1);
                float[] c = rand.uniform(m * n, -1, 1), bias = rand.uniform(n, -2, 2);
                try (Tensor ta2 = dev.fromArray(a, ta ? k : m, ta ? m : k);
                     Tensor tb2 = dev.fromArray(b, tb ? n : k, tb ? k : n);
                     Tensor tc = dev.fromArray(c, m, n);
                     Tensor tbias = dev.fromArray(bias, n)) {
                    Ops.gemm(ta, tb, 1.25f, ta2, tb2, beta, tc, withBias ? tbias : null, act, actAlpha);
                    checkGemm(rand, describe(ta, tb, m, n, k, 1.25f, beta) + " bias=" + withBias + " act=" + act
                                    + "(" + actAlpha + ")", ta, tb, m, n, k, 1.25f, Ref.d(a), Ref.d(b), beta,
                            Ref.d(c), withBias ? Ref.d(bias) : null, act, actAlpha, tc.toArray());
                }
            }
        }
    }

    @DeviceTest
    void matmulAllocatesTheProduct(TestDevice td) {
        Device dev = td.open();
        Rand rand = Rand.fresh();
        int[][] shapes = {{1, 1, 1}, {1, 127, 33}, {127, 1, 33}, {7, 33, 1}, {33, 7, 127}};
        for (int[] s : shapes) {
            int m = s[0], n = s[1], k = s[2];
            float[] a = rand.uniform(m * k, -1, 1), b = rand.uniform(k * n, -1, 1);
            try (Tensor ta = dev.fromArray(a, m, k); Tensor tb = dev.fromArray(b, k, n);
                 Tensor c = Ops.matmul(ta, tb)) {
                assertArrayEquals(new int[] {m, n}, c.shape(), "matmul result shape");
                assertSame(dev, c.device(), "matmul result device");
                checkGemm(rand, "matmul " + m + "x" + k + " * " + k + "x" + n, false, false, m, n, k, 1f, Ref.d(a),
                        Ref.d(b), 0f, null, null, Activation.IDENTITY, 0f, c.toArray());
            }
        }
    }

    /**
     * For L = sum(G o (A B)): dL/dA = G B^T = gemm(no, trans) and dL/dB = A^T G = gemm(trans, no),
     * checked against central differences of L in float64, both written fresh (beta 0) and
     * accumulated onto an existing gradient (beta 1). FD of a bilinear form is exact up to
     * float64 rounding, so the tolerance is the GEMM one.
     */
    @DeviceTest
    void gemmIsTheBackwardOfMatmul(TestDevice td) {
        Device dev = td.open();
        Rand rand = Rand.fresh();
        int[][] shapes = {{1, 1, 1}, {1, 9, 5}, {9, 1, 5}, {7, 11, 13}, {16, 3, 33}};
        for (int[] s : shapes) {
            int m = s[0], n = s[1], k = s[2];
            float[] a = rand.uniform(m * k, -1, 1), b = rand.uniform(k * n, -1, 1), g = rand.uniform(m * n, -1, 1);
            float[] prevA = rand.uniform(m * k, -1, 1), prevB = rand.uniform(k * n, -1, 1);
            double[] ad = Ref.d(a), bd = Ref.d(b), gd = Ref.d(g);
            double[] fdA = FiniteDiff.gradient(
                    x -> Ref.dot(gd, Ref.gemm(false, false, m, n, k, 1, x, bd, 0, null)), ad);
            double[] fdB = FiniteDiff.gradient(
                    x -> Ref.dot(gd, Ref.gemm(false, false, m, n, k, 1, ad, x, 0, null)), bd);
            String what = "backward of matmul " + m + "x" + k + " * " + k + "x" + n;
            // Tolerance: n (resp. m) terms of magnitude <= 1 are summed per gradient element.
            Tolerance tolA = Tolerance.of("gemm", 1e-6 * Math.sqrt(n) * (n + 1), RTOL);
            Tolerance tolB = Tolerance.of("gemm", 1e-6 * Math.sqrt(m) * (m + 1), RTOL);
            try (Tensor ta = dev.fromArray(a, m, k); Tensor tb = dev.fromArray(b, k, n);
                 Tensor tg = dev.fromArray(g, m, n);
                 Tensor da = dev.empty(m, k); Tensor db = dev.empty(k, n)) {
                Ops.gemm(false, true, 1f, tg, tb, 0f, da);
                Ops.gemm(true, false, 1f, ta, tg, 0f, db);
                tolA.check(rand, what + ": dA = G B^T vs finite differences", fdA, da.toArray(), k);
                tolB.check(rand, what + ": dB = A^T G vs finite differences", fdB, db.toArray(), n);
                da.copyFrom(prevA);
                db.copyFrom(prevB);
                Ops.gemm(false, true, 1f, tg, tb, 1f, da);
                Ops.gemm(true, false, 1f, ta, tg, 1f, db);
                double[] accA = fdA.clone(), accB = fdB.clone();
                for (int i = 0; i < accA.length; i++) {
                    accA[i] += prevA[i];
                }
                for (int i = 0; i < accB.length; i++) {
                    accB[i] += prevB[i];
                }
                tolA.check(rand, what + ": dA += G B^T (accumulate)", accA, da.toArray(), k);
                tolB.check(rand, what + ": dB += A^T G (accumulate)", accB, db.toArray(), n);
            }
        }
    }
}
