package dev.ember.nn.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** Loss names: Ember's, and the PyTorch class names and Keras strings a newcomer types first. */
class LossParseTest {
    @Test
    void pyTorchAndKerasNamesGiveTheSameLoss() {
        String[][] cases = {
            {"mse", "mse"}, {"MSELoss", "mse"}, {"mean_squared_error", "mse"},
            {"bce", "bce"}, {"BCEWithLogitsLoss", "bce"}, {"binary_crossentropy", "bce"},
            {"cross_entropy", "cross_entropy"}, {"CrossEntropyLoss", "cross_entropy"},
            {"sparse_categorical_crossentropy", "cross_entropy"}, {"categorical-crossentropy", "cross_entropy"}};
        for (String[] c : cases) {
            assertEquals(c[1], Loss.parse(c[0]).name(), c[0]);
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Loss.parse("hinge"));
        assertEquals("unknown loss 'hinge' (expected mse, bce or cross_entropy)", e.getMessage());
    }
}
