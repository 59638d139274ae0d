package dev.ember.nn.io;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The host tensors of model files: shapes checked against their values, compared by value. */
class TensorDataTest {
    @Test
    void shapesMustHoldTheValuesAndZeroSizeIsFine() {
        assertEquals(0, new TensorData(new int[] {3, 0}, new float[0]).size());
        assertEquals(0, new I64Data(new int[] {0}, new long[0]).size());
        assertEquals("TensorData: shape [2, 3] needs 6 values, got 5",
                assertThrows(IllegalArgumentException.class, () -> new TensorData(new int[] {2, 3}, new float[5]))
                        .getMessage());
        assertEquals("I64Data: shape [2, 3] needs 6 values, got 7",
                assertThrows(IllegalArgumentException.class, () -> new I64Data(new int[] {2, 3}, new long[7]))
                        .getMessage());
        assertEquals("I64Data: negative dimension in shape [-1]",
                assertThrows(IllegalArgumentException.class, () -> new I64Data(new int[] {-1}, new long[0]))
                        .getMessage());
    }

    @Test
    void equalityIsByShapeAndValues() {
        TensorData a = new TensorData(new int[] {2}, new float[] {1, 2});
        assertEquals(a, new TensorData(new int[] {2}, new float[] {1, 2}));
        assertEquals(a.hashCode(), new TensorData(new int[] {2}, new float[] {1, 2}).hashCode());
        assertNotEquals(a, new TensorData(new int[] {2}, new float[] {1, 3}));
        assertNotEquals(a, new TensorData(new int[] {1, 2}, new float[] {1, 2}));
        assertEquals(I64Data.scalar(5), new I64Data(new int[0], new long[] {5}));
        assertNotEquals(I64Data.scalar(5), I64Data.scalar(6));
        assertNotEquals(I64Data.scalar(5), new I64Data(new int[] {1}, new long[] {5}));
    }
}
