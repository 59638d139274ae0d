package dev.ember.nn.data;

import java.util.Objects;

/**
 * A train/test pair, with the scalers that produced its preprocessed values. {@code featureScaler}
 * and {@code targetScaler} are null when that part was not scaled; a model file stores them so
 * that prediction applies the same transform (and {@code targetScaler.inverse} undoes a
 * standardised regression target).
 */
public record Split(Dataset train, Dataset test, StandardScaler featureScaler, StandardScaler targetScaler) {

    public Split {
        Objects.requireNonNull(train, "train");
        Objects.requireNonNull(test, "test");
        if (train.cols() != test.cols() || train.classes() != test.classes()) {
            throw new IllegalArgumentException("Split: train is " + train.rows() + " x " + train.cols() + " with "
                    + train.classes() + " classes but test is " + test.rows() + " x " + test.cols() + " with "
                    + test.classes() + " classes");
        }
        if (featureScaler != null && featureScaler.size() != train.cols()) {
            throw new IllegalArgumentException("Split: feature scaler has " + featureScaler.size()
                    + " columns, data has " + train.cols());
        }
        if (targetScaler != null && (train.isClassification() || targetScaler.size() != 1)) {
            throw new IllegalArgumentException("Split: a target scaler needs a regression set and one column");
        }
    }

    /**
     * Standardises features (and, for regression, optionally the target) with statistics of the
     * train part only, applying them to both parts. Requires an unscaled split.
     */
    public Split standardized(boolean scaleTarget) {
        if (featureScaler != null || targetScaler != null) {
            throw new IllegalStateException("Split is already scaled");
        }
        StandardScaler fs = StandardScaler.fit(train.features(), train.rows(), train.cols());
        Dataset tr = train.withFeatures(fs.transform(train.features(), train.rows(), train.cols()));
        Dataset te = test.withFeatures(fs.transform(test.features(), test.rows(), test.cols()));
        StandardScaler ts = null;
        if (scaleTarget) {
            if (train.isClassification()) {
                throw new IllegalArgumentException("Split.standardized: cannot scale class labels of " + train.name());
            }
            ts = StandardScaler.fit(train.targets(), train.rows(), 1);
            tr = tr.withTargets(ts.transform(train.targets(), train.rows(), 1));
            te = te.withTargets(ts.transform(test.targets(), test.rows(), 1));
        }
        return new Split(tr, te, fs, ts);
    }
}
