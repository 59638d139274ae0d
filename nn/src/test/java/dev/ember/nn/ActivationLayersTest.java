package dev.ember.nn;

import dev.ember.nn.layers.ActivationLayer;
import dev.ember.nn.layers.Softmax;
import dev.ember.runtime.Activation;
import dev.ember.runtime.Device;
import dev.ember.runtime.Devices;
import dev.ember.runtime.Tensor;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The stand-alone activation layers: Softmax's forward against float64, ActivationLayer's checks and spec. */
class ActivationLayersTest {
    static final Device CPU = Devices.cpu();

    @Test
    void softmaxRowsMatchFloat64() {
        int rows = 7, cols = 33;
        float[] xs = LayerGradientTest.random(21, rows * cols);
        for (int i = 0; i < xs.length; i++) {
            xs[i] *= 5;
        }
        try (Softmax s = new Softmax(CPU); Tensor x = CPU.fromArray(xs, rows, cols)) {
            float[] y = s.forward(x).toArray();
            for (int r = 0; r < rows; r++) {
                double max = Double.NEGATIVE_INFINITY, sum = 0;
                for (int c = 0; c < cols; c++) {
                    max = Math.max(max, xs[r * cols + c]);
                }
                for (int c = 0; c < cols; c++) {
                    sum += Math.exp(xs[r * cols + c] - max);
                }
                for (int c = 0; c < cols; c++) {
                    double ref = Math.exp(xs[r * cols + c] - max) / sum;
                    assertEquals(ref, y[r * cols + c], 1e-7 + 1e-5 * ref, "[" + r + "," + c + "]");
                }
            }
        }
    }

    @Test
    void activationLayerChecksItsArgumentsAndSavesAlphaWhereItMatters() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new ActivationLayer(CPU, Activation.IDENTITY, 0f));
        assertEquals("ActivationLayer: identity is not a layer", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new ActivationLayer(CPU, Activation.ELU, Float.NaN));
        assertEquals("ActivationLayer: alpha must be finite, got NaN", e.getMessage());
        try (ActivationLayer leaky = new ActivationLayer(CPU, Activation.LEAKY_RELU, 0.2f);
             ActivationLayer elu = new ActivationLayer(CPU, Activation.ELU, 0.5f);
             ActivationLayer relu = new ActivationLayer(CPU, Activation.RELU, 0f)) {
            assertEquals(Map.of("type", "leaky_relu", "alpha", 0.2), leaky.spec());
            assertEquals(Map.of("type", "elu", "alpha", 0.5), elu.spec());
            assertEquals(Map.of("type", "relu"), relu.spec());
        }
    }
}
