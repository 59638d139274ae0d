package dev.ember.nn;

import dev.ember.nn.data.Datasets;
import dev.ember.nn.data.Split;
import dev.ember.nn.train.Experiment;
import dev.ember.nn.train.Progress;
import dev.ember.nn.train.RunConfig;
import dev.ember.runtime.Device;
import dev.ember.runtime.Devices;
import org.junit.jupiter.api.Test;

import java.util.Locale;
import java.util.function.ToDoubleFunction;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The reference workloads of the issue on the CPU backend: the mean test metric over seeds 0-4
 * must reach the PyTorch 2.10 reference (same configuration, same fixed split) minus 0.01.
 */
class WorkloadsTest {
    static final Device CPU = Devices.cpu();

    static double meanOverSeeds(String data, RunConfig base, ToDoubleFunction<Experiment.Result> metric) {
        Split split = Datasets.reference(data);
        double sum = 0;
        StringBuilder each = new StringBuilder();
        for (long seed = 0; seed < 5; seed++) {
            Experiment.Result r = Experiment.run(base.withSeed(seed), split, CPU, Progress.Mode.QUIET, System.out);
            try (var m = r.model()) {
                double v = metric.applyAsDouble(r);
                each.append(String.format(Locale.ROOT, " %.4f", v));
                sum += v;
            }
        }
        double mean = sum / 5;
        System.out.printf(Locale.ROOT, "%s (%s): mean %.4f over seeds 0-4:%s%n", data, base, mean, each);
        return mean;
    }

    @Test
    void wine() {
        double acc = meanOverSeeds("wine", RunConfig.reference("wine"), r -> r.test().accuracy());
        assertTrue(acc >= 0.944 - 0.01, "wine accuracy " + acc);
    }

    @Test
    void breastCancer() {
        double acc = meanOverSeeds("breast-cancer", RunConfig.reference("breast-cancer"), r -> r.test().accuracy());
        assertTrue(acc >= 0.990 - 0.01, "breast cancer accuracy " + acc);
    }

    @Test
    void digits() {
        double acc = meanOverSeeds("digits", RunConfig.reference("digits"), r -> r.test().accuracy());
        assertTrue(acc >= 0.959 - 0.01, "digits accuracy " + acc);
    }

    @Test
    void multinomialLogisticRegressionOnWine() {
        RunConfig c = RunConfig.reference("wine").withHidden(new int[0]);
        c = new RunConfig(c.hidden(), c.activation(), "cross_entropy", "adam", 0.01f, -1f, "constant", 0f, 0f, false,
                16, 50, 0, 0, 0, "torch", 0f);
        double acc = meanOverSeeds("wine", c, r -> r.test().accuracy());
        assertTrue(acc >= 0.95, "logistic regression accuracy " + acc);
    }

    @Test
    void diabetesWithEarlyStopping() {
        double r2 = meanOverSeeds("diabetes", RunConfig.reference("diabetes"), r -> {
            assertTrue(r.history().epochs().size() <= 200);
            return r.test().regression().r2();
        });
        assertTrue(r2 >= 0.40, "diabetes R2 " + r2);
    }
}
