package dev.ember.nn.io;

import java.util.Arrays;
import java.util.Objects;

/**
 * A named tensor's contents as stored in a model file: its shape and row-major float32 values.
 * The record holds the arrays without copying.
 */
public record TensorData(int[] shape, float[] data) {
    public TensorData {
        Objects.requireNonNull(data, "data");
        checkShape("TensorData", shape, data.length);
    }

    /** Checks that {@code shape} has no negative dimension and holds exactly {@code length} values. */
    static void checkShape(String what, int[] shape, int length) {
        Objects.requireNonNull(shape, "shape");
        long n = 1;
        for (int d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException(what + ": negative dimension in shape " + Arrays.toString(shape));
            }
            n *= d;
            if (n > Integer.MAX_VALUE) {
                throw new IllegalArgumentException(what + ": shape " + Arrays.toString(shape) + " is too large");
            }
        }
        if (n != length) {
            throw new IllegalArgumentException(what + ": shape " + Arrays.toString(shape) + " needs " + n
                    + " values, got " + length);
        }
    }

    /** Number of elements. */
    public int size() {
        return data.length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorData t && Arrays.equals(shape, t.shape) && Arrays.equals(data, t.data);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(shape) + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "TensorData" + Arrays.toString(shape);
    }
}
