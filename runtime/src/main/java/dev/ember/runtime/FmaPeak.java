package dev.ember.runtime;

import java.util.function.IntConsumer;

/**
 * Shared by the GPU backends' {@link Backend#measurePeakFlops}: the timing schedule of the
 * {@code fma_peak} kernel (roofline.cl) and a host emulation of what it writes, so that tests can
 * check the kernel really computed its FMA chains.
 */
public final class FmaPeak {
    /** Independent FMA chains per work-item in roofline.cl. */
    public static final int CHAINS = 8;
    /** Target duration of one timed launch. */
    private static final long TARGET_NANOS = 50_000_000L;
    private static final int MAX_ITERS = 1 << 24;

    private FmaPeak() {
    }

    /**
     * FLOP/s of the kernel over {@code workItems} work-items: {@code launchAndWait} runs it with the
     * given iteration count and returns when it has finished. Warms up, grows the iteration count
     * until one launch takes about 50 ms, then keeps the best of three timed launches (about
     * 100-300 ms in all).
     */
    public static double measure(long workItems, IntConsumer launchAndWait) {
        int iters = 256;
        launchAndWait.accept(iters); // warm-up: program build, first-launch costs
        long t;
        while (true) {
            long t0 = System.nanoTime();
            launchAndWait.accept(iters);
            t = Math.max(1, System.nanoTime() - t0);
            if (t >= TARGET_NANOS / 4 || iters >= MAX_ITERS) {
                break;
            }
            iters = (int) Math.min(MAX_ITERS, (long) iters * 4);
        }
        iters = (int) Math.max(1, Math.min(MAX_ITERS, (long) ((double) iters * TARGET_NANOS / t)));
        double best = 0;
        for (int rep = 0; rep < 3; rep++) {
            long t0 = System.nanoTime();
            launchAndWait.accept(iters);
            double s = Math.max(1, System.nanoTime() - t0) * 1e-9;
            best = Math.max(best, 2.0 * CHAINS * iters * workItems / s);
        }
        return best;
    }

    /** What {@code fma_peak} writes to {@code out[gid]} after {@code iters} iterations, in float32 as the kernel computes it. */
    public static float expected(long gid, int iters) {
        float s = (float) (gid & 1023) * (1.0f / 1024.0f);
        float[] a = new float[CHAINS];
        for (int k = 0; k < CHAINS; k++) {
            a[k] = s + k * 0.125f;
        }
        for (int i = 0; i < iters; i++) {
            for (int k = 0; k < CHAINS; k++) {
                a[k] = Math.fma(a[k], 0.999f, 0.001f);
            }
        }
        return ((a[0] + a[1]) + (a[2] + a[3])) + ((a[4] + a[5]) + (a[6] + a[7]));
    }
}
