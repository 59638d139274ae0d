/*
 * gemm_cuda_emu_test.cpp - runs the kernels of gemm_cuda.cu and gemm_tf32_cuda.cu on the host through cuda_emu.h and
 * checks them against a float64 reference: both FP32 tile configurations and TF32 (tolerance 1e-3 of
 * sum |a b|, the TF32 rounding of both operands), all four transpose cases,
 * awkward M, N, K (1, 7, 33, 127, 129, 257, 1000 and K = 0), alpha/beta (C filled with NaN when
 * beta == 0, which must not be read), bias and every activation. Each matrix sits between NaN
 * guards (reads outside it would poison the result) and C between sentinel guards (writes outside
 * it are caught), and every __ldg is checked to lie inside A, B, bias or C. Tolerance: |out - ref| <= 1e-4 * (1 + sqrt(K)) + 1e-4 * |ref|.
 * With -DEMBER_SGEMM128_CP=1 (the sm_90 cubin's configuration) sgemm128_nn and sgemm128_tn are the
 * cp.async kernels (sgemm_cp_tile): then only the 128-tiles run (the 64-tile and TF32 kernels do
 * not change with the macro), each case twice, with cp.async copies performed when issued and as
 * late as cp.async.wait_group allows (cuda_emu.h's cp_emu_late: a missing wait or barrier shows as
 * overwritten or stale data), and every copy's source is bounds-checked like __ldg.
 * Prints one line per failure with the seed and exits non-zero on any failure.
 * Build: g++ -std=c++20 -O1 -pthread -I<kernels dir> -I<this dir> [-DEMBER_SGEMM128_BK=8|16] [-DEMBER_SGEMM128_CP=1]
 *        gemm_cuda_emu_test.cpp
 */
#include "cuda_emu.h"

#include "../../src/main/cuda/gemm_cuda.cu"
#include "../../src/main/cuda/gemm_tf32_cuda.cu"

#include <cstdio>
#include <cstring>
#include <random>

typedef void (*gemm_fn)(int, int, int, float, const float *, const float *, float, float *, const float *, int, int,
                        float);

static const int GUARD = 64; /* floats before and after each matrix: 256 bytes keeps the base aligned */

struct Buf {
    std::vector<float> raw;
    float *p;
    size_t n;
    Buf(size_t n, float guard) : raw(n + 2 * GUARD + 16, guard), n(n) {
        uintptr_t base = reinterpret_cast<uintptr_t>(raw.data());
        size_t skip = ((256 - base % 256) % 256) / sizeof(float);
        /* the vector allocation is at least 16-byte aligned, so skip < 64; shift so p is 256-aligned */
        raw.resize(n + 2 * GUARD + 64 + skip, guard);
        base = reinterpret_cast<uintptr_t>(raw.data());
        skip = ((256 - base % 256) % 256) / sizeof(float);
        p = raw.data() + skip + GUARD;
    }
    std::pair<uintptr_t, uintptr_t> range() const {
        return {reinterpret_cast<uintptr_t>(p), reinterpret_cast<uintptr_t>(p + n)};
    }
    bool guards_intact(float guard) const {
        for (int i = 1; i <= GUARD; i++) {
            if (std::memcmp(&p[-i], &guard, 4) != 0 || std::memcmp(&p[n + i - 1], &guard, 4) != 0) {
                return false;
            }
        }
        return true;
    }
};

static double act_ref(int act, double alpha, double x) {
    switch (act) {
        case 1: return x > 0 ? x : 0;
        case 2: return x > 0 ? x : alpha * x;
        case 3: return x > 0 ? x : alpha * std::expm1(x);
        case 4: return 1.0 / (1.0 + std::exp(-x));
        case 5: return std::tanh(x);
        default: return x;
    }
}

int main() {
    const gemm_fn k128[4] = {sgemm128_nn, sgemm128_nt, sgemm128_tn, sgemm128_tt};
    const gemm_fn k64[4] = {sgemm64_nn, sgemm64_nt, sgemm64_tn, sgemm64_tt};
    const gemm_fn ktf32[4] = {sgemm_tf32_nn, sgemm_tf32_nt, sgemm_tf32_tn, sgemm_tf32_tt};
    const int shapes[][3] = {{1, 1, 1},   {7, 33, 1},   {33, 7, 127}, {127, 129, 33}, {128, 128, 8},
                             {130, 257, 20}, {64, 64, 16}, {1, 1000, 7}, {257, 3, 300},  {5, 8, 0},
                             {12, 20, 4},  {9, 36, 17}, {6, 10, 14}, {66, 130, 42}, {3, 5, 6},
                             /* many K tiles (the cp.async ring wraps) with every mix of M % 4 and N % 4 */
                             {132, 260, 100}, {130, 132, 90}, {132, 129, 81}, {129, 131, 64}};
    const float nan = std::nanf("");
    const float sentinel = 12345.0f;
    int failures = 0, cases = 0;
    unsigned long long seed = 20251125;
#if EMBER_SGEMM128_CP
    const int cfgs = 1, orders = 2; /* the 128-tiles only, both cp.async orders */
#else
    const int cfgs = 3, orders = 1;
#endif
    for (int run = 0; run < cfgs * orders; run++) { /* 128-tile FP32, 64-tile FP32, TF32 tensor cores */
        const int cfg = run / orders;
        cp_emu_late = run % orders == 1;
        for (const auto &s : shapes) {
            for (int tr = 0; tr < 4; tr++) {
                const int M = s[0], N = s[1], K = s[2];
                const bool ta = tr >= 2, tb = tr & 1;
                const int act = (cases % 6);
                const float act_alpha = act == 2 ? 0.1f : 1.0f;
                const bool has_bias = cases % 2 == 0;
                const float alpha = cases % 3 == 0 ? 1.0f : 0.75f;
                const float beta = cases % 4 == 1 ? 0.0f : (cases % 4 == 2 ? 1.0f : -0.5f);
                seed++;
                std::mt19937_64 rng(seed);
                std::normal_distribution<float> nd(0.f, 1.f);
                Buf A((size_t)M * K, nan), B((size_t)K * N, nan), C((size_t)M * N, sentinel), bias(N, nan);
                for (size_t i = 0; i < A.n; i++) A.p[i] = nd(rng);
                for (size_t i = 0; i < B.n; i++) B.p[i] = nd(rng);
                for (size_t i = 0; i < C.n; i++) C.p[i] = beta == 0.f ? nan : nd(rng);
                for (size_t i = 0; i < bias.n; i++) bias.p[i] = nd(rng);
                std::vector<float> c0(C.p, C.p + C.n);
                const int BMN = cfg == 1 ? 64 : 128;
                dim3 grid{(unsigned)((N + BMN - 1) / BMN), (unsigned)((M + BMN - 1) / BMN), 1};
                const gemm_fn fn = (cfg == 0 ? k128 : cfg == 1 ? k64 : ktf32)[tr];
                emu_readable = {A.range(), B.range(), bias.range(), C.range()};
                emu_launch(grid, dim3{256, 1, 1}, [&] {
                    fn(M, N, K, alpha, A.p, B.p, beta, C.p, has_bias ? bias.p : nullptr, has_bias, act, act_alpha);
                });
                const double tol_abs = 1e-4 * (1 + std::sqrt((double)K)), tol_rel = 1e-4;
                int bad = 0;
                for (int i = 0; i < M && bad < 3; i++) {
                    for (int j = 0; j < N && bad < 3; j++) {
                        double acc = 0, mag = 0;
                        for (int p = 0; p < K; p++) {
                            double a = ta ? A.p[(size_t)p * M + i] : A.p[(size_t)i * K + p];
                            double b = tb ? B.p[(size_t)j * K + p] : B.p[(size_t)p * N + j];
                            acc += a * b;
                            mag += std::fabs(a * b);
                        }
                        double v = alpha * acc;
                        if (beta != 0.f) v += beta * (double)c0[(size_t)i * N + j];
                        if (has_bias) v += bias.p[j];
                        double ref = act_ref(act, act_alpha, v);
                        float out = C.p[(size_t)i * N + j];
                        /* TF32: both operands carry 2^-11 relative rounding, so allow 2^-10 of sum |a b|. */
                        const double tol = cfg == 2 ? std::fabs(alpha) * mag * 1e-3 + 1e-5 + tol_rel * std::fabs(ref)
                                                    : tol_abs + tol_rel * std::fabs(ref);
                        if (!(std::fabs(out - ref) <= tol)) {
                            std::printf("FAIL seed=%llu cfg=%d cp_late=%d M=%d N=%d K=%d trans=%d%d act=%d bias=%d alpha=%g"
                                        " beta=%g at (%d,%d): got %.9g want %.9g\n",
                                        seed, BMN, (int)cp_emu_late, M, N, K, (int)ta, (int)tb, act, (int)has_bias, alpha,
                                        beta, i, j, out, ref);
                            bad++;
                        }
                    }
                }
                if (!C.guards_intact(sentinel)) {
                    std::printf("FAIL seed=%llu cfg=%d M=%d N=%d K=%d trans=%d%d: write outside C\n", seed, BMN, M, N, K,
                                (int)ta, (int)tb);
                    bad++;
                }
                if (cp_emu_leaks.exchange(0) != 0) {
                    std::printf("FAIL seed=%llu cfg=%d M=%d N=%d K=%d trans=%d%d: cp.async copies left in flight at exit\n",
                                seed, BMN, M, N, K, (int)ta, (int)tb);
                    bad++;
                }
                failures += bad > 0;
                cases++;
            }
        }
    }
    std::printf("gemm_cuda emulation (128-tiles: BK = %d, cp.async NN/TN = %d): %d cases, %d failed\n",
                EMBER_SGEMM128_BK, EMBER_SGEMM128_CP, cases, failures);
    return failures == 0 ? 0 : 1;
}
