/*
 * roofline.cl - an FMA loop that measures a device's attainable float32 FLOP rate (ember bench).
 *
 * Each work-item runs 8 independent chains a_k <- fma(a_k, 0.999, 0.001) for iters iterations
 * (2 FLOPs each: 16 * iters per work-item), starting from s + k/8 with s = (gid mod 1024) / 1024,
 * and writes ((a0 + a1) + (a2 + a3)) + ((a4 + a5) + (a6 + a7)) to out[gid], so no chain can be
 * optimised away. The chains converge to 1 and stay finite for any iters. FMAF is a true fused
 * multiply-add in both dialects (contraction is off, so a*b+c would not be fused), which lets the
 * host reproduce out[] exactly with Math.fma (OpenClRooflineTest).
 * Layout: out holds one float per work-item of a 1-D launch.
 * Tunables: none (the host picks the global size and iters to fill the device for ~50 ms).
 * Called by: Backend.measurePeakFlops (OpenClBackend, CudaBackend).
 */
#include "ember_common.h"

/* fma_peak(out, iters) */
KERNEL void fma_peak(GLOBAL float *out, const int iters) {
    ember_i64 gid = get_global_id(0);
    float s = (float)(gid & 1023) * (1.0f / 1024.0f);
    float a0 = s, a1 = s + 0.125f, a2 = s + 0.25f, a3 = s + 0.375f;
    float a4 = s + 0.5f, a5 = s + 0.625f, a6 = s + 0.75f, a7 = s + 0.875f;
    const float b = 0.999f, c = 0.001f;
    for (int i = 0; i < iters; i++) {
        a0 = FMAF(a0, b, c);
        a1 = FMAF(a1, b, c);
        a2 = FMAF(a2, b, c);
        a3 = FMAF(a3, b, c);
        a4 = FMAF(a4, b, c);
        a5 = FMAF(a5, b, c);
        a6 = FMAF(a6, b, c);
        a7 = FMAF(a7, b, c);
    }
    out[gid] = ((a0 + a1) + (a2 + a3)) + ((a4 + a5) + (a6 + a7));
}
