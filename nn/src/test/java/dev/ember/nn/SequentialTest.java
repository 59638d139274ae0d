package dev.ember.nn;

import dev.ember.nn.layers.ActivationLayer;
import dev.ember.nn.layers.Linear;
import dev.ember.runtime.Activation;
import dev.ember.runtime.Device;
import dev.ember.runtime.Devices;
import dev.ember.runtime.Tensor;
import dev.ember.runtime.testing.FaultyDevice;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Model construction: builder and plain-Java API, naming, summary, initialisation, batch sizes. */
class SequentialTest {
    static final Device CPU = Devices.cpu();

    @Test
    void builderNamesParametersLikePyTorchAndSummarises() {
        try (Sequential m = Sequential.builder(13).dense(32, "relu").dropout(0.2).dense(32, "relu").dropout(0.2)
                .dense(3).build(CPU, 0)) {
            assertEquals(List.of("0.weight", "0.bias", "3.weight", "3.bias", "6.weight", "6.bias"),
                    m.parameters().stream().map(Parameter::name).toList());
            assertEquals(13 * 32 + 32 + 32 * 32 + 32 + 32 * 3 + 3, m.parameterCount());
            String s = m.summary();
            assertTrue(s.contains("Linear(13 -> 32, fused relu)"), s);
            assertTrue(s.contains("ReLU (fused into 0)"), s);
            assertTrue(s.contains("[-1, 3]"), s);
            assertTrue(s.contains("total parameters 1603 (6412 bytes, float32)"), s);
            assertTrue(s.contains(String.format("%10d%n", 13 * 32 + 32)) && s.contains(String.format("%10d%n", 32 * 3 + 3)),
                    s); // each layer's own count
        }
    }

    @Test
    void plainJavaApiBuildsTheSameModelAsTheBuilder() {
        try (Sequential built = Sequential.builder(4).dense(5, "tanh").dense(2).init(Init.GLOROT).build(CPU, 3);
             Sequential plain = new Sequential(CPU, 4, List.of(
                     new Linear(CPU, 4, 5, true, Init.GLOROT, Activation.TANH, Seeds.derive(3, 0x1A7E, 0)),
                     new ActivationLayer(CPU, Activation.TANH, 0f),
                     new Linear(CPU, 5, 2, true, Init.GLOROT, null, Seeds.derive(3, 0x1A7E, 2))))) {
            float[] x = LayerGradientTest.random(1, 12);
            assertArrayEquals(built.predict(x, 3, 8), plain.predict(x, 3, 8));
        }
    }

    /** Two threads predicting with one model take turns: every result equals the single-thread one. */
    @Test
    void concurrentPredictionsWithOneModelAreCorrect() throws Exception {
        try (Sequential m = Sequential.builder(20).dense(32, "relu").dropout(0.3).dense(5).build(CPU, 3)) {
            int rowsA = 7, rowsB = 16;
            float[] xa = LayerGradientTest.random(1, rowsA * 20), xb = LayerGradientTest.random(2, rowsB * 20);
            float[] ya = m.predict(xa, rowsA, 4), yb = m.predict(xb, rowsB, 16);
            java.util.concurrent.atomic.AtomicInteger wrong = new java.util.concurrent.atomic.AtomicInteger();
            java.util.concurrent.atomic.AtomicReference<Throwable> error = new java.util.concurrent.atomic.AtomicReference<>();
            Thread[] ts = new Thread[2];
            for (int t = 0; t < 2; t++) {
                boolean first = t == 0;
                ts[t] = new Thread(() -> {
                    try {
                        for (int i = 0; i < 150; i++) {
                            float[] y = first ? m.predict(xa, rowsA, 4) : m.predict(xb, rowsB, 16);
                            if (!java.util.Arrays.equals(y, first ? ya : yb)) {
                                wrong.incrementAndGet();
                            }
                        }
                    } catch (Throwable e) {
                        error.compareAndSet(null, e);
                    }
                });
                ts[t].start();
            }
            for (Thread t : ts) {
                t.join();
            }
            if (error.get() != null) {
                throw new AssertionError("a prediction failed", error.get());
            }
            assertEquals(0, wrong.get(), "predictions that differed from the single-thread result");
            assertTrue(m.isTraining(), "predict restores the training mode");
        }
    }

    /**
     * Closing a model that another thread is using (a predict, or a fit, which holds the model's lock
     * throughout) waits for it, as the model's other calls do: before, close released the work
     * buffers under the running call, which then failed with "the work buffers of a closed module
     * cannot be used" instead of finishing.
     */
    @Test
    void closeWaitsForTheCallInProgress() throws Exception {
        Sequential m = Sequential.builder(4).dense(3, "relu").dense(2).build(CPU, 1);
        Thread closer = new Thread(m::close);
        synchronized (m) { // as Trainer.fit holds it
            closer.start();
            awaitBlocked(closer, "close waits for the lock");
            assertTrue(!m.isClosed());
            assertEquals(2, m.predict(new float[4], 1, 1).length, "the call in progress still runs");
        }
        closer.join();
        assertTrue(m.isClosed());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> m.predict(new float[4], 1, 1));
        assertTrue(e.getMessage().contains("is closed"), e.getMessage());
    }

    /** A closed model refuses work instead of allocating buffers it will never free; misuse names itself. */

    /**
     * Waits (up to 10 s) until {@code t}, just started, blocks on a monitor, and fails with
     * {@code what} if it ends or keeps running instead: for calls that must wait for the model's
     * lock, which the test holds.
     */
    static void awaitBlocked(Thread t, String what) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (t.getState() != Thread.State.BLOCKED && t.getState() != Thread.State.TERMINATED
                && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        assertEquals(Thread.State.BLOCKED, t.getState(), what);
    }
    @Test
    void closedModelsAndBadArgumentsAreRefused() {
        Sequential m = Sequential.builder(4).dense(3, "relu").dense(2).build(CPU, 1);
        try (Tensor x = CPU.fromArray(new float[8], 2, 4); Tensor g5 = CPU.zeros(2, 5); Tensor g2 = CPU.zeros(2, 2)) {
            m.forward(x);
            IllegalArgumentException b = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> m.backward(g5));
            assertTrue(b.getMessage().contains("2x5") && b.getMessage().contains("2x2"), b.getMessage());
            IllegalArgumentException p = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> m.predict(new float[8], 2, 0));
            assertTrue(p.getMessage().contains("predict") && p.getMessage().contains("batch"), p.getMessage());
            long live = CPU.liveBytes();
            m.close();
            long closed = CPU.liveBytes();
            assertTrue(closed < live);
            for (org.junit.jupiter.api.function.Executable call : new org.junit.jupiter.api.function.Executable[] {
                () -> m.forward(x), () -> m.predict(new float[8], 2, 2), () -> m.layers().get(0).forward(x)}) {
                IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, call);
                assertTrue(e.getMessage().contains("closed"), e.getMessage());
            }
            // the model's own calls name the model, not whichever closed tensor a layer reached first
            for (org.junit.jupiter.api.function.Executable call : new org.junit.jupiter.api.function.Executable[] {
                () -> m.updateOutput(x), () -> m.backward(x, g2, true), () -> m.backward(g2)}) {
                IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, call);
                assertEquals("Sequential(3 layers, 4 -> 2) is closed", e.getMessage());
            }
            assertEquals("Linear(4 -> 3, fused relu) is closed", assertThrows(IllegalStateException.class,
                    () -> m.layers().get(0).forward(x)).getMessage());
            assertEquals(closed, CPU.liveBytes(), "a closed model allocated nothing");
        }
    }

    @Test
    void mismatchedLayerSizesAreRejected() {
        Linear a = new Linear(CPU, 4, 5, true, Init.AUTO, null, 1);
        Linear b = new Linear(CPU, 6, 2, true, Init.AUTO, null, 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Sequential(CPU, 4, List.of(a, b)));
        assertTrue(e.getMessage().contains("layer 1") && e.getMessage().contains("cannot take 5"), e.getMessage());
        a.close();
        b.close();
        try (Sequential m = Sequential.builder(3).dense(2).build(CPU, 1); Tensor x = CPU.zeros(2, 4)) {
            IllegalArgumentException f = assertThrows(IllegalArgumentException.class, () -> m.forward(x));
            assertEquals("Sequential: expected input of shape [rows, 3], got 2x4", f.getMessage());
            assertEquals(2, m.outputSize(3));
            IllegalArgumentException o = assertThrows(IllegalArgumentException.class, () -> m.outputSize(4));
            assertEquals("Sequential takes 3 features, not 4", o.getMessage());
        }
    }

    /**
     * A constructor that throws leaves the caller's layers as given: it used to fuse a dense layer
     * with the tanh after it before finding that a later layer did not fit, so the Linear, still
     * the caller's, applied tanh itself and tanh ran twice in the next model made of the same layers.
     */
    @Test
    void aFailedConstructorLeavesTheLayersUnfusedAndTheCallers() {
        try (Device dev = new FaultyDevice().device; Device other = new FaultyDevice().device) {
            Linear a = new Linear(dev, 4, 5, true, Init.AUTO, Activation.TANH, 1);
            ActivationLayer tanh = new ActivationLayer(dev, Activation.TANH, 0f);
            Linear wrongSize = new Linear(dev, 6, 2, true, Init.AUTO, null, 2);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new Sequential(dev, 4, List.of(a, tanh, wrongSize)));
            assertTrue(e.getMessage().contains("layer 2") && e.getMessage().contains("cannot take 5"), e.getMessage());
            assertEquals(Activation.IDENTITY, a.fusedActivation(), "fused by a constructor that threw");

            Linear elsewhere = new Linear(other, 5, 2, true, Init.AUTO, null, 3);
            e = assertThrows(IllegalArgumentException.class, () -> new Sequential(dev, 4, List.of(a, tanh, elsewhere)));
            assertTrue(e.getMessage().contains("layer 2") && e.getMessage().contains("is on"), e.getMessage());
            assertEquals(Activation.IDENTITY, a.fusedActivation(), "fused by a constructor that threw");
            elsewhere.close();
            assertEquals(0, other.liveBytes(), "the caller closed its layer");

            // the same layers then make a model whose output is tanh applied once
            Linear last = new Linear(dev, 5, 2, true, Init.AUTO, null, 4);
            wrongSize.close();
            float[] x = {0.5f, -1f, 2f, 0.25f};
            float[] expected;
            try (Tensor in = dev.fromArray(x, 1, 4)) {
                expected = last.forward(tanh.forward(a.forward(in))).toArray();
            }
            try (Sequential m = new Sequential(dev, 4, List.of(a, tanh, last))) {
                assertEquals(Activation.TANH, a.fusedActivation());
                assertArrayEquals(expected, m.predict(x, 1, 1), 1e-6f);
            }
            assertEquals(0, dev.liveBytes(), "closing the model closed the layers it took");
        }
    }

    /**
     * A build that fails part way (here the last layer's weight allocation, after the layers before
     * it have their weights; a bad argument such as dropout(1.5) is now refused by the builder call,
     * before build) closes the layers it made: the caller never sees them. Counted on a device of
     * its own, so no other test's tensors interfere.
     */
    @Test
    void aFailedBuildClosesTheLayersItMade() {
        // the last dense layer's weight is the failing allocation: 2 for the first Linear, 4 for batch norm
        FaultyDevice faulty = new FaultyDevice().fail("allocate", 7);
        try (Device dev = faulty.device) {
            SequentialBuilder b = Sequential.builder(4).dense(6, "relu").batchNorm().dropout(0.5).dense(2);
            assertThrows(FaultyDevice.Injected.class, () -> b.build(dev, 1));
            assertEquals(7, faulty.calls(), "failed at the last layer's weight");
            assertEquals(0, dev.liveBytes(), "bytes of the layers made before the failure");
            assertEquals(0, dev.liveTensors(), "tensors of the layers made before the failure");
        }
    }

    @Test
    void aNullLayerIsNamedByIndex() {
        try (Linear l = new Linear(CPU, 3, 2, true, Init.AUTO, null, 1)) {
            java.util.List<dev.ember.nn.Module> layers = new java.util.ArrayList<>(java.util.Arrays.asList(l, null));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new Sequential(CPU, 3, layers, true));
            assertEquals("Sequential: layer 1 of 2 is null", e.getMessage());
        }
    }

    /** As in Keras, a bad layer argument fails at the call that gives it, not at build. */
    @Test
    void builderCallsCheckTheirArguments() {
        SequentialBuilder b = Sequential.builder(4).dense(6, "relu");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> b.dropout(1.5));
        assertTrue(e.getMessage().contains("Dropout: probability must be in [0, 1), got 1.5"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> b.batchNorm(0f, 0.1f));
        assertTrue(e.getMessage().contains("features=6, eps=0.0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> b.activation(Activation.ELU, Float.NaN));
        assertTrue(e.getMessage().contains("alpha must be finite"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> b.activation("identity"));
        // Keras' Dense(3, activation="softmax"): answered with the logits convention and .softmax()
        e = assertThrows(IllegalArgumentException.class, () -> b.dense(3, "Softmax"));
        assertTrue(e.getMessage().startsWith("dense(3, \"Softmax\"): softmax is not an elementwise activation"),
                e.getMessage());
        assertTrue(e.getMessage().contains("takes logits") && e.getMessage().contains(".softmax()"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> b.activation("softmax"));
        assertTrue(e.getMessage().startsWith("activation(\"softmax\"): softmax is not"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> b.dense(3, "relux"));
        assertTrue(e.getMessage().startsWith("unknown activation 'relux'"), e.getMessage());
        try (Sequential m = b.dense(2).build(CPU, 1)) {
            assertEquals(3, m.layers().size(), "the refused calls added nothing");
        }
    }

    @Test
    void initialisationSchemesHaveTheirScale() {
        int in = 400, out = 300;
        for (Init init : new Init[] {Init.TORCH, Init.HE, Init.GLOROT}) {
            try (Linear l = new Linear(CPU, in, out, true, init, Activation.RELU, 5)) {
                float[] w = l.weight().toArray();
                double sq = 0, max = 0;
                for (float v : w) {
                    sq += v * v;
                    max = Math.max(max, Math.abs(v));
                }
                double std = Math.sqrt(sq / w.length);
                double expect = switch (init) {
                    case TORCH -> 1 / Math.sqrt(in) / Math.sqrt(3);
                    case HE -> Math.sqrt(2.0 / in);
                    default -> Math.sqrt(6.0 / (in + out)) / Math.sqrt(3);
                };
                assertEquals(expect, std, expect * 0.03, init + " std");
                float[] b = l.bias().toArray();
                if (init == Init.TORCH) {
                    assertTrue(max <= 1 / Math.sqrt(in) + 1e-7);
                    assertTrue(Math.abs(b[0]) > 0 && Math.abs(b[0]) <= 1 / Math.sqrt(in));
                } else {
                    assertEquals(0f, b[0]);
                }
            }
        }
    }

    /**
     * AUTO picks He (normal) before ReLU, leaky ReLU and ELU and Glorot (uniform) otherwise: only the normal
     * draws reach past Glorot's bound. TORCH draws the bias from a stream of its own, not the weights'.
     */
    @Test
    void autoInitFollowsTheNextActivationAndTorchBiasHasItsOwnStream() {
        int in = 127, out = 33;
        double glorot = Math.sqrt(6.0 / (in + out));
        for (Activation next : new Activation[] {Activation.RELU, Activation.LEAKY_RELU, Activation.ELU, null,
            Activation.TANH, Activation.SIGMOID}) {
            try (Linear l = new Linear(CPU, in, out, true, Init.AUTO, next, 7)) {
                double max = 0;
                for (float v : l.weight().toArray()) {
                    max = Math.max(max, Math.abs(v));
                }
                boolean he = next == Activation.RELU || next == Activation.LEAKY_RELU || next == Activation.ELU;
                assertEquals(he, max > glorot, next + ": largest |w| " + max + ", Glorot bound " + glorot);
            }
        }
        // the builder passes each dense layer the activation that follows it (He before ReLU, Glorot before none)
        try (Sequential m = Sequential.builder(in).dense(out, "relu").dense(out).dropout(0.5).dense(2).build(CPU, 7)) {
            for (int i : new int[] {0, 2, 4}) { // Linear, ReLU, Linear, Dropout, Linear
                double max = 0;
                for (float v : ((Linear) m.layers().get(i)).weight().toArray()) {
                    max = Math.max(max, Math.abs(v));
                }
                double bound = i == 0 ? glorot : Math.sqrt(6.0 / (out + (i == 2 ? out : 2)));
                assertEquals(i == 0, max > bound, "layer " + i + ": largest |w| " + max + ", Glorot bound " + bound);
            }
        }
        for (long seed = 0; seed < 4; seed++) {
            try (Linear l = new Linear(CPU, in, out, true, Init.TORCH, null, seed)) {
                float[] w = java.util.Arrays.copyOf(l.weight().toArray(), out);
                org.junit.jupiter.api.Assertions.assertFalse(java.util.Arrays.equals(w, l.bias().toArray()),
                        "seed " + seed + ": bias is the weights' first draws");
            }
        }
    }

    @Test
    void linearTakesOneFeatureAndNamesAWrongInput() {
        try (Linear l = new Linear(CPU, 1, 1, false, Init.GLOROT, null, 1); Linear w = new Linear(CPU, 7, 33, true,
                Init.GLOROT, null, 1); Tensor x = CPU.fromArray(new float[] {2f}, 1, 1); Tensor bad = CPU.zeros(5, 6)) {
            assertEquals(2f * l.weight().toArray()[0], l.forward(x).toArray()[0], 1e-6f);
            assertEquals(7, w.inFeatures());
            assertEquals(33, w.outFeatures());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> w.forward(bad));
            assertEquals("Linear(7 -> 33): expected input of shape [rows, 7], got 5x6", e.getMessage());
        }
    }

    @Test
    void manyBatchSizesInTurnGiveCorrectOutputs() {
        try (Sequential m = Sequential.builder(3).dense(4, "relu").dense(2).build(CPU, 2)) {
            float[] x = LayerGradientTest.random(9, 3 * 9);
            float[] all = m.predict(x, 9, 9);
            for (int batch : new int[] {1, 2, 3, 4, 5, 7, 8, 2, 1}) {
                assertArrayEquals(all, m.predict(x, 9, batch), 1e-6f, "batch " + batch);
            }
        }
    }

    /** An input on another device used to fail inside the first GEMM, listing four tensors' devices. */
    @Test
    void anInputOnAnotherDeviceIsNamed() {
        try (Device other = new Device(new dev.ember.runtime.cpu.CpuBackend(1));
             Sequential m = Sequential.builder(2).dense(3).build(CPU, 0);
             Tensor x = other.zeros(4, 2)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.forward(x));
            assertTrue(e.getMessage().startsWith("Sequential: the input 4x2 is on ") && e.getMessage().contains(".to("),
                    e.getMessage());
        }
    }

    /** Using an optimizer or saving after the model is closed names what is closed. */
    @Test
    void aClosedModelIsNamedBySaveAndByItsOptimizer(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
        Sequential m = Sequential.builder(2).dense(3).build(CPU, 0);
        try (dev.ember.nn.optim.Optimizer opt = new dev.ember.nn.optim.Adam(m.parameters(), 0.01f)) {
            m.close();
            IllegalStateException step = assertThrows(IllegalStateException.class, opt::step);
            assertEquals("adam optimizer: parameter 0.weight is closed (was its model closed?)", step.getMessage());
            IllegalStateException save = assertThrows(IllegalStateException.class, () -> dev.ember.nn.model.ModelFile.save(
                    dir.resolve("m.safetensors"), new dev.ember.nn.model.SavedModel(m, "mse", null, null, null, null, null)));
            assertTrue(save.getMessage().contains("the model is closed"), save.getMessage());
        }
    }

    /**
     * A user who closes forward's result (it is AutoCloseable) closed the model's own output buffer,
     * and every later call with that batch size failed with "tensor 4x2 on cpu is closed".
     */
    @Test
    void closingAForwardOutputDoesNotBreakTheModel() {
        try (Sequential m = Sequential.builder(3).dense(5, "relu").dense(2).build(CPU, 4);
             Tensor x = CPU.fromArray(LayerGradientTest.random(9, 12), 4, 3)) {
            float[] expected = m.forward(x).toArray();
            try (Tensor y = m.forward(x)) {
                assertArrayEquals(expected, y.toArray());
            }
            assertArrayEquals(expected, m.forward(x).toArray());
            assertArrayEquals(expected, m.predict(x.toArray(), 4, 4));
        }
    }

    /** train(on) reaches every layer: dropout masks in training mode only. Predict takes batch 1 and 0 rows. */
    @Test
    void theModeReachesEveryLayerAndPredictTakesBatchOneAndNoRows() {
        int rows = 7, in = 33;
        float[] xs = LayerGradientTest.random(11, rows * in);
        try (Sequential m = Sequential.builder(in).dense(5, "relu").dropout(0.5).dense(2).build(CPU, 3);
             Tensor x = CPU.fromArray(xs, rows, in)) {
            m.eval();
            m.layers().forEach(l -> org.junit.jupiter.api.Assertions.assertFalse(l.isTraining(), l.describe()));
            float[] a = m.forward(x).toArray();
            assertArrayEquals(a, m.forward(x).toArray(), "evaluation mode draws no masks");
            m.train(true);
            m.layers().forEach(l -> assertTrue(l.isTraining(), l.describe()));
            org.junit.jupiter.api.Assertions.assertFalse(java.util.Arrays.equals(a, m.forward(x).toArray()),
                    "training mode drops units");
            float[] one = m.predict(xs, rows, 1);
            assertTrue(m.isTraining(), "predict restores the mode");
            for (int i = 0; i < a.length; i++) {
                assertEquals(a[i], one[i], 1e-6f + 1e-5f * Math.abs(a[i]), "row by row [" + i + "]");
            }
            assertEquals(0, m.predict(new float[0], 0, 4).length);
        }
    }

    /** seedDropout gives each dropout layer the masks of the run's seed, whatever seed the layer was made with. */
    @Test
    void seedDropoutReplacesTheLayersOwnSeeds() {
        int rows = 7, in = 33;
        float[] xs = LayerGradientTest.random(12, rows * in);
        try (Sequential a = new Sequential(CPU, in, List.of(new dev.ember.nn.layers.Dropout(CPU, 0.5f, 1)));
             Sequential b = new Sequential(CPU, in, List.of(new dev.ember.nn.layers.Dropout(CPU, 0.5f, 2)));
             Tensor x = CPU.fromArray(xs, rows, in)) {
            org.junit.jupiter.api.Assertions.assertFalse(java.util.Arrays.equals(a.forward(x).toArray(),
                    b.forward(x).toArray()), "layer seeds 1 and 2 differ");
            a.seedDropout(9);
            b.seedDropout(9);
            float[] first = a.forward(x).toArray();
            assertArrayEquals(first, b.forward(x).toArray(), "both now draw the masks of seed 9");
            a.seedDropout(9);
            assertArrayEquals(first, a.forward(x).toArray(), "reseeding restarts the mask stream");
            b.seedDropout(10);
            org.junit.jupiter.api.Assertions.assertFalse(java.util.Arrays.equals(first, b.forward(x).toArray()));
        }
    }

    /** updateGradInput of a one-layer model is dy W, against a float64 product of the layer's weights. */
    @Test
    void updateGradInputIsTheInputGradient() {
        int rows = 33, in = 7, out = 5;
        try (Sequential m = Sequential.builder(in).dense(out).build(CPU, 4);
             Tensor x = CPU.fromArray(LayerGradientTest.random(13, rows * in), rows, in);
             Tensor g = CPU.fromArray(LayerGradientTest.random(14, rows * out), rows, out)) {
            float[] w = m.parameters().get(0).value().toArray(), dy = g.toArray();
            m.forward(x);
            float[] dx = m.updateGradInput(x, g).toArray();
            for (int r = 0; r < rows; r++) {
                for (int j = 0; j < in; j++) {
                    double ref = 0;
                    for (int k = 0; k < out; k++) {
                        ref += (double) dy[r * out + k] * w[k * in + j];
                    }
                    assertEquals(ref, dx[r * in + j], 1e-5 + 1e-5 * Math.abs(ref), "dx[" + r + "][" + j + "]");
                }
            }
        }
    }

    /**
     * Architectures read from model metadata: an input of 1 and a layer of Integer.MAX_VALUE units
     * are sizes (one more is not), parameters are counted without building, and dropout's p and
     * an activation's alpha come back from the spec as written.
     */
    @Test
    void specSizesAtTheirLimitsAndValuesRoundTrip() {
        java.util.function.BiFunction<Integer, List<Object>, java.util.Map<String, Object>> spec = (in, layers) ->
                java.util.Map.of("type", "sequential", "in", in, "layers", layers);
        java.util.Map<String, Object> linear = java.util.Map.of("type", "linear", "out", Integer.MAX_VALUE);
        assertEquals(2L * Integer.MAX_VALUE, SequentialBuilder.parameterFloats(spec.apply(1, List.of(linear))));
        // 3*2 weights + 2 biases, batch norm's 4*2, then 2*1 weights and no bias
        assertEquals(18, SequentialBuilder.parameterFloats(spec.apply(3, List.of(java.util.Map.of("type", "linear",
                "out", 2), java.util.Map.of("type", "batchnorm1d"), java.util.Map.of("type", "linear", "out", 1,
                "bias", false)))));
        for (Object bad : new Object[] {0, 2147483648L}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> SequentialBuilder.parameterFloats(spec.apply(1, List.of(java.util.Map.of("type", "linear",
                            "out", bad)))));
            assertTrue(e.getMessage().contains("'out' must be a whole number from 1 to 2147483647, got " + bad),
                    e.getMessage());
        }
        try (Sequential m = Sequential.builder(1).dense(3).activation(Activation.LEAKY_RELU, 0.2f).dropout(0.3)
                .dense(1).build(CPU, 1);
             Sequential back = SequentialBuilder.fromSpec(m.spec(), CPU, 2)) {
            assertEquals(1, back.inputSize());
            assertEquals(m.spec(), back.spec());
            assertTrue(back.spec().toString().contains("alpha=0.2") && back.spec().toString().contains("p=0.3"),
                    back.spec().toString());
        }
        // a spec without alpha, eps or momentum gets the defaults, not zeros
        try (Sequential d = SequentialBuilder.fromSpec(java.util.Map.of("type", "sequential", "in", 2, "layers", List.of(
                java.util.Map.of("type", "linear", "out", 2), java.util.Map.of("type", "batchnorm1d"),
                java.util.Map.of("type", "leaky_relu"))), CPU, 3)) {
            assertEquals(d.spec().toString(), SequentialBuilder.fromSpec(java.util.Map.of("type", "sequential", "in", 2,
                    "layers", List.of(java.util.Map.of("type", "linear", "out", 2), java.util.Map.of("type",
                    "batchnorm1d", "eps", 1e-5, "momentum", 0.1), java.util.Map.of("type", "leaky_relu", "alpha",
                    (double) ActivationLayer.defaultAlpha(Activation.LEAKY_RELU)))), CPU, 3).spec().toString());
        }
    }
}
