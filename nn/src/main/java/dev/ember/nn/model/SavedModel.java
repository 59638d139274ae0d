package dev.ember.nn.model;

import dev.ember.nn.Sequential;
import dev.ember.nn.data.StandardScaler;
import dev.ember.nn.loss.Loss;
import dev.ember.nn.train.Task;

import java.util.List;

/**
 * A trained model with what prediction needs besides weights: the loss it was trained with
 * (which fixes how outputs are read), class and feature names, the feature scaler applied to
 * inputs and the target scaler whose inverse turns regression outputs back into target units
 * (either scaler may be null). Closing it closes the model. {@link #predict} takes raw features and
 * applies the scalers, so a loaded model needs no preprocessing code of its own. {@code loss} is
 * a built-in loss name (mse, bce, cross_entropy): a model trained with a loss of one's own is saved
 * under the built-in one whose outputs it shares, since the file must load without that class.
 * {@code trainingCsv}, null unless the model was trained on a CSV file by {@code ember train}, says
 * how that file was split and which of its columns are features ({@link TrainingCsv}).
 */
public record SavedModel(Sequential model, String loss, String dataName, List<String> featureNames,
                         List<String> classNames, StandardScaler featureScaler, StandardScaler targetScaler,
                         TrainingCsv trainingCsv)
        implements AutoCloseable {

    /** A model without a record of a training CSV. */
    public SavedModel(Sequential model, String loss, String dataName, List<String> featureNames,
                      List<String> classNames, StandardScaler featureScaler, StandardScaler targetScaler) {
        this(model, loss, dataName, featureNames, classNames, featureScaler, targetScaler, null);
    }

    public SavedModel {
        featureNames = featureNames == null ? List.of() : List.copyOf(featureNames);
        classNames = classNames == null ? List.of() : List.copyOf(classNames);
    }

    /** What the outputs mean, from the loss the model was trained with. */
    public Task task() {
        return Task.of(Loss.parse(loss));
    }

    /**
     * The model's outputs for {@code rows} rows of raw features (as in the data before any scaling):
     * applies the stored feature scaler first and, for a scaled regression target, undoes its
     * scaling afterwards, as {@code ember predict} does. Classifiers give logits; pass them to
     * {@link Task#probabilities} or {@link Task#predictClasses} of {@link #task()}.
     */
    public float[] predict(float[] features, int rows) {
        int in = model.inputSize();
        if (features.length != (long) rows * in) {
            throw new IllegalArgumentException("predict: " + features.length + " values are not " + rows
                    + " rows of the model's " + in + " features");
        }
        float[] x = featureScaler == null ? features : featureScaler.transform(features, rows, in);
        float[] y = model.predict(x, rows, 256);
        return targetScaler == null ? y : targetScaler.inverse(y, rows, model.outputSize());
    }

    @Override
    public void close() {
        model.close();
    }
}
