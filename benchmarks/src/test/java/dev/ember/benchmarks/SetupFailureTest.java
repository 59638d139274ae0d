package dev.ember.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.runtime.Device;
import dev.ember.runtime.Devices;
import dev.ember.runtime.testing.FaultyDevice;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * A set-up that throws closes what it allocated: JMH runs no tear-down after it, and
 * PairedRounds' process lives on. Each check compares a device's live bytes with what they were
 * before the set-up.
 */
class SetupFailureTest {
    /** One suite's set-up and tear-down on a given device. */
    private record Suite(Consumer<Device> setUp, Runnable tearDown) {
    }

    /** Every suite that runs on the CPU without a data set, at small sizes. */
    private static Map<String, Supplier<Suite>> suites() {
        Map<String, Supplier<Suite>> m = new LinkedHashMap<>();
        m.put("activation", () -> {
            ActivationBenchmark b = new ActivationBenchmark();
            b.size = "1027";
            b.act = "elu";
            b.mode = "with_transfers";
            return new Suite(b::setUp, b::tearDown);
        });
        m.put("elementwise", () -> {
            ElementwiseBenchmark b = new ElementwiseBenchmark();
            b.size = "1027";
            b.mode = "resident";
            return new Suite(b::setUp, b::tearDown);
        });
        m.put("optimizer", () -> {
            OptimizerBenchmark b = new OptimizerBenchmark();
            b.size = "1K";
            b.optimizer = "adam";
            b.mode = "resident";
            return new Suite(b::setUp, b::tearDown);
        });
        m.put("batchnorm", () -> {
            BatchNormBenchmark b = new BatchNormBenchmark();
            b.size = "33x7";
            b.mode = "resident";
            return new Suite(b::setUp, b::tearDown);
        });
        m.put("reduction", () -> {
            ReductionBenchmark b = new ReductionBenchmark();
            b.size = "33x7";
            b.mode = "resident";
            return new Suite(b::setUp, b::tearDown);
        });
        m.put("softmax_ce", () -> {
            SoftmaxCrossEntropyBenchmark b = new SoftmaxCrossEntropyBenchmark();
            b.size = "33x7";
            b.mode = "resident";
            return new Suite(b::setUp, b::tearDown);
        });
        m.put("bias_grad", () -> {
            BiasGradBenchmark b = new BiasGradBenchmark();
            b.size = "33x7";
            b.mode = "resident";
            return new Suite(b::setUp, b::tearDown);
        });
        m.put("dropout", () -> {
            DropoutBenchmark b = new DropoutBenchmark();
            b.size = "1027";
            b.mode = "resident";
            return new Suite(b::setUp, b::tearDown);
        });
        m.put("transfer", () -> {
            TransferBenchmark b = new TransferBenchmark();
            b.size = "1027";
            return new Suite(b::setUp, b::tearDown);
        });
        m.put("batch_upload", () -> {
            BatchUploadBenchmark b = new BatchUploadBenchmark();
            b.size = "7x33";
            b.source = 20;
            return new Suite(b::setUp, b::tearDown);
        });
        m.put("gemm", () -> {
            GemmBenchmark b = new GemmBenchmark();
            b.n = 33;
            b.trans = "TN";
            b.mode = "resident";
            return new Suite(b::setUp, b::tearDown);
        });
        m.put("gemm_mlp", () -> {
            GemmMlpBenchmark b = new GemmMlpBenchmark();
            b.shape = "mlp_dw_b16";
            b.mode = "resident";
            return new Suite(b::setUp, b::tearDown);
        });
        m.put("train_step", () -> {
            TrainingStepBenchmark b = new TrainingStepBenchmark();
            b.size = "20-16-8-3@17";
            b.mode = "resident";
            return new Suite(b::setUp, b::tearDown);
        });
        return m;
    }

    /**
     * For each suite, fails its 1st, 2nd, ... allocation until set-up gets through, and its first
     * few read-backs (where validation and the GEMM problem's host copies happen): every failed
     * set-up must leave the device with no live tensor.
     */
    @Test
    void everySuiteClosesWhatItsFailedSetUpAllocated() {
        suites().forEach((name, make) -> {
            for (String method : List.of("allocate", "download")) {
                int failed = 0;
                for (int nth = 1; nth <= (method.equals("allocate") ? 100 : 4); nth++) {
                    Device dev = FaultyDevice.failing(method, nth);
                    Suite s = make.get();
                    try {
                        s.setUp().accept(dev);
                    } catch (FaultyDevice.Injected e) {
                        failed++;
                        assertEquals(0, dev.liveBytes(), name + ": set-up failing at " + method + " call " + nth
                                + " left " + dev.liveTensors() + " tensors open");
                        continue;
                    }
                    s.tearDown().run();
                    assertEquals(0, dev.liveBytes(), name + ": tear-down left tensors open");
                    break;
                }
                assertTrue(failed > 0, name + ": no " + method + " call failed, so nothing was checked");
            }
        });
    }

    /** A net with one class cannot lower its loss (always 0): the training step's validation refuses it. */
    @Test
    void aTrainingStepWhoseValidationFailsGivesItsTensorsBack() {
        Device cpu = Devices.cpu();
        long before = cpu.liveBytes();
        TrainingStepBenchmark b = new TrainingStepBenchmark();
        b.device = "cpu";
        b.size = "8-4-1@4";
        b.mode = "resident";
        String e = assertThrows(IllegalStateException.class, b::setUp).getMessage();
        assertTrue(e.startsWith("training step 8-4-1@4 on cpu: loss did not fall by 10%"), e);
        assertEquals(before, cpu.liveBytes(), "bytes left live by the failed set-up");
    }

    private static String[] serve(Device dev, String commands) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PairedRounds.serve(dev, new BufferedReader(new StringReader(commands)),
                new PrintStream(bytes, true, StandardCharsets.UTF_8));
        return bytes.toString(StandardCharsets.UTF_8).split("\n");
    }

    /** PairedRounds answers a failed set-up with an error line and goes on: what it made must not stay live. */
    @Test
    void pairedRoundsGivesBackWhatAFailedCommandMade() throws Exception {
        Device cpu = Devices.cpu();
        long before = cpu.liveBytes();
        String[] out = serve(cpu, "step 8-4-1@4 1\nnnstep 8-4-1@4 1\n");
        assertTrue(out[0].startsWith("error: training step 8-4-1@4 on cpu: loss did not fall"), out[0]);
        assertTrue(out[1].startsWith("error: nnstep 8-4-1@4: loss did not fall"), out[1]);
        assertEquals(before, cpu.liveBytes(), "bytes left live after the process's input ended");

        // the product's second operand cannot be allocated: the first must not stay live
        Device dev = FaultyDevice.failing("allocate", 2);
        out = serve(dev, "gemm NN 7 33 127 2\ngemm NN 7 33 127 2\n");
        assertEquals("error: injected failure of call 2 of Backend.allocate", out[0]);
        assertTrue(Double.parseDouble(out[1]) > 0, out[1]); // the next command allocates afresh
        assertEquals(0, dev.liveBytes());

        // the model's first training step fails on the device
        dev = FaultyDevice.failing("softmaxCrossEntropy", 1);
        out = serve(dev, "nnstep 13-7-3@5 2\n");
        assertEquals("error: injected failure of call 1 of Backend.softmaxCrossEntropy", out[0]);
        assertEquals(0, dev.liveBytes());
    }

    @Test
    void pairedRoundsRefusesEmptyProductsNamingThem() throws Exception {
        Device dev = FaultyDevice.failing("none", 1);
        assertEquals("error: m, n and k must be at least 1, got 7 -1 5", serve(dev, "gemm NN 7 -1 5 1\n")[0]);
        assertEquals(0, dev.liveBytes());
    }

    @Test
    void anOwnerClosesNewestFirstOnceAndKeepsTheFirstFailure() {
        StringBuilder order = new StringBuilder();
        Owned o = new Owned();
        o.add(() -> order.append('a'));
        o.add(() -> {
            order.append('b');
            throw new IllegalStateException("b failed");
        });
        o.add(() -> order.append('c'));
        RuntimeException boom = new IllegalArgumentException("set-up failed");
        assertEquals(boom, assertThrows(IllegalArgumentException.class, () -> o.setUp(() -> {
            throw boom;
        })));
        assertEquals("cba", order.toString());
        assertEquals("b failed", boom.getSuppressed()[0].getMessage());
        o.close(); // already closed: nothing runs again
        assertEquals("cba", order.toString());
    }
}
