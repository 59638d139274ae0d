/*
 * gemm_sweep.cu - times tile configurations of gemm_cuda.cu's SGEMM template on a GPU, to choose
 * the ones gemm_cuda.cu instantiates. Each variant is checked against a float64 product on an
 * awkward shape (1000 x 777 x 333) and on the timed square, then timed between CUDA events
 * (median of 20 after 3 warm-ups). Not part of the build: compile it where nvcc is, run it where
 * the GPU is (the device check carries the binary):
 *   nvcc -arch=sm_90 -O3 -std=c++17 --fmad=false -I../../src/main/resources/dev/ember/kernels \
 *        gemm_sweep.cu -o gemm_sweep && ./gemm_sweep [n]
 * Besides the sgemm_tile variants (v*) it times gemm_cuda.cu's cp.async kernel, sgemm_cp_tile<16, 4>
 * (c2: B copied by cp.async into a 4-stage ring, what the sm_90 cubin ships as sgemm128_nn/tn).
 * Three other cp.async schemes were timed on an H100 on 2026-11-27 and lost (c1: 3 stages with the
 * fragments double-buffered by hand, 42.7 TFLOP/s; c3 and c4: A copied by cp.async too, stored
 * m-major, 38.8 and 40.8; c2 44.9): benchmarks/RESULTS.md, and commit 3048d20 for their code.
 * The GPU bundle (benchmarks/gpu-bundle/make-bundle.sh) builds it for sm_80 and sm_90.
 */
#include "../../src/main/cuda/gemm_cuda.cu"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <vector>

/* name, BM, BN, BK, TM, TN, WARPED, MINB: NN only */
#define VARIANT(name, BM, BN, BK, TM, TN, W, MINB) EMBER_SGEMM_CUDA_KERNEL(name, BM, BN, BK, TM, TN, false, false, W, MINB)
VARIANT(v0_128x128x8_plain_b2, 128, 128, 8, 8, 8, false, 2)
VARIANT(v1_128x128x8_warped_b2, 128, 128, 8, 8, 8, true, 2)
VARIANT(v2_128x128x16_plain_b2, 128, 128, 16, 8, 8, false, 2)
VARIANT(v3_128x128x16_warped_b2, 128, 128, 16, 8, 8, true, 2)
VARIANT(v7_64x64x16_plain_b4, 64, 64, 16, 4, 4, false, 4)
VARIANT(v8_64x64x16_warped_b4, 64, 64, 16, 4, 4, true, 4)
VARIANT(v10_128x256x8_warped_b1, 128, 256, 8, 8, 16, true, 1)

/* c2: gemm_cuda.cu's shipped sm_90 NN kernel, the same template and configuration */
EMBER_SGEMM_CP_KERNEL(c2_128x128x16_cpB_s4_b2, 16, 4, false, 2)
static constexpr int c2_128x128x16_cpB_s4_b2_smem = SgemmCpShape<16, 4>::SMEM_BYTES;

typedef void (*gemm_fn)(int, int, int, float, const float *, const float *, float, float *, const float *, int, int, float);
/* smem: dynamic shared memory bytes (0 for the gemm_cuda.cu template, which uses static). */
struct Variant { const char *name; gemm_fn fn; int bm, bn, smem; };
static const Variant VARIANTS[] = {
    {"v0_128x128x8_plain_b2 (sm_80, PTX)", v0_128x128x8_plain_b2, 128, 128, 0},
    {"v1_128x128x8_warped_b2", v1_128x128x8_warped_b2, 128, 128, 0},
    {"v2_128x128x16_plain_b2 (sm_90 NT/TT)", v2_128x128x16_plain_b2, 128, 128, 0},
    {"v3_128x128x16_warped_b2", v3_128x128x16_warped_b2, 128, 128, 0},
    {"v7_64x64x16_plain_b4 (shipped)", v7_64x64x16_plain_b4, 64, 64, 0},
    {"v8_64x64x16_warped_b4", v8_64x64x16_warped_b4, 64, 64, 0},
    {"v10_128x256x8_warped_b1", v10_128x256x8_warped_b1, 128, 256, 0},
    {"c2_128x128x16_cpB_s4_b2 (sm_90 NN/TN)", c2_128x128x16_cpB_s4_b2, 128, 128, c2_128x128x16_cpB_s4_b2_smem},
};

__global__ void ref_gemm(int M, int N, int K, const float *A, const float *B, double *C) {
    const int j = blockIdx.x * blockDim.x + threadIdx.x, i = blockIdx.y;
    if (j >= N) return;
    double s = 0;
    for (int p = 0; p < K; p++) s += (double)A[(long long)i * K + p] * (double)B[(long long)p * N + j];
    C[(long long)i * N + j] = s;
}

#define CK(x) do { cudaError_t e_ = (x); if (e_ != cudaSuccess) { \
    fprintf(stderr, "%s:%d %s: %s\n", __FILE__, __LINE__, #x, cudaGetErrorString(e_)); exit(1); } } while (0)

struct Problem {
    int M, N, K;
    float *a, *b, *c;
    double *ref;
    std::vector<double> href;
    Problem(int M, int N, int K) : M(M), N(N), K(K) {
        std::vector<float> ha((size_t)M * K), hb((size_t)K * N);
        unsigned long long s = 0x9E3779B97F4A7C15ull * (M + 31 * N + 131 * K);
        auto rnd = [&]() { s = s * 6364136223846793005ull + 1442695040888963407ull; return (float)((s >> 40) * (2.0 / 16777216.0) - 1.0); };
        for (auto &x : ha) x = rnd();
        for (auto &x : hb) x = rnd();
        CK(cudaMalloc(&a, ha.size() * 4)); CK(cudaMalloc(&b, hb.size() * 4));
        CK(cudaMalloc(&c, (size_t)M * N * 4)); CK(cudaMalloc(&ref, (size_t)M * N * 8));
        CK(cudaMemcpy(a, ha.data(), ha.size() * 4, cudaMemcpyHostToDevice));
        CK(cudaMemcpy(b, hb.data(), hb.size() * 4, cudaMemcpyHostToDevice));
        ref_gemm<<<dim3((N + 255) / 256, M), 256>>>(M, N, K, a, b, ref);
        CK(cudaDeviceSynchronize());
        href.resize((size_t)M * N);
        CK(cudaMemcpy(href.data(), ref, href.size() * 8, cudaMemcpyDeviceToHost));
    }
    void launch(const Variant &v) {
        v.fn<<<dim3((N + v.bn - 1) / v.bn, (M + v.bm - 1) / v.bm), SGEMM_THREADS, v.smem>>>(M, N, K, 1.f, a, b, 0.f, c, nullptr, 0, 0, 0.f);
    }
    /* Worst |c - ref| / (1e-4 (1 + sqrt K) + 1e-4 |ref|): at most 1 passes. */
    double check(const Variant &v) {
        CK(cudaMemset(c, 0xff, (size_t)M * N * 4)); /* NaN: a missed element fails */
        launch(v);
        CK(cudaGetLastError());
        CK(cudaDeviceSynchronize());
        std::vector<float> hc((size_t)M * N);
        CK(cudaMemcpy(hc.data(), c, hc.size() * 4, cudaMemcpyDeviceToHost));
        double worst = 0;
        for (size_t e = 0; e < hc.size(); e++) {
            double tol = 1e-4 * (1 + std::sqrt((double)K)) + 1e-4 * std::fabs(href[e]);
            double r = std::fabs(hc[e] - href[e]) / tol;
            if (!(r == r)) return INFINITY;
            worst = std::max(worst, r);
        }
        return worst;
    }
};

int main(int argc, char **argv) {
    const int n = argc > 1 ? atoi(argv[1]) : 4096;
    cudaDeviceProp prop;
    CK(cudaGetDeviceProperties(&prop, 0));
    printf("gemm_sweep: %s, %d SMs, n = %d, NN, alpha 1, beta 0\n", prop.name, prop.multiProcessorCount, n);
    Problem odd(1000, 777, 333), sq(n, n, n);
    cudaEvent_t e0, e1;
    CK(cudaEventCreate(&e0)); CK(cudaEventCreate(&e1));
    for (const Variant &v : VARIANTS) {
        if (v.smem > 0) { /* over 48 KB needs opting in; skip (not abort) where the GPU cannot */
            cudaError_t e = cudaFuncSetAttribute(v.fn, cudaFuncAttributeMaxDynamicSharedMemorySize, v.smem);
            if (e == cudaSuccess) e = cudaFuncSetAttribute(v.fn, cudaFuncAttributePreferredSharedMemoryCarveout, 100);
            if (e != cudaSuccess) {
                printf("%-34s skipped: %d bytes of shared memory: %s\n", v.name, v.smem, cudaGetErrorString(e));
                cudaGetLastError();
                continue;
            }
        }
        cudaFuncAttributes fa;
        CK(cudaFuncGetAttributes(&fa, v.fn));
        int occ = 0;
        CK(cudaOccupancyMaxActiveBlocksPerMultiprocessor(&occ, v.fn, SGEMM_THREADS, v.smem));
        double bad1 = odd.check(v), bad2 = sq.check(v);
        for (int w = 0; w < 3; w++) sq.launch(v);
        std::vector<float> ms;
        for (int r = 0; r < 20; r++) {
            CK(cudaEventRecord(e0));
            sq.launch(v);
            CK(cudaEventRecord(e1));
            CK(cudaEventSynchronize(e1));
            float t;
            CK(cudaEventElapsedTime(&t, e0, e1));
            ms.push_back(t);
        }
        std::sort(ms.begin(), ms.end());
        double med = ms[ms.size() / 2], best = ms[0];
        printf("%-34s regs %3d smem %6zu blk/SM %d  %s  median %.3f ms = %7.1f GFLOP/s (best %7.1f)\n", v.name, fa.numRegs,
               fa.sharedSizeBytes + v.smem, occ, bad1 <= 1 && bad2 <= 1 ? "ok  " : "WRONG", med, 2.0 * n * n * (double)n / med / 1e6,
               2.0 * n * n * (double)n / best / 1e6);
        fflush(stdout);
    }
    return 0;
}
