package dev.ember.nn.loss;

import dev.ember.runtime.Tensor;

import java.util.Locale;

/**
 * A loss on a batch of model outputs: returns the mean loss and writes d(loss)/d(output) into
 * {@code grad} (same shape as the output) in one fused op.
 */
public interface Loss {
    /**
     * Mean loss of {@code output} against {@code target}; fills {@code grad}, which has the output's
     * shape. {@code target} has it too, except for {@link #labelTargets} losses (one label per row).
     */
    float compute(Tensor output, Tensor target, Tensor grad);

    /** Name used on the command line and in model files. */
    String name();

    /** Whether targets are integer class labels (one per row) rather than one value per output. */
    default boolean labelTargets() {
        return false;
    }

    /** "mse", "bce" (binary cross-entropy on logits) or "cross_entropy" (softmax cross-entropy on logits). */
    static Loss parse(String s) {
        return switch (s.trim().toLowerCase(Locale.ROOT).replace('-', '_')) {
            case "mse", "mean_squared_error" -> new MeanSquaredError();
            case "bce", "bce_with_logits", "binary_cross_entropy" -> new BinaryCrossEntropy();
            case "ce", "cross_entropy", "softmax_cross_entropy", "crossentropy" -> new CrossEntropy();
            default -> throw new IllegalArgumentException("unknown loss '" + s + "' (expected mse, bce or cross_entropy)");
        };
    }
}
