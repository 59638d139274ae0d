package dev.ember.nn.train;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Class probabilities from logits, against a float64 reference computed another way (no max subtracted). */
class TaskTest {
    @Test
    void softmaxProbabilitiesMatchTheReferenceAndSumToOne() {
        long seed = 7;
        SplittableRandom r = new SplittableRandom(seed);
        for (int[] shape : new int[][] {{1, 2}, {7, 3}, {33, 10}, {5, 1}}) {
            int rows = shape[0], k = shape[1];
            float[] logits = new float[rows * k];
            for (int i = 0; i < logits.length; i++) {
                logits[i] = (float) (r.nextGaussian() * 30); // large enough that a plain exp would overflow
            }
            logits[0] = 80; // exp(80) overflows float: the row's max is subtracted first
            logits[logits.length - 1] = 800; // and only the last row's own max keeps exp finite there
            double[] p = Task.CLASSIFICATION.probabilities(logits, rows, k);
            assertEquals(rows * k, p.length);
            for (int row = 0; row < rows; row++) {
                double sum = 0;
                for (int c = 0; c < k; c++) {
                    double ref = 1 / sumExp(logits, row, k, logits[row * k + c]);
                    double got = p[row * k + c];
                    assertTrue(Math.abs(got - ref) <= 1e-15 + 1e-12 * ref,
                            "seed " + seed + " shape " + rows + "x" + k + " [" + row + "," + c + "]: " + got + " vs " + ref);
                    sum += got;
                }
                assertEquals(1.0, sum, 1e-12, "seed " + seed + " row " + row);
            }
        }
    }

    /** sum_j exp(l_j - x): the reciprocal is softmax's value at x, computed without subtracting a max. */
    private static double sumExp(float[] l, int row, int k, double x) {
        double s = 0;
        for (int j = 0; j < k; j++) {
            s += Math.exp(l[row * k + j] - x);
        }
        return s;
    }

    @Test
    void binaryGivesOneColumnPerClass() {
        float[] logits = {0f, 2f, -3f, 40f};
        double[] p = Task.BINARY.probabilities(logits, 4, 1);
        assertEquals(8, p.length);
        for (int r = 0; r < 4; r++) {
            double p1 = 1 / (1 + Math.exp(-logits[r]));
            assertEquals(p1, p[2 * r + 1], 1e-15);
            assertEquals(1 - p1, p[2 * r], 1e-15);
        }
        assertEquals(0.5, p[1], 0);
    }

    @Test
    void misuseIsRefused() {
        IllegalStateException reg = assertThrows(IllegalStateException.class,
                () -> Task.REGRESSION.probabilities(new float[2], 2, 1));
        assertTrue(reg.getMessage().contains("regression"), reg.getMessage());
        IllegalArgumentException bin = assertThrows(IllegalArgumentException.class,
                () -> Task.BINARY.probabilities(new float[4], 2, 2));
        assertTrue(bin.getMessage().contains("one logit per row"), bin.getMessage());
        IllegalArgumentException shortArr = assertThrows(IllegalArgumentException.class,
                () -> Task.CLASSIFICATION.probabilities(new float[5], 2, 3));
        assertTrue(shortArr.getMessage().contains("5 outputs") && shortArr.getMessage().contains("2 rows of 3"),
                shortArr.getMessage());
    }

    /**
     * predictClasses reads outputs as probabilities does, so it refuses what that refuses: a
     * regression model's values (it answered class 0 for every row), a short array (an
     * ArrayIndexOutOfBoundsException) and a binary model's outputs read with two columns (it
     * silently took every other logit).
     */
    @Test
    void predictClassesRefusesWhatProbabilitiesRefuses() {
        IllegalStateException reg = assertThrows(IllegalStateException.class,
                () -> Task.REGRESSION.predictClasses(new float[] {1f, -1f}, 2, 1));
        assertTrue(reg.getMessage().startsWith("predictClasses: a regression model"), reg.getMessage());
        IllegalArgumentException shortArr = assertThrows(IllegalArgumentException.class,
                () -> Task.CLASSIFICATION.predictClasses(new float[5], 2, 3));
        assertTrue(shortArr.getMessage().contains("5 outputs") && shortArr.getMessage().contains("2 rows of 3"),
                shortArr.getMessage());
        IllegalArgumentException bin = assertThrows(IllegalArgumentException.class,
                () -> Task.BINARY.predictClasses(new float[] {1f, -1f, 2f, -2f}, 2, 2));
        assertTrue(bin.getMessage().equals("predictClasses: a binary model has one logit per row, got 2 columns"),
                bin.getMessage()); // not "4 outputs do not hold 2 rows of 2", which they do
        // a longer array is fine (the trainer passes a batch-sized buffer): its first rows are read
        assertArrayEquals(new int[] {1, 0}, Task.BINARY.predictClasses(new float[] {1f, -1f, 5f}, 2, 1));
        // the boundary: a logit of exactly 0 (probability 0.5) is class 0, as (logits > 0) and
        // Keras's (p > 0.5); the smallest positive logit is class 1; NaN is class 0
        assertArrayEquals(new int[] {0, 0, 1, 0}, Task.BINARY.predictClasses(
                new float[] {0f, -0f, Float.MIN_VALUE, Float.NaN}, 4, 1));
        assertArrayEquals(new int[] {2}, Task.CLASSIFICATION.predictClasses(new float[] {0f, 1f, 3f, 9f}, 1, 3));
        assertArrayEquals(new int[0], Task.CLASSIFICATION.predictClasses(new float[0], 0, 3));
    }
}
