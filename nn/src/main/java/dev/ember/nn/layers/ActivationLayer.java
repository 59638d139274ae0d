package dev.ember.nn.layers;

import dev.ember.nn.Module;
import dev.ember.runtime.Activation;
import dev.ember.runtime.Device;
import dev.ember.runtime.Ops;
import dev.ember.runtime.Tensor;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * An elementwise activation (ReLU, LeakyReLU, ELU, Sigmoid, Tanh) as its own layer. After a
 * {@link Linear} it is usually fused into the layer's GEMM by {@link dev.ember.nn.Sequential} and
 * then only appears in summaries and layer numbering (as in PyTorch's {@code nn.Sequential}).
 */
public final class ActivationLayer extends Module {
    private final Activation act;
    private final float alpha;
    private Tensor output;

    public ActivationLayer(Device device, Activation act, float alpha) {
        super(device);
        checkArguments(act, alpha);
        this.act = act;
        this.alpha = alpha;
    }

    /** The constructor's check, for builders that make the layer later. */
    public static void checkArguments(Activation act, float alpha) {
        if (act == Activation.IDENTITY) {
            throw new IllegalArgumentException("ActivationLayer: identity is not a layer");
        }
        if (!Float.isFinite(alpha)) {
            throw new IllegalArgumentException("ActivationLayer: alpha must be finite, got " + alpha);
        }
    }

    /** Default alpha: 0.01 for leaky relu, 1 for elu (PyTorch defaults), unused otherwise. */
    public static float defaultAlpha(Activation act) {
        return switch (act) {
            case LEAKY_RELU -> 0.01f;
            case ELU -> 1f;
            default -> 0f;
        };
    }

    public Activation activation() {
        return act;
    }

    public float alpha() {
        return alpha;
    }

    @Override
    public Tensor updateOutput(Tensor x) {
        if (x.rank() != 2) {
            throw new IllegalArgumentException(describe() + ": expected a rank-2 input, got " + x.shapeString());
        }
        output = buffers.get("y", x.rows(), x.cols());
        Ops.activation(act, alpha, x, output);
        return output;
    }

    @Override
    public Tensor updateGradInput(Tensor x, Tensor gradOutput) {
        Tensor gx = buffers.get("dx", x.rows(), x.cols());
        Ops.activationBackward(act, alpha, x, output, gradOutput, gx);
        return gx;
    }

    @Override
    public int outputSize(int inputSize) {
        return inputSize;
    }

    @Override
    public Map<String, Object> spec() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", act.name().toLowerCase(Locale.ROOT));
        if (act == Activation.LEAKY_RELU || act == Activation.ELU) {
            m.put("alpha", Double.parseDouble(Float.toString(alpha)));
        }
        return m;
    }

    @Override
    public String describe() {
        return switch (act) {
            case RELU -> "ReLU";
            case LEAKY_RELU -> "LeakyReLU(" + alpha + ")";
            case ELU -> "ELU(" + alpha + ")";
            case SIGMOID -> "Sigmoid";
            case TANH -> "Tanh";
            case IDENTITY -> "Identity";
        };
    }
}
