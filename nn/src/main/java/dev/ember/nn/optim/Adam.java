package dev.ember.nn.optim;

import dev.ember.nn.Parameter;
import dev.ember.runtime.Ops;
import dev.ember.runtime.Tensor;

import java.util.List;

/** Adam (L2 weight decay added to the gradient) or AdamW (decoupled weight decay), bias-corrected. */
public final class Adam extends Optimizer {
    private final float beta1;
    private final float beta2;
    private final float eps;
    private final boolean decoupled;

    public Adam(List<Parameter> params, float lr, float beta1, float beta2, float eps, float weightDecay,
                boolean decoupled) {
        super(params, lr, weightDecay);
        checkRange("beta1", beta1, true);
        checkRange("beta2", beta2, true);
        checkRange("eps", eps, false);
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.decoupled = decoupled;
    }

    public Adam(List<Parameter> params, float lr) {
        this(params, lr, 0.9f, 0.999f, 1e-8f, 0f, false);
    }

    @Override
    protected int stateCount() {
        return 2;
    }

    @Override
    protected void update(Parameter p, Tensor[] s, int step) {
        Ops.adam(p.value(), p.grad(), s[0], s[1], lr, beta1, beta2, eps, weightDecay, decoupled, step);
    }

    @Override
    public String name() {
        return decoupled ? "adamw" : "adam";
    }
}
