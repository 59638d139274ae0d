package dev.ember.runtime.cpu;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.RecursiveAction;

/**
 * The CPU backend's bounded worker pool. {@link #parallelFor} splits [0, n) into at most
 * {@code threads} contiguous ranges (or runs inline when the work is small), so a given range
 * split depends only on n and the thread count.
 */
public final class CpuPool implements AutoCloseable {
    /** Body of a parallel loop over [from, to). */
    @FunctionalInterface
    public interface Range {
        void run(int from, int to);
    }

    private final int threads;
    private final ForkJoinPool pool;

    public CpuPool(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("cpu threads must be >= 1, got " + threads);
        }
        this.threads = threads;
        this.pool = threads == 1 ? null : new ForkJoinPool(threads, p -> {
            var t = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(p);
            t.setDaemon(true);
            t.setName("ember-cpu-" + t.getPoolIndex());
            return t;
        }, null, false);
    }

    public int threads() {
        return threads;
    }

    /**
     * Runs body over [0, n) in up to {@code threads} pieces, each at least {@code grain} long.
     * Small loops run on the calling thread.
     */
    public void parallelFor(int n, int grain, Range body) {
        int pieces = Math.min(threads, Math.max(1, n / Math.max(1, grain)));
        if (pieces <= 1 || pool == null) {
            body.run(0, n);
            return;
        }
        parallelPieces(n, pieces, body);
    }

    /** Runs exactly {@code pieces} contiguous pieces of [0, n) (some may be empty). */
    public void parallelPieces(int n, int pieces, Range body) {
        if (pieces <= 1 || pool == null) {
            body.run(0, n);
            return;
        }
        ForkJoinTask<?>[] tasks = new ForkJoinTask<?>[pieces - 1];
        for (int p = 1; p < pieces; p++) {
            int from = (int) ((long) n * p / pieces), to = (int) ((long) n * (p + 1) / pieces);
            tasks[p - 1] = pool.submit(new RecursiveAction() {
                @Override
                protected void compute() {
                    body.run(from, to);
                }
            });
        }
        body.run(0, (int) ((long) n / pieces));
        for (ForkJoinTask<?> t : tasks) {
            t.join();
        }
    }

    @Override
    public void close() {
        if (pool != null) {
            pool.shutdownNow();
        }
    }
}
