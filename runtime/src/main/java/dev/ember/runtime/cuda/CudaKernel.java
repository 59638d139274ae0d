package dev.ember.runtime.cuda;

import java.util.List;

/**
 * Every kernel the CUDA backend launches: the packed module (kernel file) it lives in, its
 * unmangled name, and its parameter list as one letter per parameter ({@code p} device pointer,
 * {@code i} 32-bit int, {@code j} 64-bit integer, {@code f} float). Launches are checked against
 * the signature, and a test checks the signatures against the packed PTX, so a kernel whose
 * parameters change cannot be launched with stale arguments.
 */
public enum CudaKernel {
    // gemm_cuda.cu (CUDA-only fast path): (M, N, K, alpha, A, B, beta, C, bias, has_bias, act, act_alpha)
    // NN and TN are cp.async kernels with dynamic shared memory in the sm_90 cubin (sgemm_cp_tile)
    SGEMM128_NN("gemm_cuda", "sgemm128_nn", "iiifppfppiif", CudaKernel.SGEMM128_SM90_SHARED_BYTES),
    SGEMM128_NT("gemm_cuda", "sgemm128_nt", "iiifppfppiif"),
    SGEMM128_TN("gemm_cuda", "sgemm128_tn", "iiifppfppiif", CudaKernel.SGEMM128_SM90_SHARED_BYTES),
    SGEMM128_TT("gemm_cuda", "sgemm128_tt", "iiifppfppiif"),
    SGEMM64_NN("gemm_cuda", "sgemm64_nn", "iiifppfppiif"),
    SGEMM64_NT("gemm_cuda", "sgemm64_nt", "iiifppfppiif"),
    SGEMM64_TN("gemm_cuda", "sgemm64_tn", "iiifppfppiif"),
    SGEMM64_TT("gemm_cuda", "sgemm64_tt", "iiifppfppiif"),
    // gemm_tf32_cuda.cu (TF32 tensor cores, sm_80/sm_90 cubins only): -Dember.cuda.tf32=true
    SGEMM_TF32_NN("gemm_tf32_cuda", "sgemm_tf32_nn", "iiifppfppiif"),
    SGEMM_TF32_NT("gemm_tf32_cuda", "sgemm_tf32_nt", "iiifppfppiif"),
    SGEMM_TF32_TN("gemm_tf32_cuda", "sgemm_tf32_tn", "iiifppfppiif"),
    SGEMM_TF32_TT("gemm_tf32_cuda", "sgemm_tf32_tt", "iiifppfppiif"),
    // gemm.cl (the portable kernels, default tunables TS 32 x 32, 4 x 4 per work-item): -Dember.cuda.gemm=portable
    GEMM_NN("gemm", "gemm_nn", "iiifppfppiif"),
    GEMM_NT("gemm", "gemm_nt", "iiifppfppiif"),
    GEMM_TN("gemm", "gemm_tn", "iiifppfppiif"),
    GEMM_TT("gemm", "gemm_tt", "iiifppfppiif"),
    // elementwise.cl
    ACT_FORWARD("elementwise", "act_forward", "ppjif"),
    ACT_BACKWARD("elementwise", "act_backward", "ppppjif"),
    BINARY_OP("elementwise", "binary_op", "pppji"),
    SCALE_OP("elementwise", "scale_op", "ppjf"),
    AXPY_OP("elementwise", "axpy_op", "ppjf"),
    CLAMP_OP("elementwise", "clamp_op", "ppjff"),
    BIAS_ADD("elementwise", "bias_add", "pppii"),
    // reduce.cl
    SUM_PARTIAL("reduce", "sum_partial", "pjjip"),
    SUM_FINAL("reduce", "sum_final", "pipi"),
    COLUMN_SUMS("reduce", "column_sums", "ppiifi"),
    COLUMN_MEAN_VAR("reduce", "column_mean_var", "pppii"),
    ROW_ARGMAX("reduce", "row_argmax", "ppiii"),
    SOFTMAX_ROWS("reduce", "softmax_rows", "ppiii"),
    // losses.cl
    XENT_ROWS("losses", "xent_rows", "ppppiii"),
    XENT_PARTIAL("losses", "xent_partial", "piipp"),
    XENT_FINISH("losses", "xent_finish", "piip"),
    BCE_PARTIAL("losses", "bce_partial", "ppppjjf"),
    MSE_PARTIAL("losses", "mse_partial", "ppppjjf"),
    LOSS_FINISH("losses", "loss_finish", "pifp"),
    // dropout.cl
    DROPOUT_FORWARD("dropout", "dropout_forward", "ppjiiff"),
    // optim.cl
    SGD_UPDATE("optim", "sgd_update", "pppjfffii"),
    ADAM_UPDATE("optim", "adam_update", "ppppjfffffff"),
    RMSPROP_UPDATE("optim", "rmsprop_update", "pppjffff"),
    ADAGRAD_UPDATE("optim", "adagrad_update", "pppjfff"),
    // batchnorm.cl
    BATCHNORM_FORWARD("batchnorm", "batchnorm_forward", "ppppppfii"),
    BATCHNORM_BACKWARD_REDUCE("batchnorm", "batchnorm_backward_reduce", "ppppppfii"),
    BATCHNORM_BACKWARD_DX("batchnorm", "batchnorm_backward_dx", "ppppppppfii"),
    // roofline.cl: (out, iters), Backend.measurePeakFlops
    FMA_PEAK("roofline", "fma_peak", "pi");

    /**
     * Dynamic shared memory (bytes) of sgemm128_nn and sgemm128_tn in the sm_90 cubin: 4 stages of a
     * 16 x 132 A tile and a 16 x 128 B tile, EMBER_SGEMM128_CP_SMEM_BYTES of gemm_cuda.cu (a test
     * compares the two). Over the 48 KB a block gets without opting in.
     */
    public static final int SGEMM128_SM90_SHARED_BYTES = 66_560;
    /** Work-group size the reduction kernels were compiled for (RED_WG in reduce.cl and losses.cl). */
    public static final int RED_WG = 256;
    /** Columns per block of the column reductions (COL_TILE). */
    public static final int COL_TILE = 16;
    /** Row lanes per column of the column reductions (ROW_LANES). */
    public static final int ROW_LANES = 16;
    /** C tile of the portable gemm.cl kernels as compiled for CUDA (TS_M = TS_N). */
    public static final int PORTABLE_GEMM_TILE = 32;
    /** Work-items per tile side of the portable gemm.cl kernels (TS / WPT). */
    public static final int PORTABLE_GEMM_THREADS = 8;

    private final String module;
    private final String symbol;
    private final String signature;
    private final int sm90DynamicShared;

    CudaKernel(String module, String symbol, String signature) {
        this(module, symbol, signature, 0);
    }

    CudaKernel(String module, String symbol, String signature, int sm90DynamicShared) {
        this.module = module;
        this.symbol = symbol;
        this.signature = signature;
        this.sm90DynamicShared = sm90DynamicShared;
    }

    /** The packed module (kernel file without extension), e.g. {@code reduce}. */
    public String module() {
        return module;
    }

    /** The kernel's extern "C" name. */
    public String symbol() {
        return symbol;
    }

    /** One letter per parameter: p pointer, i int, j long, f float. */
    public String signature() {
        return signature;
    }

    /**
     * Dynamic shared memory (bytes) this kernel needs when its module was loaded from {@code image}
     * (a {@link CudaImages} resource name, as {@code CudaBackend.loadedImages()} reports it): nonzero
     * only for the kernels that use it in the sm_90 cubin. The PTX and the sm_80 cubin use static
     * shared memory only, and so does a null (not loaded) image.
     */
    public int dynamicSharedBytes(String image) {
        return sm90DynamicShared > 0 && (CudaImages.ROOT + module + ".sm_90.cubin").equals(image) ? sm90DynamicShared : 0;
    }

    /** The modules the backend loads, in load order. */
    public static List<String> modules() {
        return java.util.Arrays.stream(values()).map(CudaKernel::module).distinct().toList();
    }
}
