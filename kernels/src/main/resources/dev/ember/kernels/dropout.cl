/*
 * dropout.cl - inverted dropout with Philox-4x32-10 keyed by (seed, element index).
 *
 * Computes y[i] = u(seed, i) >= p ? x[i] * keep_scale : 0, where u is the Philox uniform of
 * philox.h and keep_scale = 1 / (1 - p) is computed on the host in float (as the CPU backend does),
 * so masks and values are bit-identical to dev.ember.runtime.cpu.CpuBackend.dropout.
 * Layout: flat float arrays of n elements; y may alias x. Each work-item draws one Philox block
 * (four elements), grid-stride over blocks, so any launch size is correct.
 * Tunables: none (the launch size is the host's choice).
 * Called by: Backend.dropout (Ops.dropout forward and backward).
 */
#include "ember_common.h"
#include "philox.h"

/* dropout_forward(x, y, n, seed_lo, seed_hi, p, keep_scale) */
KERNEL void dropout_forward(GLOBAL const float *x, GLOBAL float *y, const ember_i64 n,
                            const ember_u32 seed_lo, const ember_u32 seed_hi, const float p,
                            const float keep_scale) {
    ember_i64 blocks = (n + 3) >> 2;
    for (ember_i64 b = get_global_id(0); b < blocks; b += get_global_size(0)) {
        /* The four loads go first: they are in flight while Philox runs, instead of one at a time
           between the stores (y may alias x, so the compiler keeps that order). */
        float v[4];
        for (int lane = 0; lane < 4; lane++) {
            ember_i64 i = b * 4 + lane;
            v[lane] = i < n ? x[i] : 0.0f;
        }
        ember_u32 c[4];
        c[0] = (ember_u32)b;
        c[1] = (ember_u32)((ember_u64)b >> 32);
        c[2] = 0u;
        c[3] = 0u;
        ember_philox_block(c, seed_lo, seed_hi);
        for (int lane = 0; lane < 4; lane++) {
            ember_i64 i = b * 4 + lane;
            if (i < n) {
                float u = ember_philox_uniform(c[lane]);
                y[i] = u >= p ? v[lane] * keep_scale : 0.0f;
            }
        }
    }
}
