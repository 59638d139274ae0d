package dev.ember.nn.train;

import dev.ember.nn.data.OneHot;
import dev.ember.nn.loss.BinaryCrossEntropy;
import dev.ember.nn.loss.CrossEntropy;
import dev.ember.nn.loss.Loss;

/**
 * What a model's outputs mean, decided by the loss: class logits (cross-entropy; prediction =
 * argmax), one binary logit (BCE; prediction = logit > 0) or regression values (MSE).
 */
public enum Task {
    CLASSIFICATION, BINARY, REGRESSION;

    public static Task of(Loss loss) {
        if (loss instanceof CrossEntropy) {
            return CLASSIFICATION;
        }
        if (loss instanceof BinaryCrossEntropy) {
            return BINARY;
        }
        return REGRESSION;
    }

    /**
     * Predicted class of each of the first {@code rows} rows of raw outputs ({@code cols} per row);
     * regression has none. Classification takes {@link OneHot#argmaxRow} (torch.argmax: a row with
     * a NaN predicts the class of its first NaN, so a diverged model still yields valid class
     * indices, counted wrong unless one happens to be the label); binary predicts 1 where logit > 0,
     * so a NaN logit predicts 0, as {@code (logits > 0)} does in PyTorch.
     */
    public int[] predictClasses(float[] outputs, int rows, int cols) {
        int[] p = new int[rows];
        for (int r = 0; r < rows; r++) {
            p[r] = this == BINARY ? (outputs[r * cols] > 0 ? 1 : 0) : OneHot.argmaxRow(outputs, r * cols, cols);
        }
        return p;
    }

    public boolean hasClasses() {
        return this != REGRESSION;
    }
}
