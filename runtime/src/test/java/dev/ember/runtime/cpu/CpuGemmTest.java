package dev.ember.runtime.cpu;

import static org.junit.jupiter.api.Assertions.fail;

import dev.ember.runtime.Activation;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;

/**
 * {@link CpuGemm} against a float64 reference on fresh seeded random inputs (uniform in [-1, 1]).
 *
 * <p>Tolerance: |out - ref| <= atol + rtol * |ref| with atol = 2e-6 * k and rtol = 1e-5. A float32
 * dot product of length k over such inputs errs by about eps * sqrt(k) * |terms|; 2e-6 * k is a
 * loose linear bound that still rejects any wrong index, which errs by O(1). NaN never passes.
 */
class CpuGemmTest {
    private static final CpuPool ONE = new CpuPool(1);
    private static final CpuPool TWO = new CpuPool(2);
    private static final long SEED = System.nanoTime();

    /**
     * m, n, k: degenerate, odd, prime-ish, non-square, and past every block edge (KC, MC, NC, MR, NR);
     * 127^3 and 520 x 300 x 600 take the two-thread row split with a shared packed B (several K
     * slices and NC panels in the latter); 33 x 1000 x 127, 300 x 517 x 259, 65 x 70 x 600 and
     * 1030 x 1100 x 30 the column split with a shared packed A (the last past MC rows, so its
     * column shares walk two row blocks of it).
     */
    private static final int[][] SHAPES = {
        {1, 1, 1}, {1, 517, 259}, {517, 1, 259}, {1, 1, 1000}, {7, 7, 7}, {33, 33, 33}, {127, 127, 127},
        {1000, 33, 7}, {33, 1000, 127}, {300, 517, 259}, {65, 70, 600}, {8, 3100, 40}, {4, 16, 256}, {5, 17, 257},
        {520, 300, 600}, {1030, 1100, 30},
    };

    @AfterAll
    static void closePools() {
        ONE.close();
        TWO.close();
    }

    /**
     * Pack buffers follow the number of products running at once, not the number of threads that
     * ever called: 24 threads calling one after another (as a server's request threads do) reuse
     * the calling-thread sets instead of making one each, and the idle sets stay bounded.
     */
    @Test
    void packBuffersAreReusedAcrossCallingThreads() throws Exception {
        int m = 256, n = 256, k = 256;
        float[] a = new float[m * k], b = new float[k * n];
        Arrays.fill(a, 0.5f);
        Arrays.fill(b, 2f);
        float[][] results = new float[24][];
        long before = CpuGemm.buffersCreated();
        for (int t = 0; t < results.length; t++) {
            int id = t;
            Thread th = new Thread(() -> {
                float[] c = new float[m * n];
                CpuGemm.gemm(id % 2 == 0 ? TWO : ONE, false, false, m, n, k, 1f, a, b, 0f, c, null, Activation.IDENTITY, 0f);
                results[id] = c;
            });
            th.start();
            th.join();
        }
        for (float[] c : results) {
            Assertions.assertEquals(k * 1f, c[0]);
            Assertions.assertEquals(k * 1f, c[m * n - 1]);
        }
        // at most one set for the calling threads (reused) and one per pool worker, not 24
        Assertions.assertTrue(CpuGemm.buffersCreated() - before <= 4,
                "buffer sets made for 24 sequential calling threads: " + (CpuGemm.buffersCreated() - before));
        Assertions.assertTrue(CpuGemm.idleBufferSets() <= CpuGemm.KEEP_BUFFERS + CpuGemm.KEEP_SHARED,
                "idle pack buffers: " + CpuGemm.idleBufferSets());
    }

    /**
     * A piece that fails while packing a shared operand (here op(B) of a tall product, then op(A)
     * of a wide one, one float short, which Ops would refuse but a direct Backend call does not)
     * must fail the call, not leave the other piece waiting forever for a task that will never be
     * done; the pool stays usable afterwards.
     */
    @Test
    void aFailureWhilePackingASharedOperandFailsTheCallInsteadOfHanging() {
        for (int[] s : new int[][] {{512, 512, 512, 0}, {256, 1024, 512, 1}}) {
            int m = s[0], n = s[1], k = s[2];
            boolean shortA = s[3] == 1;
            float[] a = new float[m * k - (shortA ? 1 : 0)], b = new float[k * n - (shortA ? 0 : 1)];
            float[] c = new float[m * n];
            Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(20), () -> {
                Assertions.assertThrows(IndexOutOfBoundsException.class, () -> CpuGemm.gemm(TWO, false, false, m, n, k,
                        1f, a, b, 0f, c, null, Activation.IDENTITY, 0f), "short " + (shortA ? "A" : "B"));
                float[] okA = new float[m * k], okB = new float[k * n];
                Arrays.fill(okA, 1f);
                Arrays.fill(okB, 2f);
                CpuGemm.gemm(TWO, false, false, m, n, k, 1f, okA, okB, 0f, c, null, Activation.IDENTITY, 0f);
                Assertions.assertEquals(2f * k, c[m * n - 1]);
            });
        }
    }

    @Test
    void allTransposesShapesAndThreadCountsWithBetaZeroOverNaN() {
        for (int[] s : SHAPES) {
            for (int t = 0; t < 4; t++) {
                for (CpuPool pool : List.of(ONE, TWO)) {
                    check(pool, (t & 1) != 0, (t & 2) != 0, s[0], s[1], s[2], 1.3f, 0f, false, Activation.IDENTITY, 0f);
                }
            }
        }
    }

    @Test
    void betaOneAndGeneralBetaAndAlpha() {
        for (int[] s : new int[][] {{7, 7, 7}, {127, 33, 300}, {300, 517, 259}, {1, 1000, 1}}) {
            for (int t = 0; t < 4; t++) {
                for (CpuPool pool : List.of(ONE, TWO)) {
                    check(pool, (t & 1) != 0, (t & 2) != 0, s[0], s[1], s[2], 1f, 1f, false, Activation.IDENTITY, 0f);
                    check(pool, (t & 1) != 0, (t & 2) != 0, s[0], s[1], s[2], -0.6f, 0.35f, false, Activation.IDENTITY, 0f);
                }
            }
        }
    }

    @Test
    void biasAndEveryActivationEpilogue() {
        for (Activation act : Activation.values()) {
            float actAlpha = act == Activation.LEAKY_RELU ? 0.1f : act == Activation.ELU ? 0.7f : 0f;
            // 257 x 129 x 300 takes the two-thread row split with a shared packed B, whose epilogue
            // no other shape here reached (its removal survived PIT); the others split columns
            for (int[] s : new int[][] {{3, 5, 2}, {128, 256, 784}, {33, 127, 7}, {300, 517, 259}, {257, 129, 300}}) {
                for (CpuPool pool : List.of(ONE, TWO)) {
                    check(pool, false, true, s[0], s[1], s[2], 1f, 0f, true, act, actAlpha);
                    check(pool, true, false, s[0], s[1], s[2], 0.5f, 0.5f, true, act, actAlpha);
                }
            }
        }
    }

    @Test
    void kZeroScalesCByBetaAndAddsBias() {
        check(ONE, false, false, 5, 9, 0, 1f, 0.5f, true, Activation.RELU, 0f);
        check(TWO, true, true, 40, 3000, 0, 1f, 0f, false, Activation.IDENTITY, 0f);
    }

    @Test
    void repeatedCallsReuseBuffersAcrossShrinkingAndGrowingShapes() {
        for (int[] s : new int[][] {{300, 517, 259}, {7, 7, 7}, {65, 70, 600}, {33, 1000, 127}, {300, 517, 259}}) {
            check(TWO, false, false, s[0], s[1], s[2], 1f, 0f, false, Activation.IDENTITY, 0f);
        }
    }

    /**
     * Several callers share one two-worker pool, so pieces of one call often wait in the queue
     * behind another call's: the shared-B packing must neither deadlock nor mix the callers' buffers.
     */
    @Test
    void concurrentCallersOnOnePoolFinishAndAreCorrect() throws Exception {
        Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(120), () -> {
            var callers = java.util.concurrent.Executors.newFixedThreadPool(3);
            try {
                List<java.util.concurrent.Future<?>> done = new ArrayList<>();
                for (int i = 0; i < 12; i++) {
                    int m = 200 + 37 * (i % 3), n = 100 + 16 * (i % 4), k = 300 + 50 * (i % 2);
                    boolean tb = (i & 1) != 0;
                    done.add(callers.submit(() -> check(TWO, false, tb, m, n, k, 1f, 0f, false, Activation.IDENTITY, 0f)));
                }
                for (var f : done) {
                    f.get();
                }
            } finally {
                callers.shutdownNow();
            }
        });
    }

    @Test
    void plainLoopPathUsedWithoutTheVectorApiIsCorrectToo() {
        for (int t = 0; t < 4; t++) {
            for (CpuPool pool : List.of(ONE, TWO)) {
                check(pool, (t & 1) != 0, (t & 2) != 0, 127, 65, 300, 0.7f, 0f, true, Activation.TANH, 0f, true);
                check(pool, (t & 1) != 0, (t & 2) != 0, 33, 1000, 7, 1f, -1f, false, Activation.IDENTITY, 0f, true);
            }
        }
    }

    private static void check(CpuPool pool, boolean ta, boolean tb, int m, int n, int k, float alpha, float beta,
                              boolean withBias, Activation act, float actAlpha) {
        check(pool, ta, tb, m, n, k, alpha, beta, withBias, act, actAlpha, false);
    }

    private static void check(CpuPool pool, boolean ta, boolean tb, int m, int n, int k, float alpha, float beta,
                              boolean withBias, Activation act, float actAlpha, boolean plainLoops) {
        long seed = SEED ^ (31L * m + 17L * n + k) ^ (ta ? 1 : 0) ^ (tb ? 2 : 0) ^ pool.threads() * 4L;
        SplittableRandom rnd = new SplittableRandom(seed);
        float[] a = uniform(rnd, m * k), b = uniform(rnd, k * n);
        float[] c0 = beta == 0f ? nan(m * n) : uniform(rnd, m * n);
        float[] bias = withBias ? uniform(rnd, n) : null;
        float[] c = c0.clone();
        if (plainLoops) {
            CpuGemm.simple(pool, ta, tb, m, n, k, alpha, a, b, beta, c, bias, act, actAlpha);
        } else {
            CpuGemm.gemm(pool, ta, tb, m, n, k, alpha, a, b, beta, c, bias, act, actAlpha);
        }
        double atol = 2e-6 * Math.max(1, k), rtol = 1e-5;
        List<String> bad = new ArrayList<>();
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double acc = 0;
                for (int p = 0; p < k; p++) {
                    acc += (double) (ta ? a[p * m + i] : a[i * k + p]) * (tb ? b[j * k + p] : b[p * n + j]);
                }
                double v = alpha * acc + (beta == 0f ? 0 : (double) beta * c0[i * n + j]) + (bias == null ? 0 : bias[j]);
                double ref = activation(act, actAlpha, v);
                double out = c[i * n + j];
                if (!(Math.abs(out - ref) <= atol + rtol * Math.abs(ref)) && bad.size() < 5) {
                    bad.add("C[" + i + "," + j + "]=" + out + " ref=" + ref);
                }
            }
        }
        if (!bad.isEmpty()) {
            fail((plainLoops ? "plain-loop gemm " : "gemm ") + (ta ? "T" : "N") + (tb ? "T" : "N") + " m=" + m + " n=" + n + " k=" + k + " alpha=" + alpha
                    + " beta=" + beta + " bias=" + withBias + " act=" + act + " threads=" + pool.threads()
                    + " seed=" + seed + " (atol=" + atol + ", rtol=" + rtol + "): " + bad);
        }
    }

    static double activation(Activation act, double alpha, double x) {
        return switch (act) {
            case IDENTITY -> x;
            case RELU -> Math.max(x, 0);
            case LEAKY_RELU -> x > 0 ? x : alpha * x;
            case ELU -> x > 0 ? x : alpha * Math.expm1(x);
            case SIGMOID -> 1 / (1 + Math.exp(-x));
            case TANH -> Math.tanh(x);
        };
    }

    private static float[] uniform(SplittableRandom rnd, int size) {
        float[] x = new float[size];
        for (int i = 0; i < size; i++) {
            x[i] = (float) rnd.nextDouble(-1, 1);
        }
        return x;
    }

    private static float[] nan(int size) {
        float[] x = new float[size];
        Arrays.fill(x, Float.NaN);
        return x;
    }
}
