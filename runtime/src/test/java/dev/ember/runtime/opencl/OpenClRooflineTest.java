package dev.ember.runtime.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.runtime.FmaPeak;
import dev.ember.runtime.Storage;
import org.junit.jupiter.api.Test;

/**
 * The roofline FMA kernel on opencl:0: its output equals a host float32 emulation with Math.fma
 * (so a kernel that skips or unfuses its chains fails), and measurePeakFlops returns a finite
 * positive rate. Skipped without OpenCL, like the other OpenCL tests.
 */
class OpenClRooflineTest {

    @Test
    void fmaPeakOutputMatchesHostEmulation() {
        OpenClBackend cl = OpenClTestSupport.cl();
        long items = cl.fmaPeakItems();
        assertTrue(items >= 1024, "work-items " + items);
        for (int iters : new int[] {0, 1, 7, 300}) {
            Storage out = cl.allocate(items);
            try {
                cl.fill(out, 0, items, Float.NaN);
                cl.runFmaPeak(out, items, iters);
                float[] got = OpenClTestSupport.download(cl, out, (int) items);
                for (int gid = 0; gid < items; gid++) {
                    float want = FmaPeak.expected(gid, iters);
                    // fma is correctly rounded in OpenCL C, and the final adds are unfused: bit-exact.
                    assertEquals(want, got[gid], 0f, "fma_peak iters=" + iters + " out[" + gid + "]");
                }
            } finally {
                cl.release(out);
            }
        }
    }

    @Test
    void measurePeakFlopsIsFiniteAndPositive() {
        OpenClBackend cl = OpenClTestSupport.cl();
        double flops = cl.measurePeakFlops();
        System.out.println(cl.name() + " fma_peak " + flops / 1e9 + " GFLOP/s over " + cl.fmaPeakItems() + " work-items");
        assertTrue(Double.isFinite(flops) && flops > 0, "measurePeakFlops = " + flops);
    }
}
