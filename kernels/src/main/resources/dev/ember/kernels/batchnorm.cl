/*
 * batchnorm.cl - batch normalisation over the rows of a rows x cols matrix (one feature per column):
 * the forward transform with given statistics, and the training-mode backward pass.
 * (The batch statistics themselves come from column_mean_var in reduce.cl.)
 *
 * Layout: x, y, dy, dx row-major rows x cols; mean, var, gamma, beta, dgamma, dbeta length cols.
 *   batchnorm_forward: grid-stride over elements, y = x * scale[c] + shift[c] with
 *     scale = gamma / sqrt(var + eps), shift = beta - mean * scale (as the CPU backend).
 *   batchnorm_backward_reduce: per column, dgamma = sum dy * xhat and dbeta = sum dy, in 2-D groups
 *     of COL_TILE columns x ROW_LANES row lanes with a fixed-order tree (deterministic).
 *   batchnorm_backward_dx: dx = gamma * invstd / rows * (rows * dy - dbeta - xhat * dgamma);
 *     dx may alias dy.
 * Tunables (the host launches with matching sizes):
 *   COL_TILE   columns per work-group in the column reduction (default 16)
 *   ROW_LANES  row lanes per column, a power of two (default 16)
 * Called by: Backend.batchNorm, batchNormBackward.
 */
#include "ember_common.h"

#ifndef COL_TILE
#define COL_TILE 16 /* columns handled by one work-group */
#endif
#ifndef ROW_LANES
#define ROW_LANES 16 /* row lanes per column (power of two) */
#endif

/* batchnorm_forward(x, mean, var, gamma, beta, y, eps, rows, cols) */
KERNEL void batchnorm_forward(GLOBAL const float *x, GLOBAL const float *mean, GLOBAL const float *var,
                              GLOBAL const float *gamma, GLOBAL const float *beta, GLOBAL float *y,
                              const float eps, const int rows, const int cols) {
    EMBER_FOR_EACH(i, (ember_i64)rows * cols) {
        int c = (int)(i % cols);
        float inv = 1.0f / SQRTF(var[c] + eps);
        float scale = gamma[c] * inv;
        float shift = beta[c] - mean[c] * scale;
        y[i] = x[i] * scale + shift;
    }
}

/* batchnorm_backward_reduce(x, mean, var, dy, dgamma, dbeta, eps, rows, cols)
 * Launch: local (COL_TILE, ROW_LANES), global (ceil(cols / COL_TILE) * COL_TILE, ROW_LANES). */
KERNEL void batchnorm_backward_reduce(GLOBAL const float *x, GLOBAL const float *mean, GLOBAL const float *var,
                                      GLOBAL const float *dy, GLOBAL float *dgamma, GLOBAL float *dbeta,
                                      const float eps, const int rows, const int cols) {
    LOCAL_ARRAY float s1[COL_TILE * ROW_LANES];
    LOCAL_ARRAY float s2[COL_TILE * ROW_LANES];
    int tc = get_local_id(0), lane = get_local_id(1);
    int c = get_group_id(0) * COL_TILE + tc;
    float sdy = 0.0f, sdyx = 0.0f;
    if (c < cols) {
        float mu = mean[c];
        float inv = 1.0f / SQRTF(var[c] + eps);
        for (int r = lane; r < rows; r += ROW_LANES) {
            ember_i64 i = (ember_i64)r * cols + c;
            float d = dy[i];
            sdy += d;
            sdyx += d * ((x[i] - mu) * inv);
        }
    }
    int at = tc * ROW_LANES + lane;
    s1[at] = sdy;
    s2[at] = sdyx;
    LOCAL_BARRIER();
    for (int s = ROW_LANES >> 1; s > 0; s >>= 1) {
        if (lane < s) {
            s1[at] = s1[at] + s1[at + s];
            s2[at] = s2[at] + s2[at + s];
        }
        LOCAL_BARRIER();
    }
    if (c < cols && lane == 0) {
        dbeta[c] = s1[at];
        dgamma[c] = s2[at];
    }
}

/* batchnorm_backward_dx(x, mean, var, gamma, dy, dgamma, dbeta, dx, eps, rows, cols) */
KERNEL void batchnorm_backward_dx(GLOBAL const float *x, GLOBAL const float *mean, GLOBAL const float *var,
                                  GLOBAL const float *gamma, GLOBAL const float *dy, GLOBAL const float *dgamma,
                                  GLOBAL const float *dbeta, GLOBAL float *dx, const float eps, const int rows,
                                  const int cols) {
    EMBER_FOR_EACH(i, (ember_i64)rows * cols) {
        int c = (int)(i % cols);
        float inv = 1.0f / SQRTF(var[c] + eps);
        float xhat = (x[i] - mean[c]) * inv;
        float k = gamma[c] * inv / (float)rows;
        dx[i] = k * ((float)rows * dy[i] - dbeta[c] - xhat * dgamma[c]);
    }
}
