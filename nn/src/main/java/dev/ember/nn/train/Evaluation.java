package dev.ember.nn.train;

/**
 * Result of {@link Trainer#evaluate}: mean loss, raw model outputs (rows x outputs), and the
 * classification or regression metrics (the other one is null).
 */
public record Evaluation(Task task, double loss, float[] outputs, int rows, int outputCols,
                         Metrics.Classification classification, Metrics.Regression regression) {
    /** Accuracy for classifiers, NaN for regression. */
    public double accuracy() {
        return classification == null ? Double.NaN : classification.accuracy();
    }
}
