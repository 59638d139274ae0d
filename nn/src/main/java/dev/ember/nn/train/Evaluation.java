package dev.ember.nn.train;

/**
 * Result of {@link Trainer#evaluate}: mean loss, raw model outputs (rows x outputs), and the
 * classification or regression metrics (the other one is null). They are in the units of the
 * evaluated data's targets: for a split whose target was standardised ({@code Split.standardized(true)},
 * {@code Datasets.reference("diabetes")}) the loss, MSE, MAE and outputs are in standard deviations
 * of the training target (R² is the same in either); {@code targetScaler().inverse} of the outputs,
 * or {@code SavedModel.predict}, gives target units.
 */
public record Evaluation(Task task, double loss, float[] outputs, int rows, int outputCols,
                         Metrics.Classification classification, Metrics.Regression regression) {
    /** Accuracy for classifiers, NaN for regression. */
    public double accuracy() {
        return classification == null ? Double.NaN : classification.accuracy();
    }
}
