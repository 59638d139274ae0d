package dev.ember.runtime.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

/** The spinning worker pool: every piece runs exactly once, failures surface, no call deadlocks. */
class CpuPoolTest {
    private static final Duration LIMIT = Duration.ofSeconds(60);

    /** Each index of [0, n) is visited exactly once, for piece counts below, at and above the thread count. */
    @Test
    void everyIndexRunsExactlyOnce() {
        try (CpuPool pool = new CpuPool(3)) {
            for (int n : new int[] {1, 2, 7, 33, 1000}) {
                for (int pieces : new int[] {2, 3, 7, 64}) {
                    AtomicIntegerArray hits = new AtomicIntegerArray(n);
                    pool.parallelPieces(n, pieces, (from, to) -> {
                        for (int i = from; i < to; i++) {
                            hits.incrementAndGet(i);
                        }
                    });
                    for (int i = 0; i < n; i++) {
                        assertEquals(1, hits.get(i), "n=" + n + " pieces=" + pieces + " index " + i);
                    }
                }
            }
        }
    }

    @Test
    void piecesAreTheDocumentedRanges() {
        try (CpuPool pool = new CpuPool(2)) {
            var seen = ConcurrentHashMap.<String>newKeySet();
            pool.parallelPieces(10, 3, (from, to) -> seen.add(from + ".." + to));
            assertEquals(java.util.Set.of("0..3", "3..6", "6..10"), seen);
        }
    }

    /** Back-to-back calls, with and without idle gaps long enough for the workers to park. */
    @Test
    void manyCallsWithGapsAllComplete() {
        assertTimeoutPreemptively(LIMIT, () -> {
            try (CpuPool pool = new CpuPool(2)) {
                long[] sum = new long[1];
                for (int call = 0; call < 2000; call++) {
                    if (call % 200 == 0) {
                        Thread.sleep(2); // past the spin window: the worker parks and must be woken
                    }
                    long[] parts = new long[2];
                    pool.parallelPieces(100, 2, (from, to) -> {
                        long s = 0;
                        for (int i = from; i < to; i++) {
                            s += i;
                        }
                        parts[from == 0 ? 0 : 1] = s;
                    });
                    sum[0] += parts[0] + parts[1];
                }
                assertEquals(2000L * 4950, sum[0]);
            }
        });
    }

    @Test
    void aFailingPieceIsRethrownToTheCaller() {
        try (CpuPool pool = new CpuPool(2)) {
            IllegalStateException boom = new IllegalStateException("boom");
            for (int failing = 0; failing < 4; failing++) {
                int bad = failing;
                var e = assertThrows(IllegalStateException.class, () -> pool.parallelPieces(4, 4, (from, to) -> {
                    if (from == bad) {
                        throw boom;
                    }
                }));
                assertSame(boom, e);
            }
            // A failure on a worker carries the caller's stack too, as a suppressed exception.
            boolean seen = false;
            for (int attempt = 0; attempt < 50 && !seen; attempt++) {
                RuntimeException fresh = new RuntimeException("on a worker?");
                Thread caller = Thread.currentThread();
                Thread[] ranOn = new Thread[1];
                RuntimeException e = null;
                try {
                    pool.parallelPieces(2, 2, (from, to) -> {
                        if (Thread.currentThread() != caller) {
                            ranOn[0] = Thread.currentThread();
                            throw fresh;
                        }
                        java.util.concurrent.locks.LockSupport.parkNanos(2_000_000); // let the worker take a piece
                    });
                } catch (RuntimeException thrown) {
                    e = thrown;
                }
                // When the worker did not wake in time, the caller ran both pieces and nothing threw: retry.
                if (ranOn[0] != null) {
                    assertSame(fresh, e);
                    assertEquals(1, e.getSuppressed().length);
                    // rethrowing the same object again adds nothing more
                    RuntimeException same = fresh;
                    for (int again = 0; again < 20 && same.getSuppressed().length == 1; again++) {
                        try {
                            pool.parallelPieces(2, 2, (from, to) -> {
                                if (Thread.currentThread() != caller) {
                                    throw fresh;
                                }
                                java.util.concurrent.locks.LockSupport.parkNanos(2_000_000);
                            });
                        } catch (RuntimeException ignored) {
                            // expected when the worker took a piece
                        }
                    }
                    assertEquals(1, fresh.getSuppressed().length, "one caller stack however often it is rethrown");
                    assertTrue(e.getSuppressed()[0].getMessage().contains(caller.getName()), e.getSuppressed()[0].getMessage());
                    seen = true;
                }
            }
            assertTrue(seen, "no piece ran on the worker in 50 calls");
            // and the pool still works afterwards
            AtomicIntegerArray hits = new AtomicIntegerArray(8);
            pool.parallelPieces(8, 2, (from, to) -> {
                for (int i = from; i < to; i++) {
                    hits.incrementAndGet(i);
                }
            });
            for (int i = 0; i < 8; i++) {
                assertEquals(1, hits.get(i));
            }
        }
    }

    /** A piece that calls the pool again runs the inner call inline instead of deadlocking. */
    @Test
    void nestedCallsRunInline() {
        assertTimeoutPreemptively(LIMIT, () -> {
            try (CpuPool pool = new CpuPool(2)) {
                AtomicIntegerArray hits = new AtomicIntegerArray(64);
                pool.parallelPieces(8, 2, (from, to) -> {
                    for (int outer = from; outer < to; outer++) {
                        int base = outer * 8;
                        pool.parallelPieces(8, 2, (f, t) -> {
                            for (int i = f; i < t; i++) {
                                hits.incrementAndGet(base + i);
                            }
                        });
                    }
                });
                for (int i = 0; i < 64; i++) {
                    assertEquals(1, hits.get(i), "index " + i);
                }
            }
        });
    }

    /** Several threads calling one pool at once: one gets the workers, the others run inline. */
    @Test
    void concurrentCallersAllGetCompleteResults() {
        assertTimeoutPreemptively(LIMIT, () -> {
            var callers = Executors.newFixedThreadPool(4);
            try (CpuPool pool = new CpuPool(2)) {
                List<Future<Long>> results = new ArrayList<>();
                for (int c = 0; c < 16; c++) {
                    int n = 10_000 + 7 * c;
                    results.add(callers.submit(() -> {
                        long total = 0;
                        for (int rep = 0; rep < 50; rep++) {
                            var sum = new java.util.concurrent.atomic.AtomicLong();
                            pool.parallelPieces(n, 5, (from, to) -> {
                                long s = 0;
                                for (int i = from; i < to; i++) {
                                    s += i;
                                }
                                sum.addAndGet(s);
                            });
                            total += sum.get();
                        }
                        return total;
                    }));
                }
                for (int c = 0; c < 16; c++) {
                    long n = 10_000 + 7 * c;
                    assertEquals(50 * (n * (n - 1) / 2), results.get(c).get(), "caller " + c);
                }
            } finally {
                callers.shutdownNow();
            }
        });
    }

    @Test
    void oneThreadRunsInlineAndAClosedPoolStillCompletesCalls() {
        try (CpuPool one = new CpuPool(1)) {
            Thread caller = Thread.currentThread();
            one.parallelPieces(10, 4, (from, to) -> assertSame(caller, Thread.currentThread()));
        }
        CpuPool two = new CpuPool(2);
        two.close();
        AtomicIntegerArray hits = new AtomicIntegerArray(5);
        two.parallelPieces(5, 5, (from, to) -> hits.incrementAndGet(from));
        for (int i = 0; i < 5; i++) {
            assertEquals(1, hits.get(i));
        }
        assertThrows(IllegalArgumentException.class, () -> new CpuPool(0));
        assertTrue(CpuPool.SPIN_NANOS >= 0);
    }
}
