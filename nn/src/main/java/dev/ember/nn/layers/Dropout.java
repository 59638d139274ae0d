package dev.ember.nn.layers;

import dev.ember.nn.Module;
import dev.ember.nn.Seeds;
import dev.ember.runtime.Device;
import dev.ember.runtime.Ops;
import dev.ember.runtime.Tensor;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Inverted dropout. Each training forward pass draws its Philox key from the layer seed (set from
 * the trainer's seed by {@link dev.ember.nn.train.Trainer}) and a step counter, so a run is
 * reproducible from its seeds; the backward pass reapplies the same mask
 * to the gradient instead of storing it. In evaluation mode (or with p = 0) it is the identity.
 */
public final class Dropout extends Module {
    private final float p;
    private long seed;
    private long step;
    private long stepSeed;
    private boolean applied;

    public Dropout(Device device, float p, long seed) {
        super(device);
        this.p = checkProbability(p);
        this.seed = seed;
    }

    /** The constructor's check of {@code p}, for builders that make the layer later; returns p. */
    public static float checkProbability(float p) {
        if (!(p >= 0f && p < 1f)) {
            throw new IllegalArgumentException("Dropout: probability must be in [0, 1), got " + p);
        }
        return p;
    }

    /** Restarts the mask stream: step k of a run then uses Philox key derive(seed, k). */
    public void reseed(long newSeed) {
        this.seed = newSeed;
        this.step = 0;
    }

    public float probability() {
        return p;
    }

    @Override
    public Tensor updateOutput(Tensor x) {
        applied = training && p > 0f;
        if (!applied) {
            return x;
        }
        stepSeed = Seeds.derive(seed, 0xD50, step++);
        Tensor y = buffers.get("y", x.rows(), x.cols());
        Ops.dropout(stepSeed, p, x, y);
        return y;
    }

    @Override
    public Tensor updateGradInput(Tensor x, Tensor gradOutput) {
        if (!applied) {
            return gradOutput;
        }
        Tensor gx = buffers.get("dx", x.rows(), x.cols());
        Ops.dropoutBackward(stepSeed, p, gradOutput, gx);
        return gx;
    }

    @Override
    public int outputSize(int inputSize) {
        return inputSize;
    }

    @Override
    public Map<String, Object> spec() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", "dropout");
        m.put("p", Double.parseDouble(Float.toString(p)));
        return m;
    }

    @Override
    public String describe() {
        return "Dropout(p=" + p + ")";
    }
}
