package dev.ember.runtime.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.ember.runtime.Activation;
import dev.ember.runtime.Device;
import dev.ember.runtime.Devices;
import dev.ember.runtime.Ops;
import dev.ember.runtime.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A two-layer classifier trained for a few SGD steps through the public {@link Ops} API on the CPU
 * and on OpenCL from the same seeds: losses agree within 1e-4 relative per step, final weights
 * within 1e-4 + 1e-3 relative, and every tensor's device memory is returned afterwards.
 */
class OpenClTrainingStepParityTest {
    static java.util.List<String> devices() {
        return OpenClTestSupport.devices();
    }

    /** Runs the training on one device; returns the losses followed by the final first-layer weights. */
    private static float[] train(Device d, int steps) {
        int batch = 33, in = 20, hidden = 17, classes = 5;
        long live = d.liveBytes();
        float[] result;
        try (Tensor x = d.randn(1, 0f, 1f, batch, in);
             Tensor labels = d.empty(batch);
             Tensor w1 = d.randn(2, 0f, 0.3f, in, hidden);
             Tensor b1 = d.zeros(hidden);
             Tensor w2 = d.randn(3, 0f, 0.3f, hidden, classes);
             Tensor b2 = d.zeros(classes);
             Tensor h = d.empty(batch, hidden);
             Tensor z = d.empty(batch, classes);
             Tensor dz = d.empty(batch, classes);
             Tensor dh = d.empty(batch, hidden);
             Tensor gw1 = d.empty(in, hidden);
             Tensor gb1 = d.empty(hidden);
             Tensor gw2 = d.empty(hidden, classes);
             Tensor gb2 = d.empty(classes);
             Tensor v1 = d.zeros(in, hidden)) {
            float[] lab = new float[batch];
            for (int i = 0; i < batch; i++) {
                lab[i] = (i * 7) % classes;
            }
            labels.copyFrom(lab);
            result = new float[steps + in * hidden];
            for (int s = 0; s < steps; s++) {
                Ops.gemm(false, false, 1f, x, w1, 0f, h, b1, Activation.RELU, 0f);
                Ops.gemm(false, false, 1f, h, w2, 0f, z, b2, Activation.IDENTITY, 0f);
                result[s] = Ops.softmaxCrossEntropy(z, labels, dz);
                Ops.gemm(true, false, 1f, h, dz, 0f, gw2);
                Ops.biasGrad(dz, gb2, false);
                Ops.gemm(false, true, 1f, dz, w2, 0f, dh);
                Ops.activationBackward(Activation.RELU, 0f, h, h, dh, dh);
                Ops.gemm(true, false, 1f, x, dh, 0f, gw1);
                Ops.biasGrad(dh, gb1, false);
                Ops.sgd(w1, gw1, v1, 0.5f, 0.9f, 1e-4f, false, s == 0);
                Ops.sgd(b1, gb1, null, 0.5f, 0f, 0f, false, false);
                Ops.sgd(w2, gw2, null, 0.5f, 0f, 0f, false, false);
                Ops.sgd(b2, gb2, null, 0.5f, 0f, 0f, false, false);
            }
            System.arraycopy(w1.toArray(), 0, result, steps, in * hidden);
        }
        assertEquals(live, d.liveBytes(), d.name() + ": device memory not returned");
        return result;
    }

    @ParameterizedTest(name = "[{0}] five SGD steps of a two-layer classifier match the CPU")
    @MethodSource("devices")
    void trainingMatchesCpu(String device) {
        Device cl = Devices.get(OpenClTestSupport.cl().name());
        int steps = 5;
        float[] ref = train(Devices.cpu(), steps);
        float[] got = train(cl, steps);
        for (int s = 0; s < steps; s++) {
            if (!(Math.abs(got[s] - ref[s]) <= 1e-4 * Math.abs(ref[s]))) {
                fail("step " + s + " loss opencl " + got[s] + " cpu " + ref[s]);
            }
        }
        assertTrue(got[steps - 1] < got[0], "loss should fall: " + got[0] + " -> " + got[steps - 1]);
        for (int i = steps; i < ref.length; i++) {
            if (!(Math.abs(got[i] - ref[i]) <= 1e-4 + 1e-3 * Math.abs(ref[i]))) {
                fail("w1[" + (i - steps) + "] opencl " + got[i] + " cpu " + ref[i]);
            }
        }
    }
}
