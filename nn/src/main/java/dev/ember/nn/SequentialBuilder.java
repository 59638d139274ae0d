package dev.ember.nn;

import dev.ember.nn.layers.ActivationLayer;
import dev.ember.nn.layers.BatchNorm1d;
import dev.ember.nn.layers.Dropout;
import dev.ember.nn.layers.Linear;
import dev.ember.nn.layers.Softmax;
import dev.ember.runtime.Activation;
import dev.ember.runtime.Device;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Keras-like description of a {@link Sequential}:
 * {@code Sequential.builder(13).dense(32, "relu").dropout(0.2).dense(3).build(device, seed)}.
 * {@code dense(n, act)} adds a Linear and an activation layer (two indices, as in PyTorch).
 * Nothing touches a device until {@link #build}, which derives every layer's seed from one seed;
 * each call checks its own arguments, so a bad one fails where it is written, as in Keras.
 */
public final class SequentialBuilder {
    private record Spec(String type, int size, boolean bias, Activation act, float alpha, float beta) {
        Spec(String type, int size, boolean bias, Activation act, float alpha) {
            this(type, size, bias, act, alpha, 0f);
        }
    }

    private final int inputSize;
    private final List<Spec> specs = new ArrayList<>();
    private Init init = Init.AUTO;
    private boolean fuse = true;
    private int size;

    SequentialBuilder(int inputSize) {
        if (inputSize < 1) {
            throw new IllegalArgumentException("Sequential: input size must be positive, got " + inputSize);
        }
        this.inputSize = inputSize;
        this.size = inputSize;
    }

    /** A dense layer without activation (logits, regression output). */
    public SequentialBuilder dense(int units) {
        return dense(units, "identity", true);
    }

    public SequentialBuilder dense(int units, String activation) {
        return dense(units, activation, true);
    }

    public SequentialBuilder dense(int units, String activation, boolean bias) {
        if (units < 1) {
            throw new IllegalArgumentException("dense: units must be positive, got " + units);
        }
        Activation a = parse("dense(" + units + ", \"" + activation + "\")", activation);
        specs.add(new Spec("linear", units, bias, null, 0f));
        size = units;
        if (a != Activation.IDENTITY) {
            activation(a, ActivationLayer.defaultAlpha(a));
        }
        return this;
    }

    public SequentialBuilder activation(String name) {
        Activation a = parse("activation(\"" + name + "\")", name);
        return activation(a, ActivationLayer.defaultAlpha(a));
    }

    /**
     * {@link Activation#parse}, except that Keras' {@code Dense(k, activation="softmax")} is answered
     * with what Ember does instead: softmax is a layer of its own, and the losses take logits.
     */
    private static Activation parse(String call, String name) {
        if (name != null && name.strip().equalsIgnoreCase("softmax")) {
            throw new IllegalArgumentException(call + ": softmax is not an elementwise activation; for"
                    + " cross_entropy end the model with a plain dense layer (the loss takes logits and applies"
                    + " softmax itself, as PyTorch's CrossEntropyLoss), or call .softmax() for a softmax layer");
        }
        return Activation.parse(name);
    }

    public SequentialBuilder activation(Activation a, float alpha) {
        ActivationLayer.checkArguments(a, alpha);
        specs.add(new Spec("act", size, false, a, alpha));
        return this;
    }

    public SequentialBuilder dropout(double p) {
        Dropout.checkProbability((float) p);
        specs.add(new Spec("dropout", size, false, null, (float) p));
        return this;
    }

    /** BatchNorm1d with PyTorch's defaults (eps 1e-5, momentum 0.1). */
    public SequentialBuilder batchNorm() {
        return batchNorm(1e-5f, 0.1f);
    }

    public SequentialBuilder batchNorm(float eps, float momentum) {
        BatchNorm1d.checkArguments(size, eps, momentum);
        specs.add(new Spec("batchnorm1d", size, false, null, eps, momentum));
        return this;
    }

    public SequentialBuilder softmax() {
        specs.add(new Spec("softmax", size, false, null, 0f));
        return this;
    }

    /** Weight initialisation of the dense layers (default {@link Init#AUTO}). */
    public SequentialBuilder init(Init scheme) {
        this.init = scheme;
        return this;
    }

    /** Whether dense layers absorb the following activation into their GEMM (default true). */
    public SequentialBuilder fuse(boolean on) {
        this.fuse = on;
        return this;
    }

    /** Creates the layers on {@code device}; layer i draws its initial weights from seed (seed, i). */
    public Sequential build(Device device, long seed) {
        List<Module> layers = new ArrayList<>();
        try {
            int in = inputSize;
            for (int i = 0; i < specs.size(); i++) {
                Spec s = specs.get(i);
                long layerSeed = Seeds.derive(seed, 0x1A7E, i);
                layers.add(switch (s.type) {
                    case "linear" -> {
                        Activation next = i + 1 < specs.size() && specs.get(i + 1).act != null ? specs.get(i + 1).act : null;
                        yield new Linear(device, in, s.size, s.bias, init, next, layerSeed);
                    }
                    case "act" -> new ActivationLayer(device, s.act, s.alpha);
                    case "dropout" -> new Dropout(device, s.alpha, layerSeed);
                    case "batchnorm1d" -> new BatchNorm1d(device, in, s.alpha, s.beta);
                    case "softmax" -> new Softmax(device);
                    default -> throw new IllegalStateException(s.type);
                });
                in = layers.get(i).outputSize(in);
            }
            return new Sequential(device, inputSize, layers, fuse);
        } catch (RuntimeException | Error e) {
            // the layers made so far (an OutOfMemoryError on the CPU backend is an Error), all of
            // them even if one fails to close, which is added to e rather than replacing it
            for (Module m : layers) {
                try {
                    m.close();
                } catch (RuntimeException | Error closing) {
                    e.addSuppressed(closing);
                }
            }
            throw e;
        }
    }

    /**
     * Rebuilds a model from its {@link Sequential#spec()} (as stored in model files). Weights are
     * initialised from {@code seed} and are normally overwritten by loading.
     */
    @SuppressWarnings("unchecked")
    public static Sequential fromSpec(Map<String, Object> spec, Device device, long seed) {
        if (!"sequential".equals(spec.get("type"))) {
            throw new IllegalArgumentException("model spec: expected type sequential, got " + spec.get("type"));
        }
        SequentialBuilder b = new SequentialBuilder(intOf(spec, "in"));
        for (Map<String, Object> l : layers(spec)) {
            String type = String.valueOf(l.get("type")).toLowerCase(Locale.ROOT);
            switch (type) {
                case "linear" -> b.dense(intOf(l, "out"), "identity", !Boolean.FALSE.equals(l.get("bias")));
                case "dropout" -> b.dropout(numberOf(l, "p", null));
                case "batchnorm1d" -> b.batchNorm((float) numberOf(l, "eps", 1e-5), (float) numberOf(l, "momentum", 0.1));
                case "softmax" -> b.softmax();
                default -> {
                    Activation a = Activation.parse(type);
                    b.activation(a, (float) numberOf(l, "alpha", (double) ActivationLayer.defaultAlpha(a)));
                }
            }
        }
        return b.build(device, seed);
    }

    /**
     * The number of float32 parameters and buffers the spec's model holds, computed without
     * building it, so that a model file can be checked against its data before gigabytes are
     * allocated for a corrupt architecture.
     */
    public static long parameterFloats(Map<String, Object> spec) {
        long size = intOf(spec, "in"), total = 0;
        for (Map<String, Object> l : layers(spec)) {
            String type = String.valueOf(l.get("type")).toLowerCase(Locale.ROOT);
            if (type.equals("linear")) {
                long out = intOf(l, "out");
                // below 2^31 * 2^31 each, but the sum of many can pass 2^63: saturate
                total = saturatingAdd(total, size * out + (Boolean.FALSE.equals(l.get("bias")) ? 0 : out));
                size = out;
            } else if (type.equals("batchnorm1d")) {
                total = saturatingAdd(total, 4 * size); // weight, bias, running mean and variance
            }
        }
        return total;
    }

    private static long saturatingAdd(long a, long b) {
        long s = a + b;
        return s < a ? Long.MAX_VALUE : s;
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> layers(Map<String, Object> spec) {
        if (!(spec.get("layers") instanceof List<?> list)) {
            throw new IllegalArgumentException("model spec: 'layers' must be a list, got " + spec.get("layers"));
        }
        for (int i = 0; i < list.size(); i++) {
            if (!(list.get(i) instanceof Map)) {
                throw new IllegalArgumentException("model spec: layer " + i + " must be an object, got " + list.get(i));
            }
        }
        return (List<Map<String, Object>>) list;
    }

    /** A positive whole number that fits an int (a size): 13.99 or 2^32 + 13 is refused, not truncated. */
    private static int intOf(Map<String, Object> m, String key) {
        Object v = m.get(key);
        if (!(v instanceof Number n)) {
            throw new IllegalArgumentException("model spec: missing number '" + key + "' in " + m);
        }
        double d = n.doubleValue();
        if (d != Math.rint(d) || d < 1 || d > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("model spec: '" + key + "' must be a whole number from 1 to "
                    + Integer.MAX_VALUE + ", got " + v);
        }
        return (int) d;
    }

    private static double numberOf(Map<String, Object> m, String key, Double dflt) {
        Object v = m.get(key);
        if (v == null && dflt != null) {
            return dflt;
        }
        if (!(v instanceof Number n)) {
            throw new IllegalArgumentException("model spec: '" + key + "' must be a number, got " + v + " in " + m);
        }
        return n.doubleValue();
    }
}
