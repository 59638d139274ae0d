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
 * Elementwise ops on n floats: {@code add} and {@code mul} (out = a op b, 12 bytes per element),
 * {@code axpy} (y += alpha x, 12 bytes) and {@code clamp} (8 bytes). {@code with_transfers}
 * uploads the inputs and downloads the result around each op.
 */
@Fork(jvmArgs = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class ElementwiseBenchmark {
    static final float ALPHA = 0.5f;
    static final float LO = -0.25f;
    static final float HI = 0.75f;

    @Param({"cpu"})
    public String device;
    @Param({"1M", "4M", "16M"})
    public String size;
    @Param({"resident", "with_transfers"})
    public String mode;

    private Device dev;
    private boolean transfers;
    private int n;
    private float[] ha, hb, hOut;
    private Tensor a, b, out;
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
            n = (int) Sizes.elements(size);
            ha = BenchSupport.uniform(31, n, -1f, 1f);
            hb = BenchSupport.uniform(32, n, -1f, 1f);
            hOut = new float[n];
            a = owned.add(dev.fromArray(ha, n));
            b = owned.add(dev.fromArray(hb, n));
            out = owned.add(dev.empty(n));
            Ops.add(a, b, out);
            BenchSupport.check("add", out.toArray(), i -> (double) ha[i] + hb[i], 1e-6, 1e-6);
            Ops.mul(a, b, out);
            BenchSupport.check("mul", out.toArray(), i -> (double) ha[i] * hb[i], 1e-6, 1e-6);
            Ops.clamp(LO, HI, a, out);
            BenchSupport.check("clamp", out.toArray(), i -> Math.min(HI, Math.max(LO, ha[i])), 0, 0);
            out.copyFrom(hb);
            Ops.axpy(ALPHA, a, out);
            BenchSupport.check("axpy", out.toArray(), i -> hb[i] + (double) ALPHA * ha[i], 1e-6, 1e-6);
        });
    }

    private void upload(boolean both) {
        if (transfers) {
            a.copyFrom(ha);
            if (both) {
                b.copyFrom(hb);
            }
        }
    }

    private void finish(ByteCounter w, double bytesPerElement) {
        if (transfers) {
            out.copyTo(hOut);
        }
        dev.synchronize();
        w.bytes += bytesPerElement * n;
    }

    @Benchmark
    public void add(ByteCounter w) {
        upload(true);
        Ops.add(a, b, out);
        finish(w, 12);
    }

    @Benchmark
    public void mul(ByteCounter w) {
        upload(true);
        Ops.mul(a, b, out);
        finish(w, 12);
    }

    /** out += alpha * a; out keeps growing by a small amount per call, which does not change the cost. */
    @Benchmark
    public void axpy(ByteCounter w) {
        if (transfers) {
            a.copyFrom(ha);
            out.copyFrom(hb);
        }
        Ops.axpy(ALPHA, a, out);
        finish(w, 12);
    }

    @Benchmark
    public void clamp(ByteCounter w) {
        upload(false);
        Ops.clamp(LO, HI, a, out);
        finish(w, 8);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        owned.close();
    }
}
