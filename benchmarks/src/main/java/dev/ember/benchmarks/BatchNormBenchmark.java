package dev.ember.benchmarks;

import dev.ember.runtime.Device;
import dev.ember.runtime.Ops;
import dev.ember.runtime.Tensor;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Training-mode batch normalisation over a rows x cols activation, as {@code BatchNorm1d} runs it:
 * {@code forward} is the column statistics plus the normalisation (x read twice, y written:
 * 12 bytes per element), {@code backward} the fused input, scale and shift gradients (x and dy
 * read, dx written: 12 bytes per element); the per-column vectors are counted too.
 * {@code with_transfers} uploads the inputs and downloads the output each time.
 */
@Fork(jvmArgs = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class BatchNormBenchmark {
    static final float EPS = 1e-5f;

    @Param({"cpu"})
    public String device;
    @Param({"128x256", "1024x1024", "4096x1024"})
    public String size;
    @Param({"resident", "with_transfers"})
    public String mode;

    private Device dev;
    private boolean transfers;
    private int rows, cols;
    private float[] hx, hdy, hGamma, hBeta, hOut;
    private Tensor x, dy, mean, var, gamma, beta, y, dx, dgamma, dbeta;
    private final Owned owned = new Owned();

    @Setup(Level.Trial)
    public void setUp() {
        setUp(BenchSupport.device(device));
    }

    /** {@link #setUp()} on {@code dev}; what it allocated is closed again if it throws. */
    void setUp(Device target) {
        owned.setUp(() -> {
            dev = target;
            transfers = BenchSupport.transfers(mode);
            int[] rc = Sizes.matrix(size);
            rows = rc[0];
            cols = rc[1];
            hx = BenchSupport.uniform(51, (long) rows * cols, -2f, 3f);
            hdy = BenchSupport.uniform(52, (long) rows * cols, -1f, 1f);
            hGamma = BenchSupport.uniform(53, cols, 0.5f, 1.5f);
            hBeta = BenchSupport.uniform(54, cols, -0.5f, 0.5f);
            hOut = new float[rows * cols];
            x = owned.add(dev.fromArray(hx, rows, cols));
            dy = owned.add(dev.fromArray(hdy, rows, cols));
            gamma = owned.add(dev.fromArray(hGamma, cols));
            beta = owned.add(dev.fromArray(hBeta, cols));
            mean = owned.add(dev.empty(cols));
            var = owned.add(dev.empty(cols));
            y = owned.add(dev.empty(rows, cols));
            dx = owned.add(dev.empty(rows, cols));
            dgamma = owned.add(dev.empty(cols));
            dbeta = owned.add(dev.empty(cols));
            validate();
        });
    }

    private void validate() {
        double[] m = new double[cols], v = new double[cols], sdy = new double[cols], sdyx = new double[cols];
        for (int i = 0; i < rows * cols; i++) {
            m[i % cols] += hx[i] / (double) rows;
        }
        for (int i = 0; i < rows * cols; i++) {
            double d = hx[i] - m[i % cols];
            v[i % cols] += d * d / rows;
        }
        for (int i = 0; i < rows * cols; i++) {
            int c = i % cols;
            double xhat = (hx[i] - m[c]) / Math.sqrt(v[c] + EPS);
            sdy[c] += hdy[i];
            sdyx[c] += hdy[i] * xhat;
        }
        Ops.columnMeanVariance(x, mean, var);
        Ops.batchNorm(x, mean, var, gamma, beta, EPS, y);
        BenchSupport.check("batchNorm forward", y.toArray(),
                i -> (hx[i] - m[i % cols]) / Math.sqrt(v[i % cols] + EPS) * hGamma[i % cols] + hBeta[i % cols],
                1e-4, 1e-4);
        Ops.batchNormBackward(x, mean, var, gamma, EPS, dy, dx, dgamma, dbeta);
        BenchSupport.check("batchNorm dbeta", dbeta.toArray(), c -> sdy[c], 1e-4 * Math.sqrt(rows), 1e-4);
        BenchSupport.check("batchNorm dgamma", dgamma.toArray(), c -> sdyx[c], 1e-4 * Math.sqrt(rows), 1e-4);
        BenchSupport.check("batchNorm dx", dx.toArray(), i -> {
            int c = i % cols;
            double inv = 1 / Math.sqrt(v[c] + EPS), xhat = (hx[i] - m[c]) * inv;
            return hGamma[c] * inv * (hdy[i] - sdy[c] / rows - xhat * sdyx[c] / rows);
        }, 1e-4, 1e-3);
    }

    @Benchmark
    public void forward(ByteCounter w) {
        if (transfers) {
            x.copyFrom(hx);
        }
        Ops.columnMeanVariance(x, mean, var);
        Ops.batchNorm(x, mean, var, gamma, beta, EPS, y);
        if (transfers) {
            y.copyTo(hOut);
        }
        dev.synchronize();
        w.bytes += 12.0 * rows * cols + 4.0 * 6 * cols;
    }

    @Benchmark
    public void backward(ByteCounter w) {
        if (transfers) {
            x.copyFrom(hx);
            dy.copyFrom(hdy);
        }
        Ops.batchNormBackward(x, mean, var, gamma, EPS, dy, dx, dgamma, dbeta);
        if (transfers) {
            dx.copyTo(hOut);
        }
        dev.synchronize();
        w.bytes += 12.0 * rows * cols + 4.0 * 5 * cols;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        owned.close();
    }
}
