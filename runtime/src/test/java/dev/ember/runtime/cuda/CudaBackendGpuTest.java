package dev.ember.runtime.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.ember.runtime.Activation;
import dev.ember.runtime.Backend;
import dev.ember.runtime.DeviceInfo;
import dev.ember.runtime.Devices;
import dev.ember.runtime.Storage;
import java.util.Random;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * CUDA-specific checks that need a GPU (skipped with the reason elsewhere): the SGEMM fast path
 * against float64 and cuBLAS, chunked pinned transfers, graph capture and replay of a training
 * step (bit-identical to running it eagerly), what capture refuses, and the out-of-memory path.
 * The op-by-op suite against the CPU backend lives in the device-parameterised tests.
 */
class CudaBackendGpuTest {
    private static CudaBackend cuda;

    /** Opens cuda:0 once, or skips each test with the reason (so reports list them as skipped). */
    @BeforeEach
    void open() {
        DeviceInfo info = Devices.info("cuda:0");
        Assumptions.assumeTrue(info.available(), () -> "CUDA unavailable: " + info.reason());
        if (cuda == null) {
            cuda = (CudaBackend) Devices.get("cuda:0").backend();
            System.out.println("cuda:0 = " + cuda.description() + ", images " + cuda.loadedImages());
        }
    }

    private static Storage up(float[] v) {
        Storage s = cuda.allocate(v.length);
        cuda.upload(v, 0, s, 0, v.length);
        return s;
    }

    private static float[] down(Storage s, int n) {
        float[] v = new float[n];
        cuda.download(s, 0, v, 0, n);
        return v;
    }

    private static float[] rand(Random r, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = r.nextFloat() * 2 - 1;
        }
        return v;
    }

    @Test
    void sgemmMatchesFloat64AndCublasOnAwkwardShapes() {
        int[][] shapes = {{1, 1, 1}, {7, 33, 1}, {127, 129, 33}, {130, 257, 20}, {1000, 1000, 1000}, {3, 2048, 5},
            {2048, 3, 300}, {513, 515, 1}};
        String cublasWhy = cuda.cublasUnavailableReason();
        System.out.println(cublasWhy == null ? "cuBLAS available" : cublasWhy);
        long seed = 20251126;
        for (int[] sh : shapes) {
            for (int t = 0; t < 4; t++) {
                int m = sh[0], n = sh[1], k = sh[2];
                boolean ta = t >= 2, tb = (t & 1) == 1;
                Random r = new Random(++seed);
                float[] a = rand(r, m * k), b = rand(r, k * n), c = rand(r, m * n), bias = rand(r, n);
                double[] ref = new double[m * n];
                for (int i = 0; i < m; i++) {
                    for (int j = 0; j < n; j++) {
                        double acc = 0;
                        for (int p = 0; p < k; p++) {
                            acc += (double) (ta ? a[p * m + i] : a[i * k + p]) * (tb ? b[j * k + p] : b[p * n + j]);
                        }
                        ref[i * n + j] = 0.5 * acc - 0.25 * c[i * n + j] + bias[j];
                    }
                }
                Storage sa = up(a), sb = up(b), sc = up(c), sbias = up(bias);
                cuda.gemm(ta, tb, m, n, k, 0.5f, sa, sb, -0.25f, sc, sbias, Activation.IDENTITY, 0f);
                float[] got = down(sc, m * n);
                double tol = 1e-5 * (1 + Math.sqrt(k)) * 4;
                for (int i = 0; i < got.length; i++) {
                    if (!(Math.abs(got[i] - ref[i]) <= tol + 1e-5 * Math.abs(ref[i]))) {
                        fail("gemm " + (ta ? "T" : "N") + (tb ? "T" : "N") + " " + m + "x" + n + "x" + k + " element " + i
                                + ": " + got[i] + " vs " + ref[i] + ", seed " + seed);
                    }
                }
                if (cublasWhy == null) {
                    cuda.upload(c, 0, sc, 0, c.length);
                    cuda.cublasSgemm(ta, tb, m, n, k, 0.5f, sa, sb, -0.25f, sc);
                    float[] cb = down(sc, m * n);
                    for (int i = 0; i < cb.length; i++) {
                        double want = ref[i] - bias[i % n];
                        if (!(Math.abs(cb[i] - want) <= tol + 1e-5 * Math.abs(want))) {
                            fail("cuBLAS " + m + "x" + n + "x" + k + " element " + i + ": " + cb[i] + " vs " + want);
                        }
                    }
                }
                for (Storage s : new Storage[] {sa, sb, sc, sbias}) {
                    cuda.release(s);
                }
            }
        }
    }

    @Test
    void tf32GemmIsWithinItsStatedPrecision() {
        String why = cuda.tf32Unavailable();
        Assumptions.assumeTrue(why == null, () -> "TF32: " + why);
        int[][] shapes = {{1, 1, 1}, {7, 33, 5}, {130, 257, 20}, {1000, 1000, 1000}, {513, 3, 77}};
        long seed = 4242;
        try {
            assertTrue(cuda.useTf32(true));
            for (int[] sh : shapes) {
                for (int t = 0; t < 4; t++) {
                    int m = sh[0], n = sh[1], k = sh[2];
                    boolean ta = t >= 2, tb = (t & 1) == 1;
                    Random r = new Random(++seed);
                    float[] a = rand(r, m * k), b = rand(r, k * n), bias = rand(r, n);
                    Storage sa = up(a), sb = up(b), sc = cuda.allocate((long) m * n), sbias = up(bias);
                    cuda.gemm(ta, tb, m, n, k, 1f, sa, sb, 0f, sc, sbias, Activation.IDENTITY, 0f);
                    float[] got = down(sc, m * n);
                    for (int i = 0; i < m; i++) {
                        for (int j = 0; j < n; j++) {
                            double acc = 0, mag = 0;
                            for (int p = 0; p < k; p++) {
                                double x = (double) (ta ? a[p * m + i] : a[i * k + p]) * (tb ? b[j * k + p] : b[p * n + j]);
                                acc += x;
                                mag += Math.abs(x);
                            }
                            double want = acc + bias[j];
                            // Both operands rounded to 10 mantissa bits: at most ~2^-10 of sum |a b|.
                            if (!(Math.abs(got[i * n + j] - want) <= 1e-3 * mag + 1e-5)) {
                                fail("tf32 " + m + "x" + n + "x" + k + " trans " + t + " at (" + i + "," + j + "): "
                                        + got[i * n + j] + " vs " + want + ", seed " + seed);
                            }
                        }
                    }
                    for (Storage s : new Storage[] {sa, sb, sc, sbias}) {
                        cuda.release(s);
                    }
                }
            }
        } finally {
            cuda.useTf32(false);
        }
    }

    @Test
    void transfersLargerThanTheStagingSlotsKeepOffsets() {
        int n = 3 * (PinnedStaging.SLOT_BYTES / 4) + 12345;
        float[] v = rand(new Random(7), n);
        Storage s = cuda.allocate(n + 10);
        cuda.fill(s, 0, n + 10, -1f);
        cuda.upload(v, 5, s, 10, n - 5);
        float[] back = new float[n + 10];
        cuda.download(s, 0, back, 0, n + 10);
        for (int i = 0; i < 10; i++) {
            assertEquals(-1f, back[i]);
        }
        for (int i = 5; i < n; i++) {
            if (back[i + 5] != v[i]) {
                fail("element " + i + ": " + back[i + 5] + " vs " + v[i]);
            }
        }
        cuda.release(s);
    }

    /** One SGD step of a 2-layer MLP on the backend, loss kept on the device in stats. */
    private static void step(Backend be, Storage x, Storage y, Storage w1, Storage b1, Storage w2, Storage b2, Storage h,
                             Storage z, Storage g, Storage dh, Storage dw1, Storage db1, Storage dw2, Storage db2,
                             Storage stats, int batch, int in, int hid, int out) {
        be.gemm(false, false, batch, hid, in, 1f, x, w1, 0f, h, b1, Activation.RELU, 0f);
        be.gemm(false, false, batch, out, hid, 1f, h, w2, 0f, z, b2, Activation.IDENTITY, 0f);
        be.softmaxCrossEntropy(z, y, g, stats, batch, out);
        be.gemm(true, false, hid, out, batch, 1f, h, g, 0f, dw2, null, Activation.IDENTITY, 0f);
        be.columnSums(g, db2, batch, out, 0f);
        be.gemm(false, true, batch, hid, out, 1f, g, w2, 0f, dh, null, Activation.IDENTITY, 0f);
        be.activationBackward(Activation.RELU, 0f, h, h, dh, dh, (long) batch * hid);
        be.gemm(true, false, in, hid, batch, 1f, x, dh, 0f, dw1, null, Activation.IDENTITY, 0f);
        be.columnSums(dh, db1, batch, hid, 0f);
        be.sgdUpdate(w1, dw1, null, (long) in * hid, 0.1f, 0f, 0f, false, false);
        be.sgdUpdate(b1, db1, null, hid, 0.1f, 0f, 0f, false, false);
        be.sgdUpdate(w2, dw2, null, (long) hid * out, 0.1f, 0f, 0f, false, false);
        be.sgdUpdate(b2, db2, null, out, 0.1f, 0f, 0f, false, false);
    }

    @Test
    void capturedTrainingStepReplaysBitIdenticallyToEagerSteps() {
        int batch = 64, in = 20, hid = 48, out = 10, steps = 5;
        Random r = new Random(99);
        float[] x = rand(r, batch * in), w1 = rand(r, in * hid), b1 = rand(r, hid), w2 = rand(r, hid * out), b2 = rand(r, out);
        float[] y = new float[batch];
        for (int i = 0; i < batch; i++) {
            y[i] = r.nextInt(out);
        }
        float[][] finals = new float[2][];
        float[][] losses = new float[2][steps];
        for (int mode = 0; mode < 2; mode++) {
            Storage sx = up(x), sy = up(y), sw1 = up(w1), sb1 = up(b1), sw2 = up(w2), sb2 = up(b2);
            Storage h = cuda.allocate((long) batch * hid), z = cuda.allocate((long) batch * out);
            Storage g = cuda.allocate((long) batch * out), dh = cuda.allocate((long) batch * hid);
            Storage dw1 = cuda.allocate((long) in * hid), db1 = cuda.allocate(hid), dw2 = cuda.allocate((long) hid * out);
            Storage db2 = cuda.allocate(out), stats = cuda.allocate(2);
            Runnable one = () -> step(cuda, sx, sy, sw1, sb1, sw2, sb2, h, z, g, dh, dw1, db1, dw2, db2, stats, batch, in,
                    hid, out);
            if (mode == 0) {
                for (int s = 0; s < steps; s++) {
                    one.run();
                    losses[0][s] = down(stats, 1)[0];
                }
            } else {
                try (CudaGraph graph = cuda.capture(one)) {
                    assertTrue(graph.capturedOps() >= 13, "captured " + graph.capturedOps() + " ops");
                    assertArrayEquals(w1, down(sw1, w1.length), "capture must not execute the step");
                    for (int s = 0; s < steps; s++) {
                        graph.replay();
                        losses[1][s] = down(stats, 1)[0];
                    }
                }
            }
            finals[mode] = down(sw1, w1.length);
            for (Storage s : new Storage[] {sx, sy, sw1, sb1, sw2, sb2, h, z, g, dh, dw1, db1, dw2, db2, stats}) {
                cuda.release(s);
            }
        }
        assertArrayEquals(losses[0], losses[1], "loss per step, eager vs replayed");
        assertArrayEquals(finals[0], finals[1], "weights after " + steps + " steps, eager vs replayed");
        assertTrue(losses[0][steps - 1] < losses[0][0], "training lowers the loss: " + java.util.Arrays.toString(losses[0]));
    }

    @Test
    void overlappingCopiesWithinOneBlockBehaveLikeMemmove() {
        float[] v = new float[100];
        for (int i = 0; i < v.length; i++) {
            v[i] = i;
        }
        Storage s = up(v);
        cuda.copy(s, 0, s, 10, 50);   // forward overlap
        cuda.copy(s, 60, s, 55, 40);  // backward overlap
        float[] want = v.clone();
        System.arraycopy(want, 0, want, 10, 50);
        System.arraycopy(want, 60, want, 55, 40);
        assertArrayEquals(want, down(s, 100));
        cuda.release(s);
    }

    @Test
    void captureRefusesHostWaitsAndLeavesTheDeviceUsable() {
        Storage s = up(new float[] {1, 2, 3});
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> cuda.capture(() -> cuda.download(s, 0, new float[3], 0, 3)));
        assertTrue(e.getMessage().contains("capture"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> cuda.capture(cuda::synchronize));
        cuda.scale(2f, s, s, 3);
        assertArrayEquals(new float[] {2, 4, 6}, down(s, 3));
        cuda.release(s);
    }

    @Test
    void outOfMemoryReportsBytesAndTheDeviceStaysUsable() {
        long huge = 1L << 40; // 4 TiB of floats: more than any GPU
        CudaOutOfMemoryException e = assertThrows(CudaOutOfMemoryException.class, () -> cuda.allocate(huge / 4));
        assertTrue(e.requestedBytes() >= huge - 4 && e.getMessage().contains("live"), e.getMessage());
        Storage ok = up(new float[] {42});
        assertEquals(42f, down(ok, 1)[0]);
        cuda.release(ok);
    }

    @Test
    void allocatorReusesReleasedBlocks() {
        long before = cuda.allocator().rawMallocCount();
        for (int i = 0; i < 100; i++) {
            cuda.release(cuda.allocate(1000 + i));
        }
        assertTrue(cuda.allocator().rawMallocCount() - before <= 1, "cache misses: "
                + (cuda.allocator().rawMallocCount() - before));
    }

    @Test
    void fmaPeakKernelComputesItsChainsAndMeasuresAPositiveRate() {
        float[] out = cuda.runFmaPeak(37);
        for (int gid = 0; gid < out.length; gid += 97) {
            assertEquals(dev.ember.runtime.FmaPeak.expected(gid, 37), out[gid], 0f, "fma_peak out[" + gid + "]");
        }
        double flops = cuda.measurePeakFlops();
        System.out.println("cuda:0 fma_peak " + flops / 1e12 + " TFLOP/s");
        assertTrue(Double.isFinite(flops) && flops > 0, "measurePeakFlops = " + flops);
    }
}
