package dev.ember.runtime.cpu;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The CPU backend's bounded worker pool. {@link #parallelFor} splits [0, n) into at most
 * {@code threads} contiguous ranges (or runs inline when the work is small), so a given range
 * split depends only on n and the thread count.
 *
 * <p>Why not a {@link java.util.concurrent.ForkJoinPool}: a training step issues 15-20 parallel
 * ops of 10-700 us each, and handing a task to a parked pool thread and joining it cost 25-75 us
 * per call on this project's 2-vCPU KVM machine (waking a halted vCPU is slow), against 3 us of
 * work in the measurement. Here the workers spin for {@link #SPIN_NANOS} after each job before
 * they park, so back-to-back ops find them awake, and the caller claims pieces from the same
 * counter as the workers: a worker that is slow to wake costs no waiting, the caller simply runs
 * that piece itself.
 *
 * <p>One job runs at a time. A second thread that calls while a job is running, or a piece that
 * calls back into the pool, runs its pieces inline on its own thread: same result, no deadlock.
 */
public final class CpuPool implements AutoCloseable {
    /** Body of a parallel loop over [from, to). */
    @FunctionalInterface
    public interface Range {
        void run(int from, int to);
    }

    /**
     * How long an idle worker keeps polling for the next job before it parks (default 200 us,
     * property {@code ember.cpu.spinMicros}). Gaps between the ops of one training step are
     * shorter than that; between steps and epochs the workers park and free the cores.
     */
    static final long SPIN_NANOS = Math.max(0, Long.getLong("ember.cpu.spinMicros", 200)) * 1000;

    /** One parallel call: pieces are claimed from {@code next} by the caller and the workers alike. */
    private static final class Job {
        final long seq;
        final int n;
        final int pieces;
        final Range body;
        final AtomicInteger next = new AtomicInteger();
        final AtomicInteger done = new AtomicInteger();
        /** The first failure, with the thread that ran its piece; set once. */
        final java.util.concurrent.atomic.AtomicReference<Failure> failure = new java.util.concurrent.atomic.AtomicReference<>();

        Job(long seq, int n, int pieces, Range body) {
            this.seq = seq;
            this.n = n;
            this.pieces = pieces;
            this.body = body;
        }

        /** Runs pieces until none is left to claim. */
        void work() {
            for (int p; (p = next.getAndIncrement()) < pieces; ) {
                try {
                    if (failure.get() == null) {
                        body.run((int) ((long) n * p / pieces), (int) ((long) n * (p + 1) / pieces));
                    }
                } catch (Throwable t) {
                    failure.compareAndSet(null, new Failure(t, Thread.currentThread()));
                } finally {
                    done.incrementAndGet();
                }
            }
        }
    }

    /**
     * Added to an exception thrown on a worker when it reaches the caller, so that its report
     * shows where the op was called from (the worker's own stack holds only pool frames).
     */
    static final class CallerStack extends RuntimeException {
        CallerStack(String thread) {
            super("rethrown in " + thread + " by the call that ran this piece on a pool worker");
        }
    }

    private final int threads;
    private final Thread[] workers;
    /** Set while a worker is parked (or about to park), so the caller knows to unpark it. */
    private final boolean[] parked;
    private final ReentrantLock lock = new ReentrantLock();
    private volatile Job job;
    /** Number of jobs handed out so far; a worker remembers the last one it saw by this number. */
    private long jobs;
    private volatile boolean closed;

    public CpuPool(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("cpu threads must be >= 1, got " + threads);
        }
        this.threads = threads;
        this.workers = new Thread[threads - 1];
        this.parked = new boolean[threads - 1];
        for (int i = 0; i < workers.length; i++) {
            int id = i;
            Thread t = new Worker(() -> workerLoop(id), "ember-cpu-" + (i + 1));
            t.setDaemon(true);
            workers[i] = t;
            t.start();
        }
    }

    public int threads() {
        return threads;
    }

    /**
     * A pool thread. It carries the GEMM's pack buffers itself, so they stay in its core's caches
     * from call to call and go away with the pool (see CpuGemm).
     */
    static final class Worker extends Thread {
        Object gemmBuffers;

        Worker(Runnable body, String name) {
            super(body, name);
        }
    }

    /**
     * Runs body over [0, n) in up to {@code threads} pieces, each at least {@code grain} long.
     * Small loops run on the calling thread.
     */
    public void parallelFor(int n, int grain, Range body) {
        int pieces = Math.min(threads, Math.max(1, n / Math.max(1, grain)));
        if (pieces <= 1 || workers.length == 0) {
            body.run(0, n);
            return;
        }
        parallelPieces(n, pieces, body);
    }

    /**
     * Runs exactly {@code pieces} contiguous pieces of [0, n) (some may be empty), piece p being
     * [n*p/pieces, n*(p+1)/pieces). Which thread runs which piece, and in what order, is not
     * fixed; the call returns when all have finished and rethrows the first failure.
     */
    public void parallelPieces(int n, int pieces, Range body) {
        if (pieces <= 1 || workers.length == 0) {
            body.run(0, n);
            return;
        }
        if (closed || lock.isHeldByCurrentThread() || !lock.tryLock()) {
            // Busy with another caller's job, or called from inside one: run inline.
            Job j = new Job(-1, n, pieces, body);
            j.work();
            rethrow(j);
            return;
        }
        Job j = new Job(++jobs, n, pieces, body);
        try {
            job = j;
            for (int i = 0; i < workers.length; i++) {
                if (readParked(i)) {
                    LockSupport.unpark(workers[i]);
                }
            }
            j.work();
            // Every piece still out is held by a worker that is running it.
            for (int spins = 0; j.done.get() < pieces; spins++) {
                if (spins < 1 << 10) {
                    Thread.onSpinWait();
                } else {
                    Thread.yield();
                }
            }
        } finally {
            job = null;
            lock.unlock();
        }
        rethrow(j);
    }

    private record Failure(Throwable error, Thread thread) {
    }

    private static void rethrow(Job j) {
        Failure f = j.failure.get();
        Throwable t = f == null ? null : f.error();
        if (t != null && Thread.currentThread() != f.thread()
                && java.util.Arrays.stream(t.getSuppressed()).noneMatch(s -> s instanceof CallerStack)) {
            // thrown on a worker, whose stack holds only pool frames: add where the op was called (once,
            // as a reused exception object would otherwise collect one per rethrow)
            t.addSuppressed(new CallerStack(Thread.currentThread().getName()));
        }
        if (t instanceof RuntimeException r) {
            throw r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        if (t != null) {
            throw new IllegalStateException(t);
        }
    }

    private void workerLoop(int id) {
        long last = 0;
        long idleSince = System.nanoTime();
        for (int polls = 0; !closed; polls++) {
            Job j = job;
            if (j != null && j.seq != last) {
                last = j.seq;
                j.work();
                idleSince = System.nanoTime();
                polls = 0;
                continue;
            }
            if ((polls & 63) != 63 || System.nanoTime() - idleSince < SPIN_NANOS) {
                Thread.onSpinWait();
                continue;
            }
            // Publish "parked" before the last look at the job; the caller publishes the job
            // before it looks at "parked". One of the two sees the other's write.
            writeParked(id, true);
            j = job;
            if (j == null || j.seq == last) {
                LockSupport.park(this);
            }
            writeParked(id, false);
            idleSince = System.nanoTime();
            polls = 0;
        }
    }

    private static final java.lang.invoke.VarHandle PARKED =
            java.lang.invoke.MethodHandles.arrayElementVarHandle(boolean[].class);

    private boolean readParked(int i) {
        return (boolean) PARKED.getVolatile(parked, i);
    }

    private void writeParked(int i, boolean v) {
        PARKED.setVolatile(parked, i, v);
    }

    @Override
    public void close() {
        closed = true;
        for (Thread t : workers) {
            LockSupport.unpark(t);
        }
    }
}
