package dev.ember.nn.model;

import dev.ember.nn.Sequential;
import dev.ember.nn.data.StandardScaler;
import dev.ember.nn.loss.Loss;
import dev.ember.nn.train.Task;

import java.util.List;

/**
 * Consistency checks between a model and what its file says besides weights. A scaler or a name
 * list of the wrong width would otherwise load and fail, or mislabel outputs, at prediction time.
 * Messages start with the file and name the metadata key and both counts.
 */
final class ModelChecks {
    private ModelChecks() {
    }

    /** Throws an {@link IllegalArgumentException} when the metadata of {@code s} contradicts its model. */
    static void metadata(String source, SavedModel s) {
        Sequential m = s.model();
        Task task;
        try {
            task = Task.of(Loss.parse(s.loss()));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(source + ": metadata " + ModelFile.LOSS + ": " + e.getMessage(), e);
        }
        width(source, ModelFile.FEATURE_SCALER, s.featureScaler(), m.inputSize(), "input features");
        width(source, ModelFile.TARGET_SCALER, s.targetScaler(), m.outputSize(), "outputs");
        names(source, ModelFile.FEATURE_NAMES, s.featureNames(), m.inputSize(), "input features");
        // A binary (BCE) model has one logit for two classes; regression has no classes.
        int classes = switch (task) {
            case CLASSIFICATION -> m.outputSize();
            case BINARY -> 2;
            case REGRESSION -> 0;
        };
        String what = switch (task) {
            case CLASSIFICATION -> "classes (one per output, loss " + s.loss() + ")";
            case BINARY -> "classes (one output, loss " + s.loss() + ")";
            case REGRESSION -> "classes (regression, loss " + s.loss() + ")";
        };
        names(source, ModelFile.CLASS_NAMES, s.classNames(), classes, what);
    }

    private static void width(String source, String key, StandardScaler scaler, int expected, String what) {
        if (scaler != null && scaler.size() != expected) {
            throw new IllegalArgumentException(source + ": metadata " + key + " has " + scaler.size()
                    + " columns, the model has " + expected + " " + what);
        }
    }

    /** An empty list means no names were saved, which is allowed. */
    private static void names(String source, String key, List<String> names, int expected, String what) {
        if (!names.isEmpty() && names.size() != expected) {
            throw new IllegalArgumentException(source + ": metadata " + key + " lists " + names.size()
                    + " names " + names + ", the model has " + expected + " " + what);
        }
    }
}
