package dev.ember.benchmarks;

import dev.ember.runtime.Device;
import dev.ember.runtime.Devices;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The GEMMs of one 784-256 dense layer at batch 128 and 1024 (shape suffix {@code _b128}, {@code _b1024}), weights stored 256x784 as PyTorch does:
 * forward Y = X * W^T (128x784 * 784x256, {@code gemm(false, true)}), input gradient dX = dY * W
 * (128x256 * 256x784) and weight gradient dW = dY^T * X (256x128 * 128x784). Scores as in
 * {@link GemmBenchmark}: products per second and the {@code gflops} secondary metric.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 5, jvmArgs = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
@State(Scope.Benchmark)
public class GemmMlpBenchmark {
    @Param({"cpu"})
    public String device;

    @Param({"mlp_fwd_b128", "mlp_dx_b128", "mlp_dw_b128", "mlp_fwd_b1024", "mlp_dx_b1024", "mlp_dw_b1024"})
    public String shape;

    /** Data resident on the device, or including the host transfers a naive caller would pay. */
    @Param({"resident", "with_transfers"})
    public String mode;

    private GemmProblem problem;
    private final Owned owned = new Owned();

    @Setup(Level.Trial)
    public void setUp() {
        setUp(Devices.get(device));
    }

    /** {@link #setUp()} on {@code dev}; what it allocated is closed again if it throws. */
    void setUp(Device dev) {
        // shape = mlp_<product>_b<batch>
        int cut = shape.lastIndexOf("_b");
        int batch;
        try {
            batch = Integer.parseInt(shape.substring(cut + 2));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("MLP shape '" + shape + "' does not end in _b<batch>, e.g. mlp_fwd_b128");
        }
        String product = shape.substring(0, Math.max(0, cut));
        owned.setUp(() -> {
            problem = owned.add(switch (product) {
                case "mlp_fwd" -> new GemmProblem(dev, false, true, batch, 256, 784);
                case "mlp_dx" -> new GemmProblem(dev, false, false, batch, 784, 256);
                case "mlp_dw" -> new GemmProblem(dev, true, false, 256, 784, batch);
                default -> throw new IllegalArgumentException("unknown MLP shape '" + shape
                        + "' (mlp_fwd, mlp_dx or mlp_dw with _b<batch>)");
            });
            problem.validate();
        });
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        owned.close();
    }

    @Benchmark
    public void gemm(GemmBenchmark.Flops flops, GemmBenchmark.CpuTime cpu) {
        long t0 = GemmBenchmark.CpuTime.now();
        problem.run(mode);
        problem.device.synchronize();
        cpu.cpuSeconds += (GemmBenchmark.CpuTime.now() - t0) * 1e-9;
        flops.gflops += problem.flops() * 1e-9;
        cpu.gflopDone += problem.flops() * 1e-9;
    }
}
