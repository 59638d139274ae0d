package dev.ember.nn.model;

import dev.ember.nn.Sequential;
import dev.ember.nn.data.StandardScaler;

import java.util.List;

/**
 * A trained model with what prediction needs besides weights: the loss it was trained with
 * (which fixes how outputs are read), class and feature names, the feature scaler applied to
 * inputs and the target scaler whose inverse turns regression outputs back into target units
 * (either scaler may be null). Closing it closes the model.
 */
public record SavedModel(Sequential model, String loss, String dataName, List<String> featureNames,
                         List<String> classNames, StandardScaler featureScaler, StandardScaler targetScaler)
        implements AutoCloseable {

    public SavedModel {
        featureNames = featureNames == null ? List.of() : List.copyOf(featureNames);
        classNames = classNames == null ? List.of() : List.copyOf(classNames);
    }

    @Override
    public void close() {
        model.close();
    }
}
