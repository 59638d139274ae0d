package dev.ember.runtime.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.runtime.Activation;
import dev.ember.runtime.Device;
import dev.ember.runtime.Ops;
import dev.ember.runtime.Tensor;
import dev.ember.runtime.testing.DeviceTest;
import dev.ember.runtime.testing.TestDevice;

/**
 * Device memory accounting: a training-like loop of allocate / compute / close returns live
 * bytes and live tensors to where they started (including ops that allocate internally and ops
 * that fail), and peak bytes tracks the high-water mark.
 */
class MemoryAccountingTest {

    @DeviceTest
    void allocateComputeCloseLoopReturnsLiveBytes(TestDevice td) {
        Device dev = td.open();
        long bytes0 = dev.liveBytes(), tensors0 = dev.liveTensors();
        for (int step = 0; step < 50; step++) {
            try (Tensor x = dev.randn(step, 0f, 1f, 16, 33); Tensor w = dev.randn(step + 1, 0f, 0.1f, 33, 10);
                 Tensor b = dev.zeros(10); Tensor logits = dev.empty(16, 10); Tensor labels = dev.zeros(16);
                 Tensor grad = dev.empty(16, 10); Tensor dw = dev.empty(33, 10); Tensor db = dev.empty(10)) {
                Ops.gemm(false, false, 1f, x, w, 0f, logits, b, Activation.RELU, 0f);
                Ops.softmaxCrossEntropy(logits, labels, grad); // allocates its stats internally
                Ops.gemm(true, false, 1f, x, grad, 0f, dw);
                Ops.biasGrad(grad, db, false);
                Ops.sgd(w, dw, null, 0.1f, 0f, 0f, false, step == 0);
                Ops.sum(dw); // allocates and frees a scalar
                Ops.sumSquares(dw);
                Ops.bceWithLogits(logits, grad, grad);
                Ops.mse(logits, grad, grad);
                try (Tensor p = Ops.matmul(x, w); Tensor moved = p.to(dev)) {
                    Ops.add(p, moved, p);
                }
                // A failing matmul must release the result it allocated.
                assertThrows(IllegalArgumentException.class, () -> Ops.matmul(x, x));
                // A failing to() on a closed source must release its target.
                Tensor dead = dev.zeros(4, 4);
                dead.close();
                assertThrows(IllegalStateException.class, () -> dead.to(dev));
            }
            assertEquals(bytes0, dev.liveBytes(), "live bytes on " + dev + " after step " + step);
        }
        dev.synchronize();
        assertEquals(bytes0, dev.liveBytes(), "live bytes on " + dev + " after the loop");
        assertEquals(tensors0, dev.liveTensors(), "live tensors on " + dev + " after the loop");
    }

    @DeviceTest
    void peakBytesIsTheHighWaterMark(TestDevice td) {
        Device dev = td.open();
        long base = dev.liveBytes();
        dev.resetPeak();
        assertEquals(base, dev.peakBytes(), "resetPeak sets the peak to the live bytes");
        try (Tensor a = dev.empty(1000)) {
            assertEquals(base + 4000, dev.liveBytes(), "a [1000] tensor holds 4000 bytes");
            try (Tensor b = dev.empty(7, 33)) {
                assertEquals(base + 4000 + 4 * 7 * 33, dev.liveBytes(), "live bytes with two tensors");
            }
            assertEquals(base + 4000, dev.liveBytes(), "live bytes after closing one");
            assertEquals(base + 4000 + 4 * 7 * 33, dev.peakBytes(), "peak keeps the high-water mark");
        }
        assertEquals(base, dev.liveBytes(), "live bytes back to the start");
        assertEquals(base + 4000 + 4 * 7 * 33, dev.peakBytes(), "peak survives closing");
        Tensor c = dev.empty(10);
        c.close();
        c.close(); // a second close must not release twice
        assertEquals(base, dev.liveBytes(), "double close releases once");
        dev.resetPeak();
        assertEquals(base, dev.peakBytes(), "resetPeak after closing");
        assertTrue(dev.peakBytes() >= dev.liveBytes(), "peak >= live");
    }
}
