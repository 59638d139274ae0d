package dev.ember.benchmarks;

import dev.ember.nn.data.Splits;
import dev.ember.runtime.Device;
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
 * A shuffled mini-batch reaching the device, as the trainer sends one every step: rows picked by
 * a fixed random order from a host data set of {@code source} rows ({@code size} is batch rows x
 * columns; the default is Fashion-MNIST's 60,000 x 784 at batch 128). {@code copyRows} is
 * {@code Tensor.copyRowsFrom}; {@code gatherThenCopy} is the way it was done before (gather
 * into an array, then upload it), kept as the baseline. Bytes counted: the batch, once.
 */
@Fork(jvmArgs = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class BatchUploadBenchmark {
    @Param({"cpu"})
    public String device;
    @Param({"128x784"})
    public String size;
    @Param({"60000"})
    public int source;

    private Device dev;
    private int rows, cols, next;
    private float[] data, staged;
    private int[] order;
    private Tensor batch;
    private final Owned owned = new Owned();

    @Setup(Level.Trial)
    public void setUp() {
        setUp(BenchSupport.device(device));
    }

    /** {@link #setUp()} on {@code dev}; what it allocated is closed again if it throws. */
    void setUp(Device target) {
        owned.setUp(() -> {
            dev = target;
            int[] rc = Sizes.matrix(size);
            rows = rc[0];
            cols = rc[1];
            if (source < rows) {
                throw new IllegalArgumentException("source must hold at least a batch: " + source + " rows for "
                        + size);
            }
            data = BenchSupport.uniform(11, (long) source * cols, -1f, 1f);
            order = Splits.splitMix64Permutation(source, 12);
            staged = new float[rows * cols];
            batch = owned.add(dev.empty(rows, cols));
            batch.copyRowsFrom(data, order, 0);
            float[] got = batch.toArray();
            BenchSupport.check("batch upload", got, i -> data[order[i / cols] * cols + i % cols], 0, 0);
        });
    }

    /** The next batch's first index into {@code order}, wrapping before the partial tail. */
    private int nextFrom() {
        int from = next;
        next = next + 2 * rows > source ? 0 : next + rows;
        return from;
    }

    @Benchmark
    public void copyRows(ByteCounter w) {
        batch.copyRowsFrom(data, order, nextFrom());
        dev.synchronize();
        w.bytes += 4.0 * rows * cols;
    }

    @Benchmark
    public void gatherThenCopy(ByteCounter w) {
        int from = nextFrom();
        for (int i = 0; i < rows; i++) {
            System.arraycopy(data, order[from + i] * cols, staged, i * cols, cols);
        }
        batch.copyFrom(staged);
        dev.synchronize();
        w.bytes += 4.0 * rows * cols;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        owned.close();
    }
}
