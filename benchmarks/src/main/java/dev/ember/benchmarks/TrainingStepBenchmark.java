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
 * One training step of a ReLU MLP with softmax cross-entropy and Adam, written directly with
 * runtime ops (no nn module): forward with fused GEMM + bias + ReLU, loss, backward (weight and
 * bias gradients, hidden-layer input gradients), and the Adam update of every parameter. Work
 * counted: the GEMM FLOPs, 2·B·in·out per product (forward 1, backward 2 per layer, except no
 * input gradient for the first layer). {@code with_transfers} uploads the batch and labels from
 * the host each step; the loss is read back in both modes.
 */
@Fork(jvmArgs = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class TrainingStepBenchmark {
    @Param({"cpu"})
    public String device;
    @Param({"784-256-128-10@128", "784-1024-1024-10@256", "784-1024-1024-10@1024"})
    public String size;
    @Param({"resident", "with_transfers"})
    public String mode;

    static final int VALIDATION_STEPS = 30;

    private Device dev;
    private boolean transfers;
    private int layers, batch, step;
    private int[] width;
    private float[] hx, hLabels;
    private Tensor x, labels, dLogits;
    /** Per layer: weights [in, out], bias, their gradients, Adam m and v for both. */
    private Tensor[] w, b, dw, db, mw, vw, mb, vb;
    /** Per layer: activation output [batch, out] and its gradient. */
    private Tensor[] h, dh;
    private final Owned owned = new Owned();
    private double flopPerStep;

    private Tensor own(Tensor t) {
        return owned.add(t);
    }

    @Setup(Level.Trial)
    public void setUp() {
        setUp(BenchSupport.device(device));
    }

    /** {@link #setUp()} on {@code target}; what it allocated is closed again if it throws. */
    void setUp(Device target) {
        owned.setUp(() -> setUpOn(target));
    }

    private void setUpOn(Device target) {
        dev = target;
        transfers = BenchSupport.transfers(mode);
        Sizes.Mlp mlp = Sizes.mlp(size);
        width = mlp.layers();
        batch = mlp.batch();
        layers = width.length - 1;
        hx = BenchSupport.uniform(20, (long) batch * width[0], 0f, 1f);
        hLabels = BenchSupport.labels(21, batch, width[layers]);
        x = own(dev.fromArray(hx, batch, width[0]));
        labels = own(dev.fromArray(hLabels, batch));
        w = new Tensor[layers];
        b = new Tensor[layers];
        dw = new Tensor[layers];
        db = new Tensor[layers];
        mw = new Tensor[layers];
        vw = new Tensor[layers];
        mb = new Tensor[layers];
        vb = new Tensor[layers];
        h = new Tensor[layers];
        dh = new Tensor[layers];
        for (int l = 0; l < layers; l++) {
            int in = width[l], out = width[l + 1];
            w[l] = own(dev.randn(100 + l, 0f, (float) Math.sqrt(2.0 / in), in, out));
            b[l] = own(dev.zeros(out));
            dw[l] = own(dev.empty(in, out));
            db[l] = own(dev.empty(out));
            mw[l] = own(dev.zeros(in, out));
            vw[l] = own(dev.zeros(in, out));
            mb[l] = own(dev.zeros(out));
            vb[l] = own(dev.zeros(out));
            h[l] = own(dev.empty(batch, out));
            dh[l] = own(dev.empty(batch, out));
            flopPerStep += 2.0 * batch * in * out * (l == 0 ? 2 : 3);
        }
        dLogits = dh[layers - 1];
        // Validation: repeated steps on one batch must lower the loss (a broken pass would not).
        // Adam's first steps on the wide nets overshoot (784-1024-1024-10: 2.66 -> 4.23 after 3
        // steps), so allow up to VALIDATION_STEPS before calling it broken.
        float first = trainStep(), best = first, last = first;
        for (int i = 1; i < VALIDATION_STEPS && !(best < 0.9f * first); i++) {
            last = trainStep();
            best = Math.min(best, last);
        }
        if (!(Float.isFinite(first) && best < 0.9f * first)) {
            throw new IllegalStateException("training step " + size + " on " + dev + ": loss did not fall by 10% in "
                    + VALIDATION_STEPS + " steps on one batch (" + first + " -> " + last + ", best " + best + ")");
        }
        // Some fifteen ops per step, each compiled on its own: in a fresh JVM the CPU step took
        // 20-50 ms for its first 0.5-1 s against 2-3 ms warm (the quick selection measured 24-42
        // steps/s).
        BenchSupport.warmUp(dev, 200, this::trainStep);
    }

    private float trainStep() {
        // forward: h[l] = act(h[l-1] W[l] + b[l]); the last layer is linear (logits)
        for (int l = 0; l < layers; l++) {
            Tensor in = l == 0 ? x : h[l - 1];
            Activation act = l == layers - 1 ? Activation.IDENTITY : Activation.RELU;
            Ops.gemm(false, false, 1f, in, w[l], 0f, h[l], b[l], act, 0f);
        }
        float loss = Ops.softmaxCrossEntropy(h[layers - 1], labels, dLogits);
        // backward: dh[l] holds d(loss)/d(pre-activation of layer l) once the ReLU mask is applied
        for (int l = layers - 1; l >= 0; l--) {
            Tensor in = l == 0 ? x : h[l - 1];
            Ops.gemm(true, false, 1f, in, dh[l], 0f, dw[l]);
            Ops.biasGrad(dh[l], db[l], false);
            if (l > 0) {
                Ops.gemm(false, true, 1f, dh[l], w[l], 0f, dh[l - 1]);
                // ReLU'(z) is 1 exactly where relu(z) > 0, so the stored output stands in for z.
                Ops.activationBackward(Activation.RELU, 0f, h[l - 1], h[l - 1], dh[l - 1], dh[l - 1]);
            }
        }
        step++;
        for (int l = 0; l < layers; l++) {
            Ops.adam(w[l], dw[l], mw[l], vw[l], 1e-3f, 0.9f, 0.999f, 1e-8f, 0f, false, step);
            Ops.adam(b[l], db[l], mb[l], vb[l], 1e-3f, 0.9f, 0.999f, 1e-8f, 0f, false, step);
        }
        return loss;
    }

    @Benchmark
    public float step(FlopCounter work) {
        if (transfers) {
            x.copyFrom(hx);
            labels.copyFrom(hLabels);
        }
        float loss = trainStep();
        dev.synchronize();
        work.flop += flopPerStep;
        return loss;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        owned.close();
    }
}
