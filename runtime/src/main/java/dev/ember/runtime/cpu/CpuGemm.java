package dev.ember.runtime.cpu;

import dev.ember.runtime.Activation;

/**
 * CPU single-precision GEMM with a fused bias/activation epilogue:
 * C = act(alpha * op(A) * op(B) + beta * C + bias), row-major, all four transpose cases.
 */
final class CpuGemm {
    private CpuGemm() {
    }

    static void gemm(CpuPool pool, boolean transA, boolean transB, int m, int n, int k, float alpha, float[] a,
                     float[] b, float beta, float[] c, float[] bias, Activation act, float actAlpha) {
        long work = (long) m * n * k;
        int grain = (int) Math.max(1, Math.min(m, (1L << 16) / Math.max(1, (long) n * k)));
        pool.parallelFor(m, work < (1 << 15) ? m : grain, (from, to) -> {
            float[] arow = new float[k];
            for (int i = from; i < to; i++) {
                int co = i * n;
                if (beta == 0f) {
                    java.util.Arrays.fill(c, co, co + n, 0f);
                } else if (beta != 1f) {
                    for (int j = 0; j < n; j++) {
                        c[co + j] *= beta;
                    }
                }
                for (int p = 0; p < k; p++) {
                    arow[p] = alpha * (transA ? a[p * m + i] : a[i * k + p]);
                }
                if (!transB) {
                    for (int p = 0; p < k; p++) {
                        float s = arow[p];
                        int bo = p * n;
                        for (int j = 0; j < n; j++) {
                            c[co + j] += s * b[bo + j];
                        }
                    }
                } else {
                    for (int j = 0; j < n; j++) {
                        int bo = j * k;
                        float acc = 0f;
                        for (int p = 0; p < k; p++) {
                            acc += arow[p] * b[bo + p];
                        }
                        c[co + j] += acc;
                    }
                }
                epilogue(c, co, n, bias, act, actAlpha);
            }
        });
    }

    /** Adds the bias and applies the activation to one row of C in place. */
    static void epilogue(float[] c, int co, int n, float[] bias, Activation act, float actAlpha) {
        if (bias != null) {
            for (int j = 0; j < n; j++) {
                c[co + j] += bias[j];
            }
        }
        if (act != Activation.IDENTITY) {
            CpuActivations.forward(act, actAlpha, c, co, c, co, n);
        }
    }
}
