package dev.ember.runtime.cpu;

import static dev.ember.runtime.cpu.CpuGemmKernel.MR;
import static dev.ember.runtime.cpu.CpuGemmKernel.NR;

import dev.ember.runtime.Activation;

/**
 * CPU single-precision GEMM with a fused bias/activation epilogue:
 * C = act(alpha * op(A) * op(B) + beta * C + bias), row-major, all four transpose cases.
 *
 * <p>GotoBLAS/BLIS structure: op(A) (times alpha) is packed into MR-row strips and op(B) into
 * NR-column strips, one cache-sized block at a time (see {@link #blocked}); {@link CpuGemmKernel}
 * then computes every MR x NR tile of C. The first K slice applies
 * beta (and never reads C when beta is 0, so C may hold NaN); later slices accumulate. The
 * threads of the {@link CpuPool} each take a contiguous, tile-aligned share of the rows (or of
 * the columns when C is wide and short) and run the blocked loop on it. When the rows are split
 * and op(B) is not too large, the threads first pack all of op(B) once, together, into one shared
 * buffer ({@link #takeShared}), then take {@link #CHUNK}-row shares of C from a counter until none
 * is left, so a thread the host slows down does not hold up the others. A column split does the
 * same the other way round: all of op(A) is packed once, and {@link #COL_CHUNK}-column shares are
 * taken from a counter, each packing its own B panels.
 */
final class CpuGemm {
    /**
     * Depth of a K slice: one packed A strip (MR x KC floats, 8 KiB) stays in L1. 512 with NC = 128
     * ran 2-6% faster than 256 with NC = 256 (fewer passes over C; in-JVM A/B, RESULTS.md).
     */
    static final int KC = Integer.getInteger("ember.gemm.kc", 512);
    /** Rows of a packed A block (MC x KC floats, 2 MiB, L3), packed once per K slice. Multiple of MR. */
    static final int MC = Integer.getInteger("ember.gemm.mc", 1024) / MR * MR;
    /** Columns of a packed B panel (KC x NC floats, 256 KiB, L2). Multiple of NR. */
    static final int NC = Integer.getInteger("ember.gemm.nc", 128) / NR * NR;
    /**
     * Rows of C a thread takes at a time when the threads share a packed op(B) (multiple of MR).
     * Small shares balance the threads when the host preempts one of them; measured at n = 1024,
     * 2 threads: 8-32 rows ran 8-23% faster than one fixed half per thread (RESULTS.md).
     */
    static final int CHUNK = Math.max(MR, Integer.getInteger("ember.gemm.chunk", 32) / MR * MR);
    /**
     * Columns of C a thread takes at a time when the threads share a packed op(A) (multiple of NR).
     * Fixed halves lost the same way as for rows: on the step's 256 x 1024 products, whichever
     * thread the host slowed held up the call (RESULTS.md, seventh session).
     */
    static final int COL_CHUNK = Math.max(NR, Integer.getInteger("ember.gemm.colchunk", 128) / NR * NR);
    /** Rows of op(A) per shared packing task (multiple of MR). */
    private static final int A_TASK_ROWS = 128 / MR * MR;
    /** Below this many multiply-adds the packing does not pay; a plain loop is used. */
    static final long SMALL = 1L << 15;

    /** Pack buffers of one running piece, grown on demand and reused across calls. */
    private static final class Buffers {
        float[] a = new float[0];
        float[] b = new float[0];
        final float[] tmp = new float[MR * NR];

        Buffers() {
            CREATED.incrementAndGet();
        }
    }

    /** Buffer sets made so far (for the test that calling threads reuse them). */
    private static final java.util.concurrent.atomic.AtomicLong CREATED = new java.util.concurrent.atomic.AtomicLong();

    static long buffersCreated() {
        return CREATED.get();
    }

    /**
     * Idle buffers of calling threads, most recently returned first. A pool worker keeps its own
     * set (on the {@link CpuPool.Worker}, so it stays in that core's caches); any other thread
     * takes a set for the call and gives it back, so the memory held follows the number of
     * products running at once, not the number of threads that ever called (as thread-locals,
     * every request thread of a server kept up to 18 MiB for good). At most {@code keep} items
     * stay idle (a counter, so racing returns cannot overshoot).
     */
    private static final class Idle<T> {
        private final java.util.concurrent.ConcurrentLinkedDeque<T> items = new java.util.concurrent.ConcurrentLinkedDeque<>();
        private final java.util.concurrent.atomic.AtomicInteger count = new java.util.concurrent.atomic.AtomicInteger();
        private final int keep;

        Idle(int keep) {
            this.keep = keep;
        }

        T take() {
            T item = items.pollFirst();
            if (item != null) {
                count.decrementAndGet();
            }
            return item;
        }

        void giveBack(T item) {
            for (int n; (n = count.get()) < keep; ) {
                if (count.compareAndSet(n, n + 1)) {
                    items.offerFirst(item);
                    return;
                }
            }
        }

        int size() {
            return items.size();
        }
    }

    /** Idle sets kept: enough for every thread of a pool plus callers; more are left to the GC. */
    static final int KEEP_BUFFERS = Math.max(4, 2 * Runtime.getRuntime().availableProcessors());
    /** Idle shared operand buffers kept (up to 16 MiB each). */
    static final int KEEP_SHARED = 2;
    private static final Idle<Buffers> IDLE_BUFFERS = new Idle<>(KEEP_BUFFERS);
    private static final Idle<float[]> IDLE_SHARED = new Idle<>(KEEP_SHARED);

    /** Idle pack buffers held now (for tests of the bound). */
    static int idleBufferSets() {
        return IDLE_BUFFERS.size() + IDLE_SHARED.size();
    }

    /**
     * Largest operand, in floats after padding to whole tiles, that is packed whole and shared
     * (16 MiB, property {@code ember.gemm.shared}).
     */
    static final long SHARED_MAX = Long.getLong("ember.gemm.shared", 1L << 22);

    /**
     * A buffer for a whole packed operand, shared by the pieces of one call. The packing is split
     * into tasks (one K slice by a group of columns of op(B) or rows of op(A)) that any running
     * piece claims from a counter; a piece then waits only until every claimed task is finished.
     * Every claimed task is being packed by a thread that is running, so the wait ends even when
     * the pool runs the pieces one after another (the first one then packs everything): there is
     * no barrier that needs all pieces to be running at once.
     */
    private static float[] takeShared(int length) {
        float[] b = IDLE_SHARED.take();
        return b != null && b.length >= length ? b : new float[length];
    }

    /** One packing task of a shared operand, written into {@code shared}. */
    @FunctionalInterface
    private interface PackTask {
        void pack(float[] shared, int task);
    }

    /** One share of C, computed from the packed operand in {@code shared}. */
    @FunctionalInterface
    private interface Share {
        void run(float[] shared, int share);
    }

    /**
     * Runs {@code pieces} pieces that first pack one operand whole ({@code tasks} packing tasks,
     * {@code length} floats) and then take {@code shares} shares of C from a counter until none
     * is left, so a thread the host slows down does not hold up the others.
     */
    private static void sharedSplit(CpuPool pool, int pieces, int length, int tasks, PackTask pack, int shares,
                                    Share share) {
        float[] buf = takeShared(length);
        try {
            PackPlan plan = new PackPlan();
            pool.parallelPieces(pieces, pieces, (from, to) -> {
                if (!packShared(plan, tasks, buf, pack)) {
                    return;
                }
                for (int sh; (sh = plan.shares.getAndIncrement()) < shares; ) {
                    share.run(buf, sh);
                }
            });
        } finally {
            IDLE_SHARED.giveBack(buf);
        }
    }

    /** Progress of the shared operand packing of one call, and of the shares of C after it. */
    private static final class PackPlan {
        final java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
        final java.util.concurrent.atomic.AtomicInteger done = new java.util.concurrent.atomic.AtomicInteger();
        /** Next share of C (rows or columns) to claim once the operand is packed. */
        final java.util.concurrent.atomic.AtomicInteger shares = new java.util.concurrent.atomic.AtomicInteger();
        /** Set when a packing task threw: its task will never be done, so waiters must stop. */
        volatile boolean failed;
    }

    private CpuGemm() {
    }

    static void gemm(CpuPool pool, boolean transA, boolean transB, int m, int n, int k, float alpha, float[] a,
                     float[] b, float beta, float[] c, float[] bias, Activation act, float actAlpha) {
        if (k == 0 || (long) m * n * k < SMALL || !CpuVector.AVAILABLE) {
            simple(pool, transA, transB, m, n, k, alpha, a, b, beta, c, bias, act, actAlpha);
            return;
        }
        int mTiles = (m + MR - 1) / MR, nTiles = (n + NR - 1) / NR;
        long work = (long) m * n * k;
        int pieces = (int) Math.min(pool.threads(), Math.max(1, work / (1L << 18)));
        // Each thread packs all of the operand it does not split, so split the one whose other
        // operand is smaller: rows (every thread packs all of B, k x n) when m >= n, else columns
        // (every thread packs all of A, m x k); unless that side has too few tiles to share.
        boolean byRows = m >= n ? mTiles >= 2 * pieces || mTiles >= nTiles : nTiles < 2 * pieces && mTiles > nTiles;
        int units = byRows ? mTiles : nTiles;
        pieces = Math.min(pieces, units);
        int nPad = nTiles * NR;
        int mPad = mTiles * MR;
        int kSlices = (k + KC - 1) / KC;
        if (byRows && pieces >= 2 && (long) nPad * k <= SHARED_MAX) {
            // K slice pc starts at pc * nPad and holds NR-column strips of kc values each, as
            // packB writes them, so the NC-column panel at jc starts at pc * nPad + jc * kc.
            int groups = (n + NC - 1) / NC;
            sharedSplit(pool, pieces, nPad * k, groups * kSlices, (bp, t) -> {
                int pc = t / groups * KC, jc = t % groups * NC, kc = Math.min(KC, k - pc);
                CpuGemmPacking.packB(transB, b, n, k, pc, kc, jc, Math.min(NC, n - jc), bp, pc * nPad + jc * kc, NR);
            }, (m + CHUNK - 1) / CHUNK, (bp, share) -> {
                int i0 = share * CHUNK, i1 = Math.min(m, i0 + CHUNK);
                blocked(transA, transB, m, n, k, alpha, a, b, beta, c, i0, i1, 0, n, null, 0, bp, nPad);
                epilogue(c, n, i0, i1, 0, n, bias, act, actAlpha);
            });
            return;
        }
        if (!byRows && pieces >= 2 && (long) mPad * k <= SHARED_MAX) {
            // K slice pc starts at pc * mPad and holds MR-row strips of kc values each, as packA
            // writes them, so rows from ic (a multiple of MR) start at pc * mPad + ic * kc.
            int groups = (m + A_TASK_ROWS - 1) / A_TASK_ROWS;
            sharedSplit(pool, pieces, mPad * k, groups * kSlices, (ap, t) -> {
                int pc = t / groups * KC, ic = t % groups * A_TASK_ROWS, kc = Math.min(KC, k - pc);
                CpuGemmPacking.packA(transA, a, m, k, ic, Math.min(A_TASK_ROWS, m - ic), pc, kc, alpha, ap,
                        pc * mPad + ic * kc, MR);
            }, (n + COL_CHUNK - 1) / COL_CHUNK, (ap, share) -> {
                int j0 = share * COL_CHUNK, j1 = Math.min(n, j0 + COL_CHUNK);
                blocked(transA, transB, m, n, k, alpha, a, b, beta, c, 0, m, j0, j1, ap, mPad, null, 0);
                epilogue(c, n, 0, m, j0, j1, bias, act, actAlpha);
            });
            return;
        }
        pool.parallelPieces(units, pieces, (from, to) -> {
            if (from >= to) {
                return;
            }
            int i0 = 0, i1 = m, j0 = 0, j1 = n;
            if (byRows) {
                i0 = from * MR;
                i1 = Math.min(m, to * MR);
            } else {
                j0 = from * NR;
                j1 = Math.min(n, to * NR);
            }
            blocked(transA, transB, m, n, k, alpha, a, b, beta, c, i0, i1, j0, j1, null, 0, null, 0);
            epilogue(c, n, i0, i1, j0, j1, bias, act, actAlpha);
        });
    }

    /**
     * Claims and packs tasks of a shared operand until none is left, then waits for those other
     * pieces are still packing. Returns false, without waiting further, when a piece failed while
     * packing: its task will never be done, and its exception reaches the caller.
     */
    private static boolean packShared(PackPlan plan, int total, float[] shared, PackTask task) {
        for (int t; (t = plan.next.getAndIncrement()) < total; ) {
            boolean ok = false;
            try {
                task.pack(shared, t);
                ok = true;
            } finally {
                if (!ok) {
                    plan.failed = true; // the pool rethrows this piece's exception to the caller
                }
            }
            plan.done.incrementAndGet();
        }
        // The unfinished tasks are each held by a running thread, a few hundred microseconds at most.
        for (int spins = 0; plan.done.get() < total; spins++) {
            if (plan.failed) {
                return false; // the failing piece's exception reaches the caller; C is left unspecified
            }
            if (spins < 1 << 12) {
                Thread.onSpinWait();
            } else {
                Thread.yield();
            }
        }
        return true;
    }

    /**
     * The blocked loop nest over C[i0..i1, j0..j1]. Loop order (measured, see RESULTS.md): an MC-row
     * block of A is packed once per K slice and a KC x NC panel of B (L2-sized) per column block;
     * then for each MR-row strip of A (4 KiB, stays in L1) the kernel walks the B panel left to
     * right. This makes consecutive kernel calls touch C along its rows, where the hardware
     * prefetchers follow; walking down the columns instead (classic GotoBLAS jr/ir order) puts
     * every C row of a tile in a different 4 KiB page, which no prefetcher crosses, and measured
     * 55-67 GFLOP/s against 70-77 for this order (kernel-only loop nests, n = 1024, one JVM).
     * Pack buffer alignment made no measurable difference (RESULTS.md), so none is enforced.
     * With {@code sharedA} (or {@code sharedB}) non-null, op(A) (or op(B)) is already packed whole
     * there, K slice pc at pc * mPad (or pc * nPad); see {@link #gemm}.
     */
    private static void blocked(boolean transA, boolean transB, int m, int n, int k, float alpha, float[] a,
                                float[] b, float beta, float[] c, int i0, int i1, int j0, int j1, float[] sharedA,
                                int mPad, float[] sharedB, int nPad) {
        if (Thread.currentThread() instanceof CpuPool.Worker w) {
            Buffers own = w.gemmBuffers instanceof Buffers mine ? mine : null;
            if (own == null) {
                own = new Buffers();
                w.gemmBuffers = own;
            }
            blocked(own, transA, transB, m, n, k, alpha, a, b, beta, c, i0, i1, j0, j1, sharedA, mPad, sharedB, nPad);
            return;
        }
        Buffers buf = IDLE_BUFFERS.take();
        if (buf == null) {
            buf = new Buffers();
        }
        try {
            blocked(buf, transA, transB, m, n, k, alpha, a, b, beta, c, i0, i1, j0, j1, sharedA, mPad, sharedB, nPad);
        } finally {
            IDLE_BUFFERS.giveBack(buf);
        }
    }

    private static void blocked(Buffers buf, boolean transA, boolean transB, int m, int n, int k, float alpha,
                                float[] a, float[] b, float beta, float[] c, int i0, int i1, int j0, int j1,
                                float[] sharedA, int mPad, float[] sharedB, int nPad) {
        int kcMax = Math.min(KC, k);
        int ncMax = Math.min(NC, roundUp(j1 - j0, NR));
        int mcMax = Math.min(MC, roundUp(i1 - i0, MR));
        if (sharedA == null && buf.a.length < mcMax * kcMax) {
            buf.a = new float[mcMax * kcMax];
        }
        if (sharedB == null && buf.b.length < ncMax * kcMax) {
            buf.b = new float[NC * KC];
        }
        float[] ap = sharedA == null ? buf.a : sharedA, bp = sharedB == null ? buf.b : sharedB, tmp = buf.tmp;
        for (int ic = i0; ic < i1; ic += MC) {
            int mc = Math.min(MC, i1 - ic);
            for (int pc = 0; pc < k; pc += KC) {
                int kc = Math.min(KC, k - pc);
                boolean loadC = pc > 0 || beta != 0f;
                float be = pc == 0 ? beta : 1f;
                int aBase = 0;
                if (sharedA == null) {
                    CpuGemmPacking.packA(transA, a, m, k, ic, mc, pc, kc, alpha, ap, 0, MR);
                } else {
                    aBase = pc * mPad + ic * kc;
                }
                for (int jc = j0; jc < j1; jc += NC) {
                    int nc = Math.min(NC, j1 - jc);
                    int bo = 0;
                    if (sharedB == null) {
                        CpuGemmPacking.packB(transB, b, n, k, pc, kc, jc, nc, bp, 0, NR);
                    } else {
                        bo = pc * nPad + jc * kc;
                    }
                    for (int ir = 0; ir < mc; ir += MR) {
                        int rows = Math.min(MR, mc - ir);
                        int ao = aBase + ir * kc, co = (ic + ir) * n + jc;
                        for (int jr = 0; jr < nc; jr += NR) {
                            CpuGemmKernel.kernel(kc, ap, ao, bp, bo + jr * kc, c, co + jr, n, loadC, be, rows,
                                    Math.min(NR, nc - jr), tmp);
                        }
                    }
                }
            }
        }
    }

    private static int roundUp(int x, int to) {
        return (x + to - 1) / to * to;
    }

    /**
     * Plain loops for products too small to pack and for JVMs without the Vector API; k may be 0
     * (C = beta * C). Each row of C is computed eight columns at a time as eight running sums over
     * k ({@link #dotRow}), so eight independent chains of adds hide the add latency; the previous
     * row-at-a-time axpy kept the C row in memory and ran 1.6-2x slower (about 1-2 GFLOP/s on the
     * small models' products; RESULTS.md). Rows are shared over the pool when the product is large
     * enough.
     */
    static void simple(CpuPool pool, boolean transA, boolean transB, int m, int n, int k, float alpha,
                               float[] a, float[] b, float beta, float[] c, float[] bias, Activation act, float actAlpha) {
        long work = (long) m * n * Math.max(1, k);
        int grain = (int) Math.max(1, Math.min(m, (1L << 16) / Math.max(1, (long) n * k)));
        pool.parallelFor(m, work < SMALL ? m : grain, (from, to) -> {
            float[] arow = new float[k];
            for (int i = from; i < to; i++) {
                for (int p = 0; p < k; p++) {
                    arow[p] = alpha * (transA ? a[p * m + i] : a[i * k + p]);
                }
                dotRow(transB, arow, b, n, k, beta, c, i * n);
            }
            epilogue(c, n, from, to, 0, n, bias, act, actAlpha);
        });
    }

    /**
     * C[co + j] = beta * C[co + j] + sum over p of arow[p] * op(B)[p, j] for j in [0, n), summed in
     * p order (C is not read when beta is 0). op(B) is k x n; B is k x n, or n x k if transB.
     */
    private static void dotRow(boolean transB, float[] arow, float[] b, int n, int k, float beta, float[] c, int co) {
        int j = 0;
        for (; j + 8 <= n; j += 8) {
            float s0 = 0f, s1 = 0f, s2 = 0f, s3 = 0f, s4 = 0f, s5 = 0f, s6 = 0f, s7 = 0f;
            if (transB) {
                int b0 = j * k, b1 = b0 + k, b2 = b1 + k, b3 = b2 + k, b4 = b3 + k, b5 = b4 + k, b6 = b5 + k, b7 = b6 + k;
                for (int p = 0; p < k; p++) {
                    float av = arow[p];
                    s0 += av * b[b0 + p];
                    s1 += av * b[b1 + p];
                    s2 += av * b[b2 + p];
                    s3 += av * b[b3 + p];
                    s4 += av * b[b4 + p];
                    s5 += av * b[b5 + p];
                    s6 += av * b[b6 + p];
                    s7 += av * b[b7 + p];
                }
            } else {
                for (int p = 0, bo = j; p < k; p++, bo += n) {
                    float av = arow[p];
                    s0 += av * b[bo];
                    s1 += av * b[bo + 1];
                    s2 += av * b[bo + 2];
                    s3 += av * b[bo + 3];
                    s4 += av * b[bo + 4];
                    s5 += av * b[bo + 5];
                    s6 += av * b[bo + 6];
                    s7 += av * b[bo + 7];
                }
            }
            int o = co + j;
            if (beta == 0f) {
                c[o] = s0;
                c[o + 1] = s1;
                c[o + 2] = s2;
                c[o + 3] = s3;
                c[o + 4] = s4;
                c[o + 5] = s5;
                c[o + 6] = s6;
                c[o + 7] = s7;
            } else {
                c[o] = beta * c[o] + s0;
                c[o + 1] = beta * c[o + 1] + s1;
                c[o + 2] = beta * c[o + 2] + s2;
                c[o + 3] = beta * c[o + 3] + s3;
                c[o + 4] = beta * c[o + 4] + s4;
                c[o + 5] = beta * c[o + 5] + s5;
                c[o + 6] = beta * c[o + 6] + s6;
                c[o + 7] = beta * c[o + 7] + s7;
            }
        }
        for (; j < n; j++) {
            float s = 0f;
            if (transB) {
                int bo = j * k;
                for (int p = 0; p < k; p++) {
                    s += arow[p] * b[bo + p];
                }
            } else {
                for (int p = 0, bo = j; p < k; p++, bo += n) {
                    s += arow[p] * b[bo];
                }
            }
            c[co + j] = beta == 0f ? s : beta * c[co + j] + s;
        }
    }

    /** Adds the bias and applies the activation to C[i0..i1, j0..j1] in place. */
    private static void epilogue(float[] c, int n, int i0, int i1, int j0, int j1, float[] bias, Activation act,
                                 float actAlpha) {
        if (bias == null && act == Activation.IDENTITY) {
            return;
        }
        for (int i = i0; i < i1; i++) {
            int co = i * n;
            if (bias != null) {
                for (int j = j0; j < j1; j++) {
                    c[co + j] += bias[j];
                }
            }
            if (act != Activation.IDENTITY) {
                CpuActivations.forward(act, actAlpha, c, co + j0, c, co + j0, j1 - j0);
            }
        }
    }
}
