/*
 * gemm_tf32_cuda.cu - CUDA-only SGEMM on tensor cores in TF32, same contract as gemm_cuda.cu:
 *     C = act(alpha * op(A) * op(B) + beta * C + bias)
 * PRECISION: A and B are rounded to TF32 (10 explicit mantissa bits, round to nearest, ties away)
 * before each product; products are accumulated in FP32. The relative error of a dot product is
 * about 2^-11 of the sum of |a_p * b_p| (~5e-4), against ~2^-24 per operation for the FP32 kernels,
 * so it is used only when asked for (-Dember.cuda.tf32=true) on GPUs with TF32 tensor cores (8.x, 9.x:
 * the packed sm_80/sm_90 cubins; in the compute_75 PTX the kernels are empty stubs the backend never
 * launches).
 *
 * Scheme: a block of 256 threads (8 warps as 2 x 4) computes a 128 x 128 tile of C; each warp a
 * 64 x 32 tile as 4 x 2 WMMA accumulators of 16 x 16 (m16n16k8). K is walked in steps of 16 with
 * two shared-memory buffers (A row-major m x k, B row-major k x n, rows padded by 4 floats), the
 * next step fetched from global memory (float4 when the contiguous dimension is a multiple of 4)
 * while the current one is multiplied. Edges are zero-filled on load and masked on store; every
 * M, N, K >= 1 is correct (K == 0 gives act(beta * C + bias)). The epilogue goes through a per-warp
 * 16 x 16 staging tile in shared memory and applies ember_activate like every other kernel.
 *
 * Kernels (extern "C", arguments as gemm.cl): sgemm_tf32_nn, _nt, _tn, _tt.
 * Launch: block (256, 1, 1), grid (ceil(N / 128), ceil(M / 128), 1).
 * Tunables: none (fixed 128 x 128 x 16 tiles).
 * Called by: dev.ember.runtime.cuda.CudaBackend.gemm when ember.cuda.tf32=true and a cubin was loaded.
 */
#include "ember_common.h"
#include "gemm_store_cuda.h"
#if !defined(EMBER_CUDA_EMU)
#include <mma.h>
#endif

#define TF32_BM 128
#define TF32_BN 128
#define TF32_BK 16
#define TF32_LDA (TF32_BK + 4)  /* A tile row length (m-major rows of k) */
#define TF32_LDB (TF32_BN + 4)  /* B tile row length (k-major rows of n) */

template <bool TA, bool TB>
__device__ __forceinline__ void sgemm_tf32_tile(const int M, const int N, const int K, const float alpha,
                                                const float *__restrict__ A, const float *__restrict__ B,
                                                const float beta, float *__restrict__ C,
                                                const float *__restrict__ bias, const int has_bias, const int act,
                                                const float act_alpha) {
#if defined(EMBER_CUDA_EMU) || (defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 800)
    using namespace nvcuda;
    constexpr int BM = TF32_BM, BN = TF32_BN, BK = TF32_BK, LDA = TF32_LDA, LDB = TF32_LDB;
    constexpr int A_TILE = BM * LDA, B_TILE = BK * LDB;
    /* Both buffers of A, then both of B; every fragment pointer is 32-byte aligned (see offsets). */
    __shared__ __align__(32) float smem[2 * A_TILE + 2 * B_TILE];
    static_assert((A_TILE * 4) % 32 == 0 && (B_TILE * 4) % 32 == 0 && (LDA * 4) % 16 == 0 && (LDB * 4) % 16 == 0,
                  "WMMA needs 32-byte aligned tiles and 16-byte multiples as leading dimensions");
    static_assert(8 * 256 <= 2 * A_TILE, "the epilogue staging fits in the A buffers");

    const int tid = threadIdx.x, lane = tid % 32, warp = tid / 32;
    const int wm = warp / 4, wn = warp % 4; /* warp tile: rows wm*64.., cols wn*32.. */
    const int row0 = blockIdx.y * BM, col0 = blockIdx.x * BN;
    const bool vecA = TA ? (M & 3) == 0 : (K & 3) == 0;
    const bool vecB = TB ? (K & 3) == 0 : (N & 3) == 0;

    float4 ra[2], rb[2];
    /* Element e (0..511) of a tile's float4s: A plain (M x K): row e/4, k (e%4)*4; A transposed (K x M):
       k e/32, row (e%32)*4; B plain (K x N): k e/32, col (e%32)*4; B transposed (N x K): col e/4, k (e%4)*4. */
    auto fetch = [&](const int k0) {
#pragma unroll
        for (int h = 0; h < 2; h++) {
            const int e = tid + h * 256;
            {
                const int i = row0 + (TA ? (e % 32) * 4 : e / 4), p = k0 + (TA ? e / 32 : (e % 4) * 4);
                const float *src = TA ? A + (long long)p * M + i : A + (long long)i * K + p;
                float4 v = make_float4(0.f, 0.f, 0.f, 0.f);
                if (TA ? (p < K && vecA && i < M) : (i < M && vecA && p < K)) {
                    v = __ldg((const float4 *)src);
                } else if (!vecA) {
                    float t[4];
#pragma unroll
                    for (int q = 0; q < 4; q++) {
                        const bool in = TA ? (p < K && i + q < M) : (i < M && p + q < K);
                        t[q] = in ? __ldg(src + q) : 0.f;
                    }
                    v = make_float4(t[0], t[1], t[2], t[3]);
                }
                ra[h] = v;
            }
            {
                const int j = col0 + (TB ? e / 4 : (e % 32) * 4), p = k0 + (TB ? (e % 4) * 4 : e / 32);
                const float *src = TB ? B + (long long)j * K + p : B + (long long)p * N + j;
                float4 v = make_float4(0.f, 0.f, 0.f, 0.f);
                if (TB ? (j < N && vecB && p < K) : (p < K && vecB && j < N)) {
                    v = __ldg((const float4 *)src);
                } else if (!vecB) {
                    float t[4];
#pragma unroll
                    for (int q = 0; q < 4; q++) {
                        const bool in = TB ? (j < N && p + q < K) : (p < K && j + q < N);
                        t[q] = in ? __ldg(src + q) : 0.f;
                    }
                    v = make_float4(t[0], t[1], t[2], t[3]);
                }
                rb[h] = v;
            }
        }
    };
    auto stash = [&](const int s) {
        float *As = smem + s * A_TILE, *Bs = smem + 2 * A_TILE + s * B_TILE;
#pragma unroll
        for (int h = 0; h < 2; h++) {
            const int e = tid + h * 256;
            if (!TA) {
                *(float4 *)&As[(e / 4) * LDA + (e % 4) * 4] = ra[h];
            } else {
                const int m = (e % 32) * 4, k = e / 32;
                As[(m + 0) * LDA + k] = ra[h].x;
                As[(m + 1) * LDA + k] = ra[h].y;
                As[(m + 2) * LDA + k] = ra[h].z;
                As[(m + 3) * LDA + k] = ra[h].w;
            }
            if (!TB) {
                *(float4 *)&Bs[(e / 32) * LDB + (e % 32) * 4] = rb[h];
            } else {
                const int n = e / 4, k = (e % 4) * 4;
                Bs[(k + 0) * LDB + n] = rb[h].x;
                Bs[(k + 1) * LDB + n] = rb[h].y;
                Bs[(k + 2) * LDB + n] = rb[h].z;
                Bs[(k + 3) * LDB + n] = rb[h].w;
            }
        }
    };

    wmma::fragment<wmma::accumulator, 16, 16, 8, float> acc[4][2];
#pragma unroll
    for (int i = 0; i < 4; i++) {
#pragma unroll
        for (int j = 0; j < 2; j++) {
            wmma::fill_fragment(acc[i][j], 0.0f);
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
            fetch((t + 1) * BK);
        }
        const float *As = smem + cur * A_TILE, *Bs = smem + 2 * A_TILE + cur * B_TILE;
#pragma unroll
        for (int kk = 0; kk < BK; kk += 8) {
            wmma::fragment<wmma::matrix_a, 16, 16, 8, wmma::precision::tf32, wmma::row_major> a[4];
            wmma::fragment<wmma::matrix_b, 16, 16, 8, wmma::precision::tf32, wmma::row_major> b[2];
#pragma unroll
            for (int i = 0; i < 4; i++) {
                wmma::load_matrix_sync(a[i], As + (wm * 64 + i * 16) * LDA + kk, LDA);
#pragma unroll
                for (int x = 0; x < a[i].num_elements; x++) {
                    a[i].x[x] = wmma::__float_to_tf32(a[i].x[x]);
                }
            }
#pragma unroll
            for (int j = 0; j < 2; j++) {
                wmma::load_matrix_sync(b[j], Bs + kk * LDB + wn * 32 + j * 16, LDB);
#pragma unroll
                for (int x = 0; x < b[j].num_elements; x++) {
                    b[j].x[x] = wmma::__float_to_tf32(b[j].x[x]);
                }
            }
#pragma unroll
            for (int i = 0; i < 4; i++) {
#pragma unroll
                for (int j = 0; j < 2; j++) {
                    wmma::mma_sync(acc[i][j], a[i], b[j], acc[i][j]);
                }
            }
        }
        if (more) {
            stash(cur ^ 1); /* last read in step t - 1, before the barrier that ended it */
            __syncthreads();
        }
    }

    __syncthreads(); /* the A buffers become the per-warp staging tiles */
    float *stage = smem + warp * 256;
#pragma unroll
    for (int i = 0; i < 4; i++) {
#pragma unroll
        for (int j = 0; j < 2; j++) {
            wmma::store_matrix_sync(stage, acc[i][j], 16, wmma::mem_row_major);
            __syncwarp();
#pragma unroll 1
            for (int e = lane; e < 256; e += 32) {
                const int r = row0 + wm * 64 + i * 16 + e / 16, c = col0 + wn * 32 + j * 16 + e % 16;
                if (r < M && c < N) {
                    sgemm_store(C + (long long)r * N + c, bias, c, stage[e], alpha, beta, has_bias, act, act_alpha);
                }
            }
            __syncwarp();
        }
    }
#endif
}

#define EMBER_SGEMM_TF32_KERNEL(name, TA, TB)                                                                  \
    extern "C" __global__ void __launch_bounds__(256)                                                         \
    name(const int M, const int N, const int K, const float alpha, const float *__restrict__ A,               \
         const float *__restrict__ B, const float beta, float *__restrict__ C, const float *__restrict__ bias, \
         const int has_bias, const int act, const float act_alpha) {                                          \
        sgemm_tf32_tile<TA, TB>(M, N, K, alpha, A, B, beta, C, bias, has_bias, act, act_alpha);               \
    }

EMBER_SGEMM_TF32_KERNEL(sgemm_tf32_nn, false, false)
EMBER_SGEMM_TF32_KERNEL(sgemm_tf32_nt, false, true)
EMBER_SGEMM_TF32_KERNEL(sgemm_tf32_tn, true, false)
EMBER_SGEMM_TF32_KERNEL(sgemm_tf32_tt, true, true)
