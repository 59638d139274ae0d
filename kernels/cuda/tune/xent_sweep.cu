/*
 * xent_sweep.cu - times variants of losses.cl's softmax cross-entropy row kernel (xent_rows) on a GPU.
 * It includes the shipped losses.cl as CUDA (through ember_common.h, as build-ptx.sh compiles it), so
 * v0 is exactly the shipped kernel with CudaOps.softmaxCrossEntropy's host logic (ReductionLayout.rowLanes
 * lanes per row, RED_WG / lanes rows per block, then xent_partial and, for more than one group,
 * xent_finish). The variants (all keep the shipped semantics: fmax ignoring NaN, NaN/inf propagation,
 * bad-label rows zeroed and flagged, and the same fixed-order sums):
 *   v1 x4         each of the three passes (max, sum of exp, gradient) issues the loads of c, c + lanes,
 *                 c + 2 lanes and c + 3 lanes before using any (act_forward's fix: 70% -> 87%); the
 *                 per-lane order of the max and the sum is unchanged, so the output is bit for bit v0's.
 *   v2 x4+row1    v1, and rows of at most 16 columns get one thread each (the host passes lanes = 1):
 *                 the row is loaded into registers at once (label and logits not dependent), no shared
 *                 memory and no barrier; max and sum use the 16-slot tree of v0's lanes (zeros and -inf
 *                 in the empty slots change nothing), so still bit for bit v0's.
 *   v3 x4+staged  v2, but a block's 256 narrow rows go through shared memory (odd row stride, no bank
 *                 conflicts): coalesced loads and stores instead of one 40-byte row per thread.
 *   v4 +shfl      v3 with the row reductions of wide rows by warp shuffles (CUDA only): none of the
 *                 shared-memory tree's barriers for lanes <= 32, three instead of nine for 128 lanes;
 *                 the butterfly adds the same pairs as the tree, so still bit for bit v0's.
 * Every variant is checked on each shape against a float64 reference computed on the GPU (gradient:
 * |g - ref| <= 1e-6 / rows + 1e-5 |ref|, NaN where the reference is NaN; loss: 1e-6 + (1e-5 + 1e-6 sqrt(rows))
 * |ref|; first bad row exact: LossOpsTest's tolerances) and compared bit for bit with v0's gradient,
 * then timed between CUDA events (median of 20 after 3 warm-ups): the whole op (row kernel + sums) and
 * the row kernel alone, in GB/s counting 8 bytes per element (logits read, gradient written), next to a
 * device-to-device cudaMemcpy of the same bytes. Not part of the build: compile where nvcc is, run where
 * the GPU is (the GPU bundle carries the binary, tools/xent_sweep):
 *   nvcc -O3 -std=c++17 --fmad=false -gencode arch=compute_90,code=sm_90 -Xptxas -v \
 *        -I../../src/main/resources/dev/ember/kernels xent_sweep.cu -o xent_sweep && ./xent_sweep
 * Exit status 1 when any variant is WRONG. With -DXENT_SWEEP_KERNELS_ONLY only the kernels are compiled
 * (../emu/xent_cuda_emu_test.cpp runs them on the host through cuda_emu.h).
 */
#include "../../src/main/resources/dev/ember/kernels/losses.cl"

/* Rows of at most XENT_NARROW columns take one thread each in v2-v4. */
#define XENT_NARROW 16

/* ---------------------------------------------------------------- the passes, four loads per trip */

INLINE float x4_max(GLOBAL const float *z, int lane, int lanes, int cols) {
    float m = -EMBER_INF;
    int c = lane;
    for (; c < cols - 3 * lanes; c += 4 * lanes) {
        float a = z[c], b = z[c + lanes], d = z[c + 2 * lanes], e = z[c + 3 * lanes];
        m = FMAXF(m, a);
        m = FMAXF(m, b);
        m = FMAXF(m, d);
        m = FMAXF(m, e);
    }
    for (; c < cols; c += lanes) {
        m = FMAXF(m, z[c]);
    }
    return m;
}

INLINE float x4_sum(GLOBAL const float *z, float m, int lane, int lanes, int cols) {
    float s = 0.0f;
    int c = lane;
    for (; c < cols - 3 * lanes; c += 4 * lanes) {
        float a = z[c], b = z[c + lanes], d = z[c + 2 * lanes], e = z[c + 3 * lanes];
        s += EXPF(a - m);
        s += EXPF(b - m);
        s += EXPF(d - m);
        s += EXPF(e - m);
    }
    for (; c < cols; c += lanes) {
        s += EXPF(z[c] - m);
    }
    return s;
}

INLINE void x4_grad(GLOBAL const float *z, GLOBAL float *g, float m, float inv_s, float inv_rows, int label, int lane,
                    int lanes, int cols) {
    int c = lane;
    for (; c < cols - 3 * lanes; c += 4 * lanes) {
        float a = z[c], b = z[c + lanes], d = z[c + 2 * lanes], e = z[c + 3 * lanes];
        float ga = EXPF(a - m) * inv_s, gb = EXPF(b - m) * inv_s, gd = EXPF(d - m) * inv_s, ge = EXPF(e - m) * inv_s;
        g[c] = c == label ? ga - inv_rows : ga;
        g[c + lanes] = c + lanes == label ? gb - inv_rows : gb;
        g[c + 2 * lanes] = c + 2 * lanes == label ? gd - inv_rows : gd;
        g[c + 3 * lanes] = c + 3 * lanes == label ? ge - inv_rows : ge;
    }
    for (; c < cols; c += lanes) {
        float gc = EXPF(z[c] - m) * inv_s;
        g[c] = c == label ? gc - inv_rows : gc;
    }
}

/* ---------------------------------------------------------------- row reductions by warp shuffles (v4) */

/* The total of v over a row's `lanes` (a power of two) with the pairs of ember_group_sum's tree: the
 * levels s >= 32 in shared memory (seg: the row's slots, used by this reduction only, so no barrier
 * after it), the levels s < 32 as an xor butterfly, whose lane i adds v[i] and v[i ^ s], the tree's
 * pair (in either order: IEEE addition and fmax are commutative), so every lane ends with slot 0's value. */
template <bool MAX>
__device__ __forceinline__ float seg_reduce_shfl(float *seg, float v, int lane, int lanes) {
    int top = lanes;
    if (lanes > 32) {
        seg[lane] = v;
        __syncthreads();
        for (int s = lanes >> 1; s >= 32; s >>= 1) {
            if (lane < s) {
                seg[lane] = MAX ? FMAXF(seg[lane], seg[lane + s]) : seg[lane] + seg[lane + s];
            }
            __syncthreads();
        }
        v = seg[lane & 31];
        top = 32;
    }
    for (int s = top >> 1; s > 0; s >>= 1) {
        float o = __shfl_xor_sync(0xffffffffu, v, s);
        v = MAX ? FMAXF(v, o) : v + o;
    }
    return v;
}

/* ---------------------------------------------------------------- narrow rows (v2-v4): one thread per row */

/* ember_group_sum's tree over 16 slots, written out (a loop nest left the array in local memory) */
#define XENT_ADD(a, b) ((a) + (b))
#define XENT_TREE16(t, OP) do { \
    t[0] = OP(t[0], t[8]); t[1] = OP(t[1], t[9]); t[2] = OP(t[2], t[10]); t[3] = OP(t[3], t[11]); \
    t[4] = OP(t[4], t[12]); t[5] = OP(t[5], t[13]); t[6] = OP(t[6], t[14]); t[7] = OP(t[7], t[15]); \
    t[0] = OP(t[0], t[4]); t[1] = OP(t[1], t[5]); t[2] = OP(t[2], t[6]); t[3] = OP(t[3], t[7]); \
    t[0] = OP(t[0], t[2]); t[1] = OP(t[1], t[3]); \
    t[0] = OP(t[0], t[1]); } while (0)

/* Row math for a row of cols <= XENT_NARROW held in v[]: on return v[] holds the gradient (zeros for a bad
 * label), *loss the row loss and *flag 1 for a bad label. Slots past cols act as v0's idle lanes: -inf in
 * the max tree, 0 in the sum tree, which leave every value unchanged, so the result is v0's bit for bit. */
__device__ __forceinline__ void narrow_row(float *v, float lf, int cols, float inv_rows, float *loss, float *flag) {
    int label = (int)lf;
    int bad = !(lf >= 0.0f && lf < (float)cols && (float)label == lf);
    if (bad) {
#pragma unroll
        for (int j = 0; j < XENT_NARROW; j++) v[j] = 0.0f;
        *loss = 0.0f;
        *flag = 1.0f;
        return;
    }
    float t[XENT_NARROW];
#pragma unroll
    for (int j = 0; j < XENT_NARROW; j++) t[j] = j < cols ? FMAXF(-EMBER_INF, v[j]) : -EMBER_INF;
    XENT_TREE16(t, FMAXF);
    float m = t[0];
#pragma unroll
    for (int j = 0; j < XENT_NARROW; j++) {
        if (j < cols) {
            t[j] = 0.0f + EXPF(v[j] - m);
        } else {
            t[j] = 0.0f;
        }
    }
    XENT_TREE16(t, XENT_ADD);
    float s = t[0];
    float inv_s = inv_rows / s;
    float zl = 0.0f;
#pragma unroll
    for (int j = 0; j < XENT_NARROW; j++) {
        if (j == label) zl = v[j];
    }
#pragma unroll
    for (int j = 0; j < XENT_NARROW; j++) {
        if (j < cols) {
            float g = EXPF(v[j] - m) * inv_s;
            v[j] = j == label ? g - inv_rows : g;
        }
    }
    *loss = (m - zl) + LOGF(s);
    *flag = 0.0f;
}

/* v2: the row straight from global memory into registers (all its loads issued together). */
__device__ __forceinline__ void narrow_direct(const float *logits, const float *labels, float *grad, float *scratch,
                                              int rows, int cols) {
    int r = (int)(blockIdx.x * RED_WG + threadIdx.x);
    if (r >= rows) {
        return; /* no barrier on this path */
    }
    ember_i64 o = (ember_i64)r * cols;
    float lf = labels[r];
    float v[XENT_NARROW];
#pragma unroll
    for (int j = 0; j < XENT_NARROW; j++) v[j] = j < cols ? logits[o + j] : 0.0f;
    float loss, flag;
    narrow_row(v, lf, cols, 1.0f / (float)rows, &loss, &flag);
#pragma unroll
    for (int j = 0; j < XENT_NARROW; j++) {
        if (j < cols) grad[o + j] = v[j];
    }
    scratch[r] = loss;
    scratch[rows + r] = flag;
}

/* v3/v4: the block's RED_WG rows (one contiguous span of logits) copied into shared memory with coalesced
 * loads, four per trip, each row at stride cols | 1 (odd: the per-row reads hit 32 banks); the gradient
 * written back in place and stored with coalesced stores. Every thread reaches both barriers. */
__device__ __forceinline__ void narrow_staged(const float *logits, const float *labels, float *grad, float *scratch,
                                              int rows, int cols) {
    __shared__ float buf[RED_WG * (XENT_NARROW + 1)];
    const int lid = threadIdx.x;
    const ember_i64 r0 = (ember_i64)blockIdx.x * RED_WG;
    const int nr = rows - r0 < RED_WG ? (int)(rows - r0) : RED_WG;
    const int n = nr * cols, P = cols | 1;
    const int r = (int)r0 + lid;
    const float lf = lid < nr ? labels[r] : 0.0f;
    const float *z = logits + r0 * cols;
    float *gz = grad + r0 * cols;
    /* element i = lid + k RED_WG of the span is row q = i / cols, column j = i % cols, stepped without division */
    const int dq = RED_WG / cols, dj = RED_WG % cols;
    {
        int q = lid / cols, j = lid % cols, i = lid;
#define XENT_STEP(q, j) do { j += dj; q += dq; if (j >= cols) { j -= cols; q++; } } while (0)
        for (; i < n - 3 * RED_WG; i += 4 * RED_WG) {
            float a = z[i], b = z[i + RED_WG], d = z[i + 2 * RED_WG], e = z[i + 3 * RED_WG];
            buf[q * P + j] = a;
            XENT_STEP(q, j);
            buf[q * P + j] = b;
            XENT_STEP(q, j);
            buf[q * P + j] = d;
            XENT_STEP(q, j);
            buf[q * P + j] = e;
            XENT_STEP(q, j);
        }
        for (; i < n; i += RED_WG) {
            buf[q * P + j] = z[i];
            XENT_STEP(q, j);
        }
    }
    __syncthreads();
    if (lid < nr) {
        float v[XENT_NARROW];
#pragma unroll
        for (int j = 0; j < XENT_NARROW; j++) v[j] = j < cols ? buf[lid * P + j] : 0.0f;
        float loss, flag;
        narrow_row(v, lf, cols, 1.0f / (float)rows, &loss, &flag);
#pragma unroll
        for (int j = 0; j < XENT_NARROW; j++) {
            if (j < cols) buf[lid * P + j] = v[j];
        }
        scratch[r] = loss;
        scratch[rows + r] = flag;
    }
    __syncthreads();
    {
        int q = lid / cols, j = lid % cols;
        for (int i = lid; i < n; i += RED_WG) {
            gz[i] = buf[q * P + j];
            XENT_STEP(q, j);
        }
#undef XENT_STEP
    }
}

/* ---------------------------------------------------------------- the variant kernels */

/* The wide path (lanes >= 1 from ReductionLayout.rowLanes): v1's passes, the row reductions by warp
 * shuffles when SHFL (v4), else ember_group_max / ember_group_sum as shipped. */
template <bool SHFL>
__global__ void __launch_bounds__(RED_WG)
xent_var(const float *logits, const float *labels, float *grad, float *scratch, const int rows, const int cols,
         const int lanes) {
    __shared__ float red[RED_WG];
    __shared__ float red2[RED_WG];
    int lid = threadIdx.x;
    int lane = lid & (lanes - 1);
    float *seg = red + (lid - lane);
    int r = blockIdx.x * (RED_WG / lanes) + lid / lanes;
    int live = r < rows;
    ember_i64 o = (ember_i64)(live ? r : 0) * cols;
    float lf = live ? labels[r] : 0.0f;
    int label = (int)lf;
    float inv_rows = 1.0f / (float)rows;
    int bad = !(lf >= 0.0f && lf < (float)cols && (float)label == lf);
    int work = live && !bad;
    const float *z = logits + o;
    float *g = grad + o;
    float m = work ? x4_max(z, lane, lanes, cols) : -EMBER_INF;
    m = SHFL ? seg_reduce_shfl<true>(seg, m, lane, lanes) : ember_group_max(seg, m, lane, lanes);
    float s = work ? x4_sum(z, m, lane, lanes, cols) : 0.0f;
    s = SHFL ? seg_reduce_shfl<false>(red2 + (lid - lane), s, lane, lanes) : ember_group_sum(seg, s, lane, lanes);
    if (work) {
        x4_grad(z, g, m, inv_rows / s, inv_rows, label, lane, lanes, cols);
        if (lane == 0) {
            scratch[r] = (m - z[label]) + LOGF(s);
            scratch[rows + r] = 0.0f;
        }
    } else if (live) {
        for (int c = lane; c < cols; c += lanes) {
            g[c] = 0.0f;
        }
        if (lane == 0) {
            scratch[r] = 0.0f;
            scratch[rows + r] = 1.0f;
        }
    }
}

/* The narrow rows' kernel of v2-v4 (the host launches it instead of the wide one for cols <= XENT_NARROW,
 * with lanes = 1, ceil(rows / RED_WG) blocks), so its registers do not cost the wide kernel occupancy. */
template <bool STAGED>
__global__ void __launch_bounds__(RED_WG)
xent_narrow(const float *logits, const float *labels, float *grad, float *scratch, const int rows, const int cols,
            const int lanes) {
    (void)lanes;
    if (STAGED) {
        narrow_staged(logits, labels, grad, scratch, rows, cols);
    } else {
        narrow_direct(logits, labels, grad, scratch, rows, cols);
    }
}

/* ---------------------------------------------------------------- host logic (CudaOps / ReductionLayout) */

static int xent_ceil_pow2(int v) {
    int p = 1;
    while (p < v) p <<= 1;
    return p;
}
/* ReductionLayout.rowLanes(cols, RED_WG) */
static int xent_row_lanes(int cols) {
    int c = cols < 1 ? 1 : cols;
    int narrow = xent_ceil_pow2(c < 32 ? c : 32);
    int wide = xent_ceil_pow2((int)((c + 31LL) / 32));
    int l = narrow > wide ? narrow : wide;
    return l < RED_WG ? l : RED_WG;
}
/* CudaOps.partialChunk / partialGroups */
static long long xent_partial_chunk(long long n) {
    long long g = (n + 256 * 8LL - 1) / (256 * 8LL);
    g = g < 1 ? 1 : g > 1024 ? 1024 : g;
    long long c = (n + g - 1) / g;
    return c < 1 ? 1 : c;
}
static int xent_partial_groups(long long n) {
    long long c = xent_partial_chunk(n), g = (n + c - 1) / c;
    return (int)(g < 1 ? 1 : g);
}

#include <algorithm>
#include <cmath>
#include <vector>

/* The inputs of a rows x cols case, the same in the sweep and its host emulation: uniform logits in [-4, 4) and
   labels in [0, cols) from a seeded LCG; with `specials`, NaN, +inf and -inf logits, rows of magnitude 1e4, and bad
   labels (-1, cols, 2.5, NaN). */
static void xent_inputs(const int rows, const int cols, const bool specials, std::vector<float> &z,
                        std::vector<float> &lab) {
    z.assign((size_t)rows * cols, 0.f);
    lab.assign(rows, 0.f);
    unsigned long long s = 0x9E3779B97F4A7C15ull * (rows + 31ull * cols);
    auto rnd = [&]() { s = s * 6364136223846793005ull + 1442695040888963407ull; return (double)(s >> 40) / 16777216.0; };
    for (auto &x : z) x = (float)(8.0 * rnd() - 4.0);
    for (auto &x : lab) x = (float)std::min(cols - 1, (int)(rnd() * cols));
    if (specials) {
        auto at = [&](int r, int c) -> float & { return z[(long long)(r % rows) * cols + c % cols]; };
        at(5, 3) = NAN;
        at(7, 1) = INFINITY;
        at(9, 2) = -INFINITY;
        for (int r = 11; r < 21 && r < rows; r++)
            for (int c = 0; c < cols; c++) at(r, c) = (float)(1e4 * (2.0 * rnd() - 1.0));
        if (rows > 33) {
            lab[30] = -1.0f;
            lab[31] = (float)cols;
            lab[32] = 2.5f;
            lab[33] = NAN;
        }
    }
}

#ifndef XENT_SWEEP_KERNELS_ONLY
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <vector>

#define CK(x) do { cudaError_t e_ = (x); if (e_ != cudaSuccess) { \
    fprintf(stderr, "%s:%d %s: %s\n", __FILE__, __LINE__, #x, cudaGetErrorString(e_)); exit(1); } } while (0)

typedef void (*row_fn)(const float *, const float *, float *, float *, int, int, int);
/* narrow: the kernel for cols <= XENT_NARROW (lanes = 1), or null */
struct Variant { const char *name; row_fn fn; row_fn narrow; };
static const Variant VARIANTS[] = {
    {"v0 shipped", xent_rows, nullptr},
    {"v1 x4", xent_var<false>, nullptr},
    {"v2 x4+row1", xent_var<false>, xent_narrow<false>},
    {"v3 x4+row1 staged", xent_var<false>, xent_narrow<true>},
    {"v4 v3+shfl", xent_var<true>, xent_narrow<true>},
};
static const int NV = sizeof(VARIANTS) / sizeof(VARIANTS[0]);

/* float64 reference, one thread per row, the shipped kernel's semantics: max ignoring NaN (fmax), then
 * exp(z - m) / s - onehot, all over rows; bad label: zero gradient, zero loss, flag. */
__global__ void ref_rows(const float *z, const float *lab, int rows, int cols, double *g, double *loss, int *bad) {
    int r = blockIdx.x * blockDim.x + threadIdx.x;
    if (r >= rows) return;
    const float *x = z + (long long)r * cols;
    double *gr = g + (long long)r * cols;
    float lf = lab[r];
    int label = (int)lf;
    if (!(lf >= 0.0f && lf < (float)cols && (float)label == lf)) {
        for (int c = 0; c < cols; c++) gr[c] = 0.0;
        loss[r] = 0.0;
        bad[r] = 1;
        return;
    }
    double m = -INFINITY;
    for (int c = 0; c < cols; c++) m = fmax(m, (double)x[c]);
    double s = 0;
    for (int c = 0; c < cols; c++) s += exp((double)x[c] - m);
    for (int c = 0; c < cols; c++) gr[c] = (exp((double)x[c] - m) / s - (c == label ? 1.0 : 0.0)) / rows;
    loss[r] = (m - (double)x[label]) + log(s);
    bad[r] = 0;
}

/* out[0]: elements outside the tolerance, out[1]: elements whose bits differ from v0's (NaN = NaN),
 * out[2]: the worst |g - ref| / tol among finite references, as float bits (non-negative: ordered as ints). */
__global__ void check_grad(const float *g, const double *ref, const float *g0, long long n, double atol, double rtol,
                           unsigned long long *out) {
    unsigned long long bad = 0, diff = 0;
    float worst = 0.0f;
    for (long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x; i < n; i += (long long)gridDim.x * blockDim.x) {
        float v = g[i];
        double rf = ref[i];
        bool ok;
        if (isnan(rf)) {
            ok = isnan(v);
        } else if (isinf(rf)) {
            ok = (double)v == rf;
        } else {
            double tol = atol + rtol * fabs(rf), q = fabs((double)v - rf) / tol;
            ok = q <= 1.0;
            if (q == q) worst = fmaxf(worst, (float)q);
        }
        bad += !ok;
        float w = g0[i];
        diff += !((isnan(v) && isnan(w)) || __float_as_uint(v) == __float_as_uint(w));
    }
    if (bad) atomicAdd(&out[0], bad);
    if (diff) atomicAdd(&out[1], diff);
    atomicMax(&out[2], (unsigned long long)__float_as_uint(worst));
}

struct Shape { int rows, cols; bool specials, timed; };

struct Case {
    int rows, cols;
    long long n;
    float *logits, *labels, *grad, *grad0, *scratch, *partial, *stats;
    double *gref, *lref;
    int *bref;
    unsigned long long *cres;
    double loss_ref;
    int first_bad;
    Case(const Shape &sh) : rows(sh.rows), cols(sh.cols), n((long long)sh.rows * sh.cols) {
        std::vector<float> hz, hl;
        xent_inputs(rows, cols, sh.specials, hz, hl);
        CK(cudaMalloc(&logits, n * 4)); CK(cudaMalloc(&labels, rows * 4ll)); CK(cudaMalloc(&grad, n * 4));
        CK(cudaMalloc(&grad0, n * 4)); CK(cudaMalloc(&scratch, 2ll * rows * 4)); CK(cudaMalloc(&stats, 8));
        int groups = xent_partial_groups(rows);
        CK(cudaMalloc(&partial, 2ll * groups * 4));
        CK(cudaMalloc(&gref, n * 8)); CK(cudaMalloc(&lref, rows * 8ll)); CK(cudaMalloc(&bref, rows * 4ll));
        CK(cudaMalloc(&cres, 3 * 8));
        CK(cudaMemcpy(logits, hz.data(), n * 4, cudaMemcpyHostToDevice));
        CK(cudaMemcpy(labels, hl.data(), rows * 4ll, cudaMemcpyHostToDevice));
        ref_rows<<<(rows + 127) / 128, 128>>>(logits, labels, rows, cols, gref, lref, bref);
        CK(cudaGetLastError());
        CK(cudaDeviceSynchronize());
        std::vector<double> hlr(rows);
        std::vector<int> hb(rows);
        CK(cudaMemcpy(hlr.data(), lref, rows * 8ll, cudaMemcpyDeviceToHost));
        CK(cudaMemcpy(hb.data(), bref, rows * 4ll, cudaMemcpyDeviceToHost));
        double t = 0;
        first_bad = -1;
        for (int r = 0; r < rows; r++) {
            t += hlr[r];
            if (hb[r] && first_bad < 0) first_bad = r;
        }
        loss_ref = t / rows;
    }
    ~Case() {
        cudaFree(logits); cudaFree(labels); cudaFree(grad); cudaFree(grad0); cudaFree(scratch); cudaFree(partial);
        cudaFree(stats); cudaFree(gref); cudaFree(lref); cudaFree(bref); cudaFree(cres);
    }
    bool narrow(const Variant &v) const { return v.narrow && cols <= XENT_NARROW; }
    int lanes(const Variant &v) const { return narrow(v) ? 1 : xent_row_lanes(cols); }
    void rows_kernel(const Variant &v, float *out) {
        int l = lanes(v), per = RED_WG / l;
        (narrow(v) ? v.narrow : v.fn)<<<(rows + per - 1) / per, RED_WG>>>(logits, labels, out, scratch, rows, cols, l);
    }
    /* the whole op, as CudaOps.softmaxCrossEntropy launches it */
    void op(const Variant &v, float *out) {
        rows_kernel(v, out);
        int groups = xent_partial_groups(rows);
        xent_partial<<<groups, RED_WG>>>(scratch, rows, (int)xent_partial_chunk(rows), groups > 1 ? partial : scratch, stats);
        if (groups > 1) xent_finish<<<1, RED_WG>>>(partial, groups, rows, stats);
    }
    /* true when right; prints the check's numbers */
    bool check(const Variant &v, bool first, char *msg, size_t len) {
        float *out = first ? grad0 : grad;
        CK(cudaMemset(out, 0xff, n * 4)); /* NaN: an element not written fails */
        CK(cudaMemset(scratch, 0xff, 2ll * rows * 4));
        op(v, out);
        CK(cudaGetLastError());
        CK(cudaDeviceSynchronize());
        CK(cudaMemset(cres, 0, 3 * 8));
        double atol = 1e-6 / rows, rtol = 1e-5;
        check_grad<<<1024, 256>>>(out, gref, grad0, n, atol, rtol, cres);
        CK(cudaGetLastError());
        unsigned long long hc[3];
        float hs[2];
        CK(cudaMemcpy(hc, cres, sizeof hc, cudaMemcpyDeviceToHost));
        CK(cudaMemcpy(hs, stats, 8, cudaMemcpyDeviceToHost));
        unsigned wb = (unsigned)hc[2];
        float worst;
        memcpy(&worst, &wb, 4);
        double ltol = 1e-6 + (1e-5 + 1e-6 * std::sqrt((double)rows)) * std::fabs(loss_ref);
        bool loss_ok = std::isnan(loss_ref) ? std::isnan(hs[0]) : std::fabs(hs[0] - loss_ref) <= ltol;
        bool bad_ok = hs[1] == (float)first_bad;
        snprintf(msg, len, "grad %llu bad (worst %.3f of tol), %s; loss %.7g vs %.7g%s; first bad row %g%s", hc[0], worst,
                 first ? "reference for bits" : hc[1] == 0 ? "bits == v0" : "bits differ from v0", hs[0], loss_ref,
                 loss_ok ? "" : " WRONG", hs[1], bad_ok ? "" : " WRONG");
        if (!first && hc[1]) {
            size_t k = strlen(msg);
            snprintf(msg + k, len - k, " (%llu elements)", hc[1]);
        }
        return hc[0] == 0 && loss_ok && bad_ok;
    }
};

static float median_ms(const std::function<void()> &f, cudaEvent_t e0, cudaEvent_t e1) {
    for (int w = 0; w < 3; w++) f();
    std::vector<float> ms;
    for (int r = 0; r < 20; r++) {
        CK(cudaEventRecord(e0));
        f();
        CK(cudaEventRecord(e1));
        CK(cudaEventSynchronize(e1));
        float t;
        CK(cudaEventElapsedTime(&t, e0, e1));
        ms.push_back(t);
    }
    std::sort(ms.begin(), ms.end());
    return ms[ms.size() / 2];
}

int main() {
    cudaDeviceProp prop;
    CK(cudaGetDeviceProperties(&prop, 0));
    printf("xent_sweep: %s, %d SMs, RED_WG %d, GB/s count 8 bytes per element (logits read + grad written)\n", prop.name,
           prop.multiProcessorCount, RED_WG);
    for (int k = 0; k < NV; k++) {
        for (int w = 0; w < 2; w++) {
            row_fn f = w ? VARIANTS[k].narrow : VARIANTS[k].fn;
            if (!f) continue;
            cudaFuncAttributes fa;
            CK(cudaFuncGetAttributes(&fa, f));
            int occ = 0;
            CK(cudaOccupancyMaxActiveBlocksPerMultiprocessor(&occ, f, RED_WG, 0));
            printf("%-18s %s kernel: regs %3d static smem %5zu local %zu blocks/SM %d\n", VARIANTS[k].name,
                   w ? "narrow (cols <= 16)" : "wide", fa.numRegs, fa.sharedSizeBytes, fa.localSizeBytes, occ);
        }
    }
    const Shape shapes[] = {
        {1001, 10, true, false}, {1000, 33, true, false}, {777, 3, false, false}, {300, 16, false, false},
        {5, 1, false, false}, {257, 5000, false, false}, {65536, 1000, false, true}, {16384, 4096, false, true},
        {4194304, 10, false, true},
    };
    cudaEvent_t e0, e1;
    CK(cudaEventCreate(&e0));
    CK(cudaEventCreate(&e1));
    int wrong = 0;
    char msg[512];
    for (const Shape &sh : shapes) {
        Case cs(sh);
        printf("\n%d x %d%s (lanes %d; first bad row %d)\n", sh.rows, sh.cols, sh.specials ? ", NaN/inf/1e4 logits and bad labels" : "",
               xent_row_lanes(sh.cols), cs.first_bad);
        float copy_ms = 0;
        if (sh.timed) {
            copy_ms = median_ms([&] { CK(cudaMemcpyAsync(cs.grad, cs.logits, cs.n * 4, cudaMemcpyDeviceToDevice)); }, e0, e1);
            printf("  %-18s median %.4f ms = %7.1f GB/s\n", "copy (d2d memcpy)", copy_ms, 8.0 * cs.n / copy_ms / 1e6);
        }
        for (int k = 0; k < NV; k++) {
            const Variant &v = VARIANTS[k];
            bool ok = cs.check(v, k == 0, msg, sizeof msg);
            wrong += !ok;
            printf("  %-18s lanes %3d %s %s\n", v.name, cs.lanes(v), ok ? "ok   " : "WRONG", msg);
            if (sh.timed) {
                float op_ms = median_ms([&] { cs.op(v, cs.grad); }, e0, e1);
                float rk_ms = median_ms([&] { cs.rows_kernel(v, cs.grad); }, e0, e1);
                CK(cudaGetLastError());
                printf("  %-18s op median %.4f ms = %7.1f GB/s (%4.1f%% of copy); row kernel alone %.4f ms = %7.1f GB/s\n", "",
                       op_ms, 8.0 * cs.n / op_ms / 1e6, 100.0 * copy_ms / op_ms, rk_ms, 8.0 * cs.n / rk_ms / 1e6);
            }
            fflush(stdout);
        }
    }
    printf("\nxent_sweep: %d wrong\n", wrong);
    return wrong != 0;
}
#endif /* XENT_SWEEP_KERNELS_ONLY */
