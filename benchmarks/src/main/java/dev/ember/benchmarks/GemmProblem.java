package dev.ember.benchmarks;

import dev.ember.runtime.Device;
import dev.ember.runtime.Ops;
import dev.ember.runtime.Tensor;
import java.util.SplittableRandom;

/**
 * One device-resident GEMM problem C = op(A) * op(B) for the JMH suites, checked once against a
 * float64 reference so that a fast but wrong kernel cannot post a number.
 */
final class GemmProblem implements AutoCloseable {
    final Device device;
    final boolean transA, transB;
    final int m, n, k;
    final Tensor a, b, c;
    /** Host copies of A and B, and a host array for C, for the with-transfers form. */
    private final float[] hostA, hostB, hostC;
    private final Owned owned = new Owned();

    GemmProblem(Device device, boolean transA, boolean transB, int m, int n, int k) {
        this.device = device;
        this.transA = transA;
        this.transB = transB;
        this.m = m;
        this.n = n;
        this.k = k;
        try {
            this.a = owned.add(transA ? device.rand(11, -1f, 1f, k, m) : device.rand(11, -1f, 1f, m, k));
            this.b = owned.add(transB ? device.rand(12, -1f, 1f, n, k) : device.rand(12, -1f, 1f, k, n));
            this.c = owned.add(device.zeros(m, n));
            this.hostA = a.toArray();
            this.hostB = b.toArray();
            this.hostC = new float[m * n];
        } catch (RuntimeException | Error e) {
            owned.closeAfter(e); // no one else holds the tensors made so far
            throw e;
        }
    }

    /** Floating-point operations of one product, 2*M*N*K. */
    double flops() {
        return 2.0 * m * n * k;
    }

    void run() {
        Ops.gemm(transA, transB, 1f, a, b, 0f, c);
    }

    /** What a naive caller pays: upload A and B from host arrays, multiply, download C. */
    void runWithTransfers() {
        a.copyFrom(hostA);
        b.copyFrom(hostB);
        run();
        c.copyTo(hostC);
    }

    /** {@link #run} or {@link #runWithTransfers} by the benchmarks' mode parameter. */
    void run(String mode) {
        if (BenchSupport.WITH_TRANSFERS.equals(mode)) {
            runWithTransfers();
        } else {
            run();
        }
    }

    /** Runs once and compares 256 sampled entries with a float64 dot product (FP32 tolerance). */
    void validate() {
        run();
        device.synchronize();
        check(2e-6);
    }

    /**
     * Compares 256 sampled entries of C, as it stands, with a float64 dot product: |C - ref| <=
     * absPerK * k + 1e-5 |ref| (2e-6 suits FP32 accumulation, about 1e-4 TF32's 10-bit inputs).
     */
    void check(double absPerK) {
        float[] ha = a.toArray(), hb = b.toArray(), hc = c.toArray();
        SplittableRandom r = new SplittableRandom(5);
        for (int s = 0; s < 256; s++) {
            int i = r.nextInt(m), j = r.nextInt(n);
            double ref = 0;
            for (int p = 0; p < k; p++) {
                ref += (double) (transA ? ha[p * m + i] : ha[i * k + p]) * (transB ? hb[j * k + p] : hb[p * n + j]);
            }
            double tol = absPerK * k + 1e-5 * Math.abs(ref);
            if (!(Math.abs(hc[i * n + j] - ref) <= tol)) {
                throw new IllegalStateException("gemm on " + device.name() + " " + (transA ? "T" : "N") + (transB ? "T" : "N")
                        + " " + m + "x" + n + "x" + k + " is wrong: C[" + i + "," + j + "]=" + hc[i * n + j] + ", float64 reference "
                        + ref);
            }
        }
    }

    @Override
    public void close() {
        owned.close();
    }
}
