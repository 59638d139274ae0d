package dev.ember.nn.loss;

import dev.ember.runtime.Ops;
import dev.ember.runtime.Tensor;

/**
 * Softmax cross-entropy on logits against integer class labels (PyTorch's
 * {@code CrossEntropyLoss}), one fused op for loss and gradient.
 */
public final class CrossEntropy implements Loss {
    @Override
    public float compute(Tensor output, Tensor target, Tensor grad) {
        return Ops.softmaxCrossEntropy(output, target, grad);
    }

    @Override
    public String name() {
        return "cross_entropy";
    }

    @Override
    public boolean labelTargets() {
        return true;
    }
}
