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

/** Bias gradient (column sums of dy, rows x cols): reads dy, writes db, 4·(R·C + C) bytes. */
@Fork(jvmArgs = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class BiasGradBenchmark {
    @Param({"cpu"})
    public String device;
    @Param({"128x256", "1024x1024", "4096x4096"})
    public String size;
    @Param({"resident", "with_transfers"})
    public String mode;

    private Device dev;
    private boolean transfers;
    private int rows, cols;
    private float[] hDy, hDb;
    private Tensor dy, db;
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
            hDy = BenchSupport.uniform(5, (long) rows * cols, -1f, 1f);
            hDb = new float[cols];
            dy = owned.add(dev.fromArray(hDy, rows, cols));
            db = owned.add(dev.empty(cols));
            Ops.biasGrad(dy, db, false);
            double[] ref = new double[cols];
            for (int r = 0; r < rows; r++) {
                for (int c = 0; c < cols; c++) {
                    ref[c] += hDy[r * cols + c];
                }
            }
            BenchSupport.check("biasGrad", db.toArray(), i -> ref[i], 1e-5 * Math.sqrt(rows), 1e-5);
        });
    }

    @Benchmark
    public void biasGrad(ByteCounter w) {
        if (transfers) {
            dy.copyFrom(hDy);
        }
        Ops.biasGrad(dy, db, false);
        if (transfers) {
            db.copyTo(hDb);
        }
        dev.synchronize();
        w.bytes += 4.0 * ((double) rows * cols + cols);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        owned.close();
    }
}
