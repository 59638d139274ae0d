package dev.ember.nn.train;

import java.util.List;

/**
 * Evaluation metrics from host-side predictions: classification (accuracy, confusion matrix with
 * rows = true class and columns = predicted class, per-class precision, recall and F1, 0 where
 * undefined like scikit-learn's zero_division=0) and regression (MSE, MAE, R²).
 * Choices where scikit-learn has options: every class in {@code [0, classes)} is reported and
 * averaged, present or not (as passing {@code labels=range(classes)}; sklearn's default averages
 * only the labels seen in y_true or y_pred), so a class never seen nor predicted counts as F1 0 in
 * {@link Classification#macroF1}. R² is NaN when the targets are constant (SS_tot = 0, e.g. one
 * row), as {@code r2_score(force_finite=False)}; sklearn's default would give 1.0 for a perfect fit
 * there and 0.0 otherwise. Labels and predictions outside {@code [0, classes)} are refused.
 */
public final class Metrics {
    private Metrics() {
    }

    public record Classification(double accuracy, int[][] confusion, double[] precision, double[] recall,
                                 double[] f1) {
        /** Unweighted mean of the per-class F1 over all classes (sklearn average='macro' with labels=range(classes)). */
        public double macroF1() {
            double s = 0;
            for (double v : f1) {
                s += v;
            }
            return s / f1.length;
        }

        /** A text report: per-class precision, recall, F1 and support, then accuracy. */
        public String report(List<String> classNames) {
            StringBuilder sb = new StringBuilder(String.format("%-16s %9s %9s %9s %8s%n", "", "precision", "recall",
                    "f1", "support"));
            for (int c = 0; c < f1.length; c++) {
                int support = 0;
                for (int v : confusion[c]) {
                    support += v;
                }
                String name = classNames != null && c < classNames.size() ? classNames.get(c) : Integer.toString(c);
                sb.append(String.format(java.util.Locale.ROOT, "%-16s %9.4f %9.4f %9.4f %8d%n", name, precision[c],
                        recall[c], f1[c], support));
            }
            sb.append(String.format(java.util.Locale.ROOT, "%-16s %9s %9s %9.4f%n", "accuracy", "", "", accuracy));
            return sb.toString();
        }
    }

    /** Mean squared error, mean absolute error and R² = 1 - SS_res / SS_tot (NaN where SS_tot = 0). */
    public record Regression(double mse, double mae, double r2) {
    }

    public static Classification classification(int[] predicted, int[] actual, int classes) {
        if (predicted.length != actual.length) {
            throw new IllegalArgumentException("metrics: " + predicted.length + " predictions for " + actual.length
                    + " labels");
        }
        if (classes < 1) {
            throw new IllegalArgumentException("metrics: classes must be >= 1, got " + classes);
        }
        for (int i = 0; i < actual.length; i++) {
            if (actual[i] < 0 || actual[i] >= classes || predicted[i] < 0 || predicted[i] >= classes) {
                throw new IllegalArgumentException("metrics: row " + i + " has label " + actual[i] + " and prediction "
                        + predicted[i] + ", outside the " + classes + " classes [0, " + classes + ")");
            }
        }
        int[][] cm = new int[classes][classes];
        int correct = 0;
        for (int i = 0; i < actual.length; i++) {
            cm[actual[i]][predicted[i]]++;
            if (actual[i] == predicted[i]) {
                correct++;
            }
        }
        double[] p = new double[classes], r = new double[classes], f = new double[classes];
        for (int c = 0; c < classes; c++) {
            int tp = cm[c][c], predC = 0, actC = 0;
            for (int k = 0; k < classes; k++) {
                predC += cm[k][c];
                actC += cm[c][k];
            }
            p[c] = predC == 0 ? 0 : tp / (double) predC;
            r[c] = actC == 0 ? 0 : tp / (double) actC;
            f[c] = p[c] + r[c] == 0 ? 0 : 2 * p[c] * r[c] / (p[c] + r[c]);
        }
        return new Classification(actual.length == 0 ? Double.NaN : correct / (double) actual.length, cm, p, r, f);
    }

    public static Regression regression(float[] predicted, float[] actual) {
        if (predicted.length != actual.length || actual.length == 0) {
            throw new IllegalArgumentException("metrics: " + predicted.length + " predictions for " + actual.length
                    + " targets");
        }
        double mean = 0;
        for (float a : actual) {
            mean += a;
        }
        mean /= actual.length;
        double sse = 0, sae = 0, sst = 0;
        for (int i = 0; i < actual.length; i++) {
            double d = predicted[i] - actual[i];
            sse += d * d;
            sae += Math.abs(d);
            sst += (actual[i] - mean) * (actual[i] - mean);
        }
        return new Regression(sse / actual.length, sae / actual.length, sst == 0 ? Double.NaN : 1 - sse / sst);
    }
}
