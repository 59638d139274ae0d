package dev.ember.benchmarks;

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
 * Host-to-device and device-to-host copies of a whole tensor from/to a Java array (4 bytes per
 * element moved), and device-to-device copies (8 bytes per element: read plus write).
 */
@Fork(jvmArgs = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class TransferBenchmark {
    @Param({"cpu"})
    public String device;
    @Param({"1M", "16M", "64M"})
    public String size;

    private Device dev;
    private long n;
    private float[] host;
    private Tensor a, b;
    private final Owned owned = new Owned();

    @Setup(Level.Trial)
    public void setUp() {
        setUp(BenchSupport.device(device));
    }

    /** {@link #setUp()} on {@code dev}; what it allocated is closed again if it throws. */
    void setUp(Device target) {
        owned.setUp(() -> {
            dev = target;
            n = Sizes.elements(size);
            host = BenchSupport.uniform(7, n, -1f, 1f);
            a = owned.add(dev.fromArray(host, (int) n));
            b = owned.add(dev.empty((int) n));
            b.copyFrom(a);
            float[] back = b.toArray();
            BenchSupport.check("transfer round trip", back, i -> host[i], 0, 0);
        });
    }

    @Benchmark
    public void hostToDevice(ByteCounter w) {
        a.copyFrom(host);
        dev.synchronize();
        w.bytes += 4.0 * n;
    }

    @Benchmark
    public void deviceToHost(ByteCounter w) {
        a.copyTo(host);
        dev.synchronize();
        w.bytes += 4.0 * n;
    }

    @Benchmark
    public void deviceToDevice(ByteCounter w) {
        b.copyFrom(a);
        dev.synchronize();
        w.bytes += 8.0 * n;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        owned.close();
    }
}
