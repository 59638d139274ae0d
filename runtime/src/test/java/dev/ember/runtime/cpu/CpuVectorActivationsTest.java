package dev.ember.runtime.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The Vector API activation loops must give the scalar loops' results bit for bit (the scalar
 * loops run in a JVM without the Vector API), at every length and offset, and for the values
 * where a comparison-based blend could differ: signed zeros, infinities and NaN (which relu and
 * elu backward send to the x > 0 side, leaky relu backward to the other; clamp keeps them).
 */
class CpuVectorActivationsTest {
    private static final float[] SPECIAL = {0f, -0f, Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY,
        Float.MIN_VALUE, -Float.MIN_VALUE, 1e-30f, -1e30f};

    private static float[] values(SplittableRandom rnd, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = rnd.nextInt(5) == 0 ? SPECIAL[rnd.nextInt(SPECIAL.length)] : (float) (rnd.nextDouble() * 6 - 3);
        }
        return v;
    }

    @Test
    void matchScalarLoopsBitForBit() {
        assumeTrue(CpuVector.AVAILABLE, "needs --add-modules jdk.incubator.vector");
        long seed = System.nanoTime();
        SplittableRandom rnd = new SplittableRandom(seed);
        float alpha = 0.3f;
        for (int n : new int[] {1, 7, 8, 9, 33, 127, 1000}) {
            for (int from : new int[] {0, 3}) {
                int len = n + from;
                float[] x = values(rnd, len), y = values(rnd, len), dy = values(rnd, len);
                float[] got = new float[len], want = new float[len];
                String at = " (n=" + n + ", from=" + from + ", seed=" + seed + ")";

                CpuVectorActivations.reluBackward(x, dy, got, from, len);
                for (int i = from; i < len; i++) {
                    want[i] = x[i] <= 0 ? 0f : dy[i];
                }
                assertBits(want, got, "relu backward" + at);

                CpuVectorActivations.leakyReluBackward(alpha, x, dy, got, from, len);
                for (int i = from; i < len; i++) {
                    want[i] = x[i] > 0 ? dy[i] : alpha * dy[i];
                }
                assertBits(want, got, "leaky relu backward" + at);

                CpuVectorActivations.eluBackward(alpha, x, y, dy, got, from, len);
                for (int i = from; i < len; i++) {
                    want[i] = x[i] <= 0 ? dy[i] * (y[i] + alpha) : dy[i];
                }
                assertBits(want, got, "elu backward" + at);

                CpuVectorActivations.reluForward(x, from, got, 0, n);
                for (int i = 0; i < n; i++) {
                    want[i] = Math.max(x[from + i], 0f);
                }
                assertBits(want, got, "relu forward" + at);

                CpuVectorActivations.leakyReluForward(alpha, x, from, got, 0, n);
                for (int i = 0; i < n; i++) {
                    float v = x[from + i];
                    want[i] = v > 0 ? v : alpha * v;
                }
                assertBits(want, got, "leaky relu forward" + at);

                // torch.clamp's comparisons: a NaN stays NaN, and a zero keeps its sign unless a
                // bound replaces it (the vector path serves the bounds lo = +0 and hi = -0)
                for (float[] b : new float[][] {{0f, 6f}, {-3f, -0f}, {0f, 0f}, {-0f, 0f}, {-1f, 1f},
                    {Float.NEGATIVE_INFINITY, 0f}}) {
                    java.util.Arrays.fill(got, 42f);
                    java.util.Arrays.fill(want, 42f);
                    CpuVectorActivations.clamp(b[0], b[1], x, got, from, len);
                    for (int i = from; i < len; i++) {
                        want[i] = x[i] < b[0] ? b[0] : x[i] > b[1] ? b[1] : x[i];
                    }
                    assertBits(want, got, "clamp to [" + b[0] + ", " + b[1] + "]" + at);
                }
            }
        }
    }

    private static void assertBits(float[] want, float[] got, String what) {
        for (int i = 0; i < want.length; i++) {
            assertEquals(Float.floatToRawIntBits(want[i]), Float.floatToRawIntBits(got[i]),
                    "index " + i + " of " + what + ": differs from the scalar loop");
        }
    }
}
