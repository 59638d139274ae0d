package dev.ember.benchmarks;

import dev.ember.runtime.Device;
import dev.ember.runtime.Ops;
import dev.ember.runtime.Philox;
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
 * Inverted dropout at p = 0.5 with the Philox mask generated on the device: reads x, writes y
 * (8 bytes per element; the mask is computed, not read). The backward op is the same kernel.
 */
@Fork(jvmArgs = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class DropoutBenchmark {
    private static final float P = 0.5f;
    private static final long SEED = 0x5eedL;

    @Param({"cpu"})
    public String device;
    @Param({"1M", "16M", "64M"})
    public String size;
    @Param({"resident", "with_transfers"})
    public String mode;

    private Device dev;
    private boolean transfers;
    private long n;
    private float[] hx, hy;
    private Tensor x, y;
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
            n = Sizes.elements(size);
            hx = BenchSupport.uniform(6, n, -1f, 1f);
            hy = new float[(int) n];
            x = owned.add(dev.fromArray(hx, (int) n));
            y = owned.add(dev.empty((int) n));
            Ops.dropout(SEED, P, x, y);
            BenchSupport.check("dropout", y.toArray(),
                    i -> Philox.uniform(SEED, i) >= P ? hx[i] / (1.0 - P) : 0.0, 1e-7, 1e-6);
        });
    }

    @Benchmark
    public void forward(ByteCounter w) {
        if (transfers) {
            x.copyFrom(hx);
        }
        Ops.dropout(SEED, P, x, y);
        if (transfers) {
            y.copyTo(hy);
        }
        dev.synchronize();
        w.bytes += 8.0 * n;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        owned.close();
    }
}
