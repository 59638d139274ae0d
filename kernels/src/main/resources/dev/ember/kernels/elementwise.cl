/*
 * elementwise.cl - activations (forward and backward), binary ops, scale, axpy, clamp, bias add.
 *
 * Layout: flat float arrays of n elements (bias_add: row-major rows x cols plus a cols-long bias).
 * Every kernel is a grid-stride loop, so any launch size is correct; outputs may alias inputs
 * where the Backend Javadoc allows it. Arithmetic mirrors the Java CPU backend operation by
 * operation (no contraction), so only exp/expm1/tanh may differ by their ulp error.
 * Activation codes: EMBER_ACT_* in ember_common.h; binary codes: EMBER_OP_*.
 * Tunables: none.
 * Called by: Backend.activation, activationBackward, binary, scale, axpy, clamp, biasAdd.
 */
#include "ember_common.h"

/* act_forward(x, y, n, act, alpha): y = act(x). Four loads per trip, all issued before the first
   store (y may alias x, so the compiler cannot hoist them itself): with one load in flight per
   thread this kernel reached 70% of the copy bandwidth on an H200 at 64M elements, where binary
   ops with two loads reached 84% and optimizer updates with three or four 88-91%. */
KERNEL void act_forward(GLOBAL const float *x, GLOBAL float *y, const ember_i64 n, const int act,
                        const float alpha) {
    const ember_i64 g = get_global_size(0);
    ember_i64 i = get_global_id(0);
    for (; i + 3 * g < n; i += 4 * g) {
        float a = x[i], b = x[i + g], c = x[i + 2 * g], d = x[i + 3 * g];
        y[i] = ember_activate(act, alpha, a);
        y[i + g] = ember_activate(act, alpha, b);
        y[i + 2 * g] = ember_activate(act, alpha, c);
        y[i + 3 * g] = ember_activate(act, alpha, d);
    }
    for (; i < n; i += g) {
        y[i] = ember_activate(act, alpha, x[i]);
    }
}

/* act_backward(x, y, dy, dx, n, act, alpha): dx = dy * act'(x), using y = act(x) for elu/sigmoid/tanh.
   A NaN x takes PyTorch's branch: relu and elu test x <= 0 (threshold_backward, elu_backward), so NaN
   passes dy through; leaky relu tests x > 0 (leaky_relu_backward), so NaN gets alpha * dy. */
KERNEL void act_backward(GLOBAL const float *x, GLOBAL const float *y, GLOBAL const float *dy,
                         GLOBAL float *dx, const ember_i64 n, const int act, const float alpha) {
    EMBER_FOR_EACH(i, n) {
        float g = dy[i];
        float r;
        switch (act) {
            case EMBER_ACT_RELU: r = x[i] <= 0.0f ? 0.0f : g; break;
            case EMBER_ACT_LEAKY_RELU: r = x[i] > 0.0f ? g : alpha * g; break;
            case EMBER_ACT_ELU: r = x[i] <= 0.0f ? g * (y[i] + alpha) : g; break;
            case EMBER_ACT_SIGMOID: { float s = y[i]; r = g * s * (1.0f - s); break; }
            case EMBER_ACT_TANH: { float t = y[i]; r = g * (1.0f - t * t); break; }
            default: r = g; break;
        }
        dx[i] = r;
    }
}

/* binary_op(a, b, out, n, op): out = a (op) b */
KERNEL void binary_op(GLOBAL const float *a, GLOBAL const float *b, GLOBAL float *out, const ember_i64 n,
                      const int op) {
    EMBER_FOR_EACH(i, n) {
        float u = a[i], v = b[i];
        out[i] = op == EMBER_OP_ADD ? u + v : op == EMBER_OP_SUB ? u - v : u * v;
    }
}

/* scale_op(x, out, n, s): out = s * x */
KERNEL void scale_op(GLOBAL const float *x, GLOBAL float *out, const ember_i64 n, const float s) {
    EMBER_FOR_EACH(i, n) {
        out[i] = s * x[i];
    }
}

/* axpy_op(x, y, n, alpha): y = y + alpha * x */
KERNEL void axpy_op(GLOBAL const float *x, GLOBAL float *y, const ember_i64 n, const float alpha) {
    EMBER_FOR_EACH(i, n) {
        y[i] = y[i] + alpha * x[i];
    }
}

/* clamp_op(x, out, n, lo, hi): out = x < lo ? lo : (x > hi ? hi : x), as torch.clamp: NaN stays NaN and
   x is kept when it equals a bound, so clamp(-0, 0, hi) is -0 (fmax/fmin would leave that sign open) */
KERNEL void clamp_op(GLOBAL const float *x, GLOBAL float *out, const ember_i64 n, const float lo,
                     const float hi) {
    EMBER_FOR_EACH(i, n) {
        float v = x[i];
        out[i] = ISNAN(v) ? v : (v < lo ? lo : (v > hi ? hi : v));
    }
}

/* bias_add(x, bias, out, rows, cols): out[r, c] = x[r, c] + bias[c] */
KERNEL void bias_add(GLOBAL const float *x, GLOBAL const float *bias, GLOBAL float *out, const int rows,
                     const int cols) {
    EMBER_FOR_EACH(i, (ember_i64)rows * cols) {
        out[i] = x[i] + bias[(int)(i % cols)];
    }
}
