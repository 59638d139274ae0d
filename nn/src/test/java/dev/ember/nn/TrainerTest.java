package dev.ember.nn;

import dev.ember.nn.data.Dataset;
import dev.ember.nn.loss.Loss;
import dev.ember.nn.optim.Adam;
import dev.ember.nn.optim.LrSchedule;
import dev.ember.nn.optim.Optimizer;
import dev.ember.nn.train.History;
import dev.ember.nn.train.Metrics;
import dev.ember.nn.train.Progress;
import dev.ember.nn.train.Task;
import dev.ember.nn.train.TrainConfig;
import dev.ember.nn.train.Trainer;
import dev.ember.runtime.Device;
import dev.ember.runtime.Devices;
import dev.ember.runtime.Tensor;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Training loop behaviour on small synthetic data sets. */
class TrainerTest {
    static final Device CPU = Devices.cpu();

    /** Three Gaussian blobs in 5 dimensions; 103 rows so batches of 16 leave a partial one. */
    static Dataset blobs(long seed, int rows) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[rows * 5];
        float[] y = new float[rows];
        for (int i = 0; i < rows; i++) {
            int c = i % 3;
            y[i] = c;
            for (int j = 0; j < 5; j++) {
                x[i * 5 + j] = (float) ((j == c ? 2.0 : 0.0) + r.nextGaussian() * 0.7);
            }
        }
        return new Dataset("blobs", x, rows, 5, y, 3, null, null);
    }

    private static Map<String, float[]> train(long seed, Dataset d) {
        try (Sequential m = Sequential.builder(5).dense(16, "relu").dropout(0.3).batchNorm().dense(3).build(CPU, seed);
             Optimizer opt = new Adam(m.parameters(), 0.01f)) {
            TrainConfig c = TrainConfig.defaults().withEpochs(4).withBatchSize(16).withSeed(seed)
                    .withProgress(Progress.Mode.QUIET);
            new Trainer(m, Loss.parse("cross_entropy"), opt, c, null).fit(d, null);
            return Trainer.snapshot(m);
        }
    }

    @Test
    void sameSeedSameDeviceGivesBitwiseIdenticalWeights() {
        Dataset d = blobs(1, 103);
        Map<String, float[]> a = train(7, d);
        Map<String, float[]> b = train(7, d);
        Map<String, float[]> c = train(8, d);
        assertEquals(a.keySet(), b.keySet());
        for (String k : a.keySet()) {
            float[] x = a.get(k), y = b.get(k);
            for (int i = 0; i < x.length; i++) {
                assertEquals(Float.floatToRawIntBits(x[i]), Float.floatToRawIntBits(y[i]), k + "[" + i + "]");
            }
        }
        assertFalse(Arrays.equals(a.get("0.weight"), c.get("0.weight")), "another seed trains other weights");
    }

    @Test
    void steadyStateAllocatesNoDeviceTensors() {
        Dataset d = blobs(2, 103);
        try (Sequential m = Sequential.builder(5).dense(16, "relu").dropout(0.2).batchNorm().dense(3).build(CPU, 1);
             Optimizer opt = new Adam(m.parameters(), 0.01f)) {
            long before = CPU.liveTensors();
            TrainConfig c = TrainConfig.defaults().withEpochs(1).withBatchSize(16).withProgress(Progress.Mode.QUIET);
            Trainer t = new Trainer(m, Loss.parse("cross_entropy"), opt, c, null);
            t.fit(d, null);
            long afterOne = CPU.liveTensors();
            t.fit(d, null);
            t.fit(d, null);
            assertEquals(afterOne, CPU.liveTensors(), "live tensors after more epochs");
            assertTrue(afterOne >= before);
        }
    }

    @Test
    void modelAndOptimizerReleaseAllTheirTensors() {
        long before = CPU.liveTensors();
        Dataset d = blobs(3, 50);
        try (Sequential m = Sequential.builder(5).dense(8, "tanh").batchNorm().dense(3).softmax().build(CPU, 1);
             Optimizer opt = Optimizer.create("rmsprop", m.parameters(), 0.01f, 0f, -1f)) {
            m.predict(d.features(), d.rows(), 16);
            Tensor x = CPU.fromArray(d.features(), d.rows(), 5);
            m.forward(x);
            x.close();
        }
        assertEquals(before, CPU.liveTensors());
    }

    @Test
    void earlyStoppingRestoresTheBestValidationWeights() {
        // tiny noisy regression that overfits quickly with a big network
        SplittableRandom r = new SplittableRandom(3);
        int n = 60;
        float[] x = new float[n * 2], y = new float[n];
        for (int i = 0; i < n; i++) {
            x[2 * i] = (float) r.nextGaussian();
            x[2 * i + 1] = (float) r.nextGaussian();
            y[i] = (float) (x[2 * i] + r.nextGaussian());
        }
        Dataset d = new Dataset("noisy", x, n, 2, y, 0, null, null);
        try (Sequential m = Sequential.builder(2).dense(64, "relu").dense(64, "relu").dense(1).build(CPU, 1);
             Optimizer opt = new Adam(m.parameters(), 0.03f)) {
            TrainConfig c = TrainConfig.defaults().withEpochs(300).withBatchSize(8).withValidation(0.25)
                    .withEarlyStopping(5, true).withProgress(Progress.Mode.QUIET);
            Trainer t = new Trainer(m, Loss.parse("mse"), opt, c, null);
            History h = t.fit(d, null);
            assertTrue(h.stoppedEarly(), "stops early on noise");
            assertEquals(h.bestEpoch() + 6, h.epochs().size(), "stops patience epochs after the best");
            double bestVal = h.epochs().get(h.bestEpoch()).valLoss();
            for (History.Epoch e : h.epochs()) {
                assertTrue(e.valLoss() >= bestVal);
            }
            // the restored weights reproduce the best validation loss
            Dataset val = dev.ember.nn.data.Splits.random(d, 0.25, 43, false).test();
            double now = Trainer.evaluate(m, Loss.parse("mse"), val, 256).loss();
            assertEquals(bestVal, now, 1e-6 * Math.max(1, bestVal));
        }
    }

    /** Mistakes that would train nothing, or fail mid-epoch, are refused before the first batch. */
    @Test
    void fitRefusesAForeignOptimizerAndBatchNormBatchesOfOne() {
        Dataset d = blobs(3, 103);
        TrainConfig c = TrainConfig.defaults().withEpochs(1).withBatchSize(16).withProgress(Progress.Mode.QUIET);
        try (Sequential m = Sequential.builder(5).dense(8, "relu").dense(3).build(CPU, 1);
             Sequential other = Sequential.builder(5).dense(8, "relu").dense(3).build(CPU, 2);
             Optimizer opt = new Adam(other.parameters(), 0.01f)) {
            IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> new Trainer(m, Loss.parse("cross_entropy"), opt, c, null).fit(d, null));
            assertTrue(e.getMessage().contains("4 of its 4 tensors") && e.getMessage().contains("model.parameters()"),
                    e.getMessage());
        }
        // a validation fraction of one training row would leave nothing to train on
        try (Sequential m = Sequential.builder(5).dense(3).build(CPU, 1);
             Optimizer opt = new Adam(m.parameters(), 0.01f)) {
            IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> new Trainer(m, Loss.parse("cross_entropy"), opt, c.withValidation(0.2), null)
                            .fit(blobs(3, 1), null));
            assertTrue(e.getMessage().contains("validation fraction 0.2 needs at least 2 training rows")
                    && e.getMessage().contains("has 1"), e.getMessage());
        }
        // 103 rows in batches of 17 leave a last batch of 1.
        try (Sequential m = Sequential.builder(5).dense(8, "relu").batchNorm().dense(3).build(CPU, 1);
             Optimizer opt = new Adam(m.parameters(), 0.01f)) {
            IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> new Trainer(m, Loss.parse("cross_entropy"), opt, c.withBatchSize(17), null).fit(d, null));
            assertTrue(e.getMessage().contains("103 training rows in batches of 17 leave a batch of 1"), e.getMessage());
            assertEquals(0, opt.steps(), "nothing trained");
            new Trainer(m, Loss.parse("cross_entropy"), opt, c, null).fit(d, null); // 103 % 16 = 7: fine
            // 13 rows in batches of 3: 4 and 2 leave a batch of one as well; the suggestion must not.
            IllegalArgumentException s = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> new Trainer(m, Loss.parse("cross_entropy"), opt, c.withBatchSize(3), null)
                            .fit(blobs(5, 13), null));
            java.util.regex.Matcher g = java.util.regex.Pattern.compile("e\\.g\\. (\\d+)").matcher(s.getMessage());
            assertTrue(g.find(), s.getMessage());
            int suggested = Integer.parseInt(g.group(1));
            assertTrue(suggested >= 2 && 13 % suggested != 1, s.getMessage());
        }
    }

    /** Restoring a snapshot brings back BatchNorm's counter too, as loading a PyTorch state_dict does. */
    @Test
    void snapshotAndRestoreIncludeTheCounters() {
        try (Sequential m = Sequential.builder(5).batchNorm().dense(3).build(CPU, 1);
             Tensor x = CPU.fromArray(new float[20], 4, 5)) {
            m.forward(x);
            m.forward(x);
            Map<String, float[]> snap = Trainer.snapshot(m);
            m.forward(x);
            assertEquals(3, m.counters().get("0.num_batches_tracked").get());
            m.counters().get("0.num_batches_tracked").set((1L << 40) + 7); // restore is exact far above 2^24
            Map<String, float[]> big = Trainer.snapshot(m);
            Trainer.restore(m, snap);
            assertEquals(2, m.counters().get("0.num_batches_tracked").get());
            Trainer.restore(m, big);
            assertEquals((1L << 40) + 7, m.counters().get("0.num_batches_tracked").get());
        }
    }

    @Test
    void aFinalSoftmaxOrSigmoidBeforeALogitsLossIsWarnedAbout() {
        Dataset d = blobs(4, 40);
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        TrainConfig c = TrainConfig.defaults().withEpochs(1).withBatchSize(16).withProgress(Progress.Mode.PLAIN);
        try (Sequential m = Sequential.builder(5).dense(3).softmax().build(CPU, 1);
             Optimizer opt = new Adam(m.parameters(), 0.01f)) {
            new Trainer(m, Loss.parse("cross_entropy"), opt, c, new PrintStream(buf, true)).fit(d, null);
        }
        assertTrue(buf.toString().contains("warning: the model ends in Softmax"), buf.toString());
        buf.reset();
        float[] y2 = d.targets().clone();
        for (int i = 0; i < y2.length; i++) {
            y2[i] = y2[i] == 0 ? 0 : 1;
        }
        Dataset binary = new Dataset("two", d.features(), d.rows(), 5, y2, 2, null, null);
        try (Sequential m = Sequential.builder(5).dense(1).activation("sigmoid").build(CPU, 1);
             Optimizer opt = new Adam(m.parameters(), 0.01f)) {
            new Trainer(m, Loss.parse("bce"), opt, c, new PrintStream(buf, true)).fit(binary, null);
        }
        assertTrue(buf.toString().contains("warning: the model ends in Sigmoid, but bce takes logits and applies the"
                + " sigmoid itself"), buf.toString());
        buf.reset();
        try (Sequential m = Sequential.builder(5).dense(3).build(CPU, 1);
             Optimizer opt = new Adam(m.parameters(), 0.01f)) {
            new Trainer(m, Loss.parse("cross_entropy"), opt, c, new PrintStream(buf, true)).fit(d, null);
        }
        assertFalse(buf.toString().contains("warning"), buf.toString());
    }

    @Test
    void progressPlainLinesAndQuiet() {
        Dataset d = blobs(4, 40);
        for (Progress.Mode mode : new Progress.Mode[] {Progress.Mode.PLAIN, Progress.Mode.QUIET, Progress.Mode.BAR}) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (Sequential m = Sequential.builder(5).dense(3).build(CPU, 1);
                 Optimizer opt = new Adam(m.parameters(), 0.01f)) {
                TrainConfig c = TrainConfig.defaults().withEpochs(3).withBatchSize(8).withValidation(0.2)
                        .withProgress(mode);
                new Trainer(m, Loss.parse("cross_entropy"), opt, c, new PrintStream(bytes, true)).fit(d, null);
            }
            String s = bytes.toString();
            switch (mode) {
                case QUIET -> assertEquals("", s);
                case PLAIN -> {
                    assertEquals(3, s.lines().count(), s);
                    assertTrue(s.contains("epoch 3/3") && s.contains("val_acc") && !s.contains("\r"), s);
                }
                case BAR -> assertTrue(s.contains("\r") && s.contains("samples/s") && s.contains("ETA"), s);
                default -> {
                }
            }
        }
    }

    @Test
    void scheduleChangesTheLearningRatePerEpoch() {
        assertEquals(0.1f, LrSchedule.step(2, 0.5f).lr(0.1f, 1, 10), 1e-9);
        assertEquals(0.05f, LrSchedule.step(2, 0.5f).lr(0.1f, 2, 10), 1e-9);
        assertEquals(0.1f * 0.9f * 0.9f, LrSchedule.exponential(0.9f).lr(0.1f, 2, 10), 1e-7);
        assertEquals(0.05f, LrSchedule.cosine().lr(0.1f, 5, 10), 1e-7);
        assertEquals(0.1f, LrSchedule.parse("cosine").lr(0.1f, 0, 10), 1e-9);
        Dataset d = blobs(5, 30);
        try (Sequential m = Sequential.builder(5).dense(3).build(CPU, 1);
             Optimizer opt = new Adam(m.parameters(), 0.1f)) {
            TrainConfig c = TrainConfig.defaults().withEpochs(4).withSchedule(LrSchedule.parse("step:1:0.5"))
                    .withProgress(Progress.Mode.QUIET);
            History h = new Trainer(m, Loss.parse("cross_entropy"), opt, c, null).fit(d, null);
            assertArrayEquals(new double[] {0.1, 0.05, 0.025, 0.0125}, h.series("lr"), 1e-7);
        }
    }

    @Test
    void metricsMatchHandComputedValues() {
        Metrics.Classification c = Metrics.classification(new int[] {0, 1, 1, 2, 2, 2}, new int[] {0, 1, 2, 2, 2, 0}, 3);
        assertEquals(4 / 6.0, c.accuracy(), 1e-12);
        assertArrayEquals(new int[] {1, 0, 1}, c.confusion()[0]);
        assertArrayEquals(new double[] {1.0, 0.5, 2 / 3.0}, c.precision(), 1e-12);
        assertArrayEquals(new double[] {0.5, 1.0, 2 / 3.0}, c.recall(), 1e-12);
        assertArrayEquals(new double[] {2 * 0.5 / 1.5, 2 * 0.5 / 1.5, 2 / 3.0}, c.f1(), 1e-12);
        Metrics.Regression r = Metrics.regression(new float[] {1, 2, 4}, new float[] {1, 3, 5});
        assertEquals(2 / 3.0, r.mse(), 1e-6);
        assertEquals(2 / 3.0, r.mae(), 1e-6);
        assertEquals(1 - 2.0 / 8.0, r.r2(), 1e-6); // mean 3, SST 8, SSE 2
    }

    /**
     * Predicted classes follow torch.argmax, as Ops.rowArgmax does on the device: a NaN output is the
     * prediction (first NaN of the row), else the first largest output; a binary NaN logit is class 0.
     * Random rows with planted NaNs, infinities and ties are compared with Ops.rowArgmax; accuracy then
     * counts a NaN row as the class at its first NaN.
     */
    @Test
    void predictedClassesFollowRowArgmaxNanFirst() {
        float nan = Float.NaN, inf = Float.POSITIVE_INFINITY;
        assertArrayEquals(new int[] {1, 0, 0, 2, 0},
                Task.CLASSIFICATION.predictClasses(new float[] {1, nan, 3, nan, nan, 2, 4, 4, 1, -inf, 5, nan, inf, 0,
                        -inf}, 5, 3));
        assertArrayEquals(new int[] {0, 1, 0}, Task.BINARY.predictClasses(new float[] {nan, 0.5f, 0f}, 3, 1));
        long seed = System.nanoTime();
        SplittableRandom r = new SplittableRandom(seed);
        int rows = 127, classes = 33;
        float[] out = new float[rows * classes];
        for (int i = 0; i < out.length; i++) {
            int pick = r.nextInt(40);
            out[i] = pick == 0 ? nan : pick == 1 ? inf : pick == 2 ? 4f : (float) r.nextDouble(-3, 3);
        }
        int[] labels = new int[rows];
        for (int i = 0; i < rows; i++) {
            labels[i] = r.nextInt(classes);
        }
        int[] predicted = Task.CLASSIFICATION.predictClasses(out, rows, classes);
        try (Tensor t = CPU.fromArray(out, rows, classes); Tensor idx = CPU.empty(rows)) {
            dev.ember.runtime.Ops.rowArgmax(t, idx);
            float[] device = idx.toArray();
            int correct = 0;
            for (int i = 0; i < rows; i++) {
                assertEquals((int) device[i], predicted[i], "row " + i + " seed " + seed);
                correct += predicted[i] == labels[i] ? 1 : 0;
            }
            assertEquals(correct / (double) rows, Metrics.classification(predicted, labels, classes).accuracy(), 1e-12,
                    "seed " + seed);
        }
    }

    /**
     * evaluate() no longer goes through a DataLoader, which used to reject these; an empty data set
     * must not come back as a NaN loss (fit's early stopping would then quietly stop on it), and a
     * batch size below 1 must be named rather than fail on a 0-row tensor or a negative array size.
     */
    @Test
    void evaluateRejectsAnEmptyDataSetAndABatchSizeBelowOne() {
        Dataset d = blobs(4, 20);
        try (Sequential m = Sequential.builder(5).dense(8, "relu").dense(3).build(CPU, 1)) {
            Loss ce = Loss.parse("cross_entropy");
            IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> Trainer.evaluate(m, ce, d.subset(new int[0]), 16));
            assertTrue(e.getMessage().contains("no rows"), e.getMessage());
            for (int bs : new int[] {0, -1}) {
                e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                        () -> Trainer.evaluate(m, ce, d, bs));
                assertTrue(e.getMessage().contains("batchSize must be >= 1"), e.getMessage());
            }
        }
    }

    /**
     * Evaluation reads the model's output after its forward: a predict from another thread in
     * between (same batch size, so the same output buffer) used to replace it, about 2% of the time.
     */
    @Test
    void evaluateIsNotCorruptedByAConcurrentPredict() throws Exception {
        Dataset d = blobs(5, 64);
        Loss loss = Loss.parse("cross_entropy");
        try (Sequential m = Sequential.builder(5).dense(64, "relu").dense(3).build(CPU, 1)) {
            float[] expected = Trainer.evaluate(m, loss, d, 64).outputs();
            float[] other = new float[d.features().length];
            java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
            java.util.concurrent.atomic.AtomicReference<Throwable> error = new java.util.concurrent.atomic.AtomicReference<>();
            Thread predictor = new Thread(() -> {
                try {
                    while (!stop.get()) {
                        m.predict(other, d.rows(), 64);
                    }
                } catch (Throwable e) {
                    error.set(e);
                }
            });
            predictor.start();
            int wrong = 0;
            try {
                for (int i = 0; i < 1500; i++) {
                    if (!Arrays.equals(expected, Trainer.evaluate(m, loss, d, 64).outputs())) {
                        wrong++;
                    }
                }
            } finally {
                stop.set(true);
                predictor.join();
            }
            if (error.get() != null) {
                throw new AssertionError("a prediction failed", error.get());
            }
            assertEquals(0, wrong, "evaluations whose outputs differed from the single-thread ones");
        }
    }

    /** A null loss used to be read as regression and reported as "regression needs one output". */
    @Test
    void nullArgumentsAreNamed() {
        try (Sequential m = Sequential.builder(5).dense(3).build(CPU, 1);
             Optimizer opt = new Adam(m.parameters(), 0.01f)) {
            NullPointerException e = org.junit.jupiter.api.Assertions.assertThrows(NullPointerException.class,
                    () -> new Trainer(m, null, opt, TrainConfig.defaults(), null));
            assertEquals("Trainer: loss is null", e.getMessage());
            NullPointerException ev = org.junit.jupiter.api.Assertions.assertThrows(NullPointerException.class,
                    () -> Trainer.evaluate(m, null, blobs(1, 8), 4));
            assertTrue(ev.getMessage().contains("loss"), ev.getMessage());
        }
    }

    /**
     * With a learning rate of 0 the model is the same at every step, so an epoch's training loss and
     * accuracy must be those of evaluate: means over rows, the partial last batch (33 rows in batches
     * of 7) weighted by its 5 rows.
     */
    @Test
    void epochLossAndAccuracyAreMeansOverTheEpochsRows() {
        Dataset d = blobs(6, 33);
        try (Sequential m = Sequential.builder(5).dense(3).build(CPU, 2);
             Optimizer opt = new dev.ember.nn.optim.Sgd(m.parameters(), 0f, 0f, 0f, false)) {
            // weights that read the blobs' first three coordinates: mostly right, unlike any constant guess
            float[] w = new float[15];
            for (int c = 0; c < 3; c++) {
                w[c * 5 + c] = 1f;
            }
            m.parameters().get(0).value().copyFrom(w);
            m.parameters().get(1).value().copyFrom(new float[3]);
            TrainConfig c = TrainConfig.defaults().withEpochs(2).withBatchSize(7).withProgress(Progress.Mode.QUIET);
            History h = new Trainer(m, Loss.parse("cross_entropy"), opt, c, null).fit(d, null);
            dev.ember.nn.train.Evaluation ev = Trainer.evaluate(m, Loss.parse("cross_entropy"), d, 256);
            assertTrue(ev.accuracy() > 0.5 && ev.accuracy() < 1, "accuracy " + ev.accuracy() + " tells counts apart");
            for (History.Epoch e : h.epochs()) {
                assertEquals(ev.loss(), e.loss(), 1e-6 * ev.loss(), "epoch " + e.epoch());
                assertEquals(ev.accuracy(), e.accuracy(), 1e-12, "epoch " + e.epoch());
                assertTrue(e.seconds() >= 0 && e.seconds() <= h.seconds(), e + " within " + h.seconds());
            }
            assertEquals(66, h.samples());
            assertEquals(66 / h.seconds(), h.samplesPerSecond(), 1e-9 * h.samplesPerSecond());
            assertFalse(h.stoppedEarly());
            assertEquals(-1, h.bestEpoch(), "no early stopping, no best epoch");
        }
    }

    /**
     * Fit leaves the model in evaluation mode and the optimizer at its own learning rate, whatever
     * the schedule did; evaluate restores the mode it found, evaluates in evaluation mode (no
     * dropout), and gives the same result in batches of 1.
     */
    @Test
    void fitAndEvaluateLeaveTheModeAndLearningRateAsDocumented() {
        Dataset d = blobs(7, 33);
        Loss ce = Loss.parse("cross_entropy");
        try (Sequential m = Sequential.builder(5).dense(8, "relu").dropout(0.5).dense(3).build(CPU, 2);
             Optimizer opt = new Adam(m.parameters(), 0.02f)) {
            long t0 = System.nanoTime();
            TrainConfig c = TrainConfig.defaults().withEpochs(3).withBatchSize(8)
                    .withSchedule(LrSchedule.parse("step:1:0.5")).withProgress(Progress.Mode.QUIET);
            History h = new Trainer(m, ce, opt, c, null).fit(d, null);
            double wall = (System.nanoTime() - t0) / 1e9;
            assertTrue(h.seconds() > 0 && h.seconds() <= wall, h.seconds() + " s of " + wall);
            assertEquals(0.02f, opt.learningRate());
            assertFalse(m.isTraining());
            m.layers().forEach(l -> assertFalse(l.isTraining(), l.describe()));
            dev.ember.nn.train.Evaluation ref = Trainer.evaluate(m, ce, d, 256);
            m.train(true);
            dev.ember.nn.train.Evaluation ev = Trainer.evaluate(m, ce, d, 1);
            assertTrue(m.isTraining(), "evaluate restored training mode");
            assertEquals(ref.loss(), ev.loss(), 1e-5 * ref.loss());
            assertArrayEquals(ref.outputs(), ev.outputs(), 1e-5f);
        }
    }

    /** Data that does not fit the model is named by fit and evaluate before any work, validation data too. */
    @Test
    void fitAndEvaluateNameDataThatDoesNotFitTheModel() {
        Dataset d = blobs(8, 20);
        Dataset four = new Dataset("four", new float[20 * 4], 20, 4, d.targets(), 3, null, null);
        Loss ce = Loss.parse("cross_entropy");
        TrainConfig c = TrainConfig.defaults().withEpochs(1).withBatchSize(8).withProgress(Progress.Mode.QUIET);
        try (Sequential m = Sequential.builder(5).dense(3).build(CPU, 1);
             Optimizer opt = new Adam(m.parameters(), 0.01f)) {
            String expected = "model takes 5 features but data set four has 4";
            for (org.junit.jupiter.api.function.Executable call : new org.junit.jupiter.api.function.Executable[] {
                () -> new Trainer(m, ce, opt, c, null).fit(four, null),
                () -> new Trainer(m, ce, opt, c, null).fit(d, four), () -> Trainer.evaluate(m, ce, four, 8)}) {
                IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(
                        IllegalArgumentException.class, call);
                assertEquals(expected, e.getMessage());
            }
            assertEquals(0, opt.steps());
            // the smallest set a validation fraction can split: one row each
            History h = new Trainer(m, ce, opt, c.withValidation(0.5), null).fit(blobs(8, 2), null);
            assertEquals(1, h.samples());
        }
    }

    /**
     * The trainer reseeds dropout from its own seed: two models with the same weights but dropout
     * layers made with other seeds train to the same weights.
     */
    @Test
    void fitSeedsDropoutFromTheConfigSeed() {
        Dataset d = blobs(9, 40);
        try (Sequential a = Sequential.builder(5).dense(8, "relu").dropout(0.5).dense(3).build(CPU, 1);
             Sequential b = Sequential.builder(5).dense(8, "relu").dropout(0.5).dense(3).build(CPU, 2);
             Optimizer oa = new Adam(a.parameters(), 0.01f); Optimizer ob = new Adam(b.parameters(), 0.01f)) {
            Trainer.restore(b, Trainer.snapshot(a));
            TrainConfig c = TrainConfig.defaults().withEpochs(2).withBatchSize(8).withSeed(5)
                    .withProgress(Progress.Mode.QUIET);
            new Trainer(a, Loss.parse("cross_entropy"), oa, c, null).fit(d, null);
            new Trainer(b, Loss.parse("cross_entropy"), ob, c, null).fit(d, null);
            Map<String, float[]> sa = Trainer.snapshot(a), sb = Trainer.snapshot(b);
            for (String k : sa.keySet()) {
                assertArrayEquals(sa.get(k), sb.get(k), k);
            }
        }
    }

    /**
     * The batch size suggested when the last batch would hold one row is the nearest that does not
     * (smaller first at equal distance), at least 2 and at most the rows; none when there is none.
     */
    @Test
    void batchNormSuggestsTheNearestBatchSizeThatLeavesNoBatchOfOne() {
        int[][] cases = {{7, 2, 4}, {21, 4, 3}, {3, 2, 3}, {4, 1, 2}, {3, 1, 0}};
        TrainConfig c = TrainConfig.defaults().withEpochs(1).withProgress(Progress.Mode.QUIET);
        for (int[] k : cases) {
            try (Sequential m = Sequential.builder(5).batchNorm().dense(3).build(CPU, 1);
                 Optimizer opt = new Adam(m.parameters(), 0.01f)) {
                IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                        () -> new Trainer(m, Loss.parse("cross_entropy"), opt, c.withBatchSize(k[1]), null)
                                .fit(blobs(10, k[0]), null));
                String tail = k[2] > 0 ? "use another batch size (e.g. " + k[2] + ")" : "use another batch size";
                assertTrue(e.getMessage().endsWith(tail), k[0] + " rows, batch " + k[1] + ": " + e.getMessage());
            }
        }
    }
}
