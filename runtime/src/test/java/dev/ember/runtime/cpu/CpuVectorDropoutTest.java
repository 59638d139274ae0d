package dev.ember.runtime.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The Vector API dropout gives the scalar loop's output bit for bit (its mask is Philox's, so the
 * same on every backend): at every start offset modulo a block (4) and a step (32), lengths that
 * leave every kind of head and tail, drop probabilities at the edges of the 2^-24 grid of the
 * uniforms, seeds using both key words, and inputs with NaN, infinities and signed zeros.
 */
class CpuVectorDropoutTest {
    private static final float[] SPECIAL = {0f, -0f, Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY,
        Float.MIN_VALUE, -1e30f};

    @Test
    void matchesTheScalarLoopBitForBit() {
        assumeTrue(CpuVector.AVAILABLE, "needs --add-modules jdk.incubator.vector");
        long testSeed = System.nanoTime();
        SplittableRandom rnd = new SplittableRandom(testSeed);
        // 0, 2^-24 (drops only u = 0), a value between grid points, 0.5, the largest float below 1
        float[] ps = {0f, 0x1.0p-24f, 0.3f, 0.5f, Math.nextDown(1f)};
        long[] seeds = {0L, 1L << 40, -1L, rnd.nextLong()};
        int size = 4096 + 77;
        float[] x = new float[size];
        for (int i = 0; i < size; i++) {
            x[i] = rnd.nextInt(6) == 0 ? SPECIAL[rnd.nextInt(SPECIAL.length)] : (float) (rnd.nextDouble() * 8 - 4);
        }
        for (float p : ps) {
            float keepScale = 1f / (1f - p);
            for (long seed : seeds) {
                for (int from = 0; from < 40; from += from < 8 ? 1 : 11) {
                    for (int len : new int[] {0, 1, 3, 4, 5, 31, 32, 33, 64, 67, 100, 1000, 4000}) {
                        int to = from + len;
                        float[] want = new float[size], got = new float[size];
                        java.util.Arrays.fill(want, 42f);
                        java.util.Arrays.fill(got, 42f);
                        CpuVectorDropout.scalar(seed, p, keepScale, x, want, from, to);
                        CpuVectorDropout.dropout(seed, p, keepScale, x, got, from, to);
                        for (int i = 0; i < size; i++) {
                            assertEquals(Float.floatToRawIntBits(want[i]), Float.floatToRawIntBits(got[i]),
                                    "index " + i + " of [" + from + ", " + to + ") p=" + p + " seed=" + seed
                                            + ": differs from the scalar loop (test seed " + testSeed + ")");
                        }
                    }
                }
            }
        }
    }
}
