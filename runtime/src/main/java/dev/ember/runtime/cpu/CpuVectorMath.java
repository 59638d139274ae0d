package dev.ember.runtime.cpu;

import static dev.ember.runtime.cpu.CpuMath.CLAMP_HI;
import static dev.ember.runtime.cpu.CpuMath.CLAMP_LO;
import static dev.ember.runtime.cpu.CpuMath.LN2_HI;
import static dev.ember.runtime.cpu.CpuMath.LN2_LO;
import static dev.ember.runtime.cpu.CpuMath.LOG2E;
import static dev.ember.runtime.cpu.CpuMath.ROUND;
import static dev.ember.runtime.cpu.CpuMath.ROUND_BITS;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Eight-lane forms of {@link CpuMath}'s exp, tanh and sigmoid: the same operations in the same
 * order, so every lane gets the bits the scalar function returns (the tests check this on the
 * edge cases and on random inputs). Loops over ranges here take the vector body and finish the
 * tail with the scalar function. Only called when {@link CpuVector#AVAILABLE} is true.
 */
final class CpuVectorMath {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_256;

    private CpuVectorMath() {
    }

    private static FloatVector c(float v) {
        return FloatVector.broadcast(S, v);
    }

    /** e^x on each lane; see {@link CpuMath#exp}. */
    static FloatVector exp(FloatVector x) {
        FloatVector xc = x.max(CLAMP_LO).min(CLAMP_HI);
        FloatVector t = xc.fma(LOG2E, ROUND);
        FloatVector n = t.sub(ROUND);
        FloatVector r = n.fma(c(-LN2_HI), xc);
        r = n.fma(c(-LN2_LO), r);
        FloatVector p = r.fma(CpuMath.P0, CpuMath.P1);
        p = p.fma(r, c(CpuMath.P2));
        p = p.fma(r, c(CpuMath.P3));
        p = p.fma(r, c(CpuMath.P4));
        p = p.fma(r, c(CpuMath.P5));
        FloatVector y = p.fma(r.mul(r), r).add(1f);
        IntVector ni = t.reinterpretAsInts().sub(ROUND_BITS);
        IntVector n1 = ni.lanewise(VectorOperators.ASHR, 1);
        IntVector n2 = ni.sub(n1);
        return y.mul(n1.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats())
                .mul(n2.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats());
    }

    /** Values per block of the two-pass tanh: its exp scratch stays in L1. */
    private static final int TANH_BLOCK = 1024;

    /**
     * y[yo + i] = tanh(x[xo + i]) for i in [0, n); see {@link CpuMath#tanh}. Two passes per block,
     * exp(2|x|) into a scratch array and then the rest: as one loop body, tanh with exp inlined
     * exceeds C2's node budget for inlining, the remaining Vector API calls are then not
     * intrinsified and box every vector (4-6 ns per value instead of about 1).
     */
    static void tanh(float[] x, int xo, float[] y, int yo, int n) {
        float[] e = new float[Math.min(n, TANH_BLOCK)];
        for (int b = 0; b < n; b += TANH_BLOCK) {
            int len = Math.min(TANH_BLOCK, n - b);
            expTwiceAbs(x, xo + b, e, len);
            tanhFinish(x, xo + b, e, y, yo + b, len);
        }
    }

    /** e[i] = exp(2 |x[xo + i]|) for i in [0, n). */
    private static void expTwiceAbs(float[] x, int xo, float[] e, int n) {
        int i = 0;
        for (int up = S.loopBound(n); i < up; i += S.length()) {
            exp(FloatVector.fromArray(S, x, xo + i).abs().mul(2f)).intoArray(e, i);
        }
        for (; i < n; i++) {
            e[i] = CpuMath.exp(2f * Math.abs(x[xo + i]));
        }
    }

    /** y[yo + i] = tanh(x[xo + i]) given e[i] = exp(2 |x[xo + i]|), for i in [0, n). */
    private static void tanhFinish(float[] x, int xo, float[] e, float[] y, int yo, int n) {
        int i = 0;
        for (int up = S.loopBound(n); i < up; i += S.length()) {
            FloatVector xv = FloatVector.fromArray(S, x, xo + i);
            FloatVector a = xv.abs();
            FloatVector big = c(1f).sub(c(2f).div(FloatVector.fromArray(S, e, i).add(1f)));
            FloatVector z = a.mul(a);
            FloatVector p = z.fma(CpuMath.T0, CpuMath.T1);
            p = p.fma(z, c(CpuMath.T2));
            p = p.fma(z, c(CpuMath.T3));
            p = p.fma(z, c(CpuMath.T4));
            FloatVector t = p.mul(z).fma(a, a).blend(big, a.compare(VectorOperators.GT, CpuMath.TANH_SMALL));
            // copySign(t, x): clear t's sign bit, then take x's.
            t.reinterpretAsInts().and(0x7fffffff).or(xv.reinterpretAsInts().and(0x80000000)).reinterpretAsFloats()
                    .intoArray(y, yo + i);
        }
        for (; i < n; i++) {
            y[yo + i] = CpuMath.tanh(x[xo + i]);
        }
    }

    /** y[yo + i] = sigmoid(x[xo + i]) for i in [0, n). */
    static void sigmoid(float[] x, int xo, float[] y, int yo, int n) {
        int i = 0;
        FloatVector one = c(1f);
        for (int up = S.loopBound(n); i < up; i += S.length()) {
            one.div(exp(FloatVector.fromArray(S, x, xo + i).neg()).add(1f)).intoArray(y, yo + i);
        }
        for (; i < n; i++) {
            y[yo + i] = CpuMath.sigmoid(x[xo + i]);
        }
    }

    /**
     * The largest of v[o .. o + n) (n >= 1) under {@link Math#max}'s rules (NaN wins, +0 above -0),
     * which make it independent of order, so it equals the scalar loop's result.
     */
    static float max(float[] v, int o, int n) {
        int i = 0;
        float m = Float.NEGATIVE_INFINITY;
        if (n >= S.length()) {
            FloatVector acc = FloatVector.fromArray(S, v, o);
            for (i = S.length(); i <= n - S.length(); i += S.length()) {
                acc = acc.max(FloatVector.fromArray(S, v, o + i));
            }
            m = acc.reduceLanes(VectorOperators.MAX);
        }
        for (; i < n; i++) {
            m = Math.max(m, v[o + i]);
        }
        return m;
    }

    /** dst[d + i] = e^(src[s + i] - shift) for i in [0, n). */
    static void expShifted(float[] src, int s, float shift, float[] dst, int d, int n) {
        int i = 0;
        for (int up = S.loopBound(n); i < up; i += S.length()) {
            exp(FloatVector.fromArray(S, src, s + i).sub(shift)).intoArray(dst, d + i);
        }
        for (; i < n; i++) {
            dst[d + i] = CpuMath.exp(src[s + i] - shift);
        }
    }
}
