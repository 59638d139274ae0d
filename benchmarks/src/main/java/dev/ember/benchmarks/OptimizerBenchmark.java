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
 * One optimizer update over {@code size} parameters. Bytes per parameter: sgd (momentum), rmsprop
 * and adagrad read param, grad and one state and write param and state (20); adam/adamw read
 * param, grad, m, v and write param, m, v (28). {@code with_transfers} keeps parameters and state
 * on the host and moves them in and out around each update.
 */
@Fork(jvmArgs = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class OptimizerBenchmark {
    private static final float LR = 1e-3f, MOMENTUM = 0.9f, B1 = 0.9f, B2 = 0.999f, EPS = 1e-8f, ALPHA = 0.99f;
    private static final float WD = 0.01f;

    @Param({"cpu"})
    public String device;
    @Param({"1M", "4M", "16M", "64M"})
    public String size;
    @Param({"sgd", "adam", "adamw", "rmsprop", "adagrad"})
    public String optimizer;
    @Param({"resident", "with_transfers"})
    public String mode;

    private Device dev;
    private boolean transfers;
    private long n;
    private int step;
    private float[] hp, hg, hs1, hs2;
    private Tensor p, g, s1, s2;
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
            validate(4099);
            hp = BenchSupport.uniform(8, n, -1f, 1f);
            hg = BenchSupport.uniform(9, n, -1f, 1f);
            hs1 = new float[(int) n];
            hs2 = new float[(int) n];
            p = owned.add(dev.fromArray(hp, (int) n));
            g = owned.add(dev.fromArray(hg, (int) n));
            s1 = owned.add(dev.zeros((int) n));
            s2 = owned.add(dev.zeros((int) n));
        });
    }

    private void update(Tensor p, Tensor g, Tensor s1, Tensor s2, int t) {
        switch (optimizer) {
            case "sgd" -> Ops.sgd(p, g, s1, LR, MOMENTUM, 0f, false, t == 1);
            case "adam" -> Ops.adam(p, g, s1, s2, LR, B1, B2, EPS, 0f, false, t);
            case "adamw" -> Ops.adam(p, g, s1, s2, LR, B1, B2, EPS, WD, true, t);
            case "rmsprop" -> Ops.rmsprop(p, g, s1, LR, ALPHA, EPS, 0f);
            case "adagrad" -> Ops.adagrad(p, g, s1, LR, EPS, 0f);
            default -> throw new IllegalArgumentException("unknown optimizer '" + optimizer + "'");
        }
    }

    private boolean twoStates() {
        return optimizer.startsWith("adam");
    }

    /** Two steps on a small tensor from random state, against a float64 reference (PyTorch formulas). */
    private void validate(int len) {
        float[] p0 = BenchSupport.uniform(10, len, -1f, 1f), g0 = BenchSupport.uniform(11, len, -1f, 1f);
        float[] a0 = BenchSupport.uniform(12, len, -0.1f, 0.1f), b0 = BenchSupport.uniform(13, len, 0f, 0.01f);
        if (optimizer.equals("rmsprop") || optimizer.equals("adagrad")) {
            for (int i = 0; i < len; i++) {
                a0[i] = Math.abs(a0[i]); // squared-gradient state is non-negative
            }
        }
        double[] rp = new double[len];
        try (Tensor tp = dev.fromArray(p0, len); Tensor tg = dev.fromArray(g0, len);
             Tensor ta = dev.fromArray(a0, len); Tensor tb = dev.fromArray(b0, len)) {
            for (int i = 0; i < len; i++) {
                double pi = p0[i], gi = g0[i], a = a0[i], b = b0[i];
                for (int t = 1; t <= 2; t++) {
                    switch (optimizer) {
                        case "sgd" -> {
                            a = t == 1 ? gi : MOMENTUM * a + gi;
                            pi -= LR * a;
                        }
                        case "adam", "adamw" -> {
                            double gg = gi;
                            if (optimizer.equals("adamw")) {
                                pi *= 1 - (double) LR * WD;
                            }
                            a = B1 * a + (1 - B1) * gg;
                            b = B2 * b + (1 - B2) * gg * gg;
                            double mh = a / (1 - Math.pow(B1, t)), vh = b / (1 - Math.pow(B2, t));
                            pi -= LR * mh / (Math.sqrt(vh) + EPS);
                        }
                        case "rmsprop" -> {
                            a = ALPHA * a + (1 - ALPHA) * gi * gi;
                            pi -= LR * gi / (Math.sqrt(a) + EPS);
                        }
                        case "adagrad" -> {
                            a = a + gi * gi;
                            pi -= LR * gi / (Math.sqrt(a) + EPS);
                        }
                        default -> throw new IllegalArgumentException("unknown optimizer '" + optimizer + "'");
                    }
                }
                rp[i] = pi;
            }
            update(tp, tg, ta, tb, 1);
            update(tp, tg, ta, tb, 2);
            BenchSupport.check(optimizer + " update", tp.toArray(), i -> rp[i], 1e-6, 1e-4);
        }
    }

    @Benchmark
    public void update(ByteCounter w) {
        if (transfers) {
            p.copyFrom(hp);
            g.copyFrom(hg);
            s1.copyFrom(hs1);
            if (twoStates()) {
                s2.copyFrom(hs2);
            }
        }
        update(p, g, s1, s2, ++step);
        if (transfers) {
            p.copyTo(hp);
            s1.copyTo(hs1);
            if (twoStates()) {
                s2.copyTo(hs2);
            }
        }
        dev.synchronize();
        w.bytes += (twoStates() ? 28.0 : 20.0) * n;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        owned.close();
    }
}
