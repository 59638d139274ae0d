package dev.ember.nn.train;

import dev.ember.nn.Sequential;
import dev.ember.nn.data.Dataset;
import dev.ember.nn.loss.Loss;
import dev.ember.nn.optim.Adam;
import dev.ember.nn.optim.LrSchedule;
import dev.ember.nn.optim.Optimizer;
import dev.ember.runtime.Device;
import dev.ember.runtime.Devices;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The training loop, schedules and metrics against what PyTorch, Keras and scikit-learn users
 * expect; the references are their documented formulas, written out here in float64.
 */
class SemanticsTest {
    static final Device CPU = Devices.cpu();

    /** torch.optim.lr_scheduler closed forms, with gamma as the double the user typed. */
    @Test
    void schedulesMatchTorchClosedFormsEveryEpoch() {
        float base = 0.1f;
        int epochs = 150;
        for (int e = 0; e < epochs; e++) {
            // StepLR(step_size=7, gamma=0.5), ExponentialLR(gamma=0.95), CosineAnnealingLR(T_max=epochs, eta_min=0)
            double step = base * Math.pow(0.5, e / 7);
            double exp = base * Math.pow(0.95, e);
            double cos = base * (1 + Math.cos(Math.PI * e / epochs)) / 2;
            // the rate is a float: within one float ulp of the float64 reference
            near("step", step, LrSchedule.step(7, 0.5f).lr(base, e, epochs), e);
            near("step (parsed)", step, LrSchedule.parse("step:7:0.5").lr(base, e, epochs), e);
            near("exponential", exp, LrSchedule.exponential(0.95f).lr(base, e, epochs), e);
            near("exponential (parsed)", exp, LrSchedule.parse("exp:0.95").lr(base, e, epochs), e);
            near("cosine", cos, LrSchedule.cosine().lr(base, e, epochs), e);
        }
        assertEquals(base, LrSchedule.exponential(0.95f).lr(base, 0, epochs), "first epoch runs at the base rate");
    }

    private static void near(String what, double ref, float got, int epoch) {
        assertTrue(Math.abs(got - ref) <= Math.ulp((float) ref), what + " epoch " + epoch + ": " + got + " vs " + ref);
    }

    /** sklearn precision_recall_fscore_support(zero_division=0) and confusion_matrix, written out. */
    @Test
    void classificationMetricsMatchSklearnFormulas() {
        long seed = 20261126L;
        SplittableRandom r = new SplittableRandom(seed);
        int k = 5, n = 333;
        int[] actual = new int[n], predicted = new int[n];
        for (int i = 0; i < n; i++) {
            actual[i] = r.nextInt(k - 1); // class 4 never present
            predicted[i] = r.nextInt(10) < 6 ? actual[i] : (r.nextInt(k) == 0 ? 4 : r.nextInt(2) * 3); // class 1, 2 rarely/never wrong-predicted
        }
        predicted[0] = 4; // class 4 predicted but never present: precision 0, recall 0 (zero_division)
        Metrics.Classification c = Metrics.classification(predicted, actual, k);
        double macro = 0;
        for (int cl = 0; cl < k; cl++) {
            int tp = 0, fp = 0, fn = 0;
            for (int i = 0; i < n; i++) {
                tp += actual[i] == cl && predicted[i] == cl ? 1 : 0;
                fp += actual[i] != cl && predicted[i] == cl ? 1 : 0;
                fn += actual[i] == cl && predicted[i] != cl ? 1 : 0;
            }
            double p = tp + fp == 0 ? 0 : tp / (double) (tp + fp);
            double rc = tp + fn == 0 ? 0 : tp / (double) (tp + fn);
            double f = 2 * tp + fp + fn == 0 ? 0 : 2.0 * tp / (2 * tp + fp + fn); // sklearn >= 1.3's F1
            assertEquals(p, c.precision()[cl], 1e-12, "precision " + cl + " seed " + seed);
            assertEquals(rc, c.recall()[cl], 1e-12, "recall " + cl + " seed " + seed);
            assertEquals(f, c.f1()[cl], 1e-12, "f1 " + cl + " seed " + seed);
            macro += f / k;
            for (int pc = 0; pc < k; pc++) {
                int count = 0;
                for (int i = 0; i < n; i++) {
                    count += actual[i] == cl && predicted[i] == pc ? 1 : 0;
                }
                assertEquals(count, c.confusion()[cl][pc], "confusion[true " + cl + "][predicted " + pc + "]");
            }
        }
        assertEquals(0, c.precision()[4]);
        assertEquals(0, c.recall()[4]);
        assertEquals(macro, c.macroF1(), 1e-12, "macro F1 over all " + k + " classes (labels=range(k))");
    }

    /** A label or prediction outside [0, classes) is bad input, named, not an index error. */
    @Test
    void classificationRefusesLabelsOutsideTheClasses() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Metrics.classification(new int[] {0, 1}, new int[] {0, 3}, 3));
        assertTrue(e.getMessage().contains("3") && e.getMessage().contains("metrics"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Metrics.classification(new int[] {-1, 1}, new int[] {0, 1}, 3));
        assertThrows(IllegalArgumentException.class, () -> Metrics.classification(new int[] {0}, new int[] {0}, 0));
        IllegalArgumentException p = assertThrows(IllegalArgumentException.class,
                () -> Metrics.classification(new int[] {0, 3}, new int[] {0, 1}, 3));
        assertTrue(p.getMessage().startsWith("metrics: row 1 has label 1 and prediction 3, outside the 3 classes"),
                p.getMessage());
        assertEquals(1.0, Metrics.classification(new int[] {0, 0}, new int[] {0, 0}, 1).accuracy(), "one class is fine");
    }

    /** sklearn mean_squared_error, mean_absolute_error, r2_score on random data. */
    @Test
    void regressionMetricsMatchSklearnFormulas() {
        long seed = 77;
        SplittableRandom r = new SplittableRandom(seed);
        int n = 127;
        float[] y = new float[n], p = new float[n];
        for (int i = 0; i < n; i++) {
            y[i] = (float) (r.nextGaussian() * 10 + 1e6); // far from 0 (prices): SS_tot must not cancel
            p[i] = (float) (y[i] + r.nextGaussian());
        }
        double mean = 0;
        for (float v : y) {
            mean += v;
        }
        mean /= n;
        double sse = 0, sae = 0, sst = 0;
        for (int i = 0; i < n; i++) {
            sse += ((double) p[i] - y[i]) * ((double) p[i] - y[i]);
            sae += Math.abs((double) p[i] - y[i]);
            sst += (y[i] - mean) * (y[i] - mean);
        }
        Metrics.Regression m = Metrics.regression(p, y);
        assertEquals(sse / n, m.mse(), 1e-12 * sse / n, "seed " + seed);
        assertEquals(sae / n, m.mae(), 1e-12 * sae / n, "seed " + seed);
        assertEquals(1 - sse / sst, m.r2(), 1e-12, "seed " + seed);
        // constant target: SS_tot = 0, R² undefined -> NaN (r2_score(force_finite=False)), documented
        assertTrue(Double.isNaN(Metrics.regression(new float[] {1, 2}, new float[] {3, 3}).r2()));
        assertTrue(Double.isNaN(Metrics.regression(new float[] {3, 3}, new float[] {3, 3}).r2()));
    }

    static Dataset blobs(long seed, int rows) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[rows * 4];
        float[] y = new float[rows];
        for (int i = 0; i < rows; i++) {
            y[i] = i % 3;
            for (int j = 0; j < 4; j++) {
                x[i * 4 + j] = (float) ((j == i % 3 ? 2.0 : 0.0) + r.nextGaussian());
            }
        }
        return new Dataset("blobs", x, rows, 4, y, 3, null, null);
    }

    /**
     * With a learning rate of 0 the weights never move, so the epoch's training loss must be the
     * mean over all samples (sum(loss_b * n_b) / N) - not the mean of the batch means, which
     * differs when the last batch (103 = 6 x 16 + 7) is partial - and equal the evaluated loss.
     * A constant validation loss is no improvement after the first epoch (strict, min_delta 0),
     * so training stops after 1 + patience epochs with epoch 0 as the best.
     */
    @Test
    void epochLossIsTheSampleMeanAndTiesAreNoImprovement() {
        Dataset d = blobs(9, 103);
        Dataset val = blobs(10, 40);
        Loss ce = Loss.parse("cross_entropy");
        try (Sequential m = Sequential.builder(4).dense(8, "tanh").dense(3).build(CPU, 2);
             Optimizer opt = new Adam(m.parameters(), 0.01f)) {
            double full = Trainer.evaluate(m, ce, d, 1000).loss();
            double valLoss = Trainer.evaluate(m, ce, val, 1000).loss();
            TrainConfig c = TrainConfig.defaults().withEpochs(20).withBatchSize(16).withEarlyStopping(3, true)
                    .withSchedule((base, e, n) -> 0f).withProgress(Progress.Mode.QUIET);
            History h = new Trainer(m, ce, opt, c, null).fit(d, val);
            for (History.Epoch e : h.epochs()) {
                assertEquals(full, e.loss(), 1e-6 * full, "epoch " + e.epoch() + " loss is the sample mean");
                assertEquals(valLoss, e.valLoss(), 1e-6 * valLoss);
            }
            assertTrue(h.stoppedEarly());
            assertEquals(0, h.bestEpoch());
            assertEquals(4, h.epochs().size(), "best epoch + patience");
        }
    }

    /** Early stopping without any validation data is a clear error, not silently ignored. */
    @Test
    void patienceWithoutValidationIsRefused() {
        try (Sequential m = Sequential.builder(4).dense(3).build(CPU, 2);
             Optimizer opt = new Adam(m.parameters(), 0.01f)) {
            TrainConfig c = TrainConfig.defaults().withEpochs(2).withEarlyStopping(2, true)
                    .withProgress(Progress.Mode.QUIET);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new Trainer(m, Loss.parse("cross_entropy"), opt, c, null).fit(blobs(1, 30), null));
            assertTrue(e.getMessage().contains("validation"), e.getMessage());
        }
    }
}
