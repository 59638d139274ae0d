package dev.ember.nn;

import dev.ember.nn.layers.BatchNorm1d;
import dev.ember.nn.model.ModelFile;
import dev.ember.nn.model.SavedModel;
import dev.ember.nn.layers.Linear;
import dev.ember.nn.optim.Adam;
import dev.ember.nn.optim.Optimizer;
import dev.ember.runtime.Activation;
import dev.ember.runtime.Device;
import dev.ember.runtime.Devices;
import dev.ember.runtime.Tensor;
import dev.ember.runtime.testing.FaultyDevice;
import dev.ember.runtime.testing.FaultyDevice.Injected;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Layers, models and optimizers that make several tensors in a row close the ones already made
 * when a later one fails (a device out of memory, a failed fill): the caller never receives the
 * half-built object, so nobody could close them, and they would stay counted on the device.
 * Each case fails every call of the method in turn, 1 to the number of calls a successful
 * construction makes.
 */
class FailedAllocationTest {

    /**
     * Builds with {@code make} once to count the calls of {@code method} (which must be
     * {@code expectedCalls}), then once per call with that call failing: each must throw the
     * injected failure and leave no tensor open.
     */
    private static void assertNothingLeaks(String what, String method, int expectedCalls,
                                           Function<Device, AutoCloseable> make) throws Exception {
        FaultyDevice counting = new FaultyDevice().fail(method, 0);
        try (Device dev = counting.device) {
            make.apply(dev).close();
            assertEquals(expectedCalls, counting.calls(), what + ": calls of Backend." + method);
            assertEquals(0, dev.liveBytes(), what + ": live bytes after a successful build and close");
        }
        for (int n = 1; n <= expectedCalls; n++) {
            try (Device dev = new FaultyDevice().fail(method, n).device) {
                int nth = n;
                Injected e = assertThrows(Injected.class, () -> make.apply(dev), what + ", " + method + " " + n);
                assertEquals("injected failure of call " + nth + " of Backend." + method, e.getMessage());
                assertEquals(0, dev.liveBytes(), what + ": live bytes after failing " + method + " call " + n);
                assertEquals(0, dev.liveTensors(), what + ": live tensors after failing " + method + " call " + n);
            }
        }
    }

    @Test
    void batchNormClosesWhatItMadeWhenAnAllocationOrFillFails() throws Exception {
        Function<Device, AutoCloseable> make = dev -> new BatchNorm1d(dev, 5);
        assertNothingLeaks("BatchNorm1d", "allocate", 8, make);
        assertNothingLeaks("BatchNorm1d", "fill", 8, make); // 6 zeros, 2 ones
    }

    @Test
    void linearClosesWhatItMadeWhenAnAllocationOrInitialisationFails() throws Exception {
        Function<Device, AutoCloseable> withBias = dev -> new Linear(dev, 4, 3, true, Init.TORCH, null, 7);
        assertNothingLeaks("Linear", "allocate", 4, withBias);
        assertNothingLeaks("Linear", "fill", 3, withBias);
        assertNothingLeaks("Linear", "upload", 2, withBias); // uniform weight, then uniform bias
        assertNothingLeaks("Linear without bias", "allocate", 2,
                dev -> new Linear(dev, 4, 3, false, Init.AUTO, Activation.RELU, 7));
    }

    /**
     * A device failure while a model file's network is built is the device's error, not "bad
     * architecture metadata": the file is fine and loads elsewhere.
     */
    @Test
    void loadingAModelReportsTheDeviceFailureAsItself(@TempDir Path dir)
            throws Exception {
        Path file = dir.resolve("m.safetensors");
        try (Sequential m = Sequential.builder(4).dense(6, "relu").batchNorm().dense(2)
                .build(Devices.cpu(), 1)) {
            ModelFile.save(file, new SavedModel(m, "cross_entropy", null, null,
                    null, null, null));
        }
        for (int n = 1; n <= 16; n++) {
            try (Device dev = new FaultyDevice().fail("allocate", n).device) {
                Injected e = assertThrows(Injected.class, () -> ModelFile.load(file, dev),
                        "allocate call " + n);
                assertFalse(e.getMessage().contains("architecture"), e.getMessage());
                assertEquals(0, dev.liveBytes(), "live bytes after failing allocate call " + n);
            }
        }
        try (Device dev = new FaultyDevice().device;
             SavedModel loaded = ModelFile.load(file, dev)) {
            assertEquals(2, loaded.model().outputSize());
        }
    }

    @Test
    void builtModelClosesEveryLayerWhenALaterOneFails() throws Exception {
        SequentialBuilder b = Sequential.builder(4).dense(6, "relu").batchNorm().dense(2);
        assertNothingLeaks("Sequential", "allocate", 4 + 8 + 4, dev -> b.build(dev, 1));
    }

    /** An OutOfMemoryError (the CPU backend's out of memory) is an Error, not a RuntimeException. */
    @Test
    void builtModelClosesEveryLayerOnAnOutOfMemoryError() {
        SequentialBuilder b = Sequential.builder(4).dense(6, "relu").batchNorm().dense(2);
        for (int n = 1; n <= 16; n++) {
            FaultyDevice faulty = new FaultyDevice().fail("allocate", n, m -> new OutOfMemoryError("injected " + m));
            try (Device dev = faulty.device) {
                assertThrows(OutOfMemoryError.class, () -> b.build(dev, 1), "allocation " + n);
                assertEquals(0, dev.liveBytes(), "live bytes after failing allocation " + n);
            }
        }
    }

    /**
     * A tensor that fails to close while a failed build is being undone (the first layer's
     * weight: releases 1 and 2 undo the last layer's two tensors) neither replaces the build's
     * failure (it is added as suppressed) nor keeps the rest of that layer, or the other layers,
     * from being closed.
     */
    @Test
    void aFailedCloseDuringTheCleanUpIsSuppressedAndEverythingElseStillCloses() {
        SequentialBuilder b = Sequential.builder(4).dense(6, "relu").batchNorm().dense(2);
        FaultyDevice faulty = new FaultyDevice().fail("allocate", 15).alsoFail("release", 3);
        try (Device dev = faulty.device) {
            Injected e = assertThrows(Injected.class, () -> b.build(dev, 1));
            assertTrue(e.getMessage().contains("Backend.allocate"), e.getMessage());
            assertEquals(1, e.getSuppressed().length, "the failed release, added to the allocation's failure");
            assertTrue(e.getSuppressed()[0].getMessage().contains("call 3 of Backend.release"),
                    e.getSuppressed()[0].getMessage());
            assertEquals(0, dev.liveTensors(), "tensors left open");
        }
    }

    /** The same for a model's close: one failed release, and the rest of the model is still released. */
    @Test
    void aModelWhoseTensorFailsToCloseStillClosesTheRest() {
        FaultyDevice faulty = new FaultyDevice();
        try (Device dev = faulty.device) {
            Sequential m = Sequential.builder(4).dense(6, "relu").batchNorm().dense(2).build(dev, 1);
            faulty.fail("release", 2);
            Injected e = assertThrows(Injected.class, m::close);
            assertTrue(e.getMessage().contains("call 2 of Backend.release"), e.getMessage());
            assertEquals(0, dev.liveTensors(), "tensors left open");
        }
    }

    /**
     * Adam makes two moments per parameter on its first step: when the second fails, the first is
     * closed too (moments of earlier parameters are the optimizer's and {@link Optimizer#close}
     * releases them). A later step makes the missing state again.
     */
    @Test
    void optimizerStateOfAParameterIsClosedWhenItsSecondTensorFails() {
        for (int n = 1; n <= 4; n++) {
            FaultyDevice faulty = new FaultyDevice();
            try (Device dev = faulty.device) {
                Linear layer = new Linear(dev, 4, 3, true, Init.TORCH, null, 7);
                long layerBytes = dev.liveBytes();
                Adam opt = new Adam(layer.parameters(), 0.01f);
                faulty.fail("allocate", n);
                assertThrows(Injected.class, opt::step, "state allocation " + n);
                faulty.fail("allocate", 0);
                opt.close();
                assertEquals(layerBytes, dev.liveBytes(), "live bytes after failing state allocation " + n);
                layer.close();
                assertEquals(0, dev.liveBytes());
            }
        }
    }

    /**
     * A step that fails part way (here Adam's update of the second of two parameters) counts
     * nothing for the parameters it did not reach: retried, it gives the bias the update of a first
     * step (bias correction at t = 1), as a fresh optimizer would, and the weight its second.
     */
    @Test
    void aStepThatFailsPartWayCountsOnlyTheUpdatesThatRan() {
        float[][] once = adamSteps(new FaultyDevice(), 1, false);
        float[][] twice = adamSteps(new FaultyDevice(), 2, false);
        float[][] retried = adamSteps(new FaultyDevice(), 1, true);
        assertArrayEquals(twice[0], retried[0], "weight: updated by the failed step and again by the retry");
        assertArrayEquals(once[1], retried[1], "bias: its one update must be a first step's");
    }

    /** Weight and bias of a Linear after {@code steps} Adam steps; {@code failFirst}: one failed step before. */
    private static float[][] adamSteps(FaultyDevice faulty, int steps, boolean failFirst) {
        try (Device dev = faulty.device; Linear layer = new Linear(dev, 5, 3, true, Init.TORCH, null, 11);
             Adam opt = new Adam(layer.parameters(), 0.01f)) {
            List<Parameter> ps = layer.parameters();
            assertEquals(2, ps.size());
            ps.get(0).grad().copyFrom(new float[] {0.3f, -0.2f, 0.5f, 0.1f, -0.4f, 0.25f, -0.15f, 0.05f, 0.6f, -0.35f,
                    0.45f, -0.05f, 0.2f, -0.6f, 0.15f});
            ps.get(1).grad().copyFrom(new float[] {0.7f, -0.3f, 0.05f});
            if (failFirst) {
                faulty.fail("adamUpdate", 2);
                assertThrows(Injected.class, opt::step);
                assertEquals(0, opt.steps(), "a failed step is not a step");
                faulty.fail("adamUpdate", 0);
            }
            for (int i = 0; i < steps; i++) {
                opt.step();
            }
            assertEquals(steps, opt.steps());
            return new float[][] {ps.get(0).value().toArray(), ps.get(1).value().toArray()};
        }
    }

    /**
     * The evaluation-mode backward of BatchNorm1d makes its constant zeros and ones on first use.
     * When the ones fail, the zeros must not stay behind alone: the next backward would find
     * zeros made and use ones that never were.
     */
    @Test
    void batchNormEvalBackwardRecoversFromAFailedConstant() {
        float[] x = {0.5f, -1f, 2f, 1.5f, 0f, -0.5f};
        float[] dy = {1f, 2f, -1f, 0.5f, 0.25f, 3f};
        float[] expected = evalGradInput(new FaultyDevice(), 0, x, dy);
        // allocations of the first eval backward: dx, zeros, ones, xhat
        for (int n = 1; n <= 4; n++) {
            assertArrayEquals(expected, evalGradInput(new FaultyDevice(), n, x, dy), "allocation " + n);
        }
    }

    /**
     * dx of an eval-mode BatchNorm1d(3) on 2 rows, from a second backward after a first whose
     * {@code nth} allocation failed (none for 0); checks that closing leaves nothing on the device.
     */
    private static float[] evalGradInput(FaultyDevice faulty, int nth, float[] x, float[] dy) {
        try (Device dev = faulty.device) {
            float[] dx;
            try (BatchNorm1d bn = new BatchNorm1d(dev, 3); Tensor tx = dev.fromArray(x, 2, 3);
                 Tensor tdy = dev.fromArray(dy, 2, 3)) {
                bn.train(false);
                bn.forward(tx);
                if (nth > 0) {
                    faulty.fail("allocate", nth);
                    assertThrows(Injected.class, () -> bn.updateGradInput(tx, tdy), "allocation " + nth);
                    faulty.fail("allocate", 0);
                }
                dx = bn.updateGradInput(tx, tdy).toArray();
            }
            assertEquals(0, dev.liveBytes(), "live bytes after closing, allocation " + nth + " failed");
            return dx;
        }
    }

    /**
     * A buffer whose reallocation (same name and rows, other columns) failed must not stay cached
     * closed: asking for the old shape again would hand out a closed tensor.
     */
    @Test
    void bufferCacheDropsTheOldBufferWhenItsReplacementFails() {
        FaultyDevice faulty = new FaultyDevice();
        try (Device dev = faulty.device; BufferCache cache = new BufferCache(dev)) {
            Tensor first = cache.get("y", 2, 3);
            faulty.fail("allocate", 1);
            assertThrows(Injected.class, () -> cache.get("y", 2, 5));
            assertTrue(first.isClosed(), "the replaced buffer is released");
            faulty.fail("allocate", 0);
            Tensor again = cache.get("y", 2, 3);
            assertFalse(again.isClosed(), "the cache handed out a closed buffer");
            assertSame(again, cache.get("y", 2, 3));
            assertEquals(2L * 3 * Float.BYTES, dev.liveBytes());
        }
    }

    /** The injection itself: without it, every construction above succeeds and leaves nothing. */
    @Test
    void theFaultyDeviceFailsOnlyTheArmedCall() {
        FaultyDevice faulty = new FaultyDevice().fail("allocate", 2);
        try (Device dev = faulty.device) {
            Tensor a = dev.empty(3);
            assertThrows(Injected.class, () -> dev.empty(3));
            Tensor c = dev.empty(3);
            assertEquals(3, faulty.calls());
            assertEquals(2, dev.liveTensors());
            a.close();
            c.close();
        }
    }
}
