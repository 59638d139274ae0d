package dev.ember.nn.loss;

import dev.ember.runtime.Ops;
import dev.ember.runtime.Tensor;

/** Mean squared error over all output elements (PyTorch's {@code MSELoss}, reduction mean). */
public final class MeanSquaredError implements Loss {
    @Override
    public float compute(Tensor output, Tensor target, Tensor grad) {
        return Ops.mse(output, target, grad);
    }

    @Override
    public String name() {
        return "mse";
    }
}
