package dev.ember.nn.optim;

import dev.ember.nn.Parameter;
import dev.ember.runtime.Ops;
import dev.ember.runtime.Tensor;

import java.util.List;

/** PyTorch SGD with optional momentum (velocity starts as the first gradient) and Nesterov. */
public final class Sgd extends Optimizer {
    private final float momentum;
    private final boolean nesterov;

    public Sgd(List<Parameter> params, float lr, float momentum, float weightDecay, boolean nesterov) {
        super(params, lr, weightDecay);
        checkMomentum(momentum, nesterov);
        this.momentum = momentum;
        this.nesterov = nesterov;
    }

    /** The momentum checks of the constructor, for {@link Optimizer#check(String, float, float, float)}. */
    static void checkMomentum(float momentum, boolean nesterov) {
        if (!(momentum >= 0 && momentum < 1)) {
            throw new IllegalArgumentException("SGD: momentum must be in [0, 1), got " + momentum);
        }
        if (nesterov && momentum == 0) {
            throw new IllegalArgumentException("SGD: Nesterov needs a non-zero momentum");
        }
    }

    @Override
    protected int stateCount() {
        return momentum == 0 ? 0 : 1;
    }

    @Override
    protected void update(Parameter p, Tensor[] s, int step) {
        Ops.sgd(p.value(), p.grad(), momentum == 0 ? null : s[0], lr, momentum, weightDecay, nesterov, step == 1);
    }

    @Override
    public String name() {
        return nesterov ? "nesterov" : "sgd";
    }
}
