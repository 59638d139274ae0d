package dev.ember.nn.optim;

import dev.ember.nn.Parameter;
import dev.ember.runtime.Ops;
import dev.ember.runtime.Tensor;

import java.util.List;

/** PyTorch Adagrad: s += g², p -= lr g / (sqrt(s) + eps). */
public final class Adagrad extends Optimizer {
    private final float eps;

    public Adagrad(List<Parameter> params, float lr, float eps, float weightDecay) {
        super(params, lr, weightDecay);
        checkRange("eps", eps, false);
        this.eps = eps;
    }

    @Override
    protected int stateCount() {
        return 1;
    }

    @Override
    protected void update(Parameter p, Tensor[] s, int step) {
        Ops.adagrad(p.value(), p.grad(), s[0], lr, eps, weightDecay);
    }

    @Override
    public String name() {
        return "adagrad";
    }
}
