package dev.ember.runtime.cuda;

import dev.ember.runtime.Activation;
import dev.ember.runtime.BinaryOp;
import dev.ember.runtime.ReductionLayout;
import dev.ember.runtime.Storage;
import java.util.Map;

/**
 * The CUDA backend's ops as kernel launches: which kernel, what grid, which arguments, and the
 * temporary buffers of two-pass reductions. Kept apart from the driver calls behind a
 * {@link Launcher}, so that every op's launch can be checked against the kernel signatures
 * without a GPU (CudaOpsLaunchTest); {@link CudaBackend} supplies the real launcher.
 */
final class CudaOps {
    /** Threads per block of the 1-D kernels, and RED_WG of the reduction kernels. */
    static final int THREADS = 256;

    /** Where launches go. */
    interface Launcher {
        /**
         * Queues kernel k on a gx x gy grid of bx x by blocks with sharedBytes of dynamic shared memory
         * ({@link CudaKernel#dynamicSharedBytes(String)} of its loaded image, usually 0); args follow
         * {@link CudaKernel#signature()}.
         */
        void launch(CudaKernel k, int gx, int gy, int bx, int by, int sharedBytes, Object[] args);

        /** The device address of a storage (null for null: optional kernel arguments). */
        Object address(Storage s);

        /** A temporary block of n floats. */
        Storage temp(long n);

        /** Releases a temporary block after its last use has been queued. */
        void release(Storage s);
    }

    /** Which kernels run Backend.gemm. */
    enum GemmPath {
        /** gemm_cuda.cu: FP32, register-tiled (the default). */
        FAST,
        /** gemm.cl as compiled for CUDA (-Dember.cuda.gemm=portable), for comparisons. */
        PORTABLE,
        /** gemm_tf32_cuda.cu: TF32 tensor cores, about 5e-4 relative error (-Dember.cuda.tf32=true). */
        TF32
    }

    private final int sms;
    private final Launcher launcher;
    private final int[] sharedBytes = new int[CudaKernel.values().length];
    private volatile GemmPath gemmPath;

    /** Ops for a GPU of sms SMs whose modules were all loaded from their PTX (no dynamic shared memory). */
    CudaOps(int sms, Launcher launcher) {
        this(sms, launcher, Map.of());
    }

    /** Ops for modules loaded from images (module -> CudaImages resource name, as CudaBackend loaded them). */
    CudaOps(int sms, Launcher launcher, Map<String, String> images) {
        this(sms, launcher, "portable".equalsIgnoreCase(System.getProperty("ember.cuda.gemm", "")) ? GemmPath.PORTABLE
                : GemmPath.FAST, images);
    }

    CudaOps(int sms, Launcher launcher, GemmPath gemmPath) {
        this(sms, launcher, gemmPath, Map.of());
    }

    CudaOps(int sms, Launcher launcher, GemmPath gemmPath, Map<String, String> images) {
        this.sms = sms;
        this.launcher = launcher;
        this.gemmPath = gemmPath;
        for (CudaKernel k : CudaKernel.values()) {
            sharedBytes[k.ordinal()] = k.dynamicSharedBytes(images.get(k.module()));
        }
    }

    GemmPath gemmPath() {
        return gemmPath;
    }

    void gemmPath(GemmPath path) {
        this.gemmPath = path;
    }

    private Object p(Storage s) {
        return s == null ? null : launcher.address(s);
    }

    private void launch(CudaKernel k, int gx, int gy, int bx, int by, Object... args) {
        launcher.launch(k, gx, gy, bx, by, sharedBytes[k.ordinal()], args);
    }

    /** Dynamic shared memory every launch of k passes (0 but for the sm_90 cubin's cp.async SGEMMs). */
    int sharedBytes(CudaKernel k) {
        return sharedBytes[k.ordinal()];
    }

    /** Blocks for a grid-stride loop over n items: enough to fill the GPU, never more than needed. */
    int strideBlocks(long n) {
        long want = (n + THREADS - 1) / THREADS;
        return (int) Math.max(1, Math.min(want, (long) sms * 32));
    }

    /**
     * Chunk length of a two-pass reduction over n, as the OpenCL backend splits it (kernels/KERNELS.md):
     * G = clamp(ceil(n / (RED_WG * 8)), 1, 1024), chunk = ceil(n / G). It depends only on n, so
     * results are reproducible run to run.
     */
    static long partialChunk(long n) {
        long g = Math.max(1, Math.min(1024, (n + THREADS * 8L - 1) / (THREADS * 8L)));
        return Math.max(1, (n + g - 1) / g);
    }

    /** Groups of a two-pass reduction: ceil(n / chunk), every one with work. */
    static int partialGroups(long n) {
        long chunk = partialChunk(n);
        return (int) Math.max(1, (n + chunk - 1) / chunk);
    }

    /** Blocks of the row kernels: RED_WG / lanes rows per block (reduce.cl, losses.cl). */
    private static int rowBlocks(int rows, int lanes) {
        int perBlock = CudaKernel.RED_WG / lanes;
        return (rows + perBlock - 1) / perBlock;
    }

    // ---- dense algebra ----------------------------------------------------------------------

    private static final CudaKernel[] GEMM128 = {CudaKernel.SGEMM128_NN, CudaKernel.SGEMM128_NT,
        CudaKernel.SGEMM128_TN, CudaKernel.SGEMM128_TT};
    private static final CudaKernel[] GEMM64 = {CudaKernel.SGEMM64_NN, CudaKernel.SGEMM64_NT,
        CudaKernel.SGEMM64_TN, CudaKernel.SGEMM64_TT};
    private static final CudaKernel[] GEMM_TF32 = {CudaKernel.SGEMM_TF32_NN, CudaKernel.SGEMM_TF32_NT,
        CudaKernel.SGEMM_TF32_TN, CudaKernel.SGEMM_TF32_TT};
    private static final CudaKernel[] GEMM_PORTABLE = {CudaKernel.GEMM_NN, CudaKernel.GEMM_NT, CudaKernel.GEMM_TN,
        CudaKernel.GEMM_TT};

    void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha, Storage a,
                                  Storage b, float beta, Storage c, Storage bias, Activation act, float actAlpha) {
        if (m == 0 || n == 0) {
            return;
        }
        int cases = (transA ? 2 : 0) + (transB ? 1 : 0);
        GemmPath path = gemmPath;
        if (path == GemmPath.PORTABLE) {
            int t = CudaKernel.PORTABLE_GEMM_TILE, w = CudaKernel.PORTABLE_GEMM_THREADS;
            if ((m + t - 1) / t > 65535) {
                throw new IllegalArgumentException("cuda: gemm with m = " + m + " rows exceeds the CUDA grid limit of "
                        + 65535L * t + " rows");
            }
            launch(GEMM_PORTABLE[cases], (n + t - 1) / t, (m + t - 1) / t, w, w, m, n, k, alpha, p(a), p(b), beta, p(c),
                    p(bias), bias == null ? 0 : 1, act.code(), actAlpha);
            return;
        }
        // 128-tiles when they alone fill every SM; 64-tiles otherwise (more blocks for small matrices).
        long tiles128 = (long) ((m + 127) / 128) * ((n + 127) / 128);
        int tile = path == GemmPath.TF32 || tiles128 >= sms ? 128 : 64;
        int gx = (n + tile - 1) / tile, gy = (m + tile - 1) / tile;
        if (gy > 65535) {
            throw new IllegalArgumentException("cuda: gemm with m = " + m + " rows exceeds the CUDA grid limit of "
                    + 65535L * tile + " rows");
        }
        CudaKernel kernel = (path == GemmPath.TF32 ? GEMM_TF32 : tile == 128 ? GEMM128 : GEMM64)[cases];
        launch(kernel, gx, gy, THREADS, 1, m, n, k, alpha, p(a), p(b), beta, p(c), p(bias),
                bias == null ? 0 : 1, act.code(), actAlpha);
    }

    void biasAdd(Storage x, Storage bias, Storage out, int rows, int cols) {
        long n = (long) rows * cols;
        launch(CudaKernel.BIAS_ADD, strideBlocks(n), 1, THREADS, 1, p(x), p(bias), p(out), rows, cols);
    }

    void columnSums(Storage x, Storage out, int rows, int cols, float beta) {
        if (cols == 0) {
            return; // a grid of zero blocks is CUDA_ERROR_INVALID_VALUE
        }
        int gx = (cols + CudaKernel.COL_TILE - 1) / CudaKernel.COL_TILE;
        int chunks = ReductionLayout.columnChunks(rows), per = ReductionLayout.columnChunkRows(rows);
        if (chunks == 1) {
            launch(CudaKernel.COLUMN_SUMS, gx, 1, CudaKernel.COL_TILE, CudaKernel.ROW_LANES, p(x), p(out), rows, cols,
                    beta, per);
            return;
        }
        // Tall: the chunks' sums into a chunks x cols partial, then its columns (reduce.cl).
        Storage partial = launcher.temp((long) chunks * cols);
        try {
            launch(CudaKernel.COLUMN_SUMS, gx, chunks, CudaKernel.COL_TILE, CudaKernel.ROW_LANES, p(x), p(partial), rows,
                    cols, 0f, per);
            launch(CudaKernel.COLUMN_SUMS, gx, 1, CudaKernel.COL_TILE, CudaKernel.ROW_LANES, p(partial), p(out), chunks,
                    cols, beta, chunks);
        } finally {
            launcher.release(partial);
        }
    }

    // ---- elementwise ------------------------------------------------------------------------

    void activation(Activation act, float alpha, Storage x, Storage y, long n) {
        launch(CudaKernel.ACT_FORWARD, strideBlocks(n), 1, THREADS, 1, p(x), p(y), n, act.code(), alpha);
    }

    void activationBackward(Activation act, float alpha, Storage x, Storage y, Storage dy,
                                                Storage dx, long n) {
        launch(CudaKernel.ACT_BACKWARD, strideBlocks(n), 1, THREADS, 1, p(x), p(y), p(dy), p(dx), n, act.code(), alpha);
    }

    void binary(BinaryOp op, Storage a, Storage b, Storage out, long n) {
        launch(CudaKernel.BINARY_OP, strideBlocks(n), 1, THREADS, 1, p(a), p(b), p(out), n, op.code());
    }

    void scale(float s, Storage x, Storage out, long n) {
        launch(CudaKernel.SCALE_OP, strideBlocks(n), 1, THREADS, 1, p(x), p(out), n, s);
    }

    void axpy(float alpha, Storage x, Storage y, long n) {
        launch(CudaKernel.AXPY_OP, strideBlocks(n), 1, THREADS, 1, p(x), p(y), n, alpha);
    }

    void clamp(float lo, float hi, Storage x, Storage out, long n) {
        launch(CudaKernel.CLAMP_OP, strideBlocks(n), 1, THREADS, 1, p(x), p(out), n, lo, hi);
    }

    // ---- reductions -------------------------------------------------------------------------

    private void sumOf(Storage x, long n, Storage out, int squares) {
        int groups = partialGroups(n);
        long chunk = partialChunk(n);
        Storage partial = launcher.temp(groups);
        try {
            launch(CudaKernel.SUM_PARTIAL, groups, 1, THREADS, 1, p(x), n, chunk, squares, p(partial));
            launch(CudaKernel.SUM_FINAL, 1, 1, THREADS, 1, p(partial), groups, p(out), 0);
        } finally {
            launcher.release(partial);
        }
    }

    void sum(Storage x, long n, Storage out) {
        sumOf(x, n, out, 0);
    }

    void sumSquares(Storage x, long n, Storage out) {
        sumOf(x, n, out, 1);
    }

    void rowArgmax(Storage x, Storage out, int rows, int cols) {
        if (rows == 0) {
            return;
        }
        int lanes = ReductionLayout.rowLanes(cols, CudaKernel.RED_WG);
        launch(CudaKernel.ROW_ARGMAX, rowBlocks(rows, lanes), 1, THREADS, 1, p(x), p(out), rows, cols, lanes);
    }

    void softmax(Storage x, Storage y, int rows, int cols) {
        if (rows == 0) {
            return;
        }
        int lanes = ReductionLayout.rowLanes(cols, CudaKernel.RED_WG);
        launch(CudaKernel.SOFTMAX_ROWS, rowBlocks(rows, lanes), 1, THREADS, 1, p(x), p(y), rows, cols, lanes);
    }

    void columnMeanVariance(Storage x, Storage mean, Storage var, int rows, int cols) {
        if (cols == 0) {
            return;
        }
        launch(CudaKernel.COLUMN_MEAN_VAR, (cols + CudaKernel.COL_TILE - 1) / CudaKernel.COL_TILE, 1,
                CudaKernel.COL_TILE, CudaKernel.ROW_LANES, p(x), p(mean), p(var), rows, cols);
    }

    // ---- losses -----------------------------------------------------------------------------

    void softmaxCrossEntropy(Storage logits, Storage labels, Storage grad, Storage stats, int rows,
                                                 int cols) {
        // Row losses and bad-label flags into scratch; their sum and first bad row in chunks (one launch
        // when one group covers them, else a second pass over the groups' partials): losses.cl.
        int groups = partialGroups(rows);
        Storage scratch = launcher.temp(2L * rows);
        Storage partial = null;
        try {
            if (groups > 1) {
                partial = launcher.temp(2L * groups); // inside the try: scratch is released if this throws
            }
            int lanes = ReductionLayout.rowLanes(cols, CudaKernel.RED_WG);
            launch(CudaKernel.XENT_ROWS, rowBlocks(rows, lanes), 1, THREADS, 1, p(logits), p(labels), p(grad), p(scratch),
                    rows, cols, lanes);
            // With one group xent_partial writes stats itself and never touches its partial argument.
            launch(CudaKernel.XENT_PARTIAL, groups, 1, THREADS, 1, p(scratch), rows, (int) partialChunk(rows),
                    p(partial == null ? scratch : partial), p(stats));
            if (partial != null) {
                launch(CudaKernel.XENT_FINISH, 1, 1, THREADS, 1, p(partial), groups, rows, p(stats));
            }
        } finally {
            if (partial != null) {
                launcher.release(partial);
            }
            launcher.release(scratch);
        }
    }

    private void pointwiseLoss(CudaKernel kernel, Storage a, Storage t, Storage grad, Storage stats, long n, float gradScale) {
        int groups = partialGroups(n);
        long chunk = partialChunk(n);
        Storage partial = launcher.temp(groups);
        try {
            launch(kernel, groups, 1, THREADS, 1, p(a), p(t), p(grad), p(partial), n, chunk, gradScale);
            launch(CudaKernel.LOSS_FINISH, 1, 1, THREADS, 1, p(partial), groups, 1f / n, p(stats));
        } finally {
            launcher.release(partial);
        }
    }

    void bceWithLogits(Storage logits, Storage targets, Storage grad, Storage stats, long n) {
        pointwiseLoss(CudaKernel.BCE_PARTIAL, logits, targets, grad, stats, n, 1f / n);
    }

    void mse(Storage pred, Storage target, Storage grad, Storage stats, long n) {
        pointwiseLoss(CudaKernel.MSE_PARTIAL, pred, target, grad, stats, n, 2f / n);
    }

    // ---- dropout ----------------------------------------------------------------------------

    void dropout(long seed, float p, Storage x, Storage y, long n) {
        float keepScale = 1f / (1f - p);
        launch(CudaKernel.DROPOUT_FORWARD, strideBlocks((n + 3) / 4), 1, THREADS, 1, p(x), p(y), n, (int) seed,
                (int) (seed >>> 32), p, keepScale);
    }

    // ---- batch normalisation ----------------------------------------------------------------

    void batchNorm(Storage x, Storage mean, Storage var, Storage gamma, Storage beta, float eps,
                                       Storage y, int rows, int cols) {
        launch(CudaKernel.BATCHNORM_FORWARD, strideBlocks((long) rows * cols), 1, THREADS, 1, p(x), p(mean), p(var), p(gamma),
                p(beta), p(y), eps, rows, cols);
    }

    void batchNormBackward(Storage x, Storage mean, Storage var, Storage gamma, float eps, Storage dy,
                                               Storage dx, Storage dgamma, Storage dbeta, int rows, int cols) {
        launch(CudaKernel.BATCHNORM_BACKWARD_REDUCE, (cols + CudaKernel.COL_TILE - 1) / CudaKernel.COL_TILE, 1,
                CudaKernel.COL_TILE, CudaKernel.ROW_LANES, p(x), p(mean), p(var), p(dy), p(dgamma), p(dbeta), eps, rows,
                cols);
        launch(CudaKernel.BATCHNORM_BACKWARD_DX, strideBlocks((long) rows * cols), 1, THREADS, 1, p(x), p(mean), p(var),
                p(gamma), p(dy), p(dgamma), p(dbeta), p(dx), eps, rows, cols);
    }

    // ---- peak FLOP measurement --------------------------------------------------------------

    /** Work-items of the fma_peak launch: 2048 per SM (the most an SM keeps resident), in blocks of THREADS. */
    long fmaPeakItems() {
        return (long) Math.max(1, sms) * 2048;
    }

    /** fma_peak over {@link #fmaPeakItems()} work-items, writing one float each to out. */
    void fmaPeak(Storage out, int iters) {
        launch(CudaKernel.FMA_PEAK, (int) (fmaPeakItems() / THREADS), 1, THREADS, 1, p(out), iters);
    }

    // ---- optimizers -------------------------------------------------------------------------

    void sgdUpdate(Storage param, Storage grad, Storage velocity, long n, float lr, float momentum,
                                       float weightDecay, boolean nesterov, boolean firstStep) {
        launch(CudaKernel.SGD_UPDATE, strideBlocks(n), 1, THREADS, 1, p(param), p(grad),
                p(velocity), n, lr, momentum, weightDecay, nesterov ? 1 : 0, firstStep ? 1 : 0);
    }

    void adamUpdate(Storage param, Storage grad, Storage m, Storage v, long n, float lr, float beta1,
                                        float beta2, float eps, float weightDecay, boolean decoupled, int step) {
        // Step-dependent scalars exactly as the CPU backend computes them.
        float bc1 = (float) (1.0 - Math.pow(beta1, step));
        float bc2sqrt = (float) Math.sqrt(1.0 - Math.pow(beta2, step));
        float stepSize = lr / bc1;
        float decay = decoupled ? 1f - lr * weightDecay : 1f;
        float l2 = decoupled ? 0f : weightDecay;
        launch(CudaKernel.ADAM_UPDATE, strideBlocks(n), 1, THREADS, 1, p(param), p(grad), p(m), p(v), n, stepSize, bc2sqrt,
                decay, l2, beta1, beta2, eps);
    }

    void rmspropUpdate(Storage param, Storage grad, Storage sq, long n, float lr, float alpha,
                                           float eps, float weightDecay) {
        launch(CudaKernel.RMSPROP_UPDATE, strideBlocks(n), 1, THREADS, 1, p(param), p(grad), p(sq), n, lr, alpha, eps,
                weightDecay);
    }

    void adagradUpdate(Storage param, Storage grad, Storage sum, long n, float lr, float eps,
                                           float weightDecay) {
        launch(CudaKernel.ADAGRAD_UPDATE, strideBlocks(n), 1, THREADS, 1, p(param), p(grad), p(sum), n, lr, eps, weightDecay);
    }
}
