package dev.ember.nn.train;

import dev.ember.nn.data.OneHot;
import dev.ember.nn.loss.Loss;

/**
 * What a model's outputs mean, decided by the loss: class logits (cross-entropy; prediction =
 * argmax), one binary logit (BCE; prediction = logit > 0) or regression values (MSE).
 */
public enum Task {
    CLASSIFICATION, BINARY, REGRESSION;

    /**
     * The task of {@code loss}'s outputs, as the loss declares it, so a user-written loss is read
     * like the built-in one it stands in for: {@link Loss#binaryLogit} gives BINARY, otherwise
     * {@link Loss#labelTargets} gives CLASSIFICATION, and any other loss REGRESSION.
     */
    public static Task of(Loss loss) {
        java.util.Objects.requireNonNull(loss, "Task.of: loss is null");
        if (loss.binaryLogit()) {
            return BINARY;
        }
        return loss.labelTargets() ? CLASSIFICATION : REGRESSION;
    }

    /**
     * Predicted class of each of the first {@code rows} rows of raw outputs ({@code cols} per row);
     * regression has none. Classification takes {@link OneHot#argmaxRow} (torch.argmax: a row with
     * a NaN predicts the class of its first NaN, so a diverged model still yields valid class
     * indices, counted wrong unless one happens to be the label); binary predicts 1 where logit > 0,
     * so a NaN logit predicts 0, as {@code (logits > 0)} does in PyTorch. Regression outputs, and
     * outputs that do not hold {@code rows} rows of {@code cols} (one for binary), are refused as by
     * {@link #probabilities}.
     */
    public int[] predictClasses(float[] outputs, int rows, int cols) {
        checkOutputs("predictClasses", outputs, rows, cols);
        int[] p = new int[rows];
        for (int r = 0; r < rows; r++) {
            p[r] = this == BINARY ? (outputs[r * cols] > 0 ? 1 : 0) : OneHot.argmaxRow(outputs, r * cols, cols);
        }
        return p;
    }

    /**
     * Class probabilities of the first {@code rows} rows of raw outputs ({@code cols} per row), rows
     * x classes, computed in double: softmax of each row's logits (classification; torch.softmax),
     * or [1 - p, p] with p the sigmoid of the one logit (binary), so both have one column per class.
     * Regression outputs are not probabilities: refused.
     */
    public double[] probabilities(float[] outputs, int rows, int cols) {
        checkOutputs("probabilities", outputs, rows, cols);
        int k = this == BINARY ? 2 : cols;
        double[] p = new double[Math.multiplyExact(rows, k)];
        for (int r = 0; r < rows; r++) {
            if (this == BINARY) {
                double p1 = 1 / (1 + Math.exp(-outputs[r]));
                p[2 * r] = 1 - p1;
                p[2 * r + 1] = p1;
                continue;
            }
            double max = Double.NEGATIVE_INFINITY, sum = 0;
            for (int c = 0; c < k; c++) {
                max = Math.max(max, outputs[r * k + c]);
            }
            for (int c = 0; c < k; c++) {
                sum += Math.exp(outputs[r * k + c] - max);
            }
            for (int c = 0; c < k; c++) {
                p[r * k + c] = Math.exp(outputs[r * k + c] - max) / sum;
            }
        }
        return p;
    }

    /** Outputs that a classifier's {@code rows} rows of {@code cols} can be read from; throws naming {@code op}. */
    private void checkOutputs(String op, float[] outputs, int rows, int cols) {
        if (this == REGRESSION) {
            throw new IllegalStateException(op + ": a regression model's outputs are values, not classes");
        }
        if (this == BINARY && cols != 1) {
            // said as such: 4 outputs do hold 2 rows of 2, but not of a binary model's
            throw new IllegalArgumentException(op + ": a binary model has one logit per row, got " + cols + " columns");
        }
        if (rows < 0 || cols < 1 || outputs.length < (long) rows * cols) {
            throw new IllegalArgumentException(op + ": " + outputs.length + " outputs do not hold " + rows
                    + " rows of " + cols);
        }
    }

    public boolean hasClasses() {
        return this != REGRESSION;
    }
}
