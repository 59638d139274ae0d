package dev.ember.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.ember.nn.data.Datasets;
import dev.ember.nn.data.Split;
import dev.ember.nn.train.Experiment;
import dev.ember.nn.train.History;
import dev.ember.nn.train.Progress;
import dev.ember.nn.train.RunConfig;
import dev.ember.runtime.DeviceInfo;
import dev.ember.runtime.Devices;
import java.util.Arrays;
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
 * training loss of each of the first 10 epochs must agree within 0.1%, the mean over all 30 within
 * 1% (the last epochs' losses are small and jumpy), and the test accuracy within one of 36 samples.
 * Runs on PoCL in CI (where an accelerator is required) and on CUDA and GPU OpenCL in the GPU check
 * bundle; reported skipped elsewhere when only the CPU is present.
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
        if (device.equals("none")) {
            String why = "no accelerator available: " + Devices.list();
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                fail(why + " (CI=true requires an OpenCL platform, e.g. pocl-opencl-icd)");
            }
            Assumptions.abort(why);
        }
        Split split = Datasets.reference("wine");
        RunConfig c = RunConfig.reference("wine").withSeed(0);
        Run cpu = run(c, split, "cpu");
        Run dev = run(c, split, device);
        System.out.printf(Locale.ROOT, "wine seed 0: cpu losses %s acc %.4f | %s losses %s acc %.4f%n",
                Arrays.toString(cpu.losses), cpu.accuracy, device, Arrays.toString(dev.losses), dev.accuracy);
        // Early epochs, before float rounding in another summation order has had time to grow.
        for (int e = 0; e < 10; e++) {
            assertEquals(cpu.losses[e], dev.losses[e], 1e-3 * Math.abs(cpu.losses[e]),
                    device + " training loss of epoch " + (e + 1));
        }
        double cpuMean = Arrays.stream(cpu.losses).average().orElseThrow();
        double devMean = Arrays.stream(dev.losses).average().orElseThrow();
        assertEquals(cpuMean, devMean, 1e-2 * cpuMean, device + " mean training loss over all epochs");
        assertEquals(cpu.accuracy, dev.accuracy, 1.0 / 36 + 1e-9, device + " test accuracy vs cpu");
        assertTrue(dev.accuracy >= 0.9, device + " test accuracy " + dev.accuracy);
    }

    /** The training loss of every epoch and the test accuracy of one run. */
    private record Run(double[] losses, double accuracy) {
    }

    private static Run run(RunConfig c, Split split, String device) {
        Experiment.Result r = Experiment.run(c, split, Devices.get(device), Progress.Mode.QUIET, System.out);
        try (var m = r.model()) {
            return new Run(r.history().epochs().stream().mapToDouble(History.Epoch::loss).toArray(), r.test().accuracy());
        }
    }
}
