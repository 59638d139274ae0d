package dev.ember.benchmarks;

import dev.ember.runtime.Devices;
import dev.ember.runtime.cuda.CudaBackend;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
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
 * Ember's CUDA SGEMM against the vendor's, on the same device-resident square problem in the same
 * run: {@code ember} (the FP32 kernels {@code Ops.gemm} uses), {@code ember_tf32} (the TF32
 * tensor-core kernels, {@link CudaBackend#useTf32}) and {@code cublas} (JCublas2 SGEMM, which
 * needs libcublas.so.12; where it does not load, set-up fails with the reason and the other
 * variants still run). Products per second, with GFLOP/s as the {@code gflops} secondary metric.
 * Run it on a GPU with {@code java -cp ember.jar org.openjdk.jmh.Main VendorGemm}.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgs = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
@State(Scope.Benchmark)
public class VendorGemmBenchmark {
    @Param({"cuda"})
    public String device;

    @Param({"4096"})
    public int n;

    @Param({"ember", "ember_tf32", "cublas"})
    public String impl;

    private GemmProblem problem;
    private CudaBackend cuda;

    /** GFLOP done, reported per second as a secondary metric. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Flops {
        public double gflops;
    }

    @Setup(Level.Trial)
    public void setUp() {
        if (!impl.equals("ember") && !impl.equals("ember_tf32") && !impl.equals("cublas")) {
            throw new IllegalArgumentException("impl must be ember, ember_tf32 or cublas, got '" + impl + "'");
        }
        problem = new GemmProblem(Devices.get(device), false, false, n, n, n);
        try {
            if (!(problem.device.backend() instanceof CudaBackend be)) {
                throw new IllegalStateException("VendorGemmBenchmark needs a CUDA device, got " + device);
            }
            cuda = be;
            if (impl.equals("ember")) {
                cuda.useTf32(false); // FP32 even when the JVM was started with -Dember.cuda.tf32=true
            }
            if (impl.equals("ember_tf32") && !cuda.useTf32(true)) {
                throw new IllegalStateException("ember_tf32 unavailable on " + device + ": " + cuda.tf32Unavailable());
            }
            if (impl.equals("cublas")) {
                String why = cuda.cublasUnavailableReason();
                if (why != null) {
                    throw new IllegalStateException(why);
                }
            }
            run();
            problem.device.synchronize();
            problem.check(impl.equals("ember_tf32") ? 1e-4 : 2e-6);
        } catch (RuntimeException | Error e) {
            // JMH runs no tear-down after a failed set-up: leave the shared backend in FP32 and
            // free the device memory here, so later benchmarks in the same JVM are not affected.
            tearDown();
            throw e;
        }
    }

    private void run() {
        if (impl.equals("cublas")) {
            cuda.cublasSgemm(false, false, n, n, n, 1f, problem.a.storage(), problem.b.storage(), 0f,
                    problem.c.storage());
        } else {
            problem.run();
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (cuda != null) {
            cuda.useTf32(false);
            cuda = null;
        }
        if (problem != null) {
            problem.close();
            problem = null;
        }
    }

    @Benchmark
    public void gemm(Flops flops) {
        run();
        problem.device.synchronize();
        flops.gflops += problem.flops() * 1e-9;
    }
}
