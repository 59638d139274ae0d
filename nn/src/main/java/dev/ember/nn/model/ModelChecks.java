package dev.ember.nn.model;

import dev.ember.nn.Sequential;
import dev.ember.nn.data.StandardScaler;
import dev.ember.nn.io.TensorData;
import dev.ember.nn.loss.Loss;
import dev.ember.nn.train.Task;

import java.util.Arrays;
import java.util.List;

/**
 * Checks of what a model file holds: weights must be finite, and the metadata must agree with the
 * model (a scaler or name list of the wrong width would otherwise load and fail, or mislabel
 * outputs, at prediction time). Messages start with the file and name the tensor or metadata key.
 */
final class ModelChecks {
    private ModelChecks() {
    }

    /**
     * Throws an {@link IllegalArgumentException} when the metadata of {@code s} contradicts its
     * model; {@code saving} says whether it is about to be written (a loss name of the user's own
     * gets the advice on what to save it under) or was read (the file's name is unknown).
     */
    static void metadata(String source, SavedModel s, boolean saving) {
        Sequential m = s.model();
        if (s.loss() == null) {
            // Loss.parse would fail with a bare NullPointerException; the loss decides how outputs are read.
            throw new IllegalArgumentException(source + ": metadata " + ModelFile.LOSS + ": no loss given; a saved "
                    + "model needs the loss it was trained with (mse, bce or cross_entropy)");
        }
        Task task;
        try {
            task = Task.of(Loss.parse(s.loss()));
        } catch (IllegalArgumentException e) {
            // Only built-in names are stored: any Ember (and `ember predict`) must read the file without
            // the user's loss class, and the loss is kept only to say how outputs are read.
            throw new IllegalArgumentException(source + ": metadata " + ModelFile.LOSS + ": " + e.getMessage()
                    + (saving ? "; a model trained with a loss of your own is saved under the built-in loss whose"
                    + " outputs it shares: cross_entropy (one logit per class), bce (one binary logit) or mse"
                    + " (values)" : " (the file is corrupt, or was written by another program)"), e);
        }
        // A loss that cannot read the model's outputs would load and then predict nonsense: a
        // one-output model read by cross_entropy is always class 0 with probability 1, and a
        // three-output one read by bce gives its first row's three logits to three rows.
        if (task == Task.BINARY && m.outputSize() != 1) {
            throw new IllegalArgumentException(source + ": metadata " + ModelFile.LOSS + ": " + s.loss() + " reads one"
                    + " binary logit per row, the model has " + m.outputSize() + " outputs (cross_entropy reads one"
                    + " logit per class)");
        }
        if (task == Task.CLASSIFICATION && m.outputSize() < 2) {
            throw new IllegalArgumentException(source + ": metadata " + ModelFile.LOSS + ": " + s.loss() + " reads one"
                    + " logit per class, at least 2, the model has " + m.outputSize() + " output (a binary model"
                    + " with one logit is saved with bce)");
        }
        // As Split allows it: a target scaler undoes a standardised regression target. On a classifier
        // SavedModel.predict would un-scale its logits (changing the argmax and the probabilities),
        // while ember predict ignores it and ember evaluate scales the labels with it.
        if (task != Task.REGRESSION && s.targetScaler() != null) {
            throw new IllegalArgumentException(source + ": metadata " + ModelFile.TARGET_SCALER + " (width "
                    + s.targetScaler().size() + ") belongs to a regression model; loss " + s.loss()
                    + " reads class logits, which are not scaled");
        }
        width(source, ModelFile.FEATURE_SCALER, s.featureScaler(), m.inputSize(), "input features");
        width(source, ModelFile.TARGET_SCALER, s.targetScaler(), m.outputSize(), "outputs");
        names(source, ModelFile.FEATURE_NAMES, s.featureNames(), m.inputSize(), "input features");
        if (s.trainingCsv() != null && s.trainingCsv().features() != m.inputSize()) {
            throw new IllegalArgumentException(source + ": metadata " + ModelFile.TRAINING_CSV + ": "
                    + s.trainingCsv().featureColumns() + " feature columns less " + s.trainingCsv().droppedColumns().size()
                    + " dropped leave " + s.trainingCsv().features() + " features, the model takes " + m.inputSize());
        }
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

    /** Throws when {@code t} holds a NaN or an infinity, naming the tensor and the first such element. */
    static void finite(String source, String name, TensorData t) {
        float[] v = t.data();
        for (int i = 0; i < v.length; i++) {
            if (!Float.isFinite(v[i])) {
                throw new IllegalArgumentException(source + ": tensor '" + name + "' holds " + v[i] + " at index "
                        + i + " (element " + element(i, t.shape()) + " of shape " + Arrays.toString(t.shape())
                        + "); a model with non-finite weights cannot be used");
            }
        }
    }

    /** The multi-index of flat row-major index {@code i}, e.g. [1, 2]. */
    private static String element(int i, int[] shape) {
        int[] at = new int[shape.length];
        for (int d = shape.length - 1; d >= 0; d--) {
            at[d] = i % shape[d];
            i /= shape[d];
        }
        return Arrays.toString(at);
    }
}
