package dev.ember.runtime.cpu;

import dev.ember.runtime.Activation;
import dev.ember.runtime.Backend;
import dev.ember.runtime.BinaryOp;
import dev.ember.runtime.Philox;
import dev.ember.runtime.Storage;

/**
 * The pure-Java CPU backend: the reference every other backend is tested against, and a real
 * backend of its own, running ops on a bounded {@link CpuPool}. Reductions split work into
 * fixed-size chunks, so results do not depend on the thread count.
 */
public final class CpuBackend implements Backend {
    /** Elements per parallel piece of an elementwise op, and per chunk of a reduction. */
    static final int GRAIN = 1 << 15;

    private final CpuPool pool;

    /** Said once per JVM: without the Vector API every GEMM takes the plain-loop path. */
    private static final java.util.concurrent.atomic.AtomicBoolean WARNED = new java.util.concurrent.atomic.AtomicBoolean();

    public CpuBackend(int threads) {
        this.pool = new CpuPool(threads);
        if (!CpuVector.AVAILABLE && WARNED.compareAndSet(false, true)) {
            System.err.println("ember: cpu: " + NO_VECTOR);
        }
    }

    static final String NO_VECTOR = CpuVector.MISSING + ", so GEMM runs as plain loops, about 10x slower";

    static String describe(int threads) {
        return "pure Java on " + System.getProperty("os.arch") + ", " + threads + " thread" + (threads == 1 ? "" : "s")
                + ", " + Runtime.version() + (CpuVector.AVAILABLE ? "" : "; " + NO_VECTOR);
    }

    public int threads() {
        return pool.threads();
    }

    private static float[] f(Storage s) {
        return ((CpuStorage) s).data;
    }

    private static int n(long n) {
        return Math.toIntExact(n);
    }

    @Override
    public String name() {
        return "cpu";
    }

    @Override
    public String description() {
        return describe(pool.threads());
    }

    @Override
    public boolean isGpu() {
        return false;
    }

    // ---- memory --------------------------------------------------------------------------

    @Override
    public Storage allocate(long elements) {
        if (elements > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("cpu: tensors are limited to 2^31 - 9 elements, asked for " + elements);
        }
        return new CpuStorage((int) elements);
    }

    @Override
    public void release(Storage storage) {
        // The garbage collector reclaims the array; accounting is done by Device.
    }

    @Override
    public void upload(float[] src, int srcOffset, Storage dst, long dstOffset, int length) {
        System.arraycopy(src, srcOffset, f(dst), n(dstOffset), length);
    }

    /**
     * Rows go straight into the tensor, split over the pool in pieces of at least 32K floats:
     * random rows of a large data set are memory-latency bound, and two threads gathered a
     * Fashion-MNIST batch (128 x 784) in 35-47 us against 59-98 us for one, where gathering into
     * an array and then copying it took 90 us (RESULTS.md, seventh session).
     */
    @Override
    public void uploadRows(float[] src, int cols, int[] rows, int from, int count, Storage dst) {
        float[] d = f(dst);
        if (src == d) {
            // the tensor's own array (CpuStorage.data()): rows written in place would be read
            // after being overwritten, so gather them first as the other backends do
            Backend.super.uploadRows(src, cols, rows, from, count, dst);
            return;
        }
        int grain = Math.max(1, (1 << 15) / Math.max(1, cols));
        pool.parallelFor(count, grain, (lo, hi) -> {
            for (int i = lo; i < hi; i++) {
                System.arraycopy(src, rows[from + i] * cols, d, i * cols, cols);
            }
        });
    }

    @Override
    public void download(Storage src, long srcOffset, float[] dst, int dstOffset, int length) {
        System.arraycopy(f(src), n(srcOffset), dst, dstOffset, length);
    }

    @Override
    public void copy(Storage src, long srcOffset, Storage dst, long dstOffset, long length) {
        System.arraycopy(f(src), n(srcOffset), f(dst), n(dstOffset), n(length));
    }

    @Override
    public void fill(Storage dst, long offset, long length, float value) {
        java.util.Arrays.fill(f(dst), n(offset), n(offset + length), value);
    }

    @Override
    public void synchronize() {
        // Every CPU op completes before it returns.
    }

    // ---- dense algebra ----------------------------------------------------------------------

    @Override
    public void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha, Storage a, Storage b,
                     float beta, Storage c, Storage bias, Activation act, float actAlpha) {
        CpuGemm.gemm(pool, transA, transB, m, n, k, alpha, f(a), f(b), beta, f(c), bias == null ? null : f(bias),
                act, actAlpha);
    }

    @Override
    public void biasAdd(Storage x, Storage bias, Storage out, int rows, int cols) {
        float[] xs = f(x), bs = f(bias), os = f(out);
        pool.parallelFor(rows, Math.max(1, GRAIN / cols), (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int o = r * cols;
                for (int c = 0; c < cols; c++) {
                    os[o + c] = xs[o + c] + bs[c];
                }
            }
        });
    }

    @Override
    public void columnSums(Storage x, Storage out, int rows, int cols, float beta) {
        float[] xs = f(x), os = f(out);
        // Parallel over column blocks; each column is summed in row order in double.
        pool.parallelFor(cols, 64, (c0, c1) -> {
            double[] acc = new double[c1 - c0];
            for (int r = 0; r < rows; r++) {
                int o = r * cols;
                for (int c = c0; c < c1; c++) {
                    acc[c - c0] += xs[o + c];
                }
            }
            for (int c = c0; c < c1; c++) {
                os[c] = (float) (beta == 0f ? acc[c - c0] : beta * os[c] + acc[c - c0]);
            }
        });
    }

    // ---- elementwise ------------------------------------------------------------------------

    @Override
    public void activation(Activation act, float alpha, Storage x, Storage y, long n) {
        float[] xs = f(x), ys = f(y);
        pool.parallelFor(n(n), GRAIN, (i0, i1) -> CpuActivations.forward(act, alpha, xs, i0, ys, i0, i1 - i0));
    }

    @Override
    public void activationBackward(Activation act, float alpha, Storage x, Storage y, Storage dy, Storage dx, long n) {
        float[] xs = f(x), ys = f(y), dys = f(dy), dxs = f(dx);
        pool.parallelFor(n(n), GRAIN, (i0, i1) -> CpuActivations.backward(act, alpha, xs, ys, dys, dxs, i0, i1));
    }

    @Override
    public void binary(BinaryOp op, Storage a, Storage b, Storage out, long n) {
        float[] as = f(a), bs = f(b), os = f(out);
        pool.parallelFor(n(n), GRAIN, (i0, i1) -> {
            switch (op) {
                case ADD -> {
                    for (int i = i0; i < i1; i++) {
                        os[i] = as[i] + bs[i];
                    }
                }
                case SUB -> {
                    for (int i = i0; i < i1; i++) {
                        os[i] = as[i] - bs[i];
                    }
                }
                case MUL -> {
                    for (int i = i0; i < i1; i++) {
                        os[i] = as[i] * bs[i];
                    }
                }
            }
        });
    }

    @Override
    public void scale(float s, Storage x, Storage out, long n) {
        float[] xs = f(x), os = f(out);
        pool.parallelFor(n(n), GRAIN, (i0, i1) -> {
            for (int i = i0; i < i1; i++) {
                os[i] = s * xs[i];
            }
        });
    }

    @Override
    public void axpy(float alpha, Storage x, Storage y, long n) {
        float[] xs = f(x), ys = f(y);
        pool.parallelFor(n(n), GRAIN, (i0, i1) -> {
            for (int i = i0; i < i1; i++) {
                ys[i] += alpha * xs[i];
            }
        });
    }

    @Override
    public void clamp(float lo, float hi, Storage x, Storage out, long n) {
        float[] xs = f(x), os = f(out);
        // torch.clamp's x < lo ? lo : x > hi ? hi : x, which keeps x where it equals a bound. Math.min
        // and max (which C2 vectorises) give the same except that they rank -0 below +0: only a
        // bound lo = +0 or hi = -0 can tell them apart (clamp(-0, 0, hi) would become +0). Those
        // bounds (ReLU6's [0, 6] among them) take the comparisons, as blends: as a scalar loop on
        // data of mixed signs they ran about 40x slower than min/max.
        boolean minMaxExact = Float.floatToRawIntBits(lo) != 0 && Float.floatToRawIntBits(hi) != 0x80000000;
        pool.parallelFor(n(n), GRAIN, (i0, i1) -> {
            if (minMaxExact) {
                for (int i = i0; i < i1; i++) {
                    os[i] = Math.min(Math.max(xs[i], lo), hi);
                }
            } else if (CpuVector.AVAILABLE && i1 - i0 >= CpuActivations.VECTOR_MIN) {
                CpuVectorActivations.clamp(lo, hi, xs, os, i0, i1);
            } else {
                for (int i = i0; i < i1; i++) {
                    float v = xs[i];
                    os[i] = v < lo ? lo : (v > hi ? hi : v);
                }
            }
        });
    }

    // ---- reductions ---------------------------------------------------------------------------

    /** Body of a chunked reduction: processes [from, to) and returns its partial sum. */
    @FunctionalInterface
    private interface ChunkSum {
        double run(int from, int to);
    }

    /**
     * Runs {@code body} over [0, n) in fixed chunks of {@link #GRAIN} (chunks in parallel), then
     * adds the chunk sums in order: the result does not depend on the thread count.
     */
    private double chunkedSum(int n, ChunkSum body) {
        int chunks = (int) (((long) n + GRAIN - 1) / GRAIN); // long: n + GRAIN passes 2^31 near the limit
        double[] partial = new double[chunks];
        pool.parallelFor(chunks, 1, (c0, c1) -> {
            for (int c = c0; c < c1; c++) {
                partial[c] = body.run(c * GRAIN, (int) Math.min(n, (long) (c + 1) * GRAIN));
            }
        });
        double total = 0;
        for (double p : partial) {
            total += p;
        }
        return total;
    }

    private double chunkedSum(float[] xs, int n, boolean squares) {
        return chunkedSum(n, (from, to) -> sum(xs, from, to, squares));
    }

    /**
     * Sum of xs[from, to) (of squares with {@code squares}) in eight running sums: one double sum
     * waits four cycles for each add (0.6-0.7 ns a value on two threads, 1.3 ms to clip 1.86M
     * gradients' norm), eight keep the adder busy. Fixed order, so the same bits on every run.
     */
    private static double sum(float[] xs, int from, int to, boolean squares) {
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
        int i = from;
        for (; i + 8 <= to; i += 8) {
            double v0 = xs[i], v1 = xs[i + 1], v2 = xs[i + 2], v3 = xs[i + 3];
            double v4 = xs[i + 4], v5 = xs[i + 5], v6 = xs[i + 6], v7 = xs[i + 7];
            s0 += squares ? v0 * v0 : v0;
            s1 += squares ? v1 * v1 : v1;
            s2 += squares ? v2 * v2 : v2;
            s3 += squares ? v3 * v3 : v3;
            s4 += squares ? v4 * v4 : v4;
            s5 += squares ? v5 * v5 : v5;
            s6 += squares ? v6 * v6 : v6;
            s7 += squares ? v7 * v7 : v7;
        }
        for (; i < to; i++) {
            double v = xs[i];
            s0 += squares ? v * v : v;
        }
        return ((s0 + s4) + (s1 + s5)) + ((s2 + s6) + (s3 + s7));
    }

    @Override
    public void sum(Storage x, long n, Storage out) {
        f(out)[0] = (float) chunkedSum(f(x), n(n), false);
    }

    @Override
    public void sumSquares(Storage x, long n, Storage out) {
        f(out)[0] = (float) chunkedSum(f(x), n(n), true);
    }

    @Override
    public void rowArgmax(Storage x, Storage out, int rows, int cols) {
        float[] xs = f(x), os = f(out);
        pool.parallelFor(rows, Math.max(1, GRAIN / cols), (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int o = r * cols, best = 0;
                float bv = xs[o];
                // torch.argmax: the first NaN wins outright, else the first of the largest values.
                for (int c = 1; c < cols && !Float.isNaN(bv); c++) {
                    float v = xs[o + c];
                    if (v > bv || Float.isNaN(v)) {
                        bv = v;
                        best = c;
                    }
                }
                os[r] = best;
            }
        });
    }

    @Override
    public void softmax(Storage x, Storage y, int rows, int cols) {
        float[] xs = f(x), ys = f(y);
        boolean vector = useVectorMath(rows, cols);
        pool.parallelFor(rows, Math.max(1, GRAIN / cols), (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int o = r * cols;
                float max = rowMax(xs, o, cols, vector);
                expShifted(xs, o, max, ys, o, cols, vector);
                float inv = (float) (1.0 / rowSum(ys, o, cols));
                for (int c = 0; c < cols; c++) {
                    ys[o + c] *= inv;
                }
            }
        });
    }

    @Override
    public void columnMeanVariance(Storage x, Storage mean, Storage var, int rows, int cols) {
        float[] xs = f(x), ms = f(mean), vs = f(var);
        pool.parallelFor(cols, 64, (c0, c1) -> {
            int w = c1 - c0;
            double[] s = new double[w];
            for (int r = 0; r < rows; r++) {
                int o = r * cols;
                for (int c = c0; c < c1; c++) {
                    s[c - c0] += xs[o + c];
                }
            }
            for (int j = 0; j < w; j++) {
                s[j] /= rows;
            }
            double[] q = new double[w];
            for (int r = 0; r < rows; r++) {
                int o = r * cols;
                for (int c = c0; c < c1; c++) {
                    double d = xs[o + c] - s[c - c0];
                    q[c - c0] += d * d;
                }
            }
            for (int c = c0; c < c1; c++) {
                ms[c] = (float) s[c - c0];
                vs[c] = (float) (q[c - c0] / rows);
            }
        });
    }

    /**
     * Whether a row-wise exp over rows x cols takes {@link CpuVectorMath}: same bits either way;
     * small inputs stay scalar because Vector API code is slow until C2 has compiled it.
     */
    private static boolean useVectorMath(int rows, int cols) {
        return CpuVector.AVAILABLE && cols >= 8 && (long) rows * cols >= CpuActivations.VECTOR_MIN;
    }

    /** Largest of v[o .. o + n) under Math.max's rules (order-independent, so both forms agree). */
    private static float rowMax(float[] v, int o, int n, boolean vector) {
        if (vector) {
            return CpuVectorMath.max(v, o, n);
        }
        float max = Float.NEGATIVE_INFINITY;
        for (int c = 0; c < n; c++) {
            max = Math.max(max, v[o + c]);
        }
        return max;
    }

    /** dst[d + i] = e^(src[s + i] - shift) for i in [0, n), in the vector or the scalar form. */
    private static void expShifted(float[] src, int s, float shift, float[] dst, int d, int n, boolean vector) {
        if (vector) {
            CpuVectorMath.expArgs(src, s, false, 1f, shift, dst, d, n);
        } else {
            CpuMath.expArgs(src, s, false, 1f, shift, dst, d, n);
        }
    }

    /** Sum of v[o .. o + n) in float64, in four interleaved running sums (a fixed order). */
    private static double rowSum(float[] v, int o, int n) {
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int i = 0;
        for (; i + 4 <= n; i += 4) {
            s0 += v[o + i];
            s1 += v[o + i + 1];
            s2 += v[o + i + 2];
            s3 += v[o + i + 3];
        }
        for (; i < n; i++) {
            s0 += v[o + i];
        }
        return (s0 + s1) + (s2 + s3);
    }

    // ---- losses ----------------------------------------------------------------------------------

    @Override
    public void softmaxCrossEntropy(Storage logits, Storage labels, Storage grad, Storage stats, int rows, int cols) {
        float[] z = f(logits), ls = f(labels), g = f(grad);
        double[] rowLoss = new double[rows];
        int[] bad = new int[rows];
        float invRows = 1f / rows;
        boolean vector = useVectorMath(rows, cols);
        pool.parallelFor(rows, Math.max(1, GRAIN / cols), (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int o = r * cols;
                float lf = ls[r];
                int label = (int) lf;
                if (!(lf >= 0 && lf < cols && label == lf)) {
                    bad[r] = 1;
                    java.util.Arrays.fill(g, o, o + cols, 0f);
                    continue;
                }
                float max = rowMax(z, o, cols, vector);
                // One exp per element: keep exp(z - max) in the gradient row, then scale it.
                expShifted(z, o, max, g, o, cols, vector);
                double sum = rowSum(g, o, cols);
                rowLoss[r] = (max - z[o + label]) + Math.log(sum);
                float scale = (float) (invRows / sum);
                for (int c = 0; c < cols; c++) {
                    g[o + c] *= scale;
                }
                g[o + label] -= invRows;
            }
        });
        double total = 0;
        int firstBad = -1;
        for (int r = 0; r < rows; r++) {
            total += rowLoss[r];
            if (bad[r] != 0 && firstBad < 0) {
                firstBad = r;
            }
        }
        float[] st = f(stats);
        st[0] = lossMean(total, rows);
        st[1] = firstBad;
    }

    @Override
    public void bceWithLogits(Storage logits, Storage targets, Storage grad, Storage stats, long n) {
        float[] z = f(logits), t = f(targets), g = f(grad);
        int len = n(n);
        float invN = 1f / len;
        double total = chunkedSum(len, (from, to) -> {
            double acc = 0;
            for (int i = from; i < to; i++) {
                double zi = z[i], ti = t[i], zn = Math.min(zi, 0);
                // PyTorch's (1 - t) z - log_sigmoid(z) as losses.cl writes it: (1 - t) max(z, 0) - t min(z, 0)
                // + log(1 + exp(-|z|)), and 0 * min(z, 0), zero for finite z, NaN at z = -inf as in PyTorch
                // (z = +inf: +inf for t < 1, NaN for t = 1).
                acc += (1 - ti) * Math.max(zi, 0) - ti * zn + 0 * zn + Math.log1p(Math.exp(-Math.abs(zi)));
                g[i] = (CpuMath.sigmoid(z[i]) - t[i]) * invN;
            }
            return acc;
        });
        f(stats)[0] = lossMean(total, len);
    }

    /**
     * A loss's total over its count: the total rounded to float first, as the device backends sum
     * in float and PyTorch's mean reduction does, so a total past Float.MAX_VALUE gives +inf even where
     * the mean would fit (the terms are non-negative, so any summation order overflows alike); otherwise
     * the double quotient, rounded once.
     */
    private static float lossMean(double total, int count) {
        float sum = (float) total;
        return Float.isInfinite(sum) ? sum : (float) (total / count);
    }

    @Override
    public void mse(Storage pred, Storage target, Storage grad, Storage stats, long n) {
        float[] p = f(pred), t = f(target), g = f(grad);
        int len = n(n);
        float scale = 2f / len;
        double total = chunkedSum(len, (from, to) -> {
            double acc = 0;
            for (int i = from; i < to; i++) {
                float d = p[i] - t[i];
                // squared in float, as PyTorch's (p - t)^2 and the device backends: +inf from |d| >= 1.8e19
                float sq = d * d;
                acc += sq;
                g[i] = scale * d;
            }
            return acc;
        });
        f(stats)[0] = lossMean(total, len);
    }

    // ---- dropout ---------------------------------------------------------------------------------

    @Override
    public void dropout(long seed, float p, Storage x, Storage y, long n) {
        float[] xs = f(x), ys = f(y);
        float keepScale = 1f / (1f - p);
        pool.parallelFor(n(n), GRAIN, (i0, i1) -> {
            if (CpuVector.AVAILABLE && i1 - i0 >= CpuActivations.VECTOR_MIN) {
                CpuVectorDropout.dropout(seed, p, keepScale, xs, ys, i0, i1);
                return;
            }
            float[] u = new float[Math.min(4096, i1 - i0)];
            for (int base = i0; base < i1; base += u.length) {
                int len = Math.min(u.length, i1 - base);
                Philox.uniforms(seed, base, u, 0, len);
                for (int j = 0; j < len; j++) {
                    ys[base + j] = u[j] >= p ? xs[base + j] * keepScale : 0f;
                }
            }
        });
    }

    // ---- batch normalisation ----------------------------------------------------------------------

    @Override
    public void batchNorm(Storage x, Storage mean, Storage var, Storage gamma, Storage beta, float eps, Storage y,
                          int rows, int cols) {
        float[] xs = f(x), ms = f(mean), vs = f(var), gs = f(gamma), bs = f(beta), ys = f(y);
        float[] scale = new float[cols], shift = new float[cols];
        for (int c = 0; c < cols; c++) {
            float inv = (float) (1.0 / Math.sqrt(vs[c] + (double) eps));
            scale[c] = gs[c] * inv;
            shift[c] = bs[c] - ms[c] * scale[c];
        }
        pool.parallelFor(rows, Math.max(1, GRAIN / cols), (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int o = r * cols;
                for (int c = 0; c < cols; c++) {
                    ys[o + c] = xs[o + c] * scale[c] + shift[c];
                }
            }
        });
    }

    @Override
    public void batchNormBackward(Storage x, Storage mean, Storage var, Storage gamma, float eps, Storage dy,
                                  Storage dx, Storage dgamma, Storage dbeta, int rows, int cols) {
        float[] xs = f(x), ms = f(mean), vs = f(var), gs = f(gamma), dys = f(dy), dxs = f(dx);
        float[] dgs = f(dgamma), dbs = f(dbeta);
        // Row by row over a block of columns, as columnMeanVariance: walking each column down the
        // rows (one cache line per element) took 30x a memory-bound op's time. The sums still run
        // over the rows in order, so the results are the same bits.
        boolean vector = CpuVector.AVAILABLE && (long) rows * cols >= CpuActivations.VECTOR_MIN;
        pool.parallelFor(cols, 64, (c0, c1) -> {
            int w = c1 - c0;
            double[] inv = new double[w], sdy = new double[w], sdyx = new double[w];
            float[] mu = java.util.Arrays.copyOfRange(ms, c0, c1); // x - mean in float, as before
            for (int j = 0; j < w; j++) {
                inv[j] = 1.0 / Math.sqrt(vs[c0 + j] + (double) eps);
            }
            // The first `up` columns of the block on the Vector API (same bits), the rest here.
            int up = vector ? w & ~3 : 0;
            if (up > 0) {
                CpuVectorBatchNorm.sums(xs, dys, mu, inv, sdy, sdyx, rows, cols, c0, up);
            }
            for (int r = 0; r < rows; r++) {
                int o = r * cols + c0;
                for (int j = up; j < w; j++) {
                    double d = dys[o + j];
                    sdy[j] += d;
                    sdyx[j] += d * ((xs[o + j] - mu[j]) * inv[j]);
                }
            }
            double[] k = new double[w];
            for (int j = 0; j < w; j++) {
                dgs[c0 + j] = (float) sdyx[j];
                dbs[c0 + j] = (float) sdy[j];
                k[j] = gs[c0 + j] * inv[j] / rows;
            }
            if (up > 0) {
                CpuVectorBatchNorm.dx(xs, dys, mu, inv, sdy, sdyx, k, dxs, rows, cols, c0, up);
            }
            for (int r = 0; r < rows; r++) {
                int o = r * cols + c0;
                for (int j = up; j < w; j++) {
                    double xhat = (xs[o + j] - mu[j]) * inv[j];
                    dxs[o + j] = (float) (k[j] * (rows * (double) dys[o + j] - sdy[j] - xhat * sdyx[j]));
                }
            }
        });
    }

    // ---- optimizers ----------------------------------------------------------------------------------

    @Override
    public void sgdUpdate(Storage param, Storage grad, Storage velocity, long n, float lr, float momentum,
                          float weightDecay, boolean nesterov, boolean firstStep) {
        float[] p = f(param), g = f(grad), v = velocity == null ? null : f(velocity);
        pool.parallelFor(n(n), GRAIN, (i0, i1) -> {
            for (int i = i0; i < i1; i++) {
                float gi = g[i] + weightDecay * p[i];
                if (momentum != 0f) {
                    float vi = firstStep ? gi : momentum * v[i] + gi;
                    v[i] = vi;
                    gi = nesterov ? gi + momentum * vi : vi;
                }
                p[i] -= lr * gi;
            }
        });
    }

    @Override
    public void adamUpdate(Storage param, Storage grad, Storage m, Storage v, long n, float lr, float beta1,
                           float beta2, float eps, float weightDecay, boolean decoupled, int step) {
        float[] p = f(param), g = f(grad), ms = f(m), vs = f(v);
        float bc1 = (float) (1.0 - Math.pow(beta1, step));
        float bc2sqrt = (float) Math.sqrt(1.0 - Math.pow(beta2, step));
        float stepSize = lr / bc1;
        float decay = decoupled ? 1f - lr * weightDecay : 1f;
        float l2 = decoupled ? 0f : weightDecay;
        pool.parallelFor(n(n), GRAIN, (i0, i1) -> {
            for (int i = i0; i < i1; i++) {
                float pi = p[i];
                float gi = g[i] + l2 * pi;
                float mi = beta1 * ms[i] + (1f - beta1) * gi;
                float vi = beta2 * vs[i] + (1f - beta2) * gi * gi;
                ms[i] = mi;
                vs[i] = vi;
                p[i] = pi * decay - stepSize * mi / ((float) Math.sqrt(vi) / bc2sqrt + eps);
            }
        });
    }

    @Override
    public void rmspropUpdate(Storage param, Storage grad, Storage sq, long n, float lr, float alpha, float eps,
                              float weightDecay) {
        float[] p = f(param), g = f(grad), s = f(sq);
        pool.parallelFor(n(n), GRAIN, (i0, i1) -> {
            for (int i = i0; i < i1; i++) {
                float gi = g[i] + weightDecay * p[i];
                float si = alpha * s[i] + (1f - alpha) * gi * gi;
                s[i] = si;
                p[i] -= lr * gi / ((float) Math.sqrt(si) + eps);
            }
        });
    }

    @Override
    public void adagradUpdate(Storage param, Storage grad, Storage sum, long n, float lr, float eps,
                              float weightDecay) {
        float[] p = f(param), g = f(grad), s = f(sum);
        pool.parallelFor(n(n), GRAIN, (i0, i1) -> {
            for (int i = i0; i < i1; i++) {
                float gi = g[i] + weightDecay * p[i];
                float si = s[i] + gi * gi;
                s[i] = si;
                p[i] -= lr * gi / ((float) Math.sqrt(si) + eps);
            }
        });
    }

    @Override
    public void close() {
        pool.close();
    }
}
