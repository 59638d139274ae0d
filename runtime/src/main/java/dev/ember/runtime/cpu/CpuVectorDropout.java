package dev.ember.runtime.cpu;

import dev.ember.runtime.Philox;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Dropout with its Philox-4x32-10 mask computed eight blocks (32 elements) at a time on the
 * Vector API: one lane per block, the four counter words in four vectors. The scalar generator
 * ({@link Philox#uniforms}) spends about 9 ns per element on one thread, almost all of dropout's
 * time, in ten dependent rounds of two 32x32-bit multiplies per block. Here each multiply is two
 * {@code vpmuludq} over the even and odd lanes (a 64-bit lane product of zero-extended 32-bit
 * values), and the words are put back in element order (element 4b + w is word w of block b)
 * by {@link CpuGemmPacking}'s 4 x 8 transpose shuffles. Same bits and the same select as the
 * scalar loop, so the same mask on every backend. Only called when {@link CpuVector#AVAILABLE}.
 */
final class CpuVectorDropout {
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_256;
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_256;
    private static final long M0 = 0xD2511F53L, M1 = 0xCD9E8D57L;
    private static final int W0 = 0x9E3779B9, W1 = 0xBB67AE85;
    private static final long LOW = 0xFFFFFFFFL;
    private static final IntVector IOTA = IntVector.fromArray(I, new int[] {0, 1, 2, 3, 4, 5, 6, 7}, 0);
    /** Elements per vector step: 8 blocks of 4 words. */
    static final int STEP = 32;

    private CpuVectorDropout() {
    }

    /** y[i] = u(seed, i) >= p ? x[i] * keepScale : 0 over [from, to), as the scalar loop. */
    static void dropout(long seed, float p, float keepScale, float[] x, float[] y, int from, int to) {
        int head = Math.min(to, (from + 3) & ~3); // the vector steps start on a block
        scalar(seed, p, keepScale, x, y, from, head);
        int k0 = (int) seed, k1 = (int) (seed >>> 32);
        // m * 2^-24 >= p exactly when m >= p * 2^24 (exact in double), i.e. m >= its ceiling
        int keepFrom = (int) Math.ceil(p * 0x1.0p24);
        // Two methods, the words passed through 128 bytes of L1: in one method C2 stopped
        // intrinsifying part of the Vector API code and boxed vectors (1.7 KB per step).
        int[] words = new int[STEP];
        int i = head;
        for (; i + STEP <= to; i += STEP) {
            // Blocks i/4 .. i/4 + 7; float arrays index below 2^31, so the counter's high word is 0.
            philox(i >>> 2, k0, k1, words);
            select(words, keepFrom, keepScale, x, y, i);
        }
        scalar(seed, p, keepScale, x, y, i, to);
    }

    /** Philox-4x32-10 of the blocks block0 .. block0 + 7: word w of block b into words[8w + b]. */
    private static void philox(int block0, int k0, int k1, int[] words) {
        // Both factors visibly zero-extended (the AND on the constant too): C2 then emits one
        // vpmuludq per product instead of AVX2's three-multiply 64-bit sequence (3x slower).
        LongVector m0 = LongVector.broadcast(LongVector.SPECIES_256, M0).and(LOW);
        LongVector m1 = LongVector.broadcast(LongVector.SPECIES_256, M1).and(LOW);
        IntVector c0 = IOTA.add(block0), c1 = IntVector.zero(I), c2 = c1, c3 = c1;
        for (int round = 0; round < 10; round++) {
            if (round > 0) {
                k0 += W0;
                k1 += W1;
            }
            LongVector a = c0.reinterpretAsLongs(), b = c2.reinterpretAsLongs();
            // even int lanes zero-extended, and odd ones shifted down: 32x32 -> 64-bit products
            LongVector pa0 = a.and(LOW).mul(m0), pa1 = a.lanewise(VectorOperators.LSHR, 32).mul(m0);
            LongVector pb0 = b.and(LOW).mul(m1), pb1 = b.lanewise(VectorOperators.LSHR, 32).mul(m1);
            IntVector lo0 = pa0.and(LOW).or(pa1.lanewise(VectorOperators.LSHL, 32)).reinterpretAsInts();
            IntVector hi0 = pa0.lanewise(VectorOperators.LSHR, 32).or(pa1.and(~LOW)).reinterpretAsInts();
            IntVector lo1 = pb0.and(LOW).or(pb1.lanewise(VectorOperators.LSHL, 32)).reinterpretAsInts();
            IntVector hi1 = pb0.lanewise(VectorOperators.LSHR, 32).or(pb1.and(~LOW)).reinterpretAsInts();
            IntVector n0 = hi1.lanewise(VectorOperators.XOR, c1).lanewise(VectorOperators.XOR, k0);
            IntVector n2 = hi0.lanewise(VectorOperators.XOR, c3).lanewise(VectorOperators.XOR, k1);
            c0 = n0;
            c1 = lo1;
            c2 = n2;
            c3 = lo0;
        }
        c0.intoArray(words, 0);
        c1.intoArray(words, 8);
        c2.intoArray(words, 16);
        c3.intoArray(words, 24);
    }

    /**
     * The 32 elements from {@code at}: element 4b + w takes word w of block b, whose top 24 bits m
     * give the uniform m * 2^-24; kept (times keepScale) where m >= keepFrom. The words are moved
     * into element order as raw float lanes by transpose4x8's shuffles, and the select is a blend
     * of raw bits. Written out without helper methods: a vector passed to or returned from a call
     * that C2 does not inline is boxed, and this method is near its inlining budget.
     */
    private static void select(int[] words, int keepFrom, float keepScale, float[] x, float[] y, int at) {
        FloatVector u0 = IntVector.fromArray(I, words, 0).lanewise(VectorOperators.LSHR, 8).reinterpretAsFloats();
        FloatVector u1 = IntVector.fromArray(I, words, 8).lanewise(VectorOperators.LSHR, 8).reinterpretAsFloats();
        FloatVector u2 = IntVector.fromArray(I, words, 16).lanewise(VectorOperators.LSHR, 8).reinterpretAsFloats();
        FloatVector u3 = IntVector.fromArray(I, words, 24).lanewise(VectorOperators.LSHR, 8).reinterpretAsFloats();
        FloatVector t0 = u0.rearrange(CpuGemmPacking.UNPACK_LO, u1), t1 = u0.rearrange(CpuGemmPacking.UNPACK_HI, u1);
        FloatVector t2 = u2.rearrange(CpuGemmPacking.UNPACK_LO, u3), t3 = u2.rearrange(CpuGemmPacking.UNPACK_HI, u3);
        IntVector m0 = t0.rearrange(CpuGemmPacking.PAIRS_LO, t2).reinterpretAsInts();
        IntVector m1 = t1.rearrange(CpuGemmPacking.PAIRS_LO, t3).reinterpretAsInts();
        IntVector m2 = t0.rearrange(CpuGemmPacking.PAIRS_HI, t2).reinterpretAsInts();
        IntVector m3 = t1.rearrange(CpuGemmPacking.PAIRS_HI, t3).reinterpretAsInts();
        IntVector zero = IntVector.zero(I);
        zero.blend(FloatVector.fromArray(F, x, at).mul(keepScale).reinterpretAsInts(),
                m0.compare(VectorOperators.GE, keepFrom)).reinterpretAsFloats().intoArray(y, at);
        zero.blend(FloatVector.fromArray(F, x, at + 8).mul(keepScale).reinterpretAsInts(),
                m1.compare(VectorOperators.GE, keepFrom)).reinterpretAsFloats().intoArray(y, at + 8);
        zero.blend(FloatVector.fromArray(F, x, at + 16).mul(keepScale).reinterpretAsInts(),
                m2.compare(VectorOperators.GE, keepFrom)).reinterpretAsFloats().intoArray(y, at + 16);
        zero.blend(FloatVector.fromArray(F, x, at + 24).mul(keepScale).reinterpretAsInts(),
                m3.compare(VectorOperators.GE, keepFrom)).reinterpretAsFloats().intoArray(y, at + 24);
    }

    /** The scalar loop, for the few elements before the first block boundary and after the last step. */
    static void scalar(long seed, float p, float keepScale, float[] x, float[] y, int from, int to) {
        if (from >= to) {
            return;
        }
        float[] u = new float[to - from];
        Philox.uniforms(seed, from, u, 0, u.length);
        for (int j = 0; j < u.length; j++) {
            y[from + j] = u[j] >= p ? x[from + j] * keepScale : 0f;
        }
    }
}
