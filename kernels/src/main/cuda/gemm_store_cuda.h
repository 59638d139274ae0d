/*
 * gemm_store_cuda.h - the last step of every CUDA-only SGEMM (gemm_cuda.cu, gemm_tf32_cuda.cu), in
 * one place so that they apply the same contract: C[r, c] = act(alpha * sum + beta * C[r, c] +
 * bias[c]), with C not read when beta == 0 (it may hold NaN) and bias added when has_bias != 0.
 * dst is &C[r, c] of an element inside C.
 */
#ifndef EMBER_GEMM_STORE_CUDA_H
#define EMBER_GEMM_STORE_CUDA_H
#include "ember_common.h"

INLINE void sgemm_store(float *dst, const float *__restrict__ bias, const int c, const float sum, const float alpha,
                        const float beta, const int has_bias, const int act, const float act_alpha) {
    float v = alpha * sum;
    if (beta != 0.f) {
        v = v + beta * *dst;
    }
    if (has_bias) {
        v = v + __ldg(bias + c);
    }
    *dst = ember_activate(act, act_alpha, v);
}

#endif /* EMBER_GEMM_STORE_CUDA_H */
