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
 * Softmax cross-entropy with its gradient, rows x classes: reads logits and labels, writes the
 * gradient (4·(2·R·C + R) bytes). The loss read-back is part of the op.
 */
@Fork(jvmArgs = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class SoftmaxCrossEntropyBenchmark {
    @Param({"cpu"})
    public String device;
    @Param({"128x10", "1024x10", "1024x1000", "4096x1000"})
    public String size;
    @Param({"resident", "with_transfers"})
    public String mode;

    private Device dev;
    private boolean transfers;
    private int rows, cols;
    private float[] hLogits, hLabels, hGrad;
    private Tensor logits, labels, grad;
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
            hLogits = BenchSupport.uniform(3, (long) rows * cols, -4f, 4f);
            hLabels = BenchSupport.labels(4, rows, cols);
            hGrad = new float[rows * cols];
            logits = owned.add(dev.fromArray(hLogits, rows, cols));
            labels = owned.add(dev.fromArray(hLabels, rows));
            grad = owned.add(dev.empty(rows, cols));
            validate();
            BenchSupport.warmUp(dev, 1000, () -> Ops.softmaxCrossEntropy(logits, labels, grad));
        });
    }

    private void validate() {
        float loss = Ops.softmaxCrossEntropy(logits, labels, grad);
        double[] p = new double[rows * cols];
        double ref = 0;
        for (int r = 0; r < rows; r++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < cols; c++) {
                max = Math.max(max, hLogits[r * cols + c]);
            }
            double sum = 0;
            for (int c = 0; c < cols; c++) {
                sum += Math.exp(hLogits[r * cols + c] - max);
            }
            for (int c = 0; c < cols; c++) {
                p[r * cols + c] = Math.exp(hLogits[r * cols + c] - max) / sum;
            }
            int label = (int) hLabels[r];
            ref -= Math.log(p[r * cols + label]);
            p[r * cols + label] -= 1;
        }
        ref /= rows;
        final double refLoss = ref;
        BenchSupport.check("softmax cross-entropy loss", new float[] {loss}, i -> refLoss, 1e-5, 1e-3);
        BenchSupport.check("softmax cross-entropy gradient", grad.toArray(), i -> p[i] / rows, 1e-6 / rows, 1e-3);
    }

    @Benchmark
    public float loss(ByteCounter w) {
        if (transfers) {
            logits.copyFrom(hLogits);
            labels.copyFrom(hLabels);
        }
        float loss = Ops.softmaxCrossEntropy(logits, labels, grad);
        if (transfers) {
            grad.copyTo(hGrad);
        }
        dev.synchronize();
        w.bytes += 4.0 * (2.0 * rows * cols + rows);
        return loss;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        owned.close();
    }
}
