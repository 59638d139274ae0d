/*
 * xent_cuda_emu_test.cpp - runs the row kernels of ../tune/xent_sweep.cu (the shipped losses.cl xent_rows as
 * v0, and the variants v1-v4) with losses.cl's xent_partial / xent_finish on the host through cuda_emu.h,
 * with the sweep's host logic (lanes, blocks, partial groups), and checks each against a float64 reference
 * (LossOpsTest's tolerances: gradient 1e-6 / rows + 1e-5 |ref|, NaN where the reference is NaN; loss
 * 1e-6 + (1e-5 + 1e-6 sqrt(rows)) |ref|; the first bad row exactly) and bit for bit against v0's gradient
 * (the variants keep v0's order of operations, so on the host, with the same expf, they must match it
 * exactly). Shapes cover 1, 3, 10, 16 columns (narrow paths, partial blocks), 33 (lanes 32 with a tail),
 * 1500 / 3000 / 5000 (lanes 64, 128, 256: the shuffle path's shared levels), 5000 rows (xent_finish),
 * NaN / inf / 1e4 logits and bad labels. Writes outside the gradient and the row scratch are caught by
 * sentinels around them. Prints one line per case and exits non-zero on any failure.
 * Warp shuffles are modelled block-wide (every thread of the block reaches them in these kernels).
 * Build: g++ -std=c++20 -O1 -ffp-contract=off -pthread -I<kernels dir> -I<this dir> xent_cuda_emu_test.cpp
 */
#include "cuda_emu.h"

#include <cstring>

static inline float __int_as_float(int i) {
    float f;
    std::memcpy(&f, &i, 4);
    return f;
}
static inline int __float_as_int(float f) {
    int i;
    std::memcpy(&i, &f, 4);
    return i;
}
/* xor shuffle over the whole block through a shared exchange array (block-uniform calls only) */
static inline float __shfl_xor_sync(unsigned, float v, int o) {
    static float x[1024];
    x[threadIdx.x] = v;
    __syncthreads();
    float r = x[threadIdx.x ^ o];
    __syncthreads();
    return r;
}

#define XENT_SWEEP_KERNELS_ONLY 1
#include "../tune/xent_sweep.cu"

#include <cmath>
#include <cstdio>
#include <vector>

typedef void (*row_fn)(const float *, const float *, float *, float *, int, int, int);
struct Variant { const char *name; row_fn fn; row_fn narrow; };
static const Variant VARIANTS[] = {
    {"v0 shipped", xent_rows, nullptr},
    {"v1 x4", xent_var<false>, nullptr},
    {"v2 x4+row1", xent_var<false>, xent_narrow<false>},
    {"v3 x4+row1 staged", xent_var<false>, xent_narrow<true>},
    {"v4 v3+shfl", xent_var<true>, xent_narrow<true>},
};

static const int GUARD = 64;
static const float SENT = -12345.0f;

struct Shape { int rows, cols; bool specials; };

int main() {
    const Shape shapes[] = {{1001, 10, true}, {1000, 33, true}, {777, 3, false}, {300, 16, false}, {5, 1, false},
                            {260, 1, true}, {40, 7, true}, {16, 1500, false}, {20, 3000, true}, {9, 5000, false},
                            {5000, 3, true}, {70, 100, true}};
    int fails = 0;
    for (const Shape &sh : shapes) {
        const int rows = sh.rows, cols = sh.cols;
        const long long n = (long long)rows * cols;
        std::vector<float> z, lab;
        xent_inputs(rows, cols, sh.specials, z, lab);
        /* float64 reference, as the sweep's ref_rows */
        std::vector<double> gref(n);
        double lsum = 0;
        int first_bad = -1;
        for (int r = 0; r < rows; r++) {
            const float *x = &z[(long long)r * cols];
            float lf = lab[r];
            int label = (int)lf;
            if (!(lf >= 0.0f && lf < (float)cols && (float)label == lf)) {
                if (first_bad < 0) first_bad = r;
                continue; /* gref zero */
            }
            double m = -INFINITY, t = 0;
            for (int c = 0; c < cols; c++) m = std::fmax(m, (double)x[c]);
            for (int c = 0; c < cols; c++) t += std::exp((double)x[c] - m);
            for (int c = 0; c < cols; c++)
                gref[(long long)r * cols + c] = (std::exp((double)x[c] - m) / t - (c == label ? 1.0 : 0.0)) / rows;
            lsum += (m - (double)x[label]) + std::log(t);
        }
        const double loss_ref = lsum / rows;
        std::vector<float> g0;
        for (const Variant &v : VARIANTS) {
            const bool nar = v.narrow && cols <= XENT_NARROW;
            const int lanes = nar ? 1 : xent_row_lanes(cols), per = RED_WG / lanes;
            const int groups = xent_partial_groups(rows);
            std::vector<float> gbuf(n + 2 * GUARD, SENT), sbuf(2LL * rows + 2 * GUARD, SENT), part(2LL * groups + 1, 0.0f),
                stats(2, NAN);
            float *g = gbuf.data() + GUARD, *sc = sbuf.data() + GUARD;
            for (long long i = 0; i < n; i++) g[i] = NAN;
            row_fn f = nar ? v.narrow : v.fn;
            emu_launch(dim3{(unsigned)((rows + per - 1) / per)}, dim3{RED_WG},
                       [&] { f(z.data(), lab.data(), g, sc, rows, cols, lanes); });
            emu_launch(dim3{(unsigned)groups}, dim3{RED_WG}, [&] {
                xent_partial(sc, rows, (int)xent_partial_chunk(rows), groups > 1 ? part.data() : sc, stats.data());
            });
            if (groups > 1) emu_launch(dim3{1}, dim3{RED_WG}, [&] { xent_finish(part.data(), groups, rows, stats.data()); });
            bool guards = true;
            for (int i = 0; i < GUARD; i++) {
                guards &= gbuf[i] == SENT && gbuf[n + GUARD + i] == SENT && sbuf[i] == SENT && sbuf[2LL * rows + GUARD + i] == SENT;
            }
            long long bad = 0, diff = 0;
            double worst = 0;
            for (long long i = 0; i < n; i++) {
                double rf = gref[i];
                bool ok;
                if (std::isnan(rf)) {
                    ok = std::isnan(g[i]);
                } else if (std::isinf(rf)) {
                    ok = (double)g[i] == rf;
                } else {
                    double q = std::fabs(g[i] - rf) / (1e-6 / rows + 1e-5 * std::fabs(rf));
                    ok = q <= 1;
                    if (q == q) worst = std::max(worst, q);
                }
                bad += !ok;
                if (!g0.empty()) diff += !((std::isnan(g[i]) && std::isnan(g0[i])) || std::memcmp(&g[i], &g0[i], 4) == 0);
            }
            double ltol = 1e-6 + (1e-5 + 1e-6 * std::sqrt((double)rows)) * std::fabs(loss_ref);
            bool loss_ok = std::isnan(loss_ref) ? std::isnan(stats[0]) : std::fabs(stats[0] - loss_ref) <= ltol;
            bool bad_ok = stats[1] == (float)first_bad;
            bool ok = bad == 0 && diff == 0 && loss_ok && bad_ok && guards;
            fails += !ok;
            printf("%s %5d x %-4d %-18s lanes %3d: grad %lld bad (worst %.3f of tol), %lld differ from v0; loss %.7g vs %.7g; "
                   "first bad %g vs %d%s\n",
                   ok ? "ok  " : "FAIL", rows, cols, v.name, lanes, bad, worst, diff, stats[0], loss_ref, stats[1], first_bad,
                   guards ? "" : "; WRITE OUTSIDE");
            if (g0.empty()) g0.assign(g, g + n);
        }
    }
    printf("%d failing cases\n", fails);
    return fails != 0;
}
