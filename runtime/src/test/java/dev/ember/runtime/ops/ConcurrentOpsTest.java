package dev.ember.runtime.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ember.runtime.Activation;
import dev.ember.runtime.Device;
import dev.ember.runtime.Ops;
import dev.ember.runtime.Tensor;
import dev.ember.runtime.cpu.CpuBackend;
import dev.ember.runtime.testing.DeviceTest;
import dev.ember.runtime.testing.TestDevice;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * "Ops may be called from several threads at once": threads running GEMMs (both the row- and the
 * column-split shared-packing paths on the CPU), elementwise ops, softmax, reductions, a loss and
 * row uploads at the same time, each on its own tensors of one shared device, get bit for bit what
 * the same sequence gives on one thread (every backend is deterministic for a fixed input).
 */
class ConcurrentOpsTest {
    private static final int THREADS = 4;

    /** One thread's sequence of ops on its own tensors; returns every result, concatenated per op. */
    private static List<float[]> run(Device dev, int seed) {
        List<float[]> out = new ArrayList<>();
        // m >= n: rows split, op(B) packed once and shared; m < n: columns split, op(A) shared.
        int[][] gemms = {{256, 128, 96}, {64, 512, 96}, {40, 33, 17}};
        for (int g = 0; g < gemms.length; g++) {
            int m = gemms[g][0], n = gemms[g][1], k = gemms[g][2];
            try (Tensor a = dev.randn(seed * 31L + g, 0f, 1f, m, k); Tensor b = g == 1 ? dev.randn(seed * 37L + g, 0f, 1f, n, k) : dev.randn(seed * 37L + g, 0f, 1f, k, n);
                 Tensor bias = dev.randn(seed * 41L + g, 0f, 1f, n); Tensor c = dev.randn(seed * 43L + g, 0f, 1f, m, n)) {
                Ops.gemm(false, g == 1, 0.5f, a, b, 0.25f, c, bias,
                        Activation.RELU, 0f);
                out.add(c.toArray());
            }
        }
        try (Tensor x = dev.randn(seed * 53L, 0f, 2f, 64, 100); Tensor y = dev.randn(seed * 59L, 0f, 2f, 64, 100);
             Tensor s = dev.empty(64, 100); Tensor sm = dev.empty(64, 100); Tensor labels = dev.zeros(64);
             Tensor grad = dev.empty(64, 100)) {
            Ops.add(x, y, s);
            Ops.mul(s, y, s);
            Ops.softmax(s, sm);
            float loss = Ops.softmaxCrossEntropy(x, labels, grad);
            out.add(s.toArray());
            out.add(sm.toArray());
            out.add(grad.toArray());
            out.add(new float[] {loss, Ops.sum(x), Ops.sumSquares(y)});
        }
        float[] host = new float[50 * 20];
        for (int i = 0; i < host.length; i++) {
            host[i] = seed * 1000 + i;
        }
        int[] order = new int[50];
        for (int i = 0; i < order.length; i++) {
            order[i] = (i * 7 + seed) % 50;
        }
        try (Tensor rows = dev.empty(50, 20)) {
            rows.copyRowsFrom(host, order, 0);
            out.add(rows.toArray());
        }
        return out;
    }

    @DeviceTest
    void threadsRunningOpsAtOnceGetTheSingleThreadedResults(TestDevice td) throws Exception {
        Device dev = td.open();
        hammer(dev, THREADS, td.isCpu() ? 200 : 40);
    }

    /**
     * More pool threads than cores and more callers than pool threads: callers that find the pool
     * busy run inline, next to its workers, all packing GEMM operands at once.
     */
    @Test
    void callersOutnumberingAWidePoolGetTheSingleThreadedResults() throws Exception {
        try (Device dev = new Device(new CpuBackend(4))) {
            hammer(dev, 8, 100);
        }
    }

    /** {@code threads} threads each run {@link #run} {@code iterations} times, compared with one thread's results. */
    private static void hammer(Device dev, int threads, int iterations) throws Exception {
        List<List<float[]>> expected = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            expected.add(run(dev, t + 1));
        }
        ExecutorService ex = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<?>> fs = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int id = t;
                fs.add(ex.submit(() -> {
                    start.await();
                    for (int it = 0; it < iterations; it++) {
                        List<float[]> got = run(dev, id + 1);
                        List<float[]> want = expected.get(id);
                        assertEquals(want.size(), got.size());
                        for (int r = 0; r < want.size(); r++) {
                            assertArrayEquals(want.get(r), got.get(r), "thread " + id + ", iteration " + it
                                    + ", result " + r + " on " + dev);
                        }
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : fs) {
                f.get(5, TimeUnit.MINUTES);
            }
        } finally {
            ex.shutdownNow();
        }
    }
}
