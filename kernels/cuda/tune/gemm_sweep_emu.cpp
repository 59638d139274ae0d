/*
 * gemm_sweep_emu.cpp - runs gemm_sweep.cu's cp.async variants (c*; c2 is gemm_cuda.cu's shipped
 * sgemm_cp_tile, which GemmCudaEmulationTest also covers with the full contract) on the host through
 * ../emu/cuda_emu.h, against a float64 product, for machines without a GPU. cp.async is emulated
 * twice: copies performed when issued, and copies deferred to the latest cp.async.wait_group that
 * must see them (a missing wait or barrier then shows as stale or overwritten data). Every global
 * read is checked to lie inside A or B; C sits between sentinel guards. Slow (one std::thread per
 * GPU thread): a few shapes only.
 * Build: g++ -std=c++20 -O1 -pthread -I../../src/main/resources/dev/ember/kernels -I../emu gemm_sweep_emu.cpp
 */
#include "cuda_emu.h"

#include "gemm_sweep.cu"

#include <cstdio>
#include <array>
#include <random>

typedef void (*gemm_fn)(int, int, int, float, const float *, const float *, float, float *, const float *, int, int,
                        float);

int main(int argc, char **argv) {
    struct K { const char *name; gemm_fn fn; };
    const K ks[] = {{"c1", c1_128x128x16_cpB_s3_dbuf_b2}, {"c2", c2_128x128x16_cpB_s4_b2},
                    {"c3", c3_128x128x16_cpAB_mmajorA_s4_b2}, {"c4", c4_128x128x32_cpAB_mmajorA_s3_b2}};
    std::vector<std::array<int, 3>> shapes = {{1000, 777, 333}, {1000, 780, 332}, {1, 1, 1}, {130, 257, 20}, {129, 131, 7},
                                              {3, 5, 6}, {256, 256, 64}, {200, 132, 50}, {17, 260, 1}, {130, 260, 36}, {300, 200, 400}};
    if (argc > 1) shapes.resize(atoi(argv[1]));
    int failures = 0;
    unsigned long long seed = 7;
    for (const auto &s : shapes) {
        const int M = s[0], N = s[1], Kd = s[2];
        const int G = 64;
        std::mt19937_64 rng(seed++);
        std::normal_distribution<float> nd(0.f, 1.f);
        std::vector<float> a((size_t)M * Kd + 8), b((size_t)Kd * N + 8), c((size_t)M * N + 2 * G);
        /* 16-byte aligned bases, as cudaMalloc's */
        float *A = a.data(), *B = b.data();
        while ((uintptr_t)A % 16) A++;
        while ((uintptr_t)B % 16) B++;
        for (size_t i = 0; i < (size_t)M * Kd; i++) A[i] = nd(rng);
        for (size_t i = 0; i < (size_t)Kd * N; i++) B[i] = nd(rng);
        std::vector<double> ref((size_t)M * N);
        for (int i = 0; i < M; i++)
            for (int j = 0; j < N; j++) {
                double acc = 0;
                for (int p = 0; p < Kd; p++) acc += (double)A[(size_t)i * Kd + p] * B[(size_t)p * N + j];
                ref[(size_t)i * N + j] = acc;
            }
        for (const K &k : ks) {
            for (int late = 0; late < 2; late++) {
                cp_emu_late = late;
                std::fill(c.begin(), c.end(), 12345.f);
                float *C = c.data() + G;
                for (size_t i = 0; i < (size_t)M * N; i++) C[i] = std::nanf("");
                /* C's base must be 16-byte aligned for the float4 stores: G = 64 floats from a vector start */
                emu_readable = {{(uintptr_t)A, (uintptr_t)(A + (size_t)M * Kd)}, {(uintptr_t)B, (uintptr_t)(B + (size_t)Kd * N)}};
                dim3 grid{(unsigned)((N + 127) / 128), (unsigned)((M + 127) / 128), 1};
                emu_launch(grid, dim3{256, 1, 1}, [&] { k.fn(M, N, Kd, 1.f, A, B, 0.f, C, nullptr, 0, 0, 0.f); });
                int bad = 0;
                for (int i = 0; i < G; i++)
                    if (c[i] != 12345.f || c[G + (size_t)M * N + i] != 12345.f) bad++;
                if (bad) printf("FAIL %s late=%d %dx%dx%d: write outside C\n", k.name, late, M, N, Kd);
                double worst = 0;
                for (size_t e = 0; e < (size_t)M * N; e++) {
                    const double tol = 1e-4 * (1 + std::sqrt((double)Kd)) + 1e-4 * std::fabs(ref[e]);
                    const double r = std::fabs(C[e] - ref[e]) / tol;
                    if (!(r <= 1)) {
                        if (bad < 3) printf("FAIL %s late=%d %dx%dx%d at %zu: got %g want %g\n", k.name, late, M, N, Kd, e, C[e], ref[e]);
                        bad++;
                    } else worst = std::max(worst, r);
                }
                printf("%s %s late=%d %dx%dx%d worst %.3f of tolerance\n", bad ? "FAIL" : "ok  ", k.name, late, M, N, Kd, worst);
                fflush(stdout);
                failures += bad != 0;
            }
        }
    }
    printf(failures ? "%d FAILURES\n" : "all passed\n", failures);
    return failures != 0;
}
