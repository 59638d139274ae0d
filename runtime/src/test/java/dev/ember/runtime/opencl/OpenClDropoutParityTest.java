package dev.ember.runtime.opencl;

import static dev.ember.runtime.opencl.OpenClTestSupport.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Dropout on OpenCL: the same values as the CPU backend bit for bit (Philox keyed by seed and index). */
class OpenClDropoutParityTest {
    static java.util.List<String> devices() {
        return OpenClTestSupport.devices();
    }

    @ParameterizedTest(name = "[{0}] dropout masks and values bit-identical to the CPU")
    @MethodSource("devices")
    void bitIdentical(String device) {
        OpenClBackend cl = cl();
        long[] seeds = {0L, 1L, 42L, 0x123456789ABCDEF0L, -1L, 1L << 32};
        float[] ps = {0f, 0.1f, 0.5f, 0.9f};
        for (int n : new int[] {1, 3, 7, 33, 127, 1000, 4097}) {
            for (long seed : seeds) {
                for (float p : ps) {
                    float[] x = uniform(new Random(seed ^ n), n, -2, 2);
                    try (Pair px = new Pair(cl, x); Pair py = new Pair(cl, n)) {
                        cpu().dropout(seed, p, px.cpu, py.cpu, n);
                        cl.dropout(seed, p, px.cl, py.cl, n);
                        float[] a = py.cpuValues(), b = py.clValues();
                        for (int i = 0; i < n; i++) {
                            assertEquals(Float.floatToRawIntBits(a[i]), Float.floatToRawIntBits(b[i]),
                                    "dropout n=" + n + " seed=" + seed + " p=" + p + " element " + i + ": cpu " + a[i]
                                            + " opencl " + b[i]);
                        }
                    }
                }
            }
        }
    }

    @ParameterizedTest(name = "[{0}] dropout keeps about 1 - p, in place")
    @MethodSource("devices")
    void keepRateInPlace(String device) {
        OpenClBackend cl = cl();
        int n = 20000;
        float[] ones = new float[n];
        java.util.Arrays.fill(ones, 1f);
        try (Pair px = new Pair(cl, ones)) {
            cl.dropout(7L, 0.3f, px.cl, px.cl, n);
            float[] y = px.clValues();
            int kept = 0;
            for (float v : y) {
                if (v != 0f) {
                    kept++;
                    assertEquals(1f / 0.7f, v);
                }
            }
            double rate = kept / (double) n;
            assertTrue(Math.abs(rate - 0.7) < 0.02, "keep rate " + rate);
        }
    }
}
