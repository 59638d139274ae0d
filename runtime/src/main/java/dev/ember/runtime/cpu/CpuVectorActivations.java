package dev.ember.runtime.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API forms of the activations whose scalar loops branch on the sign of x (leaky ReLU
 * forward; ReLU, leaky ReLU and ELU backward) or that C2 vectorises poorly (ReLU forward's
 * Math.max), and
 * of clamp with a zero bound (its scalar loop branches on x against the bounds). On data with
 * mixed signs the scalar branch mispredicts about half the time and C2 does not vectorise it: a masked blend ran 8-10x faster
 * for 32K floats (RESULTS.md). Same results bit for bit as the scalar loops, NaN x included: each
 * mask is the scalar loop's comparison (x > 0 or x <= 0, both false for NaN), never its negation.
 * Only called when {@link CpuVector#AVAILABLE} is true, for ranges of at
 * least {@link CpuActivations#VECTOR_MIN} floats.
 */
final class CpuVectorActivations {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_256;

    private CpuVectorActivations() {
    }

    /**
     * y = max(x, 0) for n values as Math.max gives it: +0 for x <= 0 (-0 included), NaN for NaN.
     * C2's own vectorisation of the Math.max loop ran at 0.45 ns a value, this blend at 0.08.
     */
    static void reluForward(float[] x, int xo, float[] y, int yo, int n) {
        int i = 0;
        for (int up = S.loopBound(n); i < up; i += S.length()) {
            FloatVector v = FloatVector.fromArray(S, x, xo + i);
            v.blend(0f, v.compare(VectorOperators.LE, 0f)).intoArray(y, yo + i);
        }
        for (; i < n; i++) {
            y[yo + i] = Math.max(x[xo + i], 0f);
        }
    }

    /** y = x > 0 ? x : alpha * x for n values. */
    static void leakyReluForward(float alpha, float[] x, int xo, float[] y, int yo, int n) {
        int i = 0;
        for (int up = S.loopBound(n); i < up; i += S.length()) {
            FloatVector v = FloatVector.fromArray(S, x, xo + i);
            v.mul(alpha).blend(v, v.compare(VectorOperators.GT, 0f)).intoArray(y, yo + i);
        }
        for (; i < n; i++) {
            float v = x[xo + i];
            y[yo + i] = v > 0 ? v : alpha * v;
        }
    }

    /**
     * out = x < lo ? lo : (x > hi ? hi : x) over [from, to) (lo <= hi): a zero equal to a bound keeps
     * its sign and NaN stays NaN, as in torch.clamp.
     */
    static void clamp(float lo, float hi, float[] x, float[] out, int from, int to) {
        int i = from;
        FloatVector l = FloatVector.broadcast(S, lo), h = FloatVector.broadcast(S, hi);
        for (int up = from + S.loopBound(to - from); i < up; i += S.length()) {
            FloatVector v = FloatVector.fromArray(S, x, i);
            v.blend(l, v.compare(VectorOperators.LT, l)).blend(h, v.compare(VectorOperators.GT, h)).intoArray(out, i);
        }
        for (; i < to; i++) {
            float v = x[i];
            out[i] = v < lo ? lo : (v > hi ? hi : v);
        }
    }

    /** dx = x <= 0 ? 0 : dy over [from, to) (a NaN x passes dy through). */
    static void reluBackward(float[] x, float[] dy, float[] dx, int from, int to) {
        int i = from;
        FloatVector zero = FloatVector.zero(S);
        for (int up = from + S.loopBound(to - from); i < up; i += S.length()) {
            VectorMask<Float> off = FloatVector.fromArray(S, x, i).compare(VectorOperators.LE, 0f);
            FloatVector.fromArray(S, dy, i).blend(zero, off).intoArray(dx, i);
        }
        for (; i < to; i++) {
            dx[i] = x[i] <= 0 ? 0f : dy[i];
        }
    }

    /** dx = x > 0 ? dy : alpha * dy over [from, to). */
    static void leakyReluBackward(float alpha, float[] x, float[] dy, float[] dx, int from, int to) {
        int i = from;
        for (int up = from + S.loopBound(to - from); i < up; i += S.length()) {
            VectorMask<Float> pos = FloatVector.fromArray(S, x, i).compare(VectorOperators.GT, 0f);
            FloatVector d = FloatVector.fromArray(S, dy, i);
            d.mul(alpha).blend(d, pos).intoArray(dx, i);
        }
        for (; i < to; i++) {
            dx[i] = x[i] > 0 ? dy[i] : alpha * dy[i];
        }
    }

    /** dx = x <= 0 ? dy * (y + alpha) : dy over [from, to), where y = elu(x) (a NaN x passes dy through). */
    static void eluBackward(float alpha, float[] x, float[] y, float[] dy, float[] dx, int from, int to) {
        int i = from;
        for (int up = from + S.loopBound(to - from); i < up; i += S.length()) {
            VectorMask<Float> neg = FloatVector.fromArray(S, x, i).compare(VectorOperators.LE, 0f);
            FloatVector d = FloatVector.fromArray(S, dy, i);
            d.blend(d.mul(FloatVector.fromArray(S, y, i).add(alpha)), neg).intoArray(dx, i);
        }
        for (; i < to; i++) {
            dx[i] = x[i] <= 0 ? dy[i] * (y[i] + alpha) : dy[i];
        }
    }
}
