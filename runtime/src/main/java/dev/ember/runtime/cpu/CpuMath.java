package dev.ember.runtime.cpu;

/**
 * Single-precision exp, tanh and sigmoid for the CPU backend. exp is written as plain float
 * operations (fma, multiply, add, bit moves) so that {@link CpuVectorMath} can run the very same
 * sequence on eight lanes and get the same bits; tanh and sigmoid are exp followed by a scalar
 * "finish" shared by both paths. So results do not depend on whether a range took the
 * vector or the scalar exp, nor on whether C2 had compiled it yet (the Vector API's own EXP and
 * TANH call a native library once compiled and a Java fallback before, which need not agree to
 * the last bit, and that would break the CPU backend's bitwise reproducibility).
 *
 * <p>Why not {@link Math#exp}: about 6 ns per call here (Math.tanh 14) against about 1 ns per
 * value for the vector exp, and the losses and the sigmoid/tanh layers spend most of their time
 * in it. Accuracy against float64, worst over 20M random inputs: exp 1.01 ulp, tanh 1.33,
 * sigmoid 2.48 (the tests allow 1.5, 2 and 3).
 *
 * <p>exp follows Cephes' expf: x = n ln 2 + r with |r| about ln 2 / 2 at most, exp(r) by a degree-7
 * polynomial (1 + r + r^2 P(r)), and 2^n applied as two exact powers of two so that n = 128 (x up
 * to ln(Float.MAX_VALUE)) and results down in the subnormal range come out right.
 */
final class CpuMath {
    /**
     * Whether the JIT uses the CPU's fused multiply-add (HotSpot's UseFMA: x86 with FMA3, every
     * AArch64). Without it Math.fma and FloatVector.fma fall back to BigDecimal arithmetic, about a
     * microsecond a call, so then exp, tanh and sigmoid take Math.exp and Math.tanh instead and
     * {@link CpuVector#AVAILABLE} is false. A JVM that cannot say (not HotSpot, no jdk.management
     * module) is taken to have it. Asking costs about 35 ms once per JVM.
     */
    static final boolean HARDWARE_FMA = hardwareFma();

    static final float LOG2E = 1.44269504088896341f;
    /** ln 2 split in two (Cody and Waite), so that r = x - n ln 2 keeps its low bits. */
    static final float LN2_HI = 0.693359375f;
    static final float LN2_LO = -2.12194440e-4f;
    /** 1.5 * 2^23: adding it rounds a float of magnitude below 2^22 to an integer, kept in the low bits. */
    static final float ROUND = 12582912f;
    static final int ROUND_BITS = 0x4B400000;
    /** The largest float whose exp is finite (ln of Float.MAX_VALUE is 88.722839...). */
    static final float EXP_MAX = 88.72283f;
    /** Below this exp is below half the smallest subnormal and rounds to zero. */
    static final float EXP_MIN = -103.97208f;
    /**
     * Inputs are clamped to [CLAMP_LO, CLAMP_HI] before the reduction. Past EXP_MAX and EXP_MIN
     * the arithmetic itself then overflows to infinity or rounds to zero, and NaN passes through
     * min and max, so no lane needs a separate branch.
     */
    static final float CLAMP_HI = 89f;
    static final float CLAMP_LO = -104f;
    static final float P0 = 1.9875691500e-4f;
    static final float P1 = 1.3981999507e-3f;
    static final float P2 = 8.3334519073e-3f;
    static final float P3 = 4.1665795894e-2f;
    static final float P4 = 1.6666665459e-1f;
    static final float P5 = 5.0000001201e-1f;
    /** tanh: up to this |x| a polynomial in x^2 (Cephes' tanhf), above it 1 - 2 / (exp(2|x|) + 1). */
    static final float TANH_SMALL = 0.625f;
    static final float T0 = -5.70498872745e-3f;
    static final float T1 = 2.06390887954e-2f;
    static final float T2 = -5.37397155531e-2f;
    static final float T3 = 1.33314422036e-1f;
    static final float T4 = -3.33332819422e-1f;

    private CpuMath() {
    }

    private static boolean hardwareFma() {
        try {
            com.sun.management.HotSpotDiagnosticMXBean vm = java.lang.management.ManagementFactory
                    .getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class);
            return vm == null || !"false".equals(vm.getVMOption("UseFMA").getValue());
        } catch (RuntimeException | LinkageError e) {
            return true;
        }
    }

    /** e^x; NaN for NaN, +inf above {@link #EXP_MAX}, 0 below {@link #EXP_MIN}. */
    static float exp(float x) {
        if (!HARDWARE_FMA) {
            return (float) Math.exp(x);
        }
        return expCore(x, false);
    }

    /**
     * e^x - 1 without the cancellation of exp(x) - 1 near 0 (ELU needs it there): with exp's
     * reduction x = n ln 2 + r and q = e^r - 1 from exp's polynomial without its 1, it is
     * 2^n q + (2^n - 1) in one fused multiply-add (q itself for n = 0, |x| below about ln 2 / 2).
     * Within 1.5 ulp, 0.9 for x < 0 (CpuMathTest). NaN for NaN, -1 far below zero. expm1(-0) is +0: callers that
     * care (ELU) keep x for x >= 0.
     */
    static float expm1(float x) {
        if (!HARDWARE_FMA) {
            return (float) Math.expm1(x);
        }
        return expCore(x, true);
    }

    /** exp or expm1: the same operations as {@link CpuVectorMath}'s form, lane for lane. */
    private static float expCore(float x, boolean minusOne) {
        float xc = Math.min(Math.max(x, CLAMP_LO), CLAMP_HI);
        float t = Math.fma(xc, LOG2E, ROUND);
        float n = t - ROUND;
        float r = Math.fma(n, -LN2_HI, xc);
        r = Math.fma(n, -LN2_LO, r);
        float p = Math.fma(P0, r, P1);
        p = Math.fma(p, r, P2);
        p = Math.fma(p, r, P3);
        p = Math.fma(p, r, P4);
        p = Math.fma(p, r, P5);
        float q = Math.fma(p, r * r, r);
        int ni = Float.floatToRawIntBits(t) - ROUND_BITS;
        if (minusOne && ni <= EXPM1_FMA_MAX) {
            // 2^n (q + 1) - 1 = 2^n q + (2^n - 1), rounded once; 2^n - 1 is exact down to n = -24,
            // and below that it and the sum round to -1 as e^x - 1 does (n = 0 gives q itself)
            float s = Float.intBitsToFloat((Math.max(ni, -126) + 127) << 23);
            return Math.fma(s, q, s - 1f);
        }
        int n1 = ni >> 1;
        float e = (q + 1f) * Float.intBitsToFloat((n1 + 127) << 23) * Float.intBitsToFloat((ni - n1 + 127) << 23);
        return minusOne ? e - 1f : e;
    }

    /** Above this n, expm1 takes exp's two-factor scaling (2^n alone overflows at n = 128) and subtracts 1. */
    static final int EXPM1_FMA_MAX = 64;

    /**
     * e^(v * scale - shift) with v = |x| if abs, else x: the argument every caller needs. scale
     * must be a power of two (callers use 1, -1 and 2), so the product is exact and the argument
     * is rounded once.
     */
    static float expArg(float x, boolean abs, float scale, float shift) {
        return exp((abs ? Math.abs(x) : x) * scale - shift);
    }

    /** dst[d + i] = expArg(src[s + i], abs, scale, shift) for i in [0, n). */
    static void expArgs(float[] src, int s, boolean abs, float scale, float shift, float[] dst, int d, int n) {
        for (int i = 0; i < n; i++) {
            dst[d + i] = expArg(src[s + i], abs, scale, shift);
        }
    }

    /** tanh(x), odd (tanh(-0) = -0) and bounded by 1 in magnitude; NaN for NaN. */
    static float tanh(float x) {
        if (!HARDWARE_FMA) {
            return (float) Math.tanh(x);
        }
        return tanhFinish(x, expArg(x, true, 2f, 0f));
    }

    /** 2^100: times any positive difference of at least 2^-100 it is at least 1 (see {@link #tanhFinish}). */
    private static final float HUGE = 0x1p100f;

    /**
     * tanh(x) given e = exp(2|x|) (used only when |x| > {@link #TANH_SMALL}). Written without
     * branches so that C2 vectorises a loop of it (0.7 ns per value against 2-2.7 for the branchy
     * form with Math.copySign): both forms are computed, the polynomial on |x| clamped to
     * TANH_SMALL so it stays finite; w is exactly 1 when |x| > TANH_SMALL (the difference is at
     * least one ulp of 0.625, 6e-8, times 2^100) and exactly 0 otherwise, so w * big + (1 - w) *
     * small is exactly one of them; and multiplying by signum(x) restores the sign, -0 included.
     */
    static float tanhFinish(float x, float e) {
        float a = Math.abs(x);
        float big = 1f - 2f / (e + 1f);
        float as = Math.min(a, TANH_SMALL);
        float z = as * as;
        float p = Math.fma(T0, z, T1);
        p = Math.fma(p, z, T2);
        p = Math.fma(p, z, T3);
        p = Math.fma(p, z, T4);
        float small = Math.fma(p * z, as, as);
        float w = Math.min(Math.max((a - TANH_SMALL) * HUGE, 0f), 1f);
        return (w * big + (1f - w) * small) * Math.signum(x);
    }

    /** 1 / (1 + e^-x): 0 for x below about -88.7 (where e^-x overflows), 1 for large x; NaN for NaN. */
    static float sigmoid(float x) {
        if (!HARDWARE_FMA) {
            return (float) (1.0 / (1.0 + Math.exp(-x)));
        }
        return sigmoidFinish(expArg(x, false, -1f, 0f));
    }

    /** sigmoid(x) given e = exp(-x). */
    static float sigmoidFinish(float e) {
        return 1f / (1f + e);
    }
}
