package dev.ember.nn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class StandardScalerTest {
    @Test
    void populationStdAndZeroStdColumn() {
        float[] x = {1, 5, 2, 5, 3, 5, 4, 5}; // col0 = 1..4, col1 constant
        StandardScaler s = StandardScaler.fit(x, 4, 2);
        assertArrayEquals(new float[] {2.5f, 5}, s.mean());
        assertEquals(Math.sqrt(1.25), s.std()[0], 1e-7); // ddof = 0
        assertEquals(1f, s.std()[1]);
        float[] t = s.transform(x, 4, 2);
        assertEquals((float) (-1.5 / Math.sqrt(1.25)), t[0]);
        assertEquals(0f, t[1]);
        assertArrayEquals(new float[] {1, 5, 2, 5, 3, 5, 4, 5}, x, "input untouched");
        float[] back = s.inverse(t, 4, 2);
        for (int i = 0; i < x.length; i++) {
            assertEquals(x[i], back[i], 1e-6);
        }
    }

    /** A constant column of an inexact value over many rows still has std exactly 0 -> 1, as sklearn's. */
    @Test
    void constantColumnOfAnAwkwardValueScalesToZero() {
        int rows = 1000;
        float[] x = new float[rows * 3];
        for (int i = 0; i < rows; i++) {
            x[3 * i] = 0.1f;
            x[3 * i + 1] = -3.3e7f;
            x[3 * i + 2] = i;
        }
        StandardScaler s = StandardScaler.fit(x, rows, 3);
        assertEquals(1.0, s.stdDouble()[0]);
        assertEquals(1.0, s.stdDouble()[1]);
        assertEquals(0.1f, s.mean()[0]);
        float[] t = s.transform(x, rows, 3);
        for (int i = 0; i < rows; i++) {
            assertEquals(0f, t[3 * i]);
            assertEquals(0f, t[3 * i + 1]);
        }
    }

    @Test
    void fitOnTrainOnlyAppliesTrainStatisticsToTest() {
        Dataset d = Datasets.load("iris");
        Split raw = Splits.random(d, 0.2, 3, false);
        Split s = raw.standardized(false);
        StandardScaler trainFit = StandardScaler.fit(raw.train().features(), raw.train().rows(), 4);
        StandardScaler allFit = StandardScaler.fit(d.features(), d.rows(), 4);
        assertArrayEquals(trainFit.mean(), s.featureScaler().mean());
        assertArrayEquals(trainFit.transform(raw.test().features(), raw.test().rows(), 4), s.test().features());
        assertEquals(false, java.util.Arrays.equals(allFit.mean(), trainFit.mean()));
        assertThrows(IllegalArgumentException.class, () -> raw.standardized(true), "class labels not scalable");
    }

    @Test
    void constantAndOfAndShapeErrors() {
        StandardScaler c = StandardScaler.constant(3, 16);
        assertArrayEquals(new float[] {1, 0.5f, 0}, c.transform(new float[] {16, 8, 0}, 1, 3));
        StandardScaler o = StandardScaler.of(new float[] {1}, new float[] {2});
        assertArrayEquals(new float[] {0.5f}, o.transform(new float[] {2}, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> o.transform(new float[] {1, 2}, 1, 2));
        assertThrows(IllegalArgumentException.class, () -> StandardScaler.of(new float[] {0}, new float[] {0}));
        assertThrows(IllegalArgumentException.class, () -> StandardScaler.fit(new float[3], 2, 2));
        assertArrayEquals(new float[] {2f}, o.inverse(new float[] {0.5f}, 1, 1));
        assertEquals(0, o.transform(new float[0], 0, 1).length, "no rows is fine");
        // transform and inverse name an array that is not rows x cols, and columns the scaler was not fitted on
        refused(() -> o.transform(new float[3], 2, 1), "StandardScaler.transform: array of 3 values is not rows x cols = 2 x 1");
        refused(() -> o.inverse(new float[3], 2, 1), "StandardScaler.inverse: array of 3 values is not rows x cols = 2 x 1");
        refused(() -> o.inverse(new float[] {1, 2}, 1, 2), "StandardScaler.inverse: data has 2 columns, scaler was fitted on 1");
    }

    private static void refused(org.junit.jupiter.api.function.Executable call, String message) {
        assertEquals(message, assertThrows(IllegalArgumentException.class, call).getMessage());
    }
}
