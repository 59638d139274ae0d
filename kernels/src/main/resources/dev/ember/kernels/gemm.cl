/*
 * gemm.cl - single-precision GEMM with a fused epilogue:
 *     C = act(alpha * op(A) * op(B) + beta * C + bias)
 * op(A) is M x K, op(B) is K x N, C is M x N, all row-major and contiguous. A is stored M x K
 * (K x M when transposed), B is stored K x N (N x K when transposed). One kernel per transpose
 * case: gemm_nn, gemm_nt, gemm_tn, gemm_tt (n = plain, t = transposed; first letter A).
 *
 * Scheme: each work-group computes a TS_M x TS_N tile of C; it walks K in steps of TS_K, staging
 * the A and B tiles in local memory (stored k-major, padded by one to spread banks), and each
 * work-item accumulates a WPT_M x WPT_N block of C in registers (rows ty + w * (TS_M / WPT_M),
 * columns tx + w * (TS_N / WPT_N), so stores coalesce). Tiles are loaded with four-float vector
 * loads when VW == 4 and the matrix's contiguous dimension is a multiple of 4 (then every vector is
 * aligned and lies fully inside or fully outside the matrix); otherwise element by element. Edges
 * are zero-filled on load and masked on store: every M, N, K is correct with no out-of-bounds
 * access. When beta == 0, C is never read (it may hold NaN). bias (length N) is added when
 * has_bias != 0; act is an EMBER_ACT_* code applied last.
 *
 * Launch: local size (TS_N / WPT_N, TS_M / WPT_M), global size
 *     (ceil(N / TS_N) * TS_N / WPT_N, ceil(M / TS_M) * TS_M / WPT_M).
 * Tunables (chosen per device by the OpenCL tuner; constraints: TS_M % WPT_M == 0,
 * TS_N % WPT_N == 0, and with VW == 4: TS_M, TS_N, TS_K multiples of 4):
 *   TS_M   rows of C per work-group (default 32)
 *   TS_N   columns of C per work-group (default 32)
 *   TS_K   depth of one local-memory tile step (default 16)
 *   WPT_M  rows of C per work-item (default 4)
 *   WPT_N  columns of C per work-item (default 4)
 *   VW     vector width of tile loads, 1 or 4 (default 4)
 * Called by: Backend.gemm (Ops.gemm, Ops.matmul, Ops.linear and the dense layers).
 */
#include "ember_common.h"

#ifndef TS_M
#define TS_M 32 /* rows of C per work-group */
#endif
#ifndef TS_N
#define TS_N 32 /* columns of C per work-group */
#endif
#ifndef TS_K
#define TS_K 16 /* K step staged in local memory */
#endif
#ifndef WPT_M
#define WPT_M 4 /* rows of C per work-item */
#endif
#ifndef WPT_N
#define WPT_N 4 /* columns of C per work-item */
#endif
#ifndef VW
#define VW 4 /* vector width of global loads: 1 or 4 */
#endif

#define RTS_M (TS_M / WPT_M)      /* local size in dimension 1 */
#define RTS_N (TS_N / WPT_N)      /* local size in dimension 0 */
#define NTHREADS (RTS_M * RTS_N)  /* work-items per group */
#define LDS_A (TS_M + 1)          /* padded row length of the A tile (k-major) */
#define LDS_B (TS_N + 1)          /* padded row length of the B tile (k-major) */

/* for (e = tid; e < COUNT; e += NTHREADS) over one tile's elements. With GEMM_UNIFORM_TRIPS (the
   default) every work-item runs the same number of trips and a guard skips the surplus: PoCL 5.0
   aborts the process ("Assertion `region_entry_barrier != NULL' failed") when a branch after a
   barrier skips a loop whose trip count differs between work-items, and constant trips unroll so
   that shape never forms. PoCL 3.x miscompiles that form for some tile shapes (TS 64 x 64 x 8,
   transposed A with M % 4 != 0: wrong sums), so the OpenCL backend builds with
   -DGEMM_UNIFORM_TRIPS=0 there, which is the plain loop. The macro ends in an if: give it a braced
   body and no else. */
#ifndef GEMM_UNIFORM_TRIPS
#define GEMM_UNIFORM_TRIPS 1
#endif
#if GEMM_UNIFORM_TRIPS
#define GEMM_FOR_TILE(e, COUNT)                                                                      \
    for (int e##_r = 0, e = tid; e##_r < ((COUNT) + NTHREADS - 1) / NTHREADS; e##_r++, e += NTHREADS) \
        if (e < (COUNT))
#else
#define GEMM_FOR_TILE(e, COUNT) for (int e = tid; e < (COUNT); e += NTHREADS)
#endif

/* Stages A(row0 .. row0+TS_M, k0 .. k0+TS_K) into As[p * LDS_A + i], zero outside the matrix. */
INLINE void gemm_load_a(const int trans_a, const int M, const int K, GLOBAL const float *A, const int row0,
                        const int k0, LOCAL_PTR float *As, const int tid) {
#if VW == 4
    if (!trans_a && (K & 3) == 0) {
        GEMM_FOR_TILE(e, TS_M * (TS_K / 4)) {
            int ii = e / (TS_K / 4), pp = (e % (TS_K / 4)) * 4;
            int i = row0 + ii, p = k0 + pp;
            float4 v = EMBER_FLOAT4_ZERO;
            if (i < M && p < K) {
                v = ember_load4(A + (ember_i64)i * K + p);
            }
            As[(pp + 0) * LDS_A + ii] = v.x;
            As[(pp + 1) * LDS_A + ii] = v.y;
            As[(pp + 2) * LDS_A + ii] = v.z;
            As[(pp + 3) * LDS_A + ii] = v.w;
        }
    } else if (trans_a && (M & 3) == 0) {
        GEMM_FOR_TILE(e, TS_K * (TS_M / 4)) {
            int pp = e / (TS_M / 4), ii = (e % (TS_M / 4)) * 4;
            int i = row0 + ii, p = k0 + pp;
            float4 v = EMBER_FLOAT4_ZERO;
            if (i < M && p < K) {
                v = ember_load4(A + (ember_i64)p * M + i);
            }
            As[pp * LDS_A + ii + 0] = v.x;
            As[pp * LDS_A + ii + 1] = v.y;
            As[pp * LDS_A + ii + 2] = v.z;
            As[pp * LDS_A + ii + 3] = v.w;
        }
    } else
#endif
    if (!trans_a) {
        GEMM_FOR_TILE(e, TS_M * TS_K) {
            int ii = e / TS_K, pp = e % TS_K;
            int i = row0 + ii, p = k0 + pp;
            As[pp * LDS_A + ii] = (i < M && p < K) ? A[(ember_i64)i * K + p] : 0.0f;
        }
    } else {
        GEMM_FOR_TILE(e, TS_M * TS_K) {
            int pp = e / TS_M, ii = e % TS_M;
            int i = row0 + ii, p = k0 + pp;
            As[pp * LDS_A + ii] = (i < M && p < K) ? A[(ember_i64)p * M + i] : 0.0f;
        }
    }
}

/* Stages B(k0 .. k0+TS_K, col0 .. col0+TS_N) into Bs[p * LDS_B + j], zero outside the matrix. */
INLINE void gemm_load_b(const int trans_b, const int N, const int K, GLOBAL const float *B, const int col0,
                        const int k0, LOCAL_PTR float *Bs, const int tid) {
#if VW == 4
    if (!trans_b && (N & 3) == 0) {
        GEMM_FOR_TILE(e, TS_K * (TS_N / 4)) {
            int pp = e / (TS_N / 4), jj = (e % (TS_N / 4)) * 4;
            int j = col0 + jj, p = k0 + pp;
            float4 v = EMBER_FLOAT4_ZERO;
            if (j < N && p < K) {
                v = ember_load4(B + (ember_i64)p * N + j);
            }
            Bs[pp * LDS_B + jj + 0] = v.x;
            Bs[pp * LDS_B + jj + 1] = v.y;
            Bs[pp * LDS_B + jj + 2] = v.z;
            Bs[pp * LDS_B + jj + 3] = v.w;
        }
    } else if (trans_b && (K & 3) == 0) {
        GEMM_FOR_TILE(e, TS_N * (TS_K / 4)) {
            int jj = e / (TS_K / 4), pp = (e % (TS_K / 4)) * 4;
            int j = col0 + jj, p = k0 + pp;
            float4 v = EMBER_FLOAT4_ZERO;
            if (j < N && p < K) {
                v = ember_load4(B + (ember_i64)j * K + p);
            }
            Bs[(pp + 0) * LDS_B + jj] = v.x;
            Bs[(pp + 1) * LDS_B + jj] = v.y;
            Bs[(pp + 2) * LDS_B + jj] = v.z;
            Bs[(pp + 3) * LDS_B + jj] = v.w;
        }
    } else
#endif
    if (!trans_b) {
        GEMM_FOR_TILE(e, TS_K * TS_N) {
            int pp = e / TS_N, jj = e % TS_N;
            int j = col0 + jj, p = k0 + pp;
            Bs[pp * LDS_B + jj] = (j < N && p < K) ? B[(ember_i64)p * N + j] : 0.0f;
        }
    } else {
        GEMM_FOR_TILE(e, TS_K * TS_N) {
            int jj = e / TS_K, pp = e % TS_K;
            int j = col0 + jj, p = k0 + pp;
            Bs[pp * LDS_B + jj] = (j < N && p < K) ? B[(ember_i64)j * K + p] : 0.0f;
        }
    }
}

/* The whole GEMM for one work-group; trans_a/trans_b are compile-time constants at each call site. */
INLINE void gemm_body(const int trans_a, const int trans_b, const int M, const int N, const int K,
                      const float alpha, GLOBAL const float *A, GLOBAL const float *B, const float beta,
                      GLOBAL float *C, GLOBAL const float *bias, const int has_bias, const int act,
                      const float act_alpha, LOCAL_PTR float *As, LOCAL_PTR float *Bs) {
    const int tx = get_local_id(0), ty = get_local_id(1);
    const int tid = ty * RTS_N + tx;
    const int row0 = get_group_id(1) * TS_M, col0 = get_group_id(0) * TS_N;
    float acc[WPT_M][WPT_N];
    for (int wm = 0; wm < WPT_M; wm++) {
        for (int wn = 0; wn < WPT_N; wn++) {
            acc[wm][wn] = 0.0f;
        }
    }
    for (int k0 = 0; k0 < K; k0 += TS_K) {
        gemm_load_a(trans_a, M, K, A, row0, k0, As, tid);
        gemm_load_b(trans_b, N, K, B, col0, k0, Bs, tid);
        LOCAL_BARRIER();
        for (int p = 0; p < TS_K; p++) {
            float ra[WPT_M], rb[WPT_N];
            for (int wm = 0; wm < WPT_M; wm++) {
                ra[wm] = As[p * LDS_A + ty + wm * RTS_M];
            }
            for (int wn = 0; wn < WPT_N; wn++) {
                rb[wn] = Bs[p * LDS_B + tx + wn * RTS_N];
            }
            for (int wm = 0; wm < WPT_M; wm++) {
                for (int wn = 0; wn < WPT_N; wn++) {
                    acc[wm][wn] = EMBER_MAD(ra[wm], rb[wn], acc[wm][wn]);
                }
            }
        }
        LOCAL_BARRIER();
    }
    for (int wm = 0; wm < WPT_M; wm++) {
        int i = row0 + ty + wm * RTS_M;
        if (i >= M) {
            continue;
        }
        for (int wn = 0; wn < WPT_N; wn++) {
            int j = col0 + tx + wn * RTS_N;
            if (j >= N) {
                continue;
            }
            ember_i64 at = (ember_i64)i * N + j;
            float v = alpha * acc[wm][wn];
            if (beta != 0.0f) {
                v = v + beta * C[at];
            }
            if (has_bias) {
                v = v + bias[j];
            }
            C[at] = ember_activate(act, act_alpha, v);
        }
    }
}

/* All four kernels take (M, N, K, alpha, A, B, beta, C, bias, has_bias, act, act_alpha). */
#define EMBER_GEMM_KERNEL(name, TA, TB)                                                                  \
    KERNEL void name(const int M, const int N, const int K, const float alpha, GLOBAL const float *A,    \
                     GLOBAL const float *B, const float beta, GLOBAL float *C, GLOBAL const float *bias, \
                     const int has_bias, const int act, const float act_alpha) {                         \
        LOCAL_ARRAY float As[TS_K * LDS_A];                                                              \
        LOCAL_ARRAY float Bs[TS_K * LDS_B];                                                              \
        gemm_body(TA, TB, M, N, K, alpha, A, B, beta, C, bias, has_bias, act, act_alpha, As, Bs);        \
    }

EMBER_GEMM_KERNEL(gemm_nn, 0, 0)
EMBER_GEMM_KERNEL(gemm_nt, 0, 1)
EMBER_GEMM_KERNEL(gemm_tn, 1, 0)
EMBER_GEMM_KERNEL(gemm_tt, 1, 1)
