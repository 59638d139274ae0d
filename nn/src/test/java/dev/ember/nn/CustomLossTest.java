package dev.ember.nn;

import dev.ember.nn.data.Dataset;
import dev.ember.nn.loss.Loss;
import dev.ember.nn.model.ModelFile;
import dev.ember.nn.model.SavedModel;
import dev.ember.nn.optim.Adam;
import dev.ember.nn.optim.Optimizer;
import dev.ember.nn.train.Evaluation;
import dev.ember.nn.train.History;
import dev.ember.nn.train.Progress;
import dev.ember.nn.train.Task;
import dev.ember.nn.train.TrainConfig;
import dev.ember.nn.train.Trainer;
import dev.ember.runtime.Device;
import dev.ember.runtime.Devices;
import dev.ember.runtime.Ops;
import dev.ember.runtime.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A user-written {@link Loss} is evaluated by what it declares (label targets, a binary logit), not
 * by its class: it used to be read as regression unless it was one of the built-in classes.
 */
class CustomLossTest {
    static final Device CPU = Devices.cpu();

    /** A user's own softmax cross-entropy on labels (where label smoothing or focal weighting would go). */
    static final class MyCrossEntropy implements Loss {
        @Override
        public float compute(Tensor output, Tensor target, Tensor grad) {
            return Ops.softmaxCrossEntropy(output, target, grad);
        }

        @Override
        public String name() {
            return "my_cross_entropy";
        }

        @Override
        public boolean labelTargets() {
            return true;
        }
    }

    /** A user's own loss on one binary logit per row (where a focal or hinge term would go). */
    static final class MyBinaryLoss implements Loss {
        @Override
        public float compute(Tensor output, Tensor target, Tensor grad) {
            return Ops.bceWithLogits(output, target, grad);
        }

        @Override
        public String name() {
            return "my_binary";
        }

        @Override
        public boolean binaryLogit() {
            return true;
        }
    }

    /** A user's own regression loss: declares neither, so stays regression. */
    static final class MyRegressionLoss implements Loss {
        @Override
        public float compute(Tensor output, Tensor target, Tensor grad) {
            return Ops.mse(output, target, grad);
        }

        @Override
        public String name() {
            return "my_regression";
        }
    }

    @Test
    void taskFollowsWhatTheLossDeclares() {
        assertEquals(Task.CLASSIFICATION, Task.of(new MyCrossEntropy()));
        assertEquals(Task.BINARY, Task.of(new MyBinaryLoss()));
        assertEquals(Task.REGRESSION, Task.of(new MyRegressionLoss()));
        assertEquals(Task.CLASSIFICATION, Task.of(Loss.parse("cross_entropy")));
        assertEquals(Task.BINARY, Task.of(Loss.parse("bce")));
        assertEquals(Task.REGRESSION, Task.of(Loss.parse("mse")));
    }

    /** Two Gaussian blobs in 3 dimensions, labels 0 and 1. */
    private static Dataset twoBlobs(long seed, int rows) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[rows * 3];
        float[] y = new float[rows];
        for (int i = 0; i < rows; i++) {
            int c = i % 2;
            y[i] = c;
            for (int j = 0; j < 3; j++) {
                x[i * 3 + j] = (float) ((c == 1 ? 1.5 : -1.5) + r.nextGaussian() * 0.8);
            }
        }
        return new Dataset("two blobs", x, rows, 3, y, 2, null, null);
    }

    @Test
    void aCustomLabelLossGetsClassificationMetrics() {
        Dataset d = TrainerTest.blobs(5, 90);
        try (Sequential m = Sequential.builder(5).dense(16, "relu").dense(3).build(CPU, 3);
             Optimizer opt = new Adam(m.parameters(), 0.02f)) {
            TrainConfig c = TrainConfig.defaults().withEpochs(5).withBatchSize(16).withSeed(3)
                    .withProgress(Progress.Mode.QUIET);
            Trainer t = new Trainer(m, new MyCrossEntropy(), opt, c, null);
            assertEquals(Task.CLASSIFICATION, t.task());
            History h = t.fit(d, null);
            double trainAcc = h.epochs().get(h.epochs().size() - 1).accuracy();
            assertTrue(trainAcc >= 0 && trainAcc <= 1, "training accuracy " + trainAcc);

            Evaluation ev = Trainer.evaluate(m, new MyCrossEntropy(), d, 32);
            assertEquals(Task.CLASSIFICATION, ev.task());
            assertNull(ev.regression(), "regression metrics of a classifier");
            assertNotNull(ev.classification());
            assertEquals(3, ev.classification().confusion().length);
            // accuracy is argmax of the 3 logits against the labels
            int correct = 0;
            for (int r = 0; r < d.rows(); r++) {
                int best = 0;
                for (int k = 1; k < 3; k++) {
                    if (ev.outputs()[r * 3 + k] > ev.outputs()[r * 3 + best]) {
                        best = k;
                    }
                }
                correct += best == (int) d.targets()[r] ? 1 : 0;
            }
            assertEquals(correct / (double) d.rows(), ev.accuracy(), 0);
            assertTrue(ev.accuracy() > 0.8, "accuracy after training on separable blobs: " + ev.accuracy());
        }
    }

    @Test
    void aCustomBinaryLossGetsBinaryMetrics() {
        Dataset d = twoBlobs(6, 64);
        try (Sequential m = Sequential.builder(3).dense(8, "tanh").dense(1).build(CPU, 4);
             Optimizer opt = new Adam(m.parameters(), 0.02f)) {
            TrainConfig c = TrainConfig.defaults().withEpochs(5).withBatchSize(16).withSeed(4)
                    .withProgress(Progress.Mode.QUIET);
            Trainer t = new Trainer(m, new MyBinaryLoss(), opt, c, null);
            assertEquals(Task.BINARY, t.task());
            History h = t.fit(d, null);
            double trainAcc = h.epochs().get(h.epochs().size() - 1).accuracy();
            assertTrue(trainAcc >= 0 && trainAcc <= 1, "training accuracy " + trainAcc);

            Evaluation ev = Trainer.evaluate(m, new MyBinaryLoss(), d, 32);
            assertEquals(Task.BINARY, ev.task());
            assertNull(ev.regression(), "regression metrics of a binary classifier");
            assertNotNull(ev.classification());
            assertEquals(2, ev.classification().confusion().length, "one logit, two classes");
            int correct = 0;
            for (int r = 0; r < d.rows(); r++) {
                correct += (ev.outputs()[r] > 0 ? 1 : 0) == (int) d.targets()[r] ? 1 : 0;
            }
            assertEquals(correct / (double) d.rows(), ev.accuracy(), 0);
            assertTrue(ev.accuracy() > 0.8, "accuracy after training on separable blobs: " + ev.accuracy());
        }
    }

    /**
     * A model file stores a built-in loss name only (any Ember must read it without the user's class),
     * so a custom name is refused at save with what to store instead; stored as the built-in loss
     * whose outputs it shares, it reloads with that task.
     */
    @Test
    void aModelTrainedWithACustomLossIsSavedUnderTheBuiltInItShares(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("m.safetensors");
        try (Sequential m = Sequential.builder(5).dense(3).build(CPU, 1)) {
            Loss mine = new MyCrossEntropy();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> ModelFile.save(f, new SavedModel(m, mine.name(), null, null, null, null, null)));
            assertTrue(e.getMessage().startsWith(f + ": metadata " + ModelFile.LOSS + ": unknown loss 'my_cross_entropy'"),
                    e.getMessage());
            assertTrue(e.getMessage().contains("saved under the built-in loss whose outputs it shares: cross_entropy"),
                    e.getMessage());
            assertTrue(Files.notExists(f), "nothing written");
            ModelFile.save(f, new SavedModel(m, "cross_entropy", null, null, null, null, null));
        }
        try (SavedModel s = ModelFile.load(f, CPU)) {
            assertEquals(Task.CLASSIFICATION, s.task());
        }
    }
}
