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
                if (CpuVector.AVAILABLE && n >= VECTOR_MIN) {
                    CpuVectorActivations.reluForward(x, xo, y, yo, n);
                    return;
                }
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
                // CpuMath.expm1 in both forms (same bits); Math.expm1 in double took 9 ns a value.
                // x >= 0 keeps x = -0 as it is, as alpha * expm1(-0) = -0 did before.
                if (CpuVector.AVAILABLE && n >= VECTOR_MIN) {
                    CpuVectorMath.elu(alpha, x, xo, y, yo, n);
                    return;
                }
                for (int i = 0; i < n; i++) {
                    float v = x[xo + i];
                    y[yo + i] = v >= 0 ? v : alpha * CpuMath.expm1(v);
                }
            }
            case SIGMOID, TANH -> expActivation(act, x, xo, y, yo, n);
        }
    }

    /** Values per block of {@link #expActivation}: its two scratch arrays (8 KiB) stay in L1. */
    static final int EXP_BLOCK = 1024;

    /** Per thread: [0] exp of each argument, then the result; [1] a copy of the block of x. */
    private static final ThreadLocal<float[][]> EXP_SCRATCH =
            ThreadLocal.withInitial(() -> new float[][] {new float[EXP_BLOCK], new float[EXP_BLOCK]});

    /**
     * Sigmoid and tanh, a block at a time: x's block is copied to scratch, exp of each value's
     * argument (-x or 2|x|) is taken by the vector or the scalar exp (same bits), the scalar
     * finish of {@link CpuMath} runs in place on the scratch, and the block is copied out.
     * The finish loops index every array by i alone: with x and y at two unknown offsets C2 cannot
     * rule out that a store to y feeds a later load of x and does not vectorise them (tanh's
     * finish took 7-10 ns per value instead of 0.7). One call site of the vector exp per compiled
     * caller: see {@link CpuVectorMath} for why.
     */
    private static void expActivation(Activation act, float[] x, int xo, float[] y, int yo, int n) {
        boolean abs = act == Activation.TANH;
        if (!CpuMath.HARDWARE_FMA) {
            for (int i = 0; i < n; i++) {
                y[yo + i] = abs ? CpuMath.tanh(x[xo + i]) : CpuMath.sigmoid(x[xo + i]);
            }
            return;
        }
        float scale = abs ? 2f : -1f;
        boolean vector = CpuVector.AVAILABLE && n >= VECTOR_MIN;
        float[][] scratch = EXP_SCRATCH.get();
        float[] e = scratch[0], xs = scratch[1];
        for (int b = 0; b < n; b += EXP_BLOCK) {
            int len = Math.min(EXP_BLOCK, n - b);
            System.arraycopy(x, xo + b, xs, 0, len);
            if (vector) {
                CpuVectorMath.expArgs(xs, 0, abs, scale, 0f, e, 0, len);
            } else {
                CpuMath.expArgs(xs, 0, abs, scale, 0f, e, 0, len);
            }
            if (abs) {
                for (int i = 0; i < len; i++) {
                    e[i] = CpuMath.tanhFinish(xs[i], e[i]);
                }
            } else {
                for (int i = 0; i < len; i++) {
                    e[i] = CpuMath.sigmoidFinish(e[i]);
                }
            }
            System.arraycopy(e, 0, y, yo + b, len);
        }
    }

    /**
     * dx = dy * act'(x) over [from, to), using y = act(x) where that is cheaper. A NaN x takes the
     * branch PyTorch's backward formulas give it: relu and elu test x <= 0 (threshold_backward,
     * elu_backward), so NaN passes dy through; leaky relu tests x > 0, so NaN gets alpha * dy.
     */
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
                    dx[i] = x[i] <= 0 ? 0f : dy[i];
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
                    dx[i] = x[i] <= 0 ? dy[i] * (y[i] + alpha) : dy[i];
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
