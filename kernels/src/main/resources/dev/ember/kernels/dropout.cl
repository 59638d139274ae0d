/*
 * dropout.cl - inverted dropout with Philox-4x32-10 keyed by (seed, element index).
 *
 * Computes y[i] = u(seed, i) >= p ? x[i] * keep_scale : 0, where u is the Philox uniform of
 * philox.h and keep_scale = 1 / (1 - p) is computed on the host in float (as the CPU backend does),
 * so masks and values are bit-identical to dev.ember.runtime.cpu.CpuBackend.dropout.
 * Layout: flat float arrays of n elements (16-byte aligned: the backends' allocations are); y may
 * alias x. Each work-item draws one Philox block (four elements, one float4 when all four exist),
 * grid-stride over blocks, so any launch size is correct.
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
        ember_u32 c[4];
        c[0] = (ember_u32)b;
        c[1] = (ember_u32)((ember_u64)b >> 32);
        c[2] = 0u;
        c[3] = 0u;
        if (b * 4 + 3 < n) {
            /* A whole block: one 16-byte load, in flight while Philox runs, and one 16-byte store, so a
               warp reads and writes 512 contiguous bytes (four scalar loads 16 bytes apart per thread
               reached 45% of the copy bandwidth on an H100). Allocations are 256-byte aligned. */
            float4 v = ember_load4(x + b * 4);
            ember_philox_block(c, seed_lo, seed_hi);
            float4 o;
            o.x = ember_philox_uniform(c[0]) >= p ? v.x * keep_scale : 0.0f;
            o.y = ember_philox_uniform(c[1]) >= p ? v.y * keep_scale : 0.0f;
            o.z = ember_philox_uniform(c[2]) >= p ? v.z * keep_scale : 0.0f;
            o.w = ember_philox_uniform(c[3]) >= p ? v.w * keep_scale : 0.0f;
            ember_store4(o, y + b * 4);
        } else {
            float v[4];
            for (int lane = 0; lane < 4; lane++) {
                ember_i64 i = b * 4 + lane;
                v[lane] = i < n ? x[i] : 0.0f;
            }
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
}
