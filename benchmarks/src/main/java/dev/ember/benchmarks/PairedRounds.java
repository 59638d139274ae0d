package dev.ember.benchmarks;

import dev.ember.nn.Sequential;
import dev.ember.nn.SequentialBuilder;
import dev.ember.nn.loss.CrossEntropy;
import dev.ember.nn.optim.Adam;
import dev.ember.nn.optim.Optimizer;
import dev.ember.runtime.Activation;
import dev.ember.runtime.Device;
import dev.ember.runtime.Ops;
import dev.ember.runtime.Tensor;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Ember's half of a paired comparison driven by {@code benchmarks/scripts/step_vs_numpy.py}: it
 * reads one command per line on standard input, times it, and prints the seconds per repetition
 * on one line. The driver alternates these rounds with numpy's in the same seconds, so each
 * ratio compares the two on the same host state (this machine's speed moves by 50% within
 * minutes, which makes figures taken minutes apart useless to compare).
 *
 * <pre>
 * gemm NN|NT|TN|TT m n k reps   C = op(A) op(B), C m x n, inputs uniform in [-0.5, 0.5)
 * step LAYERS@BATCH reps         one training step of {@link TrainingStepBenchmark} (runtime ops)
 * nnstep LAYERS@BATCH reps       the same step as a user's model runs it: {@link Sequential} of fused
 *                                Linear + ReLU layers (weights [out, in], as PyTorch), cross-entropy, Adam
 * </pre>
 *
 * The device is the first argument ({@code cpu} unless given). A bad command gets a line starting
 * with {@code error:} and the process goes on.
 */
public final class PairedRounds {
    private final Device dev;
    private final Map<String, Tensor[]> products = new HashMap<>();
    private final Map<String, TrainingStepBenchmark> steps = new HashMap<>();
    private final FlopCounter counter = new FlopCounter();
    /** Everything the commands set up, closed when the input ends. */
    private final Owned owned = new Owned();

    private PairedRounds(Device dev) {
        this.dev = dev;
    }

    public static void main(String[] args) throws IOException {
        Device dev = BenchSupport.device(args.length > 0 ? args[0] : "cpu");
        serve(dev, new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)),
                new PrintStream(System.out, true, StandardCharsets.UTF_8));
    }

    /** Answers each command of {@code in} with one line on {@code out} until {@code in} ends. */
    static void serve(Device dev, BufferedReader in, PrintStream out) throws IOException {
        PairedRounds rounds = new PairedRounds(dev);
        try {
            for (String line; (line = in.readLine()) != null; ) {
                if (line.isBlank()) {
                    continue;
                }
                try {
                    out.println(String.format(Locale.ROOT, "%.9e", rounds.run(line.trim().split("\\s+"))));
                } catch (RuntimeException e) {
                    out.println("error: " + e.getMessage());
                }
            }
        } finally {
            rounds.close();
        }
    }

    /** Runs one command and returns seconds per repetition. */
    private double run(String[] cmd) {
        return switch (cmd[0]) {
            case "gemm" -> {
                expect(cmd, 6, "gemm NN|NT|TN|TT m n k reps");
                yield gemm(cmd[1], Integer.parseInt(cmd[2]), Integer.parseInt(cmd[3]), Integer.parseInt(cmd[4]),
                        Integer.parseInt(cmd[5]));
            }
            case "step" -> {
                expect(cmd, 3, "step LAYERS@BATCH reps");
                yield step(cmd[1], Integer.parseInt(cmd[2]));
            }
            case "nnstep" -> {
                expect(cmd, 3, "nnstep LAYERS@BATCH reps");
                yield nnStep(cmd[1], Integer.parseInt(cmd[2]));
            }
            default -> throw new IllegalArgumentException("unknown command '" + cmd[0] + "' (gemm, step or nnstep)");
        };
    }

    private static void expect(String[] cmd, int words, String usage) {
        if (cmd.length != words) {
            throw new IllegalArgumentException("usage: " + usage);
        }
        if (Integer.parseInt(cmd[words - 1]) < 1) {
            throw new IllegalArgumentException("reps must be at least 1, got " + cmd[words - 1]);
        }
    }

    private double gemm(String trans, int m, int n, int k, int reps) {
        if (!trans.matches("[NT][NT]")) {
            throw new IllegalArgumentException("transpose flags must be NN, NT, TN or TT, got " + trans);
        }
        if (m < 1 || n < 1 || k < 1) {
            throw new IllegalArgumentException("m, n and k must be at least 1, got " + m + " " + n + " " + k);
        }
        boolean ta = trans.charAt(0) == 'T', tb = trans.charAt(1) == 'T';
        Tensor[] t = products.computeIfAbsent(trans + " " + m + " " + n + " " + k, key -> {
            Owned made = new Owned();
            Tensor[] operands = made.build(() -> new Tensor[] {
                made.add(dev.fromArray(BenchSupport.uniform(1, (long) m * k, -0.5f, 0.5f), ta ? k : m, ta ? m : k)),
                made.add(dev.fromArray(BenchSupport.uniform(2, (long) k * n, -0.5f, 0.5f), tb ? n : k, tb ? k : n)),
                made.add(dev.empty(m, n))});
            owned.add(made);
            return operands;
        });
        long t0 = System.nanoTime();
        for (int i = 0; i < reps; i++) {
            Ops.gemm(ta, tb, 1f, t[0], t[1], 0f, t[2], null, Activation.IDENTITY, 0f);
        }
        dev.synchronize();
        return (System.nanoTime() - t0) / 1e9 / reps;
    }

    private double step(String size, int reps) {
        TrainingStepBenchmark s = steps.computeIfAbsent(size, key -> {
            TrainingStepBenchmark b = new TrainingStepBenchmark();
            b.device = dev.name();
            b.size = key;
            b.mode = "resident";
            b.setUp(dev); // closes what it made if it throws
            owned.add(b::tearDown);
            return b;
        });
        long t0 = System.nanoTime();
        for (int i = 0; i < reps; i++) {
            s.step(counter);
        }
        dev.synchronize();
        return (System.nanoTime() - t0) / 1e9 / reps;
    }

    /** A model, its optimizer and one resident batch. */
    private record NnStep(Sequential model, Optimizer optimizer, Tensor x, Tensor y, Tensor grad) {
        float run() {
            Tensor out = model.forward(x);
            float loss = LOSS.compute(out, y, grad);
            model.backward(grad);
            optimizer.step();
            return loss;
        }
    }

    private static final CrossEntropy LOSS = new CrossEntropy();
    private final Map<String, NnStep> nnSteps = new HashMap<>();

    private double nnStep(String size, int reps) {
        NnStep s = nnSteps.computeIfAbsent(size, key -> {
            Sizes.Mlp mlp = Sizes.mlp(key);
            int[] width = mlp.layers();
            int classes = width[width.length - 1];
            SequentialBuilder b = Sequential.builder(width[0]);
            for (int l = 1; l < width.length - 1; l++) {
                b.dense(width[l], "relu");
            }
            Owned made = new Owned();
            NnStep step = made.build(() -> {
                Sequential model = made.add(b.dense(classes).build(dev, 7));
                NnStep st = new NnStep(model, made.add(new Adam(model.parameters(), 1e-3f)),
                        made.add(dev.fromArray(BenchSupport.uniform(20, (long) mlp.batch() * width[0], 0f, 1f),
                                mlp.batch(), width[0])),
                        made.add(dev.fromArray(BenchSupport.labels(21, mlp.batch(), classes), mlp.batch())),
                        made.add(dev.empty(mlp.batch(), classes)));
                model.train(true);
                // Validation as in TrainingStepBenchmark: steps on one batch must lower the loss.
                float first = st.run();
                float[] best = {first};
                BenchSupport.warmUp(dev, 200, () -> best[0] = Math.min(best[0], st.run()));
                if (!(Float.isFinite(first) && best[0] < 0.9f * first)) {
                    throw new IllegalStateException("nnstep " + key + ": loss did not fall by 10% on one batch ("
                            + first + " -> best " + best[0] + ")");
                }
                return st;
            });
            owned.add(made);
            return step;
        });
        long t0 = System.nanoTime();
        for (int i = 0; i < reps; i++) {
            s.run();
        }
        dev.synchronize();
        return (System.nanoTime() - t0) / 1e9 / reps;
    }

    private void close() {
        owned.close();
    }
}
