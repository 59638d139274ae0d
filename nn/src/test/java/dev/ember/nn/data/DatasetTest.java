package dev.ember.nn.data;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Data sets made from a user's own arrays: shapes, labels and the messages for mistakes. */
class DatasetTest {
    @Test
    void classificationFromRowsAndFlatArraysAgree() {
        float[][] rows = {{0, 0}, {0, 1}, {1, 0}, {1, 1}, {0.5f, 0.25f}};
        int[] labels = {0, 1, 1, 0, 2};
        Dataset a = Dataset.classification(rows, labels, 3);
        Dataset b = Dataset.classification(new float[] {0, 0, 0, 1, 1, 0, 1, 1, 0.5f, 0.25f}, 2, labels, 3);
        for (Dataset d : List.of(a, b)) {
            assertEquals(5, d.rows());
            assertEquals(2, d.cols());
            assertEquals(3, d.classes());
            assertArrayEquals(new float[] {0, 1, 1, 0, 2}, d.targets());
            assertArrayEquals(new float[] {0.5f, 0.25f}, d.row(4));
            assertEquals(List.of("x0", "x1"), d.featureNames());
            assertEquals(List.of("0", "1", "2"), d.classNames());
        }
        rows[4][0] = 9; // the rows are copied
        assertEquals(0.5f, a.row(4)[0]);
    }

    @Test
    void regressionFromRows() {
        Dataset d = Dataset.regression(new float[][] {{1, 2, 3}, {4, 5, 6}}, new float[] {-1.5f, 2});
        assertEquals(2, d.rows());
        assertEquals(3, d.cols());
        assertEquals(0, d.classes());
        assertArrayEquals(new float[] {4, 5, 6}, d.row(1));
    }

    @Test
    void mistakesAreNamed() {
        IllegalArgumentException label = assertThrows(IllegalArgumentException.class,
                () -> Dataset.classification(new float[4], 2, new int[] {0, 2}, 2));
        assertTrue(label.getMessage().contains("label of row 1 is 2") && label.getMessage().contains("[0, 2)"),
                label.getMessage());
        // 2^24 + 1 rounds to the float 2^24; the int is checked before it becomes a float
        IllegalArgumentException big = assertThrows(IllegalArgumentException.class,
                () -> Dataset.classification(new float[2], 2, new int[] {16_777_217}, 16_777_216));
        assertTrue(big.getMessage().contains("16777217"), big.getMessage());
        IllegalArgumentException neg = assertThrows(IllegalArgumentException.class,
                () -> Dataset.classification(new float[2], 2, new int[] {-1}, 2));
        assertTrue(neg.getMessage().contains("-1"), neg.getMessage());
        IllegalArgumentException width = assertThrows(IllegalArgumentException.class,
                () -> Dataset.classification(new float[7], 2, new int[] {0, 1, 0, 1}, 2));
        assertTrue(width.getMessage().contains("7 values") && width.getMessage().contains("4*2"), width.getMessage());
        // one row more than labels: said as counts of rows and labels, not as a wrong features length
        IllegalArgumentException count = assertThrows(IllegalArgumentException.class,
                () -> Dataset.classification(new float[][] {{1, 2}, {3, 4}, {5, 6}}, new int[] {0, 1}, 2));
        assertTrue(count.getMessage().contains("3 rows of features") && count.getMessage().contains("but 2 labels"),
                count.getMessage());
        IllegalArgumentException targets = assertThrows(IllegalArgumentException.class,
                () -> Dataset.regression(new float[6], 3, new float[] {0, 1, 2}));
        assertTrue(targets.getMessage().contains("2 rows of features") && targets.getMessage().contains("but 3 targets"),
                targets.getMessage());
        IllegalArgumentException column = assertThrows(IllegalArgumentException.class,
                () -> Dataset.regression(new float[6], 1, new float[5]));
        assertTrue(column.getMessage().contains("6 rows of features (6 values of 1 columns) but 5 targets"),
                column.getMessage());
        IllegalArgumentException ragged = assertThrows(IllegalArgumentException.class,
                () -> Dataset.regression(new float[][] {{1, 2}, {3}}, new float[] {0, 0}));
        assertTrue(ragged.getMessage().contains("row 1 has 1 values, row 0 has 2"), ragged.getMessage());
        IllegalArgumentException one = assertThrows(IllegalArgumentException.class,
                () -> Dataset.classification(new float[2], 2, new int[] {0}, 1));
        assertTrue(one.getMessage().contains("classes must be >= 2"), one.getMessage());
        IllegalArgumentException nan = assertThrows(IllegalArgumentException.class,
                () -> Dataset.regression(new float[2], 1, new float[] {0, Float.NaN}));
        assertTrue(nan.getMessage().contains("row 1"), nan.getMessage());
    }
}
