package dev.ember.nn;

import dev.ember.runtime.Tensor;

/**
 * A trainable tensor and its gradient, both owned by the module that lists them. {@code name} is
 * local to the module ("weight", "bias"); {@link Sequential#parameters()} prefixes the layer index
 * ("0.weight") the way PyTorch's {@code nn.Sequential} state_dict does.
 */
public record Parameter(String name, Tensor value, Tensor grad) {
    public Parameter withName(String newName) {
        return new Parameter(newName, value, grad);
    }
}
