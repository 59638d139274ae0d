package dev.ember.benchmarks;

import dev.ember.nn.Sequential;
import dev.ember.nn.data.Dataset;
import dev.ember.nn.data.Datasets;
import dev.ember.nn.data.Split;
import dev.ember.nn.loss.Loss;
import dev.ember.nn.optim.Optimizer;
import dev.ember.nn.train.Experiment;
import dev.ember.nn.train.History;
import dev.ember.nn.train.Progress;
import dev.ember.nn.train.RunConfig;
import dev.ember.nn.train.TrainConfig;
import dev.ember.nn.train.Trainer;
import dev.ember.runtime.Device;
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
 * End-to-end training throughput on Fashion-MNIST, the figure issue 5 compares with PyTorch:
 * one invocation is one epoch of {@link Trainer#fit} with the reference configuration
 * (784-256-128-10 ReLU, Adam 1e-3, batch 128, shuffled), so everything a user's epoch does is
 * timed: shuffling, copying the batches' rows to the device, forward, loss, the accuracy read-back,
 * backward and the optimizer. The {@code samples} counter gives samples per second; the score is
 * epochs per second. The model keeps training across invocations, as in a real run, and the
 * warm-up epochs absorb the JIT. Needs Debian's {@code dataset-fashion-mnist} (or
 * {@code -Dember.fashionMnist.dir}); the trial fails with that message otherwise.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 3, jvmArgs = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
        "-XX:+UseParallelGC"})
@State(Scope.Benchmark)
public class FashionMnistTrainingBenchmark {
    @Param({"cpu"})
    public String device;

    private Sequential model;
    private Optimizer optimizer;
    private Loss loss;
    private Dataset train;
    private RunConfig config;
    private long epoch;
    private final Owned owned = new Owned();

    /** Training samples processed, reported per second. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Samples {
        public long samples;
    }

    @Setup(Level.Trial)
    public void setUp() {
        Device dev = BenchSupport.device(device);
        config = RunConfig.reference("fashion-mnist");
        Split split = Datasets.reference("fashion-mnist");
        train = split.train();
        loss = Loss.parse(config.resolvedLoss(train.classes()));
        owned.setUp(() -> {
            model = owned.add(Experiment.buildModel(config, train.cols(), train.classes(), dev));
            optimizer = owned.add(Optimizer.create(config.optimizer(), model.parameters(), config.lr(),
                    config.resolvedWeightDecay(), config.momentum()));
        });
    }

    @Benchmark
    public double epoch(Samples counter) {
        TrainConfig tc = TrainConfig.defaults().withEpochs(1).withBatchSize(config.batchSize())
                .withSeed(config.seed() + epoch++).withProgress(Progress.Mode.QUIET);
        History h = new Trainer(model, loss, optimizer, tc, System.out).fit(train, null);
        counter.samples += h.samples();
        return h.epochs().get(0).loss();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        owned.close(); // the optimizer first, then the model, as they were made in the other order
    }
}
