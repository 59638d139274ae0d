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

    /**
     * Whether targets are integer class labels (one per row) rather than one value per output. A
     * label loss that is not {@link #binaryLogit} takes one logit per class, as PyTorch's
     * {@code CrossEntropyLoss} does, so its model is read as a classifier (prediction = argmax;
     * accuracy, confusion matrix) by the trainer, the metrics and model files.
     */
    default boolean labelTargets() {
        return false;
    }

    /**
     * Whether the model's output is one logit per row for two classes (targets 0 and 1), as for
     * PyTorch's {@code BCEWithLogitsLoss}: prediction = logit > 0, probability = its sigmoid, and
     * binary accuracy and confusion matrix as metrics. A custom loss on such logits (focal, hinge on
     * logits, ...) overrides this to be evaluated so; left false, a loss without
     * {@link #labelTargets} is read as regression (MSE, MAE, R²). It decides the task even when
     * {@link #labelTargets} is true too; the targets the trainer passes still follow
     * {@link #labelTargets} (one label per row, not one per output).
     */
    default boolean binaryLogit() {
        return false;
    }

    /**
     * "mse", "bce" (binary cross-entropy on logits) or "cross_entropy" (softmax cross-entropy on
     * logits, integer labels); PyTorch's MSELoss, BCEWithLogitsLoss, CrossEntropyLoss and Keras'
     * mean_squared_error, binary_crossentropy and (sparse_)categorical_crossentropy name the same.
     */
    static Loss parse(String s) {
        return switch (s.trim().toLowerCase(Locale.ROOT).replace('-', '_')) {
            // besides Ember's names, PyTorch's class names and Keras' loss strings (Ember's output is
            // logits: Keras' from_logits=True)
            case "mse", "mean_squared_error", "mseloss" -> new MeanSquaredError();
            case "bce", "bce_with_logits", "binary_cross_entropy", "bcewithlogitsloss", "binary_crossentropy"
                    -> new BinaryCrossEntropy();
            case "ce", "cross_entropy", "softmax_cross_entropy", "crossentropy", "crossentropyloss",
                 "sparse_categorical_crossentropy", "categorical_crossentropy" -> new CrossEntropy();
            default -> throw new IllegalArgumentException("unknown loss '" + s + "' (expected mse, bce or cross_entropy)");
        };
    }
}
