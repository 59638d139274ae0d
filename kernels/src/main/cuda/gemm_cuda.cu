/*
 * gemm_cuda.cu - CUDA-only SGEMM fast path with the same contract as gemm.cl:
 *     C = act(alpha * op(A) * op(B) + beta * C + bias)
 * op(A) is M x K, op(B) is K x N, C is M x N, all row-major and contiguous. A is stored M x K
 * (K x M when transposed), B is stored K x N (N x K when transposed). When beta == 0, C is not
 * read (it may hold NaN); bias (length N) is added when has_bias != 0; act is an EMBER_ACT_* code
 * (ember_common.h) applied last, with the same ember_activate as every other kernel.
 *
 * Scheme (the classic register-blocked SGEMM): a block of 256 threads computes a BM x BN tile of
 * C, each thread a TM x TN sub-tile held in registers, split into 4 x 4 quads spaced BM/2 (BN/2)
 * apart so shared-memory reads are float4 and conflict-free. K is walked in steps of BK with two
 * shared-memory buffers: the next tile is fetched from global memory into registers while the
 * current one is multiplied, then stored into the other buffer, so there is one barrier per step.
 * Both tiles are stored k-major (As[k][m], Bs[k][n]) and padded by 4 floats to keep the transposing
 * stores free of bank conflicts. Global loads are float4 when the matrix's contiguous dimension is
 * a multiple of 4 (the runtime's allocations are 256-byte aligned, so every such vector is aligned
 * and lies wholly inside or wholly outside the matrix); otherwise element by element. Edges are
 * zero-filled on load and masked on store: every M, N, K >= 1 is correct without out-of-bounds
 * access (K == 0 gives C = act(beta * C + bias)). Products accumulate with fmaf in k order.
 *
 * Kernels (extern "C", all taking the gemm.cl arguments
 *     (M, N, K, alpha, A, B, beta, C, bias, has_bias, act, act_alpha)):
 *   sgemm128_nn, _nt, _tn, _tt   BM = BN = 128, BK = 8,  TM = TN = 8  (large matrices)
 *   sgemm64_nn,  _nt, _tn, _tt   BM = BN = 64,  BK = 16, TM = TN = 4  (when 128-tiles would leave SMs idle)
 * Launch: block (256, 1, 1), grid (ceil(N / BN), ceil(M / BM), 1), no dynamic shared memory.
 * Tunables: the two configurations above (fixed: each needs BM * BK / 4 == BK * BN / 4 == 256).
 * Called by: dev.ember.runtime.cuda.CudaBackend.gemm (Backend.gemm on CUDA devices).
 */
#include "ember_common.h"

#define SGEMM_THREADS 256

/* One BM x BN tile of C per 256-thread block; see the header for the scheme. External linkage on
   purpose: nvcc names internal (static) symbols after a hash of the file's path, which would make
   the PTX differ from one checkout directory to the next. */
template <int BM, int BN, int BK, int TM, int TN, bool TA, bool TB>
__device__ __forceinline__ void sgemm_tile(const int M, const int N, const int K, const float alpha,
                                                  const float *__restrict__ A, const float *__restrict__ B,
                                                  const float beta, float *__restrict__ C,
                                                  const float *__restrict__ bias, const int has_bias,
                                                  const int act, const float act_alpha) {
    static_assert(BM * BK / 4 == SGEMM_THREADS && BN * BK / 4 == SGEMM_THREADS, "one float4 per thread per tile");
    static_assert((BM / TM) * (BN / TN) == SGEMM_THREADS, "256 threads");
    static_assert(TM % 4 == 0 && TN % 4 == 0, "quads of four");
    constexpr int LDA = BM + 4, LDB = BN + 4;  /* padded k-major rows */
    constexpr int QM = TM / 4, QN = TN / 4;    /* quads per thread */
    constexpr int SM = BM / QM, SN = BN / QN;  /* distance between a thread's quads */
    constexpr int RX = BN / TN;                /* threads along N */

    /* As and Bs in one block so the epilogue can reuse both as one staging area. */
    __shared__ __align__(16) float smem_tiles[2 * BK * LDA + 2 * BK * LDB];
    static_assert(SM * SN <= 2 * BK * (LDA + LDB), "the epilogue stage fits in the tile buffers");
    float (*As)[BK][LDA] = reinterpret_cast<float (*)[BK][LDA]>(smem_tiles);
    float (*Bs)[BK][LDB] = reinterpret_cast<float (*)[BK][LDB]>(smem_tiles + 2 * BK * LDA);

    const int tid = threadIdx.x;
    const int tx = tid % RX, ty = tid / RX;
    const int row0 = blockIdx.y * BM, col0 = blockIdx.x * BN;

    /* Which float4 of each tile this thread fetches, in the layout of the stored matrix. */
    /* A plain (M x K): row ar of the tile, k offset ak; A transposed (K x M): k row ak, m offset ar. */
    const int ar = TA ? (tid % (BM / 4)) * 4 : tid / (BK / 4);
    const int ak = TA ? tid / (BM / 4) : (tid % (BK / 4)) * 4;
    /* B plain (K x N): k row bk, n offset bc; B transposed (N x K): n row bc, k offset bk. */
    const int bc = TB ? tid / (BK / 4) : (tid % (BN / 4)) * 4;
    const int bk = TB ? (tid % (BK / 4)) * 4 : tid / (BN / 4);
    /* float4 loads are exact when the contiguous dimension is a multiple of four. */
    const bool vecA = TA ? (M & 3) == 0 : (K & 3) == 0;
    const bool vecB = TB ? (K & 3) == 0 : (N & 3) == 0;

    float4 ra, rb;

    /* Fetches the tile starting at k0 into ra/rb, zero outside the matrices. */
    auto fetch = [&](const int k0) {
        if (!TA) {
            const int i = row0 + ar, p = k0 + ak;
            const float *src = A + (long long)i * K + p;
            if (vecA) {
                ra = (i < M && p < K) ? __ldg((const float4 *)src) : make_float4(0.f, 0.f, 0.f, 0.f);
            } else {
                ra.x = (i < M && p + 0 < K) ? __ldg(src + 0) : 0.f;
                ra.y = (i < M && p + 1 < K) ? __ldg(src + 1) : 0.f;
                ra.z = (i < M && p + 2 < K) ? __ldg(src + 2) : 0.f;
                ra.w = (i < M && p + 3 < K) ? __ldg(src + 3) : 0.f;
            }
        } else {
            const int p = k0 + ak, i = row0 + ar;
            const float *src = A + (long long)p * M + i;
            if (vecA) {
                ra = (p < K && i < M) ? __ldg((const float4 *)src) : make_float4(0.f, 0.f, 0.f, 0.f);
            } else {
                ra.x = (p < K && i + 0 < M) ? __ldg(src + 0) : 0.f;
                ra.y = (p < K && i + 1 < M) ? __ldg(src + 1) : 0.f;
                ra.z = (p < K && i + 2 < M) ? __ldg(src + 2) : 0.f;
                ra.w = (p < K && i + 3 < M) ? __ldg(src + 3) : 0.f;
            }
        }
        if (!TB) {
            const int p = k0 + bk, j = col0 + bc;
            const float *src = B + (long long)p * N + j;
            if (vecB) {
                rb = (p < K && j < N) ? __ldg((const float4 *)src) : make_float4(0.f, 0.f, 0.f, 0.f);
            } else {
                rb.x = (p < K && j + 0 < N) ? __ldg(src + 0) : 0.f;
                rb.y = (p < K && j + 1 < N) ? __ldg(src + 1) : 0.f;
                rb.z = (p < K && j + 2 < N) ? __ldg(src + 2) : 0.f;
                rb.w = (p < K && j + 3 < N) ? __ldg(src + 3) : 0.f;
            }
        } else {
            const int j = col0 + bc, p = k0 + bk;
            const float *src = B + (long long)j * K + p;
            if (vecB) {
                rb = (j < N && p < K) ? __ldg((const float4 *)src) : make_float4(0.f, 0.f, 0.f, 0.f);
            } else {
                rb.x = (j < N && p + 0 < K) ? __ldg(src + 0) : 0.f;
                rb.y = (j < N && p + 1 < K) ? __ldg(src + 1) : 0.f;
                rb.z = (j < N && p + 2 < K) ? __ldg(src + 2) : 0.f;
                rb.w = (j < N && p + 3 < K) ? __ldg(src + 3) : 0.f;
            }
        }
    };

    /* Stores ra/rb into shared buffer s, k-major. */
    auto stash = [&](const int s) {
        if (!TA) {
            As[s][ak + 0][ar] = ra.x;
            As[s][ak + 1][ar] = ra.y;
            As[s][ak + 2][ar] = ra.z;
            As[s][ak + 3][ar] = ra.w;
        } else {
            *(float4 *)&As[s][ak][ar] = ra;
        }
        if (!TB) {
            *(float4 *)&Bs[s][bk][bc] = rb;
        } else {
            Bs[s][bk + 0][bc] = rb.x;
            Bs[s][bk + 1][bc] = rb.y;
            Bs[s][bk + 2][bc] = rb.z;
            Bs[s][bk + 3][bc] = rb.w;
        }
    };

    float acc[TM][TN];
#pragma unroll
    for (int i = 0; i < TM; i++) {
#pragma unroll
        for (int j = 0; j < TN; j++) {
            acc[i][j] = 0.f;
        }
    }

    const int tiles = (K + BK - 1) / BK;
    if (tiles > 0) {
        fetch(0);
        stash(0);
        __syncthreads();
    }
    for (int t = 0; t < tiles; t++) {
        const int cur = t & 1;
        const bool more = t + 1 < tiles;
        if (more) {
            fetch((t + 1) * BK); /* in flight while this tile is multiplied */
        }
#pragma unroll
        for (int p = 0; p < BK; p++) {
            float a[TM], b[TN];
#pragma unroll
            for (int q = 0; q < QM; q++) {
                const float4 v = *(const float4 *)&As[cur][p][q * SM + ty * 4];
                a[q * 4 + 0] = v.x;
                a[q * 4 + 1] = v.y;
                a[q * 4 + 2] = v.z;
                a[q * 4 + 3] = v.w;
            }
#pragma unroll
            for (int q = 0; q < QN; q++) {
                const float4 v = *(const float4 *)&Bs[cur][p][q * SN + tx * 4];
                b[q * 4 + 0] = v.x;
                b[q * 4 + 1] = v.y;
                b[q * 4 + 2] = v.z;
                b[q * 4 + 3] = v.w;
            }
#pragma unroll
            for (int i = 0; i < TM; i++) {
#pragma unroll
                for (int j = 0; j < TN; j++) {
                    acc[i][j] = fmaf(a[i], b[j], acc[i][j]);
                }
            }
        }
        if (more) {
            /* Buffer cur ^ 1 was last read in step t - 1, which every thread finished before the
               barrier that ended step t - 1, so it can be overwritten without another barrier. */
            stash(cur ^ 1);
            __syncthreads();
        }
    }

    /* Epilogue, one SM x SN quarter of the tile at a time: the raw sums go through shared memory
       (reusing the tile buffers) so that the stores coalesce and the activation is instantiated
       once in a rolled loop rather than TM * TN times. */
    float *stage = &As[0][0][0]; /* SM * SN floats: As and Bs are contiguous in smem_tiles */
#pragma unroll
    for (int qm = 0; qm < QM; qm++) {
#pragma unroll
        for (int qn = 0; qn < QN; qn++) {
            __syncthreads(); /* the previous readers of the buffers are done */
#pragma unroll
            for (int ii = 0; ii < 4; ii++) {
                *(float4 *)&stage[(ty * 4 + ii) * SN + tx * 4] =
                    make_float4(acc[qm * 4 + ii][qn * 4 + 0], acc[qm * 4 + ii][qn * 4 + 1],
                                acc[qm * 4 + ii][qn * 4 + 2], acc[qm * 4 + ii][qn * 4 + 3]);
            }
            __syncthreads();
#pragma unroll 1
            for (int e = tid; e < SM * SN; e += SGEMM_THREADS) {
                const int r = row0 + qm * SM + e / SN, c = col0 + qn * SN + e % SN;
                if (r < M && c < N) {
                    float *dst = C + (long long)r * N + c;
                    float v = alpha * stage[e];
                    if (beta != 0.f) {
                        v = v + beta * *dst;
                    }
                    if (has_bias) {
                        v = v + __ldg(bias + c);
                    }
                    *dst = ember_activate(act, act_alpha, v);
                }
            }
        }
    }
}

#define EMBER_SGEMM_CUDA_KERNEL(name, BM, BN, BK, TM, TN, TA, TB, MINB)                                        \
    extern "C" __global__ void __launch_bounds__(SGEMM_THREADS, MINB)                                         \
    name(const int M, const int N, const int K, const float alpha, const float *__restrict__ A,               \
         const float *__restrict__ B, const float beta, float *__restrict__ C, const float *__restrict__ bias, \
         const int has_bias, const int act, const float act_alpha) {                                          \
        sgemm_tile<BM, BN, BK, TM, TN, TA, TB>(M, N, K, alpha, A, B, beta, C, bias, has_bias, act, act_alpha); \
    }

/* 128 x 128 tiles, 8 x 8 per thread: at most 128 registers so two blocks fit an SM. */
EMBER_SGEMM_CUDA_KERNEL(sgemm128_nn, 128, 128, 8, 8, 8, false, false, 2)
EMBER_SGEMM_CUDA_KERNEL(sgemm128_nt, 128, 128, 8, 8, 8, false, true, 2)
EMBER_SGEMM_CUDA_KERNEL(sgemm128_tn, 128, 128, 8, 8, 8, true, false, 2)
EMBER_SGEMM_CUDA_KERNEL(sgemm128_tt, 128, 128, 8, 8, 8, true, true, 2)
/* 64 x 64 tiles, 4 x 4 per thread, for matrices too small to fill the GPU with 128-tiles. */
EMBER_SGEMM_CUDA_KERNEL(sgemm64_nn, 64, 64, 16, 4, 4, false, false, 4)
EMBER_SGEMM_CUDA_KERNEL(sgemm64_nt, 64, 64, 16, 4, 4, false, true, 4)
EMBER_SGEMM_CUDA_KERNEL(sgemm64_tn, 64, 64, 16, 4, 4, true, false, 4)
EMBER_SGEMM_CUDA_KERNEL(sgemm64_tt, 64, 64, 16, 4, 4, true, true, 4)
