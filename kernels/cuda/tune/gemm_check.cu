/*
 * gemm_check.cu - device check of gemm_cuda.cu's 128-tile kernels as the cubin of the GPU it is
 * built for ships them (sm_90: sgemm128_nn/tn are the cp.async kernels with 66,560 bytes of dynamic
 * shared memory, opted in here as CudaBackend does): the full contract (alpha, beta with C = NaN
 * when beta == 0, bias, act) of all four transpose cases on ragged shapes against a float64 GPU
 * reference, then timing at 4096^3 and 2048^3 (alpha 1 / beta 0, and beta 0.5 with ReLU).
 * Not part of the build; compile where nvcc is, run where the GPU is:
 *   nvcc -arch=sm_90 -O3 -std=c++17 --fmad=false -I../../src/main/resources/dev/ember/kernels \
 *        gemm_check.cu -o gemm_check && ./gemm_check      (exit status 1 on a wrong result)
 */
#include "../../src/main/cuda/gemm_cuda.cu"
#include <cstdio>
#include <cstdlib>
#include <cmath>
#include <vector>
#include <algorithm>
#define CK(x) do { cudaError_t e_ = (x); if (e_ != cudaSuccess) { printf("%s:%d %s: %s\n", __FILE__, __LINE__, #x, cudaGetErrorString(e_)); exit(1); } } while (0)
typedef void (*gemm_fn)(int, int, int, float, const float *, const float *, float, float *, const float *, int, int, float);
__global__ void ref(int M, int N, int K, float alpha, const float *A, const float *B, float beta, const float *C0, const float *bias,
                    int hb, int act, float aa, bool ta, bool tb, double *out) {
    int j = blockIdx.x * blockDim.x + threadIdx.x, i = blockIdx.y;
    if (j >= N) return;
    double s = 0;
    for (int p = 0; p < K; p++) s += (double)(ta ? A[(long long)p * M + i] : A[(long long)i * K + p]) * (double)(tb ? B[(long long)j * K + p] : B[(long long)p * N + j]);
    double v = alpha * s;
    if (beta != 0.f) v += beta * (double)C0[(long long)i * N + j];
    if (hb) v += bias[j];
    if (act == 1) v = v > 0 ? v : 0; else if (act == 5) v = tanh(v); else if (act == 2) v = v > 0 ? v : aa * v;
    out[(long long)i * N + j] = v;
}
static unsigned long long st = 1;
static float rnd() { st = st * 6364136223846793005ull + 1442695040888963407ull; return (float)((st >> 40) * (2.0 / 16777216.0) - 1.0); }
int main() {
    const gemm_fn fns[4] = {sgemm128_nn, sgemm128_nt, sgemm128_tn, sgemm128_tt};
    const char *names[4] = {"nn", "nt", "tn", "tt"};
    /* The cp.async kernels (NN/TN of an sm_90 build) have no static shared memory: they get the dynamic size. */
    int smem[4];
    for (int t = 0; t < 4; t++) { cudaFuncAttributes fa; CK(cudaFuncGetAttributes(&fa, fns[t])); smem[t] = fa.sharedSizeBytes == 0 ? EMBER_SGEMM128_CP_SMEM_BYTES : 0; }
    for (int t = 0; t < 4; t++) if (smem[t]) {
        CK(cudaFuncSetAttribute(fns[t], cudaFuncAttributeMaxDynamicSharedMemorySize, smem[t]));
        CK(cudaFuncSetAttribute(fns[t], cudaFuncAttributePreferredSharedMemoryCarveout, 100));
    }
    for (int t = 0; t < 4; t++) { cudaFuncAttributes fa; CK(cudaFuncGetAttributes(&fa, fns[t])); int occ; CK(cudaOccupancyMaxActiveBlocksPerMultiprocessor(&occ, fns[t], 256, smem[t]));
        printf("sgemm128_%s regs %d static smem %zu dyn %d blocks/SM %d\n", names[t], fa.numRegs, fa.sharedSizeBytes, smem[t], occ); }
    const int shapes[][3] = {{1000, 777, 333}, {129, 131, 7}, {1, 1, 1}, {5, 8, 0}, {130, 260, 100}, {132, 132, 64}, {257, 3, 300}, {513, 1030, 259}, {2048, 2048, 2048}};
    int fails = 0;
    for (auto &s : shapes) for (int t = 0; t < 4; t++) for (int variant = 0; variant < 2; variant++) {
        int M = s[0], N = s[1], K = s[2]; bool ta = t >= 2, tb = t & 1;
        float alpha = variant ? 0.75f : 1.f, beta = variant ? -0.5f : 0.f; int hb = variant, act = variant ? 5 : 1;
        std::vector<float> ha((size_t)M * K + 1), hbv((size_t)K * N + 1), hc((size_t)M * N), hbias(N);
        for (auto &x : ha) x = rnd(); for (auto &x : hbv) x = rnd(); for (auto &x : hc) x = rnd(); for (auto &x : hbias) x = rnd();
        float *a, *b, *c, *c0, *bias; double *r;
        CK(cudaMalloc(&a, ha.size() * 4)); CK(cudaMalloc(&b, hbv.size() * 4)); CK(cudaMalloc(&c, hc.size() * 4 + 4)); CK(cudaMalloc(&c0, hc.size() * 4 + 4));
        CK(cudaMalloc(&bias, N * 4)); CK(cudaMalloc(&r, hc.size() * 8 + 8));
        CK(cudaMemcpy(a, ha.data(), ha.size() * 4, cudaMemcpyHostToDevice)); CK(cudaMemcpy(b, hbv.data(), hbv.size() * 4, cudaMemcpyHostToDevice));
        CK(cudaMemcpy(c0, hc.data(), hc.size() * 4, cudaMemcpyHostToDevice)); CK(cudaMemcpy(bias, hbias.data(), N * 4, cudaMemcpyHostToDevice));
        if (beta == 0.f) CK(cudaMemset(c, 0xff, hc.size() * 4)); else CK(cudaMemcpy(c, hc.data(), hc.size() * 4, cudaMemcpyHostToDevice));
        ref<<<dim3((N + 127) / 128, M), 128>>>(M, N, K, alpha, a, b, beta, c0, bias, hb, act, 0.f, ta, tb, r);
        fns[t]<<<dim3((N + 127) / 128, (M + 127) / 128), 256, smem[t]>>>(M, N, K, alpha, a, b, beta, c, hb ? bias : nullptr, hb, act, 0.f);
        CK(cudaGetLastError()); CK(cudaDeviceSynchronize());
        std::vector<float> out(hc.size()); std::vector<double> hr(hc.size());
        CK(cudaMemcpy(out.data(), c, out.size() * 4, cudaMemcpyDeviceToHost)); CK(cudaMemcpy(hr.data(), r, hr.size() * 8, cudaMemcpyDeviceToHost));
        int bad = 0; double worst = 0;
        for (size_t e = 0; e < out.size(); e++) { double tol = 1e-4 * (1 + sqrt((double)K)) + 1e-4 * fabs(hr[e]); double q = fabs(out[e] - hr[e]) / tol; if (!(q <= 1)) bad++; else worst = std::max(worst, q); }
        if (bad || s[0] == 1000) printf("%s %s %dx%dx%d variant %d: %d bad, worst %.3f\n", bad ? "FAIL" : "ok  ", names[t], M, N, K, variant, bad, worst);
        fails += bad != 0;
        cudaFree(a); cudaFree(b); cudaFree(c); cudaFree(c0); cudaFree(bias); cudaFree(r);
    }
    printf("correctness: %d failing cases\n", fails);
    cudaEvent_t e0, e1; CK(cudaEventCreate(&e0)); CK(cudaEventCreate(&e1));
    for (int n : {4096, 2048}) {
        float *a, *b, *c; CK(cudaMalloc(&a, (size_t)n * n * 4)); CK(cudaMalloc(&b, (size_t)n * n * 4)); CK(cudaMalloc(&c, (size_t)n * n * 4));
        CK(cudaMemset(a, 0, (size_t)n * n * 4)); CK(cudaMemset(b, 0, (size_t)n * n * 4));
        for (int t = 0; t < 4; t++) for (int epi = 0; epi < 2; epi++) {
            auto go = [&] { fns[t]<<<dim3(n / 128, n / 128), 256, smem[t]>>>(n, n, n, 1.f, a, b, epi ? 0.5f : 0.f, c, nullptr, 0, epi ? 1 : 0, 0.f); };
            for (int w = 0; w < 3; w++) go();
            std::vector<float> ms;
            for (int rr = 0; rr < 15; rr++) { CK(cudaEventRecord(e0)); go(); CK(cudaEventRecord(e1)); CK(cudaEventSynchronize(e1)); float x; CK(cudaEventElapsedTime(&x, e0, e1)); ms.push_back(x); }
            std::sort(ms.begin(), ms.end());
            printf("n=%d %s %s: median %.3f ms = %.1f TFLOP/s\n", n, names[t], epi ? "beta .5 relu" : "alpha 1 beta 0", ms[7], 2.0 * n * n * (double)n / ms[7] / 1e9);
        }
        cudaFree(a); cudaFree(b); cudaFree(c);
    }
    return fails != 0;
}
