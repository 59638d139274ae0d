/*
 * cuda_emu.h - just enough CUDA to run a kernel's indexing and synchronisation logic on the host
 * with g++ (C++20), for machines without a GPU. Each thread of a block is a std::thread;
 * __syncthreads() is a std::barrier; __shared__ arrays become function-local statics, shared by
 * the threads of the one block that runs at a time. Arithmetic is the host's (float, no fast
 * math), so results are compared with tolerances, never bit for bit.
 *
 * Used by gemm_cuda_emu_test.cpp (run from GemmCudaEmulationTest), which also runs the TF32 WMMA
 * kernel through a whole-fragment model of nvcuda::wmma. cp.async
 * (cp_async16/cp_async4/cp_async_commit/cp_async_wait, as gemm_cuda.cu names its wrappers) is
 * modelled per thread in two orders, see cp_emu_late. Not a general emulator: no warps, no atomics,
 * no dynamic shared memory (kernels declare a static array under EMBER_CUDA_EMU instead).
 */
#ifndef EMBER_CUDA_EMU_H
#define EMBER_CUDA_EMU_H

#include <atomic>
#include <barrier>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
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

/*
 * cp.async: each thread's copies are grouped by cp_async_commit and completed by cp_async_wait<N>.
 * A copy is performed either when issued (cp_emu_late == false) or as late as the matching
 * cp_async_wait allows (true): the first order exposes a copy that overwrites a buffer still being
 * read (write-after-read), the second a read of a buffer before its copy was waited for
 * (read-after-write). Source ranges are checked like __ldg; a copy with valid == false zero-fills.
 */
inline bool cp_emu_late = false;
struct CpEmuCopy {
    void *dst;
    const void *src;
    int bytes, valid;
};
inline thread_local std::deque<std::vector<CpEmuCopy>> cp_emu_groups;
inline thread_local std::vector<CpEmuCopy> cp_emu_open;
static inline void cp_emu_do(const CpEmuCopy &c) {
    if (c.valid) {
        emu_check_read(c.src, c.bytes);
        std::memcpy(c.dst, c.src, c.bytes);
    } else {
        std::memset(c.dst, 0, c.bytes);
    }
}
static inline void cp_async16(void *s, const void *g, bool valid) {
    if (reinterpret_cast<uintptr_t>(s) % 16 || (valid && reinterpret_cast<uintptr_t>(g) % 16)) {
        std::fprintf(stderr, "misaligned 16-byte cp.async: shared %p global %p\n", s, g);
        std::abort();
    }
    CpEmuCopy c{s, g, 16, valid};
    if (cp_emu_late) cp_emu_open.push_back(c); else cp_emu_do(c);
}
static inline void cp_async4(void *s, const void *g, bool valid) {
    if (reinterpret_cast<uintptr_t>(s) % 4 || (valid && reinterpret_cast<uintptr_t>(g) % 4)) {
        std::fprintf(stderr, "misaligned 4-byte cp.async: shared %p global %p\n", s, g);
        std::abort();
    }
    CpEmuCopy c{s, g, 4, valid};
    if (cp_emu_late) cp_emu_open.push_back(c); else cp_emu_do(c);
}
static inline void cp_async_commit() {
    cp_emu_groups.push_back(cp_emu_open);
    cp_emu_open.clear();
}
template <int N>
static inline void cp_async_wait() {
    while ((int)cp_emu_groups.size() > N) {
        for (auto &c : cp_emu_groups.front()) cp_emu_do(c);
        cp_emu_groups.pop_front();
    }
}
/* True when a thread ends a kernel with copies neither committed nor waited for (checked by emu_launch). */
static inline bool cp_emu_pending() {
    for (auto &g : cp_emu_groups)
        if (!g.empty()) return true;
    return !cp_emu_open.empty();
}
inline std::atomic<int> cp_emu_leaks{0};

static inline void __syncwarp() { emu_barrier->arrive_and_wait(); } /* kernels here call it block-uniformly */

/*
 * WMMA (nvcuda::wmma) for the TF32 kernel: every thread holds whole fragments and computes the whole
 * product, which gives the warp-collective result without modelling lanes. Pointers must be 32-byte
 * aligned and leading dimensions multiples of 16 bytes, as on the GPU.
 */
#define EMBER_CUDA_EMU 1
namespace nvcuda {
namespace wmma {
struct matrix_a {};
struct matrix_b {};
struct accumulator {};
struct row_major {};
struct col_major {};
namespace precision {
struct tf32 {};
}
enum layout_t { mem_row_major, mem_col_major };

template <typename Use, int M, int N, int K, typename T, typename Layout = void>
struct fragment;
template <int M, int N, int K, typename T>
struct fragment<matrix_a, M, N, K, T, row_major> {
    static const int num_elements = M * K;
    float x[M * K];
};
template <int M, int N, int K, typename T>
struct fragment<matrix_b, M, N, K, T, row_major> {
    static const int num_elements = K * N;
    float x[K * N];
};
template <int M, int N, int K>
struct fragment<accumulator, M, N, K, float, void> {
    static const int num_elements = M * N;
    float x[M * N];
};

static inline void emu_wmma_check(const void *p, unsigned ldm) {
    if (reinterpret_cast<uintptr_t>(p) % 32 != 0 || (ldm * sizeof(float)) % 16 != 0) {
        std::fprintf(stderr, "wmma: pointer %p not 32-byte aligned or ldm %u not a multiple of 16 bytes\n", p, ldm);
        std::abort();
    }
}

template <int M, int N, int K, typename T>
static inline void load_matrix_sync(fragment<matrix_a, M, N, K, T, row_major> &a, const float *p, unsigned ldm) {
    emu_wmma_check(p, ldm);
    for (int r = 0; r < M; r++)
        for (int c = 0; c < K; c++) a.x[r * K + c] = p[r * ldm + c];
}
template <int M, int N, int K, typename T>
static inline void load_matrix_sync(fragment<matrix_b, M, N, K, T, row_major> &b, const float *p, unsigned ldm) {
    emu_wmma_check(p, ldm);
    for (int r = 0; r < K; r++)
        for (int c = 0; c < N; c++) b.x[r * N + c] = p[r * ldm + c];
}
template <int M, int N, int K>
static inline void fill_fragment(fragment<accumulator, M, N, K, float, void> &f, float v) {
    for (int i = 0; i < M * N; i++) f.x[i] = v;
}
template <int M, int N, int K, typename T>
static inline void mma_sync(fragment<accumulator, M, N, K, float, void> &d, const fragment<matrix_a, M, N, K, T, row_major> &a,
                            const fragment<matrix_b, M, N, K, T, row_major> &b,
                            const fragment<accumulator, M, N, K, float, void> &c) {
    float out[M * N];
    for (int i = 0; i < M; i++)
        for (int j = 0; j < N; j++) {
            float acc = c.x[i * N + j];
            for (int k = 0; k < K; k++) acc += a.x[i * K + k] * b.x[k * N + j];
            out[i * N + j] = acc;
        }
    for (int i = 0; i < M * N; i++) d.x[i] = out[i];
}
template <int M, int N, int K>
static inline void store_matrix_sync(float *p, const fragment<accumulator, M, N, K, float, void> &f, unsigned ldm,
                                     layout_t layout) {
    emu_wmma_check(p, ldm);
    for (int r = 0; r < M; r++)
        for (int c = 0; c < N; c++) p[layout == mem_row_major ? r * ldm + c : c * ldm + r] = f.x[r * N + c];
}
/* Round to TF32 (10 explicit mantissa bits), to nearest with ties away from zero, like cvt.rna.tf32.f32. */
static inline float __float_to_tf32(float v) {
    if (!std::isfinite(v)) return v;
    uint32_t b;
    std::memcpy(&b, &v, 4);
    b = (b + 0x1000u) & 0xFFFFE000u;
    std::memcpy(&v, &b, 4);
    return v;
}
} // namespace wmma
} // namespace nvcuda

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
                        if (cp_emu_pending()) cp_emu_leaks++; /* a copy left in flight at exit */
                        cp_emu_groups.clear();
                        cp_emu_open.clear();
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
