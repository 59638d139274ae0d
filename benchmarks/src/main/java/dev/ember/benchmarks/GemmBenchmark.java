package dev.ember.benchmarks;

import dev.ember.runtime.Device;
import dev.ember.runtime.Devices;
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
 * Square SGEMM C = op(A) * op(B) through {@code Ops.gemm} on device-resident tensors, all four
 * transpose cases. The primary score is products per second; the {@code gflops} secondary metric
 * is GFLOP/s (2*n^3 per product). CPU thread count: {@code -jvmArgsAppend -Dember.cpu.threads=N}.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 5, jvmArgs = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
@State(Scope.Benchmark)
public class GemmBenchmark {
    @Param({"cpu"})
    public String device;

    @Param({"256", "512", "1024", "2048"})
    public int n;

    /** op(A) and op(B): N = as stored, T = transposed. */
    @Param({"NN", "NT", "TN", "TT"})
    public String trans;

    /** Data resident on the device, or including the host transfers a naive caller would pay. */
    @Param({"resident", "with_transfers"})
    public String mode;

    private GemmProblem problem;
    private final Owned owned = new Owned();

    /** GFLOP done, reported per second as a secondary metric. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Flops {
        public double gflops;
    }

    /**
     * Totals per iteration for a load-independent rate: GFLOP done and process CPU seconds spent.
     * gflopDone / cpuSeconds is GFLOP/s per busy core; unlike the wall-clock rate it does not drop
     * when other processes take the cores, so it separates JVM-to-JVM variance from host load.
     */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class CpuTime {
        private static final com.sun.management.OperatingSystemMXBean OS =
                (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        public double gflopDone;
        public double cpuSeconds;

        static long now() {
            return OS.getProcessCpuTime();
        }
    }

    @Setup(Level.Trial)
    public void setUp() {
        setUp(Devices.get(device));
    }

    /** {@link #setUp()} on {@code target}; what it allocated is closed again if it throws. */
    void setUp(Device target) {
        owned.setUp(() -> {
            problem = owned.add(new GemmProblem(target, trans.charAt(0) == 'T', trans.charAt(1) == 'T', n, n, n));
            problem.validate();
            BenchSupport.warmUp(problem.device, 1000, () -> problem.run(mode));
        });
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        owned.close();
    }

    @Benchmark
    public void gemm(Flops flops, CpuTime cpu) {
        long t0 = CpuTime.now();
        problem.run(mode);
        problem.device.synchronize();
        cpu.cpuSeconds += (CpuTime.now() - t0) * 1e-9;
        flops.gflops += problem.flops() * 1e-9;
        cpu.gflopDone += problem.flops() * 1e-9;
    }
}
