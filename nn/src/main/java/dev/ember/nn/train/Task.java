package dev.ember.nn.train;

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

    /** Predicted class of each row from raw outputs (rows x cols); regression has none. */
    public int[] predictClasses(float[] outputs, int rows, int cols) {
        int[] p = new int[rows];
        for (int r = 0; r < rows; r++) {
            if (this == BINARY) {
                p[r] = outputs[r * cols] > 0 ? 1 : 0;
            } else {
                int best = 0;
                for (int c = 1; c < cols; c++) {
                    if (outputs[r * cols + c] > outputs[r * cols + best]) {
                        best = c;
                    }
                }
                p[r] = best;
            }
        }
        return p;
    }

    public boolean hasClasses() {
        return this != REGRESSION;
    }
}
