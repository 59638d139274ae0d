/*
 * cuda_emu.h - just enough CUDA to run a kernel's indexing and synchronisation logic on the host
 * with g++ (C++20), for machines without a GPU. Each thread of a block is a std::thread;
 * __syncthreads() is a std::barrier; __shared__ arrays become function-local statics, shared by
 * the threads of the one block that runs at a time. Arithmetic is the host's (float, no fast
 * math), so results are compared with tolerances, never bit for bit.
 *
 * Used by gemm_cuda_emu_test.cpp (run from GemmCudaEmulationTest). Not a general emulator:
 * no warps, no atomics, no dynamic shared memory.
 */
#ifndef EMBER_CUDA_EMU_H
#define EMBER_CUDA_EMU_H

#include <barrier>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <thread>
#include <vector>

#define __CUDACC__ 1
#define __global__
#define __device__
#define __host__
#define __forceinline__ inline
#define __shared__ static
#define __align__(n) __attribute__((aligned(n)))
#define __launch_bounds__(...)

struct dim3 {
    unsigned x = 1, y = 1, z = 1;
};
struct alignas(16) float4 {
    float x, y, z, w;
};
static inline float4 make_float4(float x, float y, float z, float w) { return float4{x, y, z, w}; }

inline thread_local dim3 threadIdx, blockIdx, blockDim, gridDim;
inline std::barrier<> *emu_barrier = nullptr;

static inline void __syncthreads() { emu_barrier->arrive_and_wait(); }
/* Byte ranges [begin, end) that __ldg may read; empty means unchecked. Set before a launch. */
inline std::vector<std::pair<uintptr_t, uintptr_t>> emu_readable;

static inline void emu_check_read(const void *p, size_t bytes) {
    const uintptr_t a = reinterpret_cast<uintptr_t>(p);
    if (emu_readable.empty()) {
        return;
    }
    for (const auto &r : emu_readable) {
        if (a >= r.first && a + bytes <= r.second) {
            return;
        }
    }
    std::fprintf(stderr, "out-of-bounds read of %zu bytes at %p\n", bytes, p);
    std::abort();
}

template <typename T>
static inline T __ldg(const T *p) {
    emu_check_read(p, sizeof(T));
    return *p;
}
/* A vector load must be 16-byte aligned on the GPU; fail loudly where the host would not care. */
static inline float4 __ldg(const float4 *p) {
    if (reinterpret_cast<uintptr_t>(p) % 16 != 0) {
        std::fprintf(stderr, "misaligned float4 load at %p\n", (const void *)p);
        std::abort();
    }
    emu_check_read(p, sizeof(float4));
    return *p;
}
static inline unsigned __umulhi(unsigned a, unsigned b) { return (unsigned)(((uint64_t)a * b) >> 32); }
using std::exp;
using std::expm1;
using std::fabs;
using std::fmax;
using std::fmin;
using std::isnan;
using std::log;
using std::log1p;
using std::sqrt;
using std::tanh;

/* Runs body() as the kernel for every block of grid, blocks one after another, threads concurrently. */
static inline void emu_launch(dim3 grid, dim3 block, const std::function<void()> &body) {
    const unsigned threads = block.x * block.y * block.z;
    std::barrier<> bar(threads);
    emu_barrier = &bar;
    std::vector<std::thread> pool;
    for (unsigned t = 0; t < threads; t++) {
        pool.emplace_back([&, t] {
            threadIdx = dim3{t % block.x, (t / block.x) % block.y, t / (block.x * block.y)};
            blockDim = block;
            gridDim = grid;
            for (unsigned bz = 0; bz < grid.z; bz++) {
                for (unsigned by = 0; by < grid.y; by++) {
                    for (unsigned bx = 0; bx < grid.x; bx++) {
                        blockIdx = dim3{bx, by, bz};
                        body();
                        bar.arrive_and_wait(); /* the block's statics are free for the next block */
                    }
                }
            }
        });
    }
    for (auto &th : pool) {
        th.join();
    }
    emu_barrier = nullptr;
}

#endif /* EMBER_CUDA_EMU_H */
