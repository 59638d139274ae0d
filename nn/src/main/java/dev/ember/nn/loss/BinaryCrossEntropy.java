package dev.ember.nn.loss;

import dev.ember.runtime.Ops;
import dev.ember.runtime.Tensor;

/**
 * Binary cross-entropy on logits (PyTorch's {@code BCEWithLogitsLoss}): the sigmoid is part of the
 * loss, so the model outputs raw logits and a probability is sigmoid(output).
 */
public final class BinaryCrossEntropy implements Loss {
    @Override
    public float compute(Tensor output, Tensor target, Tensor grad) {
        return Ops.bceWithLogits(output, target, grad);
    }

    @Override
    public String name() {
        return "bce";
    }

    @Override
    public boolean binaryLogit() {
        return true;
    }
}
