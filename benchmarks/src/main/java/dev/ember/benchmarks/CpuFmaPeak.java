package dev.ember.benchmarks;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Attainable CPU FLOP rate: independent chains of vector FMAs (enough to cover FMA latency
 * times the number of FMA ports) on each thread. Accumulators are locals: in an array they lose
 * the intrinsics. Needs {@code --add-modules jdk.incubator.vector}.
 */
final class CpuFmaPeak {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static volatile float sink;

    private CpuFmaPeak() {
    }

    static int lanes() {
        return S.length();
    }

    /** FLOPs done by {@link #kernel} for {@code iters}. */
    static double flops(long iters) {
        return iters * 10.0 * S.length() * 2.0;
    }

    static float kernel(long iters) {
        FloatVector m = FloatVector.broadcast(S, 0.9999999f), c = FloatVector.broadcast(S, 1e-7f);
        FloatVector a0 = FloatVector.broadcast(S, 1f), a1 = FloatVector.broadcast(S, 2f);
        FloatVector a2 = FloatVector.broadcast(S, 3f), a3 = FloatVector.broadcast(S, 4f);
        FloatVector a4 = FloatVector.broadcast(S, 5f), a5 = FloatVector.broadcast(S, 6f);
        FloatVector a6 = FloatVector.broadcast(S, 7f), a7 = FloatVector.broadcast(S, 8f);
        FloatVector a8 = FloatVector.broadcast(S, 9f), a9 = FloatVector.broadcast(S, 10f);
        for (long i = 0; i < iters; i++) {
            a0 = a0.fma(m, c);
            a1 = a1.fma(m, c);
            a2 = a2.fma(m, c);
            a3 = a3.fma(m, c);
            a4 = a4.fma(m, c);
            a5 = a5.fma(m, c);
            a6 = a6.fma(m, c);
            a7 = a7.fma(m, c);
            a8 = a8.fma(m, c);
            a9 = a9.fma(m, c);
        }
        return a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7).add(a8).add(a9).reduceLanes(
                jdk.incubator.vector.VectorOperators.ADD);
    }

    /** Rounds of {@link #measure}; short rounds, so that some fall between other jobs' bursts. */
    static final int ROUNDS = 25;
    static final double ROUND_SECONDS = 0.02;

    /**
     * Best FLOP/s over {@link #ROUNDS} rounds of {@code threads} threads each running the kernel for
     * about 20 ms (about 0.8 s in all). On a shared host other jobs can only pull a round down, so
     * the best round is the closest to the hardware's peak.
     */
    static double measure(int threads) throws InterruptedException {
        // Many short calls first, so the kernel is compiled by C2 as a method (not run interpreted,
        // where the Vector API allocates per operation), then calibrate one call to a round's length.
        long warmEnd = System.nanoTime() + 300_000_000L;
        while (System.nanoTime() < warmEnd) {
            sink += kernel(2_000);
        }
        long iters = 1 << 14;
        for (int w = 0; w < 3; w++) {
            long t0 = System.nanoTime();
            sink += kernel(iters);
            double s = (System.nanoTime() - t0) * 1e-9;
            iters = Math.max(1 << 14, (long) (iters * ROUND_SECONDS / Math.max(s, 1e-6)));
        }
        double best = 0;
        for (int round = 0; round < ROUNDS; round++) {
            final long n = iters;
            Thread[] ts = new Thread[threads];
            long t0 = System.nanoTime();
            for (int t = 0; t < threads; t++) {
                ts[t] = new Thread(() -> sink += kernel(n));
                ts[t].start();
            }
            for (Thread t : ts) {
                t.join();
            }
            double s = (System.nanoTime() - t0) * 1e-9;
            best = Math.max(best, flops(n) * threads / s);
        }
        return best;
    }
}
