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
 * Reductions over a rows x cols matrix: {@code sum} (every element to one float, read back to the
 * host as the op returns it), {@code rowArgmax} (one index per row) and
 * {@code columnMeanVariance} (batch-norm statistics, two floats per column). Bytes counted: the
 * matrix read plus the results written. {@code with_transfers} uploads the matrix each time and
 * downloads the per-row or per-column results.
 */
@Fork(jvmArgs = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class ReductionBenchmark {
    @Param({"cpu"})
    public String device;
    @Param({"128x256", "1024x1024", "4096x1024"})
    public String size;
    @Param({"resident", "with_transfers"})
    public String mode;

    private Device dev;
    private boolean transfers;
    private int rows, cols;
    private float[] hx, hRows, hCols;
    private Tensor x, rowOut, mean, var;
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
            hx = BenchSupport.uniform(41, (long) rows * cols, -1f, 1f);
            hRows = new float[rows];
            hCols = new float[cols];
            x = owned.add(dev.fromArray(hx, rows, cols));
            rowOut = owned.add(dev.empty(rows));
            mean = owned.add(dev.empty(cols));
            var = owned.add(dev.empty(cols));
            validate();
        });
    }

    private void validate() {
        double total = 0;
        double[] m = new double[cols], v = new double[cols];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                double e = hx[r * cols + c];
                total += e;
                m[c] += e / rows;
            }
        }
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                double d = hx[r * cols + c] - m[c];
                v[c] += d * d / rows;
            }
        }
        double sumRef = total;
        BenchSupport.check("sum", new float[] {Ops.sum(x)}, i -> sumRef, 1e-4 * Math.sqrt((double) rows * cols), 1e-5);
        Ops.rowArgmax(x, rowOut);
        BenchSupport.check("rowArgmax", rowOut.toArray(), r -> {
            int best = 0;
            for (int c = 1; c < cols; c++) {
                if (hx[r * cols + c] > hx[r * cols + best]) {
                    best = c;
                }
            }
            return best;
        }, 0, 0);
        Ops.columnMeanVariance(x, mean, var);
        BenchSupport.check("column mean", mean.toArray(), c -> m[c], 1e-5, 1e-4);
        BenchSupport.check("column variance", var.toArray(), c -> v[c], 1e-5, 1e-4);
    }

    private void upload() {
        if (transfers) {
            x.copyFrom(hx);
        }
    }

    private double matrixBytes() {
        return 4.0 * rows * cols;
    }

    @Benchmark
    public float sum(ByteCounter w) {
        upload();
        float s = Ops.sum(x);
        w.bytes += matrixBytes() + 4;
        return s;
    }

    @Benchmark
    public void rowArgmax(ByteCounter w) {
        upload();
        Ops.rowArgmax(x, rowOut);
        if (transfers) {
            rowOut.copyTo(hRows);
        }
        dev.synchronize();
        w.bytes += matrixBytes() + 4.0 * rows;
    }

    @Benchmark
    public void columnMeanVariance(ByteCounter w) {
        upload();
        Ops.columnMeanVariance(x, mean, var);
        if (transfers) {
            mean.copyTo(hCols);
            var.copyTo(hCols);
        }
        dev.synchronize();
        w.bytes += matrixBytes() + 8.0 * cols;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        owned.close();
    }
}
