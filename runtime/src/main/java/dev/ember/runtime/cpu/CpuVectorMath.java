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
 * The eight-lane form of {@link CpuMath#exp}: the same operations in the same order, so every
 * lane gets the bits the scalar function returns (the tests check this on the edge cases and on
 * random inputs). Only called when {@link CpuVector#AVAILABLE} is true.
 *
 * <p>Why only exp (and ELU's expm1) is vectorised, and sigmoid and tanh finish in scalar code: C2 intrinsifies
 * Vector API calls only while the compiled method stays under its inlining node budget. One loop
 * body with exp and tanh's finish in it went over, and so did a caller that inlined two such
 * loops; the calls past the budget were left as calls, which box every vector, and ran at 5-8 ns
 * per value instead of about 1 (seen with -XX:+PrintInlining as NodeCountInliningCutoff). So each
 * caller has exactly one call site of {@link #expArgs}, whose loop holds exp and nothing more.
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
        return expCore(x, false);
    }

    /** e^x - 1 on each lane; see {@link CpuMath#expm1}. */
    static FloatVector expm1(FloatVector x) {
        return expCore(x, true);
    }

    /** {@link CpuMath}'s expCore, lane for lane ({@code minusOne} is a constant at each call site). */
    private static FloatVector expCore(FloatVector x, boolean minusOne) {
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
        FloatVector q = p.fma(r.mul(r), r);
        IntVector ni = t.reinterpretAsInts().sub(ROUND_BITS);
        IntVector n1 = ni.lanewise(VectorOperators.ASHR, 1);
        IntVector n2 = ni.sub(n1);
        FloatVector e = q.add(1f).mul(n1.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats())
                .mul(n2.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats());
        if (!minusOne) {
            return e;
        }
        FloatVector s = ni.max(-126).add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        // n > EXPM1_FMA_MAX as a float comparison of n (exact integers), so no int-to-float mask cast
        return s.fma(q, s.sub(1f)).blend(e.sub(1f), n.compare(VectorOperators.GT, (float) CpuMath.EXPM1_FMA_MAX));
    }

    /**
     * ELU forward, y = x >= 0 ? x : alpha * expm1(x) for n values (x >= 0 rather than x > 0 keeps
     * -0, as alpha * expm1(-0) would have). Its own loop with one expm1, as {@link #expArgs}.
     */
    static void elu(float alpha, float[] x, int xo, float[] y, int yo, int n) {
        int i = 0;
        for (int up = S.loopBound(n); i < up; i += S.length()) {
            FloatVector v = FloatVector.fromArray(S, x, xo + i);
            expm1(v).mul(alpha).blend(v, v.compare(VectorOperators.GE, 0f)).intoArray(y, yo + i);
        }
        for (; i < n; i++) {
            float v = x[xo + i];
            y[yo + i] = v >= 0 ? v : alpha * CpuMath.expm1(v);
        }
    }

    /** dst[d + i] = {@link CpuMath#expArg}(src[s + i], abs, scale, shift) for i in [0, n). */
    static void expArgs(float[] src, int s, boolean abs, float scale, float shift, float[] dst, int d, int n) {
        int i = 0;
        for (int up = S.loopBound(n); i < up; i += S.length()) {
            FloatVector v = FloatVector.fromArray(S, src, s + i);
            exp((abs ? v.abs() : v).mul(scale).sub(shift)).intoArray(dst, d + i);
        }
        for (; i < n; i++) {
            dst[d + i] = CpuMath.expArg(src[s + i], abs, scale, shift);
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
}
