package dev.ember.runtime.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.runtime.Storage;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * What the reference backend promises beyond the ops Ops checks: its name and description, that
 * closing it ends its pool's threads, and the first bad row softmax cross-entropy reports in
 * stats[1] (Backend's contract: Ops re-finds the row on the host, so only a backend-level test
 * sees it), with a bad row's gradient zeroed as losses.cl zeroes it.
 */
class CpuBackendTest {

    @Test
    void nameDescriptionAndThreads() {
        try (CpuBackend one = new CpuBackend(1); CpuBackend three = new CpuBackend(3)) {
            assertEquals("cpu", one.name());
            assertFalse(one.isGpu());
            assertEquals(1, one.threads());
            assertEquals(3, three.threads());
            String d1 = one.description(), d3 = three.description();
            assertTrue(d1.startsWith("pure Java on " + System.getProperty("os.arch") + ", 1 thread, "), d1);
            assertTrue(d3.startsWith("pure Java on " + System.getProperty("os.arch") + ", 3 threads, "), d3);
            assertTrue(d1.contains(Runtime.version().toString()), d1);
            assertEquals(!CpuVector.AVAILABLE, d1.contains(CpuBackend.NO_VECTOR), d1);
        }
    }

    /** Surefire runs the test classes one after another, so the threads new here are this backend's. */
    @Test
    void closeEndsThePoolThreads() throws InterruptedException {
        Set<Thread> before = new HashSet<>(Thread.getAllStackTraces().keySet());
        CpuBackend backend = new CpuBackend(3);
        List<Thread> workers = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t instanceof CpuPool.Worker && !before.contains(t)).toList();
        assertEquals(2, workers.size(), "a 3-thread backend starts two workers: " + workers);
        Storage x = backend.allocate(100_003);
        backend.fill(x, 0, 100_003, 1f);
        Storage out = backend.allocate(1);
        backend.sum(x, 100_003, out); // the workers take part
        float[] s = new float[1];
        backend.download(out, 0, s, 0, 1);
        assertEquals(100_003f, s[0]);
        backend.close();
        for (Thread t : workers) {
            t.join(10_000);
            assertFalse(t.isAlive(), t.getName() + " still runs after the backend was closed");
        }
    }

    @Test
    void softmaxCrossEntropyReportsTheFirstBadRowAndZeroesBadRows() {
        int rows = 6, cols = 5;
        try (CpuBackend cpu = new CpuBackend(2)) {
            // bad rows 2 (label == cols), 3 (not an integer) and 5 (negative); none; 0 (NaN) and 2
            float[][] cases = {{0, 4, 5, 1.5f, 2, -1}, {0, 1, 2, 3, 4, 0}, {Float.NaN, 1, 7, 3, 4, 0}};
            int[] first = {2, -1, 0};
            dev.ember.runtime.testing.Rand rnd = dev.ember.runtime.testing.Rand.fresh();
            for (int k = 0; k < cases.length; k++) {
                float[] z = rnd.uniform(rows * cols, -2f, 2f);
                Storage logits = cpu.allocate(z.length), labels = cpu.allocate(rows), grad = cpu.allocate(z.length),
                        stats = cpu.allocate(2);
                cpu.upload(z, 0, logits, 0, z.length);
                cpu.upload(cases[k], 0, labels, 0, rows);
                cpu.fill(grad, 0, z.length, Float.NaN);
                cpu.softmaxCrossEntropy(logits, labels, grad, stats, rows, cols);
                float[] st = new float[2], g = new float[z.length];
                cpu.download(stats, 0, st, 0, 2);
                cpu.download(grad, 0, g, 0, z.length);
                assertEquals(first[k], st[1], "stats[1] for labels " + java.util.Arrays.toString(cases[k]) + ", "
                        + rnd.seedNote());
                for (int r = 0; r < rows; r++) {
                    float l = cases[k][r];
                    if (!(l >= 0 && l < cols && l == Math.rint(l))) {
                        assertArrayEquals(new float[cols], java.util.Arrays.copyOfRange(g, r * cols, (r + 1) * cols),
                                "gradient of bad row " + r + ", " + rnd.seedNote());
                    }
                }
            }
        }
    }
}
