package dev.ember.benchmarks;

import dev.ember.runtime.Activation;
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
 * Elementwise activations, forward (reads x, writes y: 8 bytes per element) and backward (reads
 * dy and the one saved tensor the derivative needs, x for relu and leaky_relu, y for sigmoid and
 * tanh, writes dx: 12 bytes per element; elu reads x and y: 16). {@code with_transfers} uploads the inputs from and
 * downloads the output to host arrays inside the timed call, as a naive caller would.
 */
@Fork(jvmArgs = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class ActivationBenchmark {
    @Param({"cpu"})
    public String device;
    @Param({"1M", "4M", "16M"})
    public String size;
    @Param({"relu", "sigmoid", "tanh", "leaky_relu", "elu"})
    public String act;
    @Param({"resident", "with_transfers"})
    public String mode;

    private Device dev;
    private Activation activation;
    private float alpha;
    private boolean transfers;
    private long n;
    private float[] hx, hy, hdy, hdx;
    private Tensor x, y, dy, dx;
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
            activation = Activation.parse(act);
            alpha = activation == Activation.ELU ? 1f : 0.01f;
            n = Sizes.elements(size);
            hx = BenchSupport.uniform(1, n, -3f, 3f);
            hdy = BenchSupport.uniform(2, n, -1f, 1f);
            hy = new float[(int) n];
            hdx = new float[(int) n];
            x = owned.add(dev.fromArray(hx, (int) n));
            y = owned.add(dev.empty((int) n));
            dy = owned.add(dev.fromArray(hdy, (int) n));
            dx = owned.add(dev.empty((int) n));
            validate();
        });
    }

    private void validate() {
        Ops.activation(activation, alpha, x, y);
        Ops.activationBackward(activation, alpha, x, y, dy, dx);
        float[] gy = y.toArray();
        float[] gdx = dx.toArray();
        // tolerances leave room for GPU fast-math exp/tanh
        BenchSupport.check(act + " forward", gy, i -> ref(hx[i]), 1e-5, 1e-4);
        BenchSupport.check(act + " backward", gdx, i -> hdy[i] * refGrad(hx[i]), 1e-5, 1e-4);
        System.arraycopy(gy, 0, hy, 0, gy.length); // the with_transfers backward uploads a real y
    }

    private double ref(double v) {
        return switch (activation) {
            case IDENTITY -> v;
            case RELU -> Math.max(v, 0);
            case LEAKY_RELU -> v > 0 ? v : alpha * v;
            case ELU -> v > 0 ? v : alpha * Math.expm1(v);
            case SIGMOID -> 1 / (1 + Math.exp(-v));
            case TANH -> Math.tanh(v);
        };
    }

    private double refGrad(double v) {
        return switch (activation) {
            case IDENTITY -> 1;
            case RELU -> v > 0 ? 1 : 0;
            case LEAKY_RELU -> v > 0 ? 1 : alpha;
            case ELU -> v > 0 ? 1 : alpha * Math.exp(v);
            case SIGMOID -> ref(v) * (1 - ref(v));
            case TANH -> 1 - Math.tanh(v) * Math.tanh(v);
        };
    }

    @Benchmark
    public void forward(ByteCounter w) {
        if (transfers) {
            x.copyFrom(hx);
        }
        Ops.activation(activation, alpha, x, y);
        if (transfers) {
            y.copyTo(hy);
        }
        dev.synchronize();
        w.bytes += 8.0 * n;
    }

    @Benchmark
    public void backward(ByteCounter w) {
        if (transfers) {
            x.copyFrom(hx);
            y.copyFrom(hy);
            dy.copyFrom(hdy);
        }
        Ops.activationBackward(activation, alpha, x, y, dy, dx);
        if (transfers) {
            dx.copyTo(hdx);
        }
        dev.synchronize();
        w.bytes += (activation == Activation.ELU ? 16.0 : 12.0) * n;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        owned.close();
    }
}
