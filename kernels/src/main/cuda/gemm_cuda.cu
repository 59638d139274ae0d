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
 * In the sm_90 cubin only, sgemm128_nn and sgemm128_tn (B not transposed) use sgemm_cp_tile
 * instead: B is copied by cp.async into a 4-stage shared ring while A stays register-staged as
 * above (see the comment at sgemm_cp_tile), with the same contract and epilogue.
 *
 * Kernels (extern "C", all taking the gemm.cl arguments
 *     (M, N, K, alpha, A, B, beta, C, bias, has_bias, act, act_alpha)):
 *   sgemm128_nn, _tn             sm_90 cubin: sgemm_cp_tile, BM = BN = 128, BK = 16, 4 stages, TM = TN = 8
 *   sgemm128_nn, _nt, _tn, _tt   otherwise: BM = BN = 128, BK = 16 (sm_90) or 8 (sm_80, PTX), TM = TN = 8  (large matrices)
 *   sgemm64_nn,  _nt, _tn, _tt   BM = BN = 64,  BK = 16, TM = TN = 4  (when 128-tiles would leave SMs idle)
 * Launch: block (256, 1, 1), grid (ceil(N / BN), ceil(M / BM), 1); no dynamic shared memory, except
 * sgemm128_nn/_tn from the sm_90 cubin: 66,560 bytes (EMBER_SGEMM128_CP_SMEM_BYTES), for which the
 * host first sets CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES (CudaBackend, CudaKernel).
 * Tunables: the configurations above (BM * BK and BN * BK multiples of 1024, so every thread
 * fetches whole float4s), chosen with kernels/cuda/tune/gemm_sweep.cu on an H200 (2026-11-26: at
 * 4096^3, BK = 16 gave 41.5 TFLOP/s against 40.5 for BK = 8; a 4 x 8 warp layout, one block per
 * SM with more registers, and 128 x 256 tiles gave no more; see benchmarks/RESULTS.md) and on an
 * H100 (2026-11-27, NN, alpha 1 / beta 0: the cp.async scheme c2 44.9 TFLOP/s at 4096^3 and 43.7 at
 * 2048^3 against 41.4 and 39.9 for sgemm_tile with BK = 16; cuBLAS FP32 50.6 at 4096^3. That sweep
 * ran c2 with direct stores and no epilogue arguments; the shipped kernel adds the staged epilogue,
 * and TN was not timed).
 * Called by: dev.ember.runtime.cuda.CudaBackend.gemm (Backend.gemm on CUDA devices).
 */
#include "ember_common.h"
#include "gemm_store_cuda.h"

#define SGEMM_THREADS 256

/* Four consecutive floats of a row-major matrix at src (row `row_ok`, columns col..col + 3 of `limit`),
   zero outside it: one 16-byte load when vec (the row length is a multiple of four, so the four lie
   wholly inside or wholly outside and src is 16-byte aligned), else element by element. */
__device__ __forceinline__ float4 sgemm_load4(const float *src, const bool row_ok, const int col, const int limit,
                                              const bool vec) {
    float4 v;
    if (vec) {
        v = (row_ok && col < limit) ? __ldg((const float4 *)src) : make_float4(0.f, 0.f, 0.f, 0.f);
    } else {
        v.x = (row_ok && col + 0 < limit) ? __ldg(src + 0) : 0.f;
        v.y = (row_ok && col + 1 < limit) ? __ldg(src + 1) : 0.f;
        v.z = (row_ok && col + 2 < limit) ? __ldg(src + 2) : 0.f;
        v.w = (row_ok && col + 3 < limit) ? __ldg(src + 3) : 0.f;
    }
    return v;
}

/* The epilogue of both 128-tile schemes and the 64-tiles: the raw sums go through shared memory one
   SM x SN quarter of the tile at a time (reusing the tile buffers as `stage`, at least SM * SN floats),
   so that the stores coalesce and the activation is instantiated once in a rolled loop rather than
   TM * TN times. acc holds TM x TN sums as (TM / 4) x (TN / 4) quads of 4 x 4, SM and SN apart. The
   caller must have finished with the tile buffers' contents (the first barrier here waits for the
   other threads). */
template <int TM, int TN, int SM, int SN>
__device__ __forceinline__ void sgemm_epilogue(const float (&acc)[TM][TN], float *stage, const int tx, const int ty,
                                               const int tid, const int row0, const int col0, const int M,
                                               const int N, const float alpha, const float beta,
                                               float *__restrict__ C, const float *__restrict__ bias,
                                               const int has_bias, const int act, const float act_alpha) {
#pragma unroll
    for (int qm = 0; qm < TM / 4; qm++) {
#pragma unroll
        for (int qn = 0; qn < TN / 4; qn++) {
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
                    sgemm_store(C + (long long)r * N + c, bias, c, stage[e], alpha, beta, has_bias, act, act_alpha);
                }
            }
        }
    }
}

/* One BM x BN tile of C per 256-thread block; see the header for the scheme. WARPED arranges each
   warp's 32 threads as 4 rows x 8 columns of the thread grid (a 32 x 64 warp tile for 8 x 8 per
   thread) instead of 2 x 16, so that one k-step's shared-memory reads of a warp touch fewer bytes.
   Each thread fetches BM * BK / 1024 float4 of A and BN * BK / 1024 of B per tile. External
   linkage on purpose: nvcc names internal (static) symbols after a hash of the file's path, which
   would make the PTX differ from one checkout directory to the next. */
template <int BM, int BN, int BK, int TM, int TN, bool TA, bool TB, bool WARPED>
__device__ __forceinline__ void sgemm_tile(const int M, const int N, const int K, const float alpha,
                                                  const float *__restrict__ A, const float *__restrict__ B,
                                                  const float beta, float *__restrict__ C,
                                                  const float *__restrict__ bias, const int has_bias,
                                                  const int act, const float act_alpha) {
    static_assert(BM * BK % (4 * SGEMM_THREADS) == 0 && BN * BK % (4 * SGEMM_THREADS) == 0,
                  "whole float4 fetches per thread");
    static_assert((BM / TM) * (BN / TN) == SGEMM_THREADS, "256 threads");
    static_assert(TM % 4 == 0 && TN % 4 == 0, "quads of four");
    constexpr int LA = BM * BK / (4 * SGEMM_THREADS), LB = BN * BK / (4 * SGEMM_THREADS); /* float4 per thread */
    constexpr int LDA = BM + 4, LDB = BN + 4;  /* padded k-major rows */
    constexpr int QM = TM / 4, QN = TN / 4;    /* quads per thread */
    constexpr int SM = BM / QM, SN = BN / QN;  /* distance between a thread's quads */
    constexpr int RX = BN / TN;                /* threads along N */
    static_assert(!WARPED || (RX % 8 == 0 && (BM / TM) % 4 == 0), "warp tiles of 4 x 8 threads");

    /* As and Bs in one block so the epilogue can reuse both as one staging area. */
    __shared__ __align__(16) float smem_tiles[2 * BK * LDA + 2 * BK * LDB];
    static_assert(SM * SN <= 2 * BK * (LDA + LDB), "the epilogue stage fits in the tile buffers");
    float (*As)[BK][LDA] = reinterpret_cast<float (*)[BK][LDA]>(smem_tiles);
    float (*Bs)[BK][LDB] = reinterpret_cast<float (*)[BK][LDB]>(smem_tiles + 2 * BK * LDA);

    const int tid = threadIdx.x;
    const int lane = tid % 32, warp = tid / 32;
    const int tx = WARPED ? (warp % (RX / 8)) * 8 + lane % 8 : tid % RX;
    const int ty = WARPED ? (warp / (RX / 8)) * 4 + lane / 8 : tid / RX;
    const int row0 = blockIdx.y * BM, col0 = blockIdx.x * BN;

    /* Which float4s of each tile this thread fetches (f = tid + r * 256), in the stored layout. */
    /* A plain (M x K): row ar of the tile, k offset ak; A transposed (K x M): k row ak, m offset ar. */
    /* B plain (K x N): k row bk, n offset bc; B transposed (N x K): n row bc, k offset bk. */
    int ar[LA], ak[LA], bc[LB], bk[LB];
#pragma unroll
    for (int r = 0; r < LA; r++) {
        const int f = tid + r * SGEMM_THREADS;
        ar[r] = TA ? (f % (BM / 4)) * 4 : f / (BK / 4);
        ak[r] = TA ? f / (BM / 4) : (f % (BK / 4)) * 4;
    }
#pragma unroll
    for (int r = 0; r < LB; r++) {
        const int f = tid + r * SGEMM_THREADS;
        bc[r] = TB ? f / (BK / 4) : (f % (BN / 4)) * 4;
        bk[r] = TB ? (f % (BK / 4)) * 4 : f / (BN / 4);
    }
    /* float4 loads are exact when the contiguous dimension is a multiple of four. */
    const bool vecA = TA ? (M & 3) == 0 : (K & 3) == 0;
    const bool vecB = TB ? (K & 3) == 0 : (N & 3) == 0;

    float4 ra[LA], rb[LB];

    /* Fetches the tile starting at k0 into ra/rb, zero outside the matrices. */
    auto fetch = [&](const int k0) {
#pragma unroll
        for (int r = 0; r < LA; r++) {
            if (!TA) {
                const int i = row0 + ar[r], p = k0 + ak[r];
                const float *src = A + (long long)i * K + p;
                ra[r] = sgemm_load4(src, i < M, p, K, vecA);
            } else {
                const int p = k0 + ak[r], i = row0 + ar[r];
                const float *src = A + (long long)p * M + i;
                ra[r] = sgemm_load4(src, p < K, i, M, vecA);
            }
        }
#pragma unroll
        for (int r = 0; r < LB; r++) {
            if (!TB) {
                const int p = k0 + bk[r], j = col0 + bc[r];
                const float *src = B + (long long)p * N + j;
                rb[r] = sgemm_load4(src, p < K, j, N, vecB);
            } else {
                const int j = col0 + bc[r], p = k0 + bk[r];
                const float *src = B + (long long)j * K + p;
                rb[r] = sgemm_load4(src, j < N, p, K, vecB);
            }
        }
    };

    /* Stores ra/rb into shared buffer s, k-major. */
    auto stash = [&](const int s) {
#pragma unroll
        for (int r = 0; r < LA; r++) {
            if (!TA) {
                As[s][ak[r] + 0][ar[r]] = ra[r].x;
                As[s][ak[r] + 1][ar[r]] = ra[r].y;
                As[s][ak[r] + 2][ar[r]] = ra[r].z;
                As[s][ak[r] + 3][ar[r]] = ra[r].w;
            } else {
                *(float4 *)&As[s][ak[r]][ar[r]] = ra[r];
            }
        }
#pragma unroll
        for (int r = 0; r < LB; r++) {
            if (!TB) {
                *(float4 *)&Bs[s][bk[r]][bc[r]] = rb[r];
            } else {
                Bs[s][bk[r] + 0][bc[r]] = rb[r].x;
                Bs[s][bk[r] + 1][bc[r]] = rb[r].y;
                Bs[s][bk[r] + 2][bc[r]] = rb[r].z;
                Bs[s][bk[r] + 3][bc[r]] = rb[r].w;
            }
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

    /* As and Bs are contiguous in smem_tiles: SM * SN floats of staging. */
    sgemm_epilogue<TM, TN, SM, SN>(acc, &As[0][0][0], tx, ty, tid, row0, col0, M, N, alpha, beta, C, bias, has_bias,
                                   act, act_alpha);
}

#define EMBER_SGEMM_CUDA_KERNEL(name, BM, BN, BK, TM, TN, TA, TB, WARPED, MINB)                                \
    extern "C" __global__ void __launch_bounds__(SGEMM_THREADS, MINB)                                         \
    name(const int M, const int N, const int K, const float alpha, const float *__restrict__ A,               \
         const float *__restrict__ B, const float beta, float *__restrict__ C, const float *__restrict__ bias, \
         const int has_bias, const int act, const float act_alpha) {                                          \
        sgemm_tile<BM, BN, BK, TM, TN, TA, TB, WARPED>(M, N, K, alpha, A, B, beta, C, bias, has_bias, act,    \
                                                       act_alpha);                                              \
    }

/*
 * sm_90 path of the NN and TN 128-tiles (the sweep's c2_128x128x16_cpB_s4_b2 with the full contract):
 * BM = BN = 128, BK = 16, 8 x 8 per thread as 4 x 4 quads 64 apart (tx = tid % 16, ty = tid / 16),
 * STAGES shared buffers of each operand. B (K x N) is already k-major, so its rows are copied
 * verbatim into Bs[k][n] (no padding) by cp.async: 16-byte cp.async.cg when N % 4 == 0, else 4-byte
 * cp.async.ca per element; chunks outside the matrix are zero-filled (src-size 0, nothing read).
 * A goes global -> registers -> shared as in sgemm_tile (fetched one tile ahead; transposed into
 * As[k][m], padded by 4, when A is M x K; stored as float4 rows when A is K x M), so its loads
 * and their zero-fill are sgemm_tile's. One barrier per tile; step t:
 *     cp_async_wait<STAGES - 2>: this thread's copies of tile t have landed; __syncthreads(): every
 *     thread's have, A's stash of tile t is visible, and every thread finished step t - 1;
 *     issue B of tile t + STAGES - 1 into buffer (t - 1) % STAGES (last read in step t - 1); commit
 *     (an empty group when there is no such tile, so the wait count stays uniform);
 *     fetch A of tile t + 1 into registers; multiply buffer t % STAGES;
 *     stash A of tile t + 1 into As[(t + 1) % STAGES] (last read in step t + 1 - STAGES <= t - 1).
 * Then cp_async_wait<0> (only empty groups remain) and sgemm_tile's staged epilogue.
 * Shared memory: STAGES * BK * ((BM + 4) + BN) floats = 66,560 bytes for BK = 16, STAGES = 4, which
 * is dynamic shared memory (over the 48 KB static limit): the host opts in with
 * CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES and passes it at launch (CudaKernel's
 * SGEMM128_SM90_SHARED_BYTES, = EMBER_SGEMM128_CP_SMEM_BYTES below). 128 registers, 2 blocks per SM.
 * The cp.async wrappers and this template exist for sm_80+ device code and the host pass only
 * (the compute_75 PTX must not contain cp.async); the host emulation supplies its own wrappers.
 */
template <int BK, int STAGES>
struct SgemmCpShape {
    static constexpr int BM = 128, BN = 128;
    static constexpr int LDA = BM + 4;  /* As[k][m], padded as in sgemm_tile */
    static constexpr int LDB = BN;      /* Bs[k][n], verbatim rows of B */
    static constexpr int A_STAGE = BK * LDA, B_STAGE = BK * LDB;
    static constexpr int FLOATS = STAGES * (A_STAGE + B_STAGE);
    static constexpr int SMEM_BYTES = FLOATS * 4;
};

#if !defined(__CUDA_ARCH__) || __CUDA_ARCH__ >= 800
#ifndef EMBER_CUDA_EMU
/* cp.async wrappers (sm_80+). valid == false copies nothing and zero-fills the destination. */
__device__ __forceinline__ void cp_async16(void *s, const void *g, bool valid) {
    const unsigned sa = (unsigned)__cvta_generic_to_shared(s);
    asm volatile("cp.async.cg.shared.global [%0], [%1], 16, %2;\n" ::"r"(sa), "l"(g), "r"(valid ? 16 : 0) : "memory");
}
__device__ __forceinline__ void cp_async4(void *s, const void *g, bool valid) {
    const unsigned sa = (unsigned)__cvta_generic_to_shared(s);
    asm volatile("cp.async.ca.shared.global [%0], [%1], 4, %2;\n" ::"r"(sa), "l"(g), "r"(valid ? 4 : 0) : "memory");
}
__device__ __forceinline__ void cp_async_commit() { asm volatile("cp.async.commit_group;\n" ::: "memory"); }
template <int N>
__device__ __forceinline__ void cp_async_wait() {
    asm volatile("cp.async.wait_group %0;\n" ::"n"(N) : "memory");
}
#endif

template <int BK, int STAGES, bool TA>
__device__ __forceinline__ void sgemm_cp_tile(const int M, const int N, const int K, const float alpha,
                                              const float *__restrict__ A, const float *__restrict__ B,
                                              const float beta, float *__restrict__ C,
                                              const float *__restrict__ bias, const int has_bias, const int act,
                                              const float act_alpha) {
    using S = SgemmCpShape<BK, STAGES>;
    constexpr int BM = S::BM, BN = S::BN, LDA = S::LDA, LDB = S::LDB;
    constexpr int LA = BM * BK / (4 * SGEMM_THREADS), LB = BN * BK / (4 * SGEMM_THREADS); /* float4 per thread */
    constexpr int SM = 64, SN = 64; /* distance between a thread's quads; the epilogue's quarter */
    static_assert(STAGES >= 2 && LA >= 1 && LB >= 1 && BK % 4 == 0, "configuration");
    static_assert(SM * SN <= S::FLOATS, "the epilogue stage fits in the tile buffers");
#ifdef EMBER_CUDA_EMU
    __shared__ __align__(16) float smem[S::FLOATS]; /* the emulation has no dynamic shared memory */
#else
    extern __shared__ __align__(16) float smem[]; /* S::SMEM_BYTES, given at launch */
#endif
    float *const As = smem;                      /* STAGES x A_STAGE */
    float *const Bs = smem + STAGES * S::A_STAGE; /* STAGES x B_STAGE, 16-byte aligned */

    const int tid = threadIdx.x;
    const int tx = tid % 16, ty = tid / 16;
    const int row0 = blockIdx.y * BM, col0 = blockIdx.x * BN;
    /* 16-byte loads and copies are exact when the contiguous dimension is a multiple of four. */
    const bool vecA = TA ? (M & 3) == 0 : (K & 3) == 0;
    const bool vecB = (N & 3) == 0;

    /* Issues the cp.async copies of tile kt's B into buffer s; no commit. */
    auto issueB = [&](const int kt, const int s) {
        const int k0 = kt * BK;
        float *bs = Bs + s * S::B_STAGE;
#pragma unroll
        for (int r = 0; r < LB; r++) {
            const int f = tid + r * SGEMM_THREADS;
            const int k = f / (BN / 4), n = (f % (BN / 4)) * 4;
            const int p = k0 + k, j = col0 + n;
            float *dst = bs + k * LDB + n;
            if (vecB) {
                const bool ok = p < K && j < N;
                cp_async16(dst, ok ? B + (long long)p * N + j : B, ok);
            } else {
#pragma unroll
                for (int c = 0; c < 4; c++) {
                    const bool ok = p < K && j + c < N;
                    cp_async4(dst + c, ok ? B + (long long)p * N + j + c : B, ok);
                }
            }
        }
    };

    /* A's register staging (f = tid + r * 256): A plain (M x K): row f / (BK/4), k (f % (BK/4)) * 4;
       A transposed (K x M): k row f / (BM/4), m offset (f % (BM/4)) * 4. Zero outside the matrix. */
    float4 ra[LA];
    auto fetchA = [&](const int kt) {
        const int k0 = kt * BK;
#pragma unroll
        for (int r = 0; r < LA; r++) {
            const int f = tid + r * SGEMM_THREADS;
            if (!TA) {
                const int i = row0 + f / (BK / 4), p = k0 + (f % (BK / 4)) * 4;
                const float *src = A + (long long)i * K + p;
                ra[r] = sgemm_load4(src, i < M, p, K, vecA);
            } else {
                const int p = k0 + f / (BM / 4), i = row0 + (f % (BM / 4)) * 4;
                const float *src = A + (long long)p * M + i;
                ra[r] = sgemm_load4(src, p < K, i, M, vecA);
            }
        }
    };
    /* Stores ra into As[s], k-major. */
    auto stashA = [&](const int s) {
        float *as = As + s * S::A_STAGE;
#pragma unroll
        for (int r = 0; r < LA; r++) {
            const int f = tid + r * SGEMM_THREADS;
            if (!TA) {
                const int m = f / (BK / 4), k = (f % (BK / 4)) * 4;
                as[(k + 0) * LDA + m] = ra[r].x;
                as[(k + 1) * LDA + m] = ra[r].y;
                as[(k + 2) * LDA + m] = ra[r].z;
                as[(k + 3) * LDA + m] = ra[r].w;
            } else {
                const int k = f / (BM / 4), m = (f % (BM / 4)) * 4;
                *(float4 *)&as[k * LDA + m] = ra[r];
            }
        }
    };

    float acc[8][8];
#pragma unroll
    for (int i = 0; i < 8; i++) {
#pragma unroll
        for (int j = 0; j < 8; j++) {
            acc[i][j] = 0.f;
        }
    }

    const int tiles = (K + BK - 1) / BK;
    if (tiles > 0) {
        fetchA(0);
        stashA(0); /* published by the barrier opening step 0 */
    }
#pragma unroll
    for (int s = 0; s < STAGES - 1; s++) {
        if (s < tiles) {
            issueB(s, s);
        }
        cp_async_commit();
    }
#pragma unroll 1
    for (int t = 0; t < tiles; t++) {
        const int cur = t % STAGES;
        cp_async_wait<STAGES - 2>(); /* this thread's copies of tile t have landed */
        __syncthreads();             /* everyone's have; everyone finished step t - 1 */
        {
            const int nt = t + STAGES - 1;
            if (nt < tiles) {
                issueB(nt, nt % STAGES);
            }
            cp_async_commit();
        }
        const bool moreA = t + 1 < tiles;
        if (moreA) {
            fetchA(t + 1); /* in flight while this tile is multiplied */
        }
        const float *as = As + cur * S::A_STAGE;
        const float *bs = Bs + cur * S::B_STAGE;
#pragma unroll
        for (int p = 0; p < BK; p++) {
            float a[8], b[8];
#pragma unroll
            for (int q = 0; q < 2; q++) {
                const float4 va = *(const float4 *)&as[p * LDA + q * SM + ty * 4];
                a[q * 4 + 0] = va.x;
                a[q * 4 + 1] = va.y;
                a[q * 4 + 2] = va.z;
                a[q * 4 + 3] = va.w;
                const float4 vb = *(const float4 *)&bs[p * LDB + q * SN + tx * 4];
                b[q * 4 + 0] = vb.x;
                b[q * 4 + 1] = vb.y;
                b[q * 4 + 2] = vb.z;
                b[q * 4 + 3] = vb.w;
            }
#pragma unroll
            for (int i = 0; i < 8; i++) {
#pragma unroll
                for (int j = 0; j < 8; j++) {
                    acc[i][j] = fmaf(a[i], b[j], acc[i][j]);
                }
            }
        }
        if (moreA) {
            stashA((t + 1) % STAGES); /* last read in step t + 1 - STAGES <= t - 1 */
        }
    }
    cp_async_wait<0>(); /* no copy may be in flight at the epilogue (only empty groups remain) */

    sgemm_epilogue<8, 8, SM, SN>(acc, smem, tx, ty, tid, row0, col0, M, N, alpha, beta, C, bias, has_bias, act,
                                 act_alpha);
}

#define EMBER_SGEMM_CP_KERNEL(name, BK, STAGES, TA, MINB)                                                      \
    extern "C" __global__ void __launch_bounds__(SGEMM_THREADS, MINB)                                         \
    name(const int M, const int N, const int K, const float alpha, const float *__restrict__ A,               \
         const float *__restrict__ B, const float beta, float *__restrict__ C, const float *__restrict__ bias, \
         const int has_bias, const int act, const float act_alpha) {                                          \
        sgemm_cp_tile<BK, STAGES, TA>(M, N, K, alpha, A, B, beta, C, bias, has_bias, act, act_alpha);        \
    }
#endif /* sm_80+ or host */

/* K step of the 128-tiles: 16 for Hopper (sm_90 cubin: +2.4% at 4096^3 on an H200), 8 for the
   sm_80 cubin and the compute_75 PTX. With 16 a block takes 33 KB of shared memory, so Turing
   (64 KB per SM) would fit one block instead of two, and sm_80's NT kernel spills. The host
   emulation test builds both (-DEMBER_SGEMM128_BK=8 and 16). */
#ifndef EMBER_SGEMM128_BK
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 900
#define EMBER_SGEMM128_BK 16
#else
#define EMBER_SGEMM128_BK 8
#endif
#endif

/* Whether sgemm128_nn and sgemm128_tn are the cp.async kernels (sgemm_cp_tile<16, 4>): in the sm_90
   cubin only (H100, gemm_sweep 2026-11-27 at 4096^3: 44.9 TFLOP/s against 41.4 for sgemm_tile with
   BK = 16). Elsewhere they stay sgemm_tile kernels with static shared memory; the host pass gets
   the same signatures either way. The host emulation test builds both (-DEMBER_SGEMM128_CP=0/1). */
#ifndef EMBER_SGEMM128_CP
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 900
#define EMBER_SGEMM128_CP 1
#else
#define EMBER_SGEMM128_CP 0
#endif
#endif
/* Dynamic shared memory of the cp.async kernels: must equal CudaKernel.SGEMM128_SM90_SHARED_BYTES. */
#define EMBER_SGEMM128_CP_SMEM_BYTES 66560
static_assert(SgemmCpShape<16, 4>::SMEM_BYTES == EMBER_SGEMM128_CP_SMEM_BYTES, "the host passes this size at launch");

/* 128 x 128 tiles, 8 x 8 per thread: at most 128 registers so two blocks fit an SM. */
#if EMBER_SGEMM128_CP
EMBER_SGEMM_CP_KERNEL(sgemm128_nn, 16, 4, false, 2)
#else
EMBER_SGEMM_CUDA_KERNEL(sgemm128_nn, 128, 128, EMBER_SGEMM128_BK, 8, 8, false, false, false, 2)
#endif
EMBER_SGEMM_CUDA_KERNEL(sgemm128_nt, 128, 128, EMBER_SGEMM128_BK, 8, 8, false, true, false, 2)
#if EMBER_SGEMM128_CP
EMBER_SGEMM_CP_KERNEL(sgemm128_tn, 16, 4, true, 2)
#else
EMBER_SGEMM_CUDA_KERNEL(sgemm128_tn, 128, 128, EMBER_SGEMM128_BK, 8, 8, true, false, false, 2)
#endif
EMBER_SGEMM_CUDA_KERNEL(sgemm128_tt, 128, 128, EMBER_SGEMM128_BK, 8, 8, true, true, false, 2)
/* 64 x 64 tiles, 4 x 4 per thread, for matrices too small to fill the GPU with 128-tiles. */
EMBER_SGEMM_CUDA_KERNEL(sgemm64_nn, 64, 64, 16, 4, 4, false, false, false, 4)
EMBER_SGEMM_CUDA_KERNEL(sgemm64_nt, 64, 64, 16, 4, 4, false, true, false, 4)
EMBER_SGEMM_CUDA_KERNEL(sgemm64_tn, 64, 64, 16, 4, 4, true, false, false, 4)
EMBER_SGEMM_CUDA_KERNEL(sgemm64_tt, 64, 64, 16, 4, 4, true, true, false, 4)
