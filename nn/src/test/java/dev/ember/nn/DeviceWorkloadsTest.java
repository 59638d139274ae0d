package dev.ember.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.nn.data.Datasets;
import dev.ember.nn.data.Split;
import dev.ember.nn.train.Experiment;
import dev.ember.nn.train.History;
import dev.ember.nn.train.Progress;
import dev.ember.nn.train.RunConfig;
import dev.ember.runtime.DeviceInfo;
import dev.ember.runtime.Devices;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The user's whole path on every available accelerator: wine's reference run (13-32-32-3 ReLU,
 * dropout 0.2, Adam with weight decay, 30 epochs, seed 0) through {@link Experiment#run} on the
 * device, against the same run on the CPU. Dropout masks are the same on every backend (Philox by
 * element index), so the runs differ only by float rounding in a different summation order: the
 * final training loss must agree within 2% and the test accuracy within one of 36 samples. Runs on
 * PoCL in CI and on CUDA and GPU OpenCL in the GPU check bundle; reported skipped where only the CPU
 * is present.
 */
class DeviceWorkloadsTest {
    static Stream<String> accelerators() {
        List<String> names = Devices.list().stream().filter(DeviceInfo::available).map(DeviceInfo::name)
                .filter(n -> !n.equals("cpu")).toList();
        return names.isEmpty() ? Stream.of("none") : names.stream();
    }

    @ParameterizedTest(name = "wine reference run on {0} matches the CPU")
    @MethodSource("accelerators")
    void wineTrainsTheSameAsOnTheCpu(String device) {
        Assumptions.assumeFalse(device.equals("none"), "no accelerator available: " + Devices.list());
        Split split = Datasets.reference("wine");
        RunConfig c = RunConfig.reference("wine").withSeed(0);
        double[] cpu = run(c, split, "cpu");
        double[] dev = run(c, split, device);
        System.out.printf(Locale.ROOT, "wine seed 0: cpu loss %.6f acc %.4f | %s loss %.6f acc %.4f%n", cpu[0], cpu[1],
                device, dev[0], dev[1]);
        assertTrue(Math.abs(dev[0] - cpu[0]) <= 0.02 * Math.abs(cpu[0]) + 1e-4,
                device + " final training loss " + dev[0] + " vs cpu " + cpu[0]);
        assertEquals(cpu[1], dev[1], 1.0 / 36 + 1e-9, device + " test accuracy vs cpu");
        assertTrue(dev[1] >= 0.9, device + " test accuracy " + dev[1]);
    }

    /** Final training loss and test accuracy of one run. */
    private static double[] run(RunConfig c, Split split, String device) {
        Experiment.Result r = Experiment.run(c, split, Devices.get(device), Progress.Mode.QUIET, System.out);
        try (var m = r.model()) {
            List<History.Epoch> epochs = r.history().epochs();
            return new double[] {epochs.get(epochs.size() - 1).loss(), r.test().accuracy()};
        }
    }
}
