package dev.ember.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.runtime.Device;
import dev.ember.runtime.Devices;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Runs each benchmark's setup (which validates its op against a float64 reference), one
 * invocation in both modes, and teardown on the CPU at small awkward sizes, outside JMH: the
 * suites must run, count their work, and give back every tensor.
 */
class BenchmarkSmokeTest {
    private final Device cpu = Devices.cpu();

    private void leakFree(Runnable r) {
        long before = cpu.liveTensors();
        r.run();
        assertEquals(before, cpu.liveTensors(), "tensors left open");
    }

    @Test
    void activations() {
        for (String act : List.of("relu", "sigmoid", "tanh", "leaky_relu", "elu")) {
            for (String mode : List.of("resident", "with_transfers")) {
                leakFree(() -> {
                    ActivationBenchmark b = new ActivationBenchmark();
                    b.device = "cpu";
                    b.size = "1027";
                    b.act = act;
                    b.mode = mode;
                    b.setUp();
                    ByteCounter w = new ByteCounter();
                    b.forward(w);
                    b.backward(w);
                    // forward 8 bytes per element; backward 12 (dy and x or y), elu 16 (dy, x and y)
                    assertEquals((act.equals("elu") ? 24.0 : 20.0) * 1027, w.bytes, 0);
                    b.tearDown();
                });
            }
        }
    }

    @Test
    void lossBiasGradDropoutTransfers() {
        leakFree(() -> {
            SoftmaxCrossEntropyBenchmark b = new SoftmaxCrossEntropyBenchmark();
            b.device = "cpu";
            b.size = "33x7";
            b.mode = "with_transfers";
            b.setUp();
            ByteCounter w = new ByteCounter();
            assertTrue(Float.isFinite(b.loss(w)));
            assertEquals(4.0 * (2 * 33 * 7 + 33), w.bytes, 0);
            b.tearDown();
        });
        leakFree(() -> {
            BiasGradBenchmark b = new BiasGradBenchmark();
            b.device = "cpu";
            b.size = "127x33";
            b.mode = "resident";
            b.setUp();
            b.biasGrad(new ByteCounter());
            b.tearDown();
        });
        leakFree(() -> {
            DropoutBenchmark b = new DropoutBenchmark();
            b.device = "cpu";
            b.size = "5003";
            b.mode = "with_transfers";
            b.setUp();
            b.forward(new ByteCounter());
            b.tearDown();
        });
        leakFree(() -> {
            TransferBenchmark b = new TransferBenchmark();
            b.device = "cpu";
            b.size = "1000";
            b.setUp();
            ByteCounter w = new ByteCounter();
            b.hostToDevice(w);
            b.deviceToHost(w);
            b.deviceToDevice(w);
            assertEquals(16.0 * 1000, w.bytes, 0);
            b.tearDown();
        });
        leakFree(() -> {
            BatchUploadBenchmark b = new BatchUploadBenchmark();
            b.device = "cpu";
            b.size = "7x33";
            b.source = 20;
            b.setUp();
            ByteCounter w = new ByteCounter();
            for (int i = 0; i < 4; i++) { // past the wrap (20 rows hold two batches of 7)
                b.copyRows(w);
                b.gatherThenCopy(w);
            }
            assertEquals(8 * 4.0 * 7 * 33, w.bytes, 0);
            b.tearDown();
        });
    }

    @Test
    void everyOptimizerValidatesAndUpdates() {
        for (String opt : List.of("sgd", "adam", "adamw", "rmsprop", "adagrad")) {
            leakFree(() -> {
                OptimizerBenchmark b = new OptimizerBenchmark();
                b.device = "cpu";
                b.size = "4K";
                b.optimizer = opt;
                b.mode = "with_transfers";
                b.setUp();
                ByteCounter w = new ByteCounter();
                b.update(w);
                b.update(w);
                assertEquals((opt.startsWith("adam") ? 28.0 : 20.0) * 4096 * 2, w.bytes, 0);
                b.tearDown();
            });
        }
    }

    @Test
    void trainingStepLearnsAndCountsGemmFlops() {
        leakFree(() -> {
            TrainingStepBenchmark b = new TrainingStepBenchmark();
            b.device = "cpu";
            b.size = "20-16-8-3@17";
            b.mode = "with_transfers";
            b.setUp(); // throws unless the loss falls by 10% within 30 steps on one batch
            FlopCounter w = new FlopCounter();
            assertTrue(Float.isFinite(b.step(w)));
            double fwd = 2.0 * 17 * (20 * 16 + 16 * 8 + 8 * 3);
            assertEquals(3 * fwd - 2.0 * 17 * 20 * 16, w.flop, 1e-6);
            b.tearDown();
        });
    }

    /** The elementwise, reduction and batch-norm suites validate and count bytes on awkward sizes. */
    @Test
    void elementwiseReductionAndBatchNormSuites() {
        for (String mode : List.of("resident", "with_transfers")) {
            leakFree(() -> {
                ElementwiseBenchmark b = new ElementwiseBenchmark();
                b.device = "cpu";
                b.size = "1027";
                b.mode = mode;
                b.setUp();
                ByteCounter w = new ByteCounter();
                b.add(w);
                b.mul(w);
                b.axpy(w);
                b.clamp(w);
                assertEquals((12 + 12 + 12 + 8) * 1027.0, w.bytes, 0);
                b.tearDown();
            });
            leakFree(() -> {
                ReductionBenchmark b = new ReductionBenchmark();
                b.device = "cpu";
                b.size = "33x7";
                b.mode = mode;
                b.setUp();
                ByteCounter w = new ByteCounter();
                assertTrue(Float.isFinite(b.sum(w)));
                b.rowArgmax(w);
                b.columnMeanVariance(w);
                assertEquals(4.0 * (3 * 33 * 7 + 1 + 33 + 2 * 7), w.bytes, 0);
                b.tearDown();
            });
            leakFree(() -> {
                BatchNormBenchmark b = new BatchNormBenchmark();
                b.device = "cpu";
                b.size = "127x33";
                b.mode = mode;
                b.setUp();
                ByteCounter w = new ByteCounter();
                b.forward(w);
                b.backward(w);
                assertEquals(24.0 * 127 * 33 + 44.0 * 33, w.bytes, 0);
                b.tearDown();
            });
        }
    }

    /** Adam overshoots in the first steps of this width (2.66 -> 4.23 after 3): setUp must still pass. */
    @Test
    void wideTrainingStepPassesItsValidation() {
        leakFree(() -> {
            TrainingStepBenchmark b = new TrainingStepBenchmark();
            b.device = "cpu";
            b.size = "784-1024-1024-10@256";
            b.mode = "resident";
            b.setUp();
            b.tearDown();
        });
    }

    @Test
    void badParametersFailNamingThem() {
        ActivationBenchmark b = new ActivationBenchmark();
        b.device = "cpu";
        b.size = "1K";
        b.act = "relu";
        b.mode = "sideways";
        assertTrue(assertThrows(IllegalArgumentException.class, b::setUp).getMessage().contains("'sideways'"));
    }
}
