package dev.ember.runtime.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.runtime.Device;
import dev.ember.runtime.Ops;
import dev.ember.runtime.Tensor;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * sum and sumSquares add fixed chunks in a fixed order, so a training run with gradient clipping
 * gives the same bits on any number of threads; and they stay within float64 rounding of the
 * exact sums (the per-op float64 checks are in ReductionOpsTest).
 */
class CpuSumTest {
    @Test
    void sumsAreTheSameBitsOnAnyThreadCount() {
        long seed = System.nanoTime();
        SplittableRandom rnd = new SplittableRandom(seed);
        for (int n : new int[] {1, 7, 9, 100_003, 3 * 32_768 + 5}) {
            float[] x = new float[n];
            double ref = 0, refSq = 0, abs = 0;
            for (int i = 0; i < n; i++) {
                x[i] = (float) ((rnd.nextDouble() - 0.3) * 10);
                ref += x[i];
                refSq += (double) x[i] * x[i];
                abs += Math.abs(x[i]);
            }
            float first = Float.NaN, firstSq = Float.NaN;
            for (int threads : new int[] {1, 2, 3, 4}) {
                try (Device dev = new Device(new CpuBackend(threads)); Tensor t = dev.fromArray(x, n)) {
                    float s = Ops.sum(t), sq = Ops.sumSquares(t);
                    String what = "n=" + n + " on " + threads + " threads (seed " + seed + ")";
                    // the float result's rounding, plus the double additions' (far smaller)
                    assertTrue(Math.abs(s - ref) <= 6e-8 * Math.abs(ref) + 1e-13 * n * abs, "sum " + what + ": " + s
                            + " vs " + ref);
                    assertTrue(Math.abs(sq - refSq) <= 6e-8 * refSq + 1e-13 * n * refSq, "sumSquares " + what + ": " + sq
                            + " vs " + refSq);
                    if (threads == 1) {
                        first = s;
                        firstSq = sq;
                    } else {
                        assertEquals(Float.floatToRawIntBits(first), Float.floatToRawIntBits(s), "sum " + what);
                        assertEquals(Float.floatToRawIntBits(firstSq), Float.floatToRawIntBits(sq), "sumSquares " + what);
                    }
                }
            }
        }
    }
}
