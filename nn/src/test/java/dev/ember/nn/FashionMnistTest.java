package dev.ember.nn;

import dev.ember.nn.data.Datasets;
import dev.ember.nn.data.Split;
import dev.ember.nn.train.Experiment;
import dev.ember.nn.train.Progress;
import dev.ember.nn.train.RunConfig;
import dev.ember.runtime.Devices;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Fashion-MNIST 784-256-128-10, Adam 1e-3, batch 128, 5 epochs (PyTorch 0.873-0.879). Slow on the
 * CPU backend, so it runs only with EMBER_SLOW_TESTS=1 (or -Dember.slowTests=true) and the data
 * installed; EMBER_FASHION_SEEDS=N limits it to seeds 0..N-1 (default 5).
 */
class FashionMnistTest {
    @Test
    void referenceConfigurationReachesPyTorchAccuracy() {
        boolean slow = "1".equals(System.getenv("EMBER_SLOW_TESTS")) || Boolean.getBoolean("ember.slowTests");
        assumeTrue(slow, "set EMBER_SLOW_TESTS=1 to run");
        assumeTrue(Files.isDirectory(Datasets.fashionMnistDir()), "Fashion-MNIST not installed");
        String n = System.getenv("EMBER_FASHION_SEEDS");
        int seeds = n == null ? 5 : Integer.parseInt(n);
        Split split = Datasets.reference("fashion-mnist");
        double sum = 0;
        for (int seed = 0; seed < seeds; seed++) {
            Experiment.Result r = Experiment.run(RunConfig.reference("fashion-mnist").withSeed(seed), split,
                    Devices.cpu(), Progress.Mode.PLAIN, System.out);
            try (var m = r.model()) {
                System.out.printf(Locale.ROOT, "fashion-mnist seed %d: accuracy %.4f, %.0f samples/s (%s)%n", seed,
                        r.test().accuracy(), r.history().samplesPerSecond(), Devices.cpu().description());
                sum += r.test().accuracy();
            }
        }
        double mean = sum / seeds;
        assertTrue(mean >= 0.873 - 0.01, "mean accuracy " + mean);
    }
}
