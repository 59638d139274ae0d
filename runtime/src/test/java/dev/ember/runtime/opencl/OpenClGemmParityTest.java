package dev.ember.runtime.opencl;

import static dev.ember.runtime.opencl.OpenClTestSupport.*;
import static org.junit.jupiter.api.Assertions.fail;

import dev.ember.runtime.Activation;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * GEMM on OpenCL in all four transpose cases on awkward shapes (1, 7, 33, 127, 200 x 130 x 77, and
 * multiples of 4 that take the vector-load path), against a float64 reference and the CPU backend.
 * Tolerance per element: 2e-6 * (|alpha| sum_p |a||b| + |beta c| + |bias|) + 1e-6, i.e. a few float
 * epsilons of the magnitude actually summed, so cancellation cannot hide a wrong term.
 */
class OpenClGemmParityTest {
    static final int[][] SHAPES = {
        {1, 1, 1}, {7, 7, 7}, {33, 33, 33}, {127, 127, 127}, {200, 130, 77}, {1, 127, 33}, {127, 1, 7},
        {7, 33, 1}, {64, 64, 64}, {68, 36, 100}, {5, 256, 3}, {129, 67, 256},
    };

    static java.util.List<String> devices() {
        return OpenClTestSupport.devices();
    }

    private static void check(OpenClBackend cl, boolean ta, boolean tb, int m, int n, int k, float alpha, float beta,
                              boolean bias, Activation act, long seed) {
        Random r = new Random(seed);
        float[] a = uniform(r, m * k, -1, 1), b = uniform(r, k * n, -1, 1), c = uniform(r, m * n, -1, 1);
        float[] bs = uniform(r, n, -1, 1);
        float[] cIn = c.clone();
        if (beta == 0f) {
            java.util.Arrays.fill(cIn, Float.NaN); // must not be read
        }
        double[] ref = new double[m * n];
        double[] mag = new double[m * n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double acc = 0, abs = 0;
                for (int p = 0; p < k; p++) {
                    double av = ta ? a[p * m + i] : a[i * k + p];
                    double bv = tb ? b[j * k + p] : b[p * n + j];
                    acc += av * bv;
                    abs += Math.abs(av * bv);
                }
                double v = alpha * acc + (beta == 0f ? 0 : beta * (double) c[i * n + j]) + (bias ? bs[j] : 0);
                mag[i * n + j] = Math.abs(alpha) * abs + (beta == 0f ? 0 : Math.abs(beta * c[i * n + j]))
                        + (bias ? Math.abs(bs[j]) : 0);
                ref[i * n + j] = switch (act) {
                    case RELU -> Math.max(v, 0);
                    case TANH -> Math.tanh(v);
                    case SIGMOID -> 1 / (1 + Math.exp(-v));
                    default -> v;
                };
            }
        }
        try (Pair pa = new Pair(cl, a); Pair pb = new Pair(cl, b); Pair pc = new Pair(cl, cIn); Pair pbias = new Pair(cl, bs)) {
            cl.gemm(ta, tb, m, n, k, alpha, pa.cl, pb.cl, beta, pc.cl, bias ? pbias.cl : null, act, 0f);
            cpu().gemm(ta, tb, m, n, k, alpha, pa.cpu, pb.cpu, beta, pc.cpu, bias ? pbias.cpu : null, act, 0f);
            float[] got = pc.clValues(), cpuGot = pc.cpuValues();
            String what = String.format("gemm trans=(%b,%b) %dx%dx%d alpha=%s beta=%s bias=%b act=%s", ta, tb, m, n, k,
                    alpha, beta, bias, act);
            for (int i = 0; i < ref.length; i++) {
                double tol = 2e-6 * mag[i] + 1e-6;
                if (!(Math.abs(got[i] - ref[i]) <= tol)) {
                    fail(what + ": C[" + i / n + "," + i % n + "] = " + got[i] + ", float64 reference " + ref[i]
                            + " (tol " + tol + "), seed " + seed);
                }
                if (!(Math.abs(got[i] - cpuGot[i]) <= 2 * tol)) {
                    fail(what + ": C[" + i / n + "," + i % n + "] = " + got[i] + ", cpu " + cpuGot[i] + ", seed " + seed);
                }
            }
        }
    }

    @ParameterizedTest(name = "[{0}] all transposes, awkward shapes, alpha/beta")
    @MethodSource("devices")
    void allTransposesAllShapes(String device) {
        OpenClBackend cl = cl();
        long seed = 4242;
        for (int[] s : SHAPES) {
            for (int t = 0; t < 4; t++) {
                boolean ta = (t & 2) != 0, tb = (t & 1) != 0;
                check(cl, ta, tb, s[0], s[1], s[2], 1f, 0f, false, Activation.IDENTITY, seed++);
                check(cl, ta, tb, s[0], s[1], s[2], -0.5f, 0.75f, false, Activation.IDENTITY, seed++);
            }
        }
    }

    @ParameterizedTest(name = "[{0}] fused bias + activation epilogue")
    @MethodSource("devices")
    void fusedEpilogue(String device) {
        OpenClBackend cl = cl();
        long seed = 99;
        for (Activation act : new Activation[] {Activation.IDENTITY, Activation.RELU, Activation.TANH, Activation.SIGMOID}) {
            check(cl, false, false, 33, 45, 17, 1f, 0f, true, act, seed++);
            check(cl, true, true, 7, 130, 64, 0.5f, 1f, true, act, seed++);
        }
    }

    /**
     * Non-square tiles. The default tiles are square (and so are RTS_M = TS_M / WPT_M and RTS_N =
     * TS_N / WPT_N in every candidate), so a kernel that mixes up the A and B tile strides, RTS_M
     * and RTS_N or WPT_M and WPT_N computes correctly with them and wrongly only on a device tuned
     * otherwise: the candidate the tuner picks on PoCL on an EPYC (TS_M != TS_N, WPT_M != WPT_N),
     * and one where each of those pairs differs, RTS_M = 16 and RTS_N = 8 included.
     */
    static final java.util.List<GemmConfig> NON_SQUARE = java.util.List.of(new GemmConfig(32, 64, 16, 4, 8, 4),
            new GemmConfig(32, 64, 16, 2, 8, 4));

    /**
     * The default tiles, the ones in use and the {@link #NON_SQUARE} ones pass the tuner's own check
     * (every candidate must pass it before it may win; -Dember.test.allGemmConfigs=true checks all
     * candidates here, which on PoCL costs tens of seconds of compilation per candidate when its
     * cache is cold).
     */
    @ParameterizedTest(name = "[{0}] default, chosen and non-square tile configs pass the tuner's correctness check")
    @MethodSource("devices")
    void tileConfigsComputeCorrectly(String device) {
        OpenClBackend cl = cl();
        java.util.List<GemmConfig> configs = new java.util.ArrayList<>(Boolean.getBoolean("ember.test.allGemmConfigs")
                ? GemmConfig.CANDIDATES : java.util.List.of(GemmConfig.DEFAULT, cl.gemmConfig()));
        configs.addAll(NON_SQUARE);
        for (GemmConfig cfg : configs) {
            if (OpenClTuner.fits(cl, cfg)) {
                String wrong = OpenClTuner.check(cl, cfg);
                if (wrong != null) {
                    fail(cfg + " on " + device + ": " + wrong);
                }
            }
        }
    }

    /**
     * gemm.cl's constant-trip tile loads (what GPUs and PoCL 4+ build) on this device too, where the
     * backend would pick the plain loops for PoCL 3: the default tiles, the tiles NVIDIA's OpenCL
     * tuned to on an H200, and 16 x 16 x 8 with one element per work-item and scalar loads, whose
     * 256 work-items outnumber a 128-element tile (the only one of these where the guard that skips
     * the surplus trips matters). (PoCL 3.1 miscompiles this form for the 64 x 64 x 8 candidate only.)
     */
    @ParameterizedTest(name = "[{0}] gemm.cl's constant-trip loads compute correctly")
    @MethodSource("devices")
    void uniformTripLoadsComputeCorrectly(String device) {
        OpenClBackend shared = cl();
        String before = System.getProperty("ember.opencl.gemmLoops");
        System.setProperty("ember.opencl.gemmLoops", "uniform");
        OpenClBackend uniform;
        try {
            uniform = new OpenClBackend(shared.device());
        } finally {
            if (before == null) {
                System.clearProperty("ember.opencl.gemmLoops");
            } else {
                System.setProperty("ember.opencl.gemmLoops", before);
            }
        }
        try {
            for (GemmConfig cfg : java.util.List.of(GemmConfig.DEFAULT, new GemmConfig(64, 64, 16, 8, 8, 4),
                    new GemmConfig(16, 16, 8, 1, 1, 1))) {
                if (OpenClTuner.fits(uniform, cfg)) {
                    String wrong = OpenClTuner.check(uniform, cfg);
                    if (wrong != null) {
                        fail(cfg + " with constant-trip loads on " + device + ": " + wrong);
                    }
                }
            }
        } finally {
            uniform.close();
        }
    }
}
