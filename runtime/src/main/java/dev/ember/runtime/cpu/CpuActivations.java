package dev.ember.runtime.cpu;

import dev.ember.runtime.Activation;

/**
 * Activation functions and their derivatives over array ranges, switch hoisted out of the loops.
 * Sigmoid and tanh use {@link CpuMath}'s float functions, whose vector forms give the same bits.
 */
final class CpuActivations {
    /**
     * Ranges shorter than this use the scalar loops even when the Vector API is present: until C2
     * has compiled them the Vector API loops are far slower than the scalar ones, which short runs
     * on small models never earn back (see {@link CpuGemmPacking#TRANSPOSE_MIN}).
     */
    static final int VECTOR_MIN = 1 << 13;

    private CpuActivations() {
    }

    /** y[yo + i] = act(x[xo + i]) for i in [0, n). */
    static void forward(Activation act, float alpha, float[] x, int xo, float[] y, int yo, int n) {
        switch (act) {
            case IDENTITY -> {
                if (x != y || xo != yo) {
                    System.arraycopy(x, xo, y, yo, n);
                }
            }
            case RELU -> {
                for (int i = 0; i < n; i++) {
                    y[yo + i] = Math.max(x[xo + i], 0f);
                }
            }
            case LEAKY_RELU -> {
                if (CpuVector.AVAILABLE && n >= VECTOR_MIN) {
                    CpuVectorActivations.leakyReluForward(alpha, x, xo, y, yo, n);
                    return;
                }
                for (int i = 0; i < n; i++) {
                    float v = x[xo + i];
                    y[yo + i] = v > 0 ? v : alpha * v;
                }
            }
            case ELU -> {
                for (int i = 0; i < n; i++) {
                    float v = x[xo + i];
                    y[yo + i] = v > 0 ? v : (float) (alpha * Math.expm1(v));
                }
            }
            case SIGMOID -> {
                if (CpuVector.AVAILABLE && n >= VECTOR_MIN) {
                    CpuVectorMath.sigmoid(x, xo, y, yo, n);
                    return;
                }
                for (int i = 0; i < n; i++) {
                    y[yo + i] = CpuMath.sigmoid(x[xo + i]);
                }
            }
            case TANH -> {
                if (CpuVector.AVAILABLE && n >= VECTOR_MIN) {
                    CpuVectorMath.tanh(x, xo, y, yo, n);
                    return;
                }
                for (int i = 0; i < n; i++) {
                    y[yo + i] = CpuMath.tanh(x[xo + i]);
                }
            }
        }
    }

    /** dx = dy * act'(x) over [from, to), using y = act(x) where that is cheaper. */
    static void backward(Activation act, float alpha, float[] x, float[] y, float[] dy, float[] dx, int from, int to) {
        switch (act) {
            case IDENTITY -> {
                if (dy != dx) {
                    System.arraycopy(dy, from, dx, from, to - from);
                }
            }
            case RELU -> {
                if (CpuVector.AVAILABLE && to - from >= VECTOR_MIN) {
                    CpuVectorActivations.reluBackward(x, dy, dx, from, to);
                    return;
                }
                for (int i = from; i < to; i++) {
                    dx[i] = x[i] > 0 ? dy[i] : 0f;
                }
            }
            case LEAKY_RELU -> {
                if (CpuVector.AVAILABLE && to - from >= VECTOR_MIN) {
                    CpuVectorActivations.leakyReluBackward(alpha, x, dy, dx, from, to);
                    return;
                }
                for (int i = from; i < to; i++) {
                    dx[i] = x[i] > 0 ? dy[i] : alpha * dy[i];
                }
            }
            case ELU -> {
                if (CpuVector.AVAILABLE && to - from >= VECTOR_MIN) {
                    CpuVectorActivations.eluBackward(alpha, x, y, dy, dx, from, to);
                    return;
                }
                for (int i = from; i < to; i++) {
                    dx[i] = x[i] > 0 ? dy[i] : dy[i] * (y[i] + alpha);
                }
            }
            case SIGMOID -> {
                for (int i = from; i < to; i++) {
                    float s = y[i];
                    dx[i] = dy[i] * s * (1f - s);
                }
            }
            case TANH -> {
                for (int i = from; i < to; i++) {
                    float t = y[i];
                    dx[i] = dy[i] * (1f - t * t);
                }
            }
        }
    }
}
