package dev.ember.nn.optim;

import dev.ember.nn.Parameter;
import dev.ember.runtime.Ops;
import dev.ember.runtime.Tensor;

import java.util.List;

/** PyTorch RMSprop without momentum: s = alpha s + (1 - alpha) g², p -= lr g / (sqrt(s) + eps). */
public final class RmsProp extends Optimizer {
    private final float alpha;
    private final float eps;

    public RmsProp(List<Parameter> params, float lr, float alpha, float eps, float weightDecay) {
        super(params, lr, weightDecay);
        checkRange("alpha", alpha, false);
        checkRange("eps", eps, false);
        this.alpha = alpha;
        this.eps = eps;
    }

    @Override
    protected int stateCount() {
        return 1;
    }

    @Override
    protected void update(Parameter p, Tensor[] s, int step) {
        Ops.rmsprop(p.value(), p.grad(), s[0], lr, alpha, eps, weightDecay);
    }

    @Override
    public String name() {
        return "rmsprop";
    }
}
