package dev.ember.benchmarks;

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
 * The GEMMs of one 784-256 dense layer at batch 128, weights stored 256x784 as PyTorch does:
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

    @Param({"mlp_fwd", "mlp_dx", "mlp_dw"})
    public String shape;

    private GemmProblem problem;

    @Setup(Level.Trial)
    public void setUp() {
        var dev = Devices.get(device);
        problem = switch (shape) {
            case "mlp_fwd" -> new GemmProblem(dev, false, true, 128, 256, 784);
            case "mlp_dx" -> new GemmProblem(dev, false, false, 128, 784, 256);
            case "mlp_dw" -> new GemmProblem(dev, true, false, 256, 784, 128);
            default -> throw new IllegalArgumentException("unknown MLP shape '" + shape + "' (mlp_fwd, mlp_dx, mlp_dw)");
        };
        problem.validate();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        problem.close();
    }

    @Benchmark
    public void gemm(GemmBenchmark.Flops flops, GemmBenchmark.CpuTime cpu) {
        long t0 = GemmBenchmark.CpuTime.now();
        problem.run();
        problem.device.synchronize();
        cpu.cpuSeconds += (GemmBenchmark.CpuTime.now() - t0) * 1e-9;
        flops.gflops += problem.flops() * 1e-9;
        cpu.gflopDone += problem.flops() * 1e-9;
    }
}
