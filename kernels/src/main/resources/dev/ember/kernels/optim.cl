/*
 * optim.cl - fused optimizer updates: SGD (momentum, Nesterov, weight decay), Adam/AdamW,
 * RMSprop, Adagrad. One kernel each; every array is read once and written once per element.
 *
 * Semantics are those of the Backend Javadoc (PyTorch's), and the arithmetic mirrors
 * dev.ember.runtime.cpu.CpuBackend operation by operation, with scalars that depend only on the
 * step (Adam's step size lr / (1 - beta1^t), sqrt(1 - beta2^t), the AdamW decay factor) computed
 * on the host exactly as the CPU backend computes them. With contraction off and correctly rounded
 * division and square root, results equal the CPU backend's bit for bit.
 * Layout: flat float arrays of n elements, updated in place. Grid-stride loops.
 * Tunables: none.
 * Called by: Backend.sgdUpdate, adamUpdate, rmspropUpdate, adagradUpdate.
 */
#include "ember_common.h"

/* sgd_update(p, g, v, n, lr, momentum, wd, nesterov, first_step); v unused when momentum == 0 */
KERNEL void sgd_update(GLOBAL float *p, GLOBAL const float *g, GLOBAL float *v, const ember_i64 n,
                       const float lr, const float momentum, const float wd, const int nesterov,
                       const int first_step) {
    EMBER_FOR_EACH(i, n) {
        float pi = p[i];
        float gi = g[i] + wd * pi;
        if (momentum != 0.0f) {
            float vi = first_step ? gi : momentum * v[i] + gi;
            v[i] = vi;
            gi = nesterov ? gi + momentum * vi : vi;
        }
        p[i] = pi - lr * gi;
    }
}

/* adam_update(p, g, m, v, n, step_size, bc2_sqrt, decay, l2, beta1, beta2, eps)
 * p = p * decay - step_size * m / (sqrt(v) / bc2_sqrt + eps) after the moment updates */
KERNEL void adam_update(GLOBAL float *p, GLOBAL const float *g, GLOBAL float *m, GLOBAL float *v,
                        const ember_i64 n, const float step_size, const float bc2_sqrt, const float decay,
                        const float l2, const float beta1, const float beta2, const float eps) {
    EMBER_FOR_EACH(i, n) {
        float pi = p[i];
        float gi = g[i] + l2 * pi;
        float mi = beta1 * m[i] + (1.0f - beta1) * gi;
        float vi = beta2 * v[i] + (1.0f - beta2) * gi * gi;
        m[i] = mi;
        v[i] = vi;
        p[i] = pi * decay - step_size * mi / (SQRTF(vi) / bc2_sqrt + eps);
    }
}

/* rmsprop_update(p, g, s, n, lr, alpha, eps, wd): s = alpha s + (1 - alpha) g^2; p -= lr g / (sqrt(s) + eps) */
KERNEL void rmsprop_update(GLOBAL float *p, GLOBAL const float *g, GLOBAL float *s, const ember_i64 n,
                           const float lr, const float alpha, const float eps, const float wd) {
    EMBER_FOR_EACH(i, n) {
        float pi = p[i];
        float gi = g[i] + wd * pi;
        float si = alpha * s[i] + (1.0f - alpha) * gi * gi;
        s[i] = si;
        p[i] = pi - lr * gi / (SQRTF(si) + eps);
    }
}

/* adagrad_update(p, g, s, n, lr, eps, wd): s += g^2; p -= lr g / (sqrt(s) + eps) */
KERNEL void adagrad_update(GLOBAL float *p, GLOBAL const float *g, GLOBAL float *s, const ember_i64 n,
                           const float lr, const float eps, const float wd) {
    EMBER_FOR_EACH(i, n) {
        float pi = p[i];
        float gi = g[i] + wd * pi;
        float si = s[i] + gi * gi;
        s[i] = si;
        p[i] = pi - lr * gi / (SQRTF(si) + eps);
    }
}
