package dev.ember.nn.layers;

import dev.ember.nn.Allocations;
import dev.ember.nn.Init;
import dev.ember.nn.Module;
import dev.ember.nn.Parameter;
import dev.ember.runtime.Activation;
import dev.ember.runtime.Device;
import dev.ember.runtime.Ops;
import dev.ember.runtime.Tensor;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Dense layer y = x Wᵀ + b with W stored out x in like PyTorch's {@code nn.Linear}. When
 * {@link dev.ember.nn.Sequential} fuses the following activation into it, the forward pass is one
 * {@code gemm(bias, act)} launch and the backward pass recovers act'(pre-activation) from the
 * output alone: relu and leaky relu (positive slope) keep the sign, so y > 0 exactly when the
 * pre-activation is, and sigmoid and tanh derivatives are functions of y.
 */
public final class Linear extends Module {
    private final int in;
    private final int out;
    /** Name used in input-shape errors, built once. */
    private final String label;
    private final Tensor weight;
    private final Tensor bias;
    private final Tensor gradWeight;
    private final Tensor gradBias;
    private Activation act = Activation.IDENTITY;
    private float actAlpha;
    private Tensor output;
    private Tensor delta;
    private Tensor deltaFor;

    /**
     * @param next activation that follows (chooses He or Glorot under {@link Init#AUTO}); may be null
     */
    public Linear(Device device, int in, int out, boolean bias, Init init, Activation next, long seed) {
        super(device);
        if (in < 1 || out < 1) {
            throw new IllegalArgumentException("Linear: sizes must be positive, got " + in + " -> " + out);
        }
        this.in = in;
        this.out = out;
        this.label = "Linear(" + in + " -> " + out + ")";
        Init resolved = init.resolve(next == null ? Activation.IDENTITY : next);
        Allocations made = new Allocations();
        try {
            this.weight = made.add(device.empty(out, in));
            this.gradWeight = made.add(device.zeros(out, in));
            this.bias = bias ? made.add(device.zeros(out)) : null;
            this.gradBias = bias ? made.add(device.zeros(out)) : null;
            initialise(resolved, seed);
        } catch (RuntimeException | Error e) {
            made.closeAfter(e);
            throw e;
        }
    }

    private void initialise(Init init, long seed) {
        switch (init) {
            case HE -> weight.fillNormal(seed, 0f, (float) Math.sqrt(2.0 / in));
            case GLOROT -> {
                float limit = (float) Math.sqrt(6.0 / (in + out));
                weight.fillUniform(seed, -limit, limit);
            }
            case TORCH -> {
                float bound = (float) (1.0 / Math.sqrt(in));
                weight.fillUniform(seed, -bound, bound);
                if (bias != null) {
                    bias.fillUniform(seed ^ 0x5DEECE66DL, -bound, bound);
                }
            }
            case AUTO -> throw new IllegalStateException("unresolved init");
        }
    }

    /** Fuses {@code a} into the GEMM epilogue; only activations whose derivative follows from y. */
    public void fuse(Activation a, float alpha) {
        if (!canFuse(a, alpha)) {
            throw new IllegalArgumentException("Linear: cannot fuse " + a + " with alpha " + alpha);
        }
        this.act = a;
        this.actAlpha = alpha;
    }

    /** Whether act'(x) can be recovered from y = act(x) alone (so no pre-activation is stored). */
    public static boolean canFuse(Activation a, float alpha) {
        return switch (a) {
            case IDENTITY, RELU, SIGMOID, TANH -> true;
            case LEAKY_RELU -> alpha > 0;
            case ELU -> false; // backends may compute ELU' from x; keep the pre-activation instead
        };
    }

    public Activation fusedActivation() {
        return act;
    }

    public int inFeatures() {
        return in;
    }

    public int outFeatures() {
        return out;
    }

    public Tensor weight() {
        return weight;
    }

    public Tensor bias() {
        return bias;
    }

    @Override
    public Tensor updateOutput(Tensor x) {
        checkInput(label, x, in);
        output = buffers.get("y", x.rows(), out);
        Ops.gemm(false, true, 1f, x, weight, 0f, output, bias, act, actAlpha);
        deltaFor = null;
        return output;
    }

    /** Gradient with respect to the pre-activation, computed once per backward pass. */
    private Tensor delta(Tensor gradOutput) {
        if (act == Activation.IDENTITY) {
            return gradOutput;
        }
        if (deltaFor != gradOutput) {
            delta = buffers.get("delta", gradOutput.rows(), out);
            Ops.activationBackward(act, actAlpha, output, output, gradOutput, delta);
            deltaFor = gradOutput;
        }
        return delta;
    }

    @Override
    public Tensor updateGradInput(Tensor x, Tensor gradOutput) {
        Tensor g = delta(gradOutput);
        Tensor gx = buffers.get("dx", x.rows(), in);
        Ops.gemm(false, false, 1f, g, weight, 0f, gx);
        return gx;
    }

    @Override
    public void accGradParameters(Tensor x, Tensor gradOutput) {
        Tensor g = delta(gradOutput);
        Ops.gemm(true, false, 1f, g, x, 0f, gradWeight);
        if (bias != null) {
            Ops.biasGrad(g, gradBias, false);
        }
    }

    @Override
    public int outputSize(int inputSize) {
        if (inputSize != in) {
            throw new IllegalArgumentException("Linear(" + in + " -> " + out + ") cannot take " + inputSize
                    + " input features");
        }
        return out;
    }

    @Override
    public List<Parameter> parameters() {
        List<Parameter> ps = new ArrayList<>();
        ps.add(new Parameter("weight", weight, gradWeight));
        if (bias != null) {
            ps.add(new Parameter("bias", bias, gradBias));
        }
        return ps;
    }

    @Override
    public Map<String, Object> spec() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", "linear");
        m.put("in", in);
        m.put("out", out);
        m.put("bias", bias != null);
        return m;
    }

    @Override
    public String describe() {
        return "Linear(" + in + " -> " + out + (bias == null ? ", no bias" : "")
                + (act == Activation.IDENTITY ? "" : ", fused " + act.name().toLowerCase(java.util.Locale.ROOT)) + ")";
    }

    @Override
    public void close() {
        closeAll(super::close, weight, gradWeight, bias, gradBias);
    }
}
