package dev.ember.nn.train;

import org.junit.jupiter.api.Test;

import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** TrainConfig and RunConfig refuse bad values where they are made, naming them; the ends of each range are allowed. */
class ConfigChecksTest {
    private static void refused(Supplier<?> make, String message) {
        assertEquals(message, assertThrows(IllegalArgumentException.class, make::get).getMessage());
    }

    @Test
    void trainConfigRefusesBadValuesAndTakesTheEndsOfItsRanges() {
        TrainConfig d = TrainConfig.defaults();
        refused(() -> d.withEpochs(0), "epochs must be >= 1, got 0");
        refused(() -> d.withBatchSize(0), "batch size must be >= 1, got 0");
        refused(() -> d.withValidation(1.0), "validation fraction must be in [0, 1), got 1.0");
        refused(() -> d.withValidation(-0.25), "validation fraction must be in [0, 1), got -0.25");
        refused(() -> d.withEarlyStopping(-1, true), "patience must be >= 0, got -1");
        refused(() -> d.withClipNorm(Float.NaN), "clip norm must be >= 0, got NaN");
        TrainConfig ends = d.withEpochs(1).withBatchSize(1).withValidation(0).withEarlyStopping(0, false).withClipNorm(0f);
        assertEquals(1, ends.epochs());
        assertEquals(1, ends.batchSize());
        assertEquals(0f, ends.clipNorm());
    }

    @Test
    void runConfigRefusesALayerOfNoUnits() {
        refused(() -> RunConfig.defaults().withHidden(new int[] {7, 0}), "layer sizes must be positive, got [7, 0]");
        assertEquals(1, RunConfig.defaults().withHidden(new int[] {1}).hidden()[0]);
    }
}
