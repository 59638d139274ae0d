package dev.ember.nn.io;

import java.util.Arrays;
import java.util.Objects;

/**
 * A named tensor's contents as stored in a model file: its shape and row-major float32 values.
 * The record holds the arrays without copying.
 */
public record TensorData(int[] shape, float[] data) {
    public TensorData {
        Objects.requireNonNull(shape, "shape");
        Objects.requireNonNull(data, "data");
        long n = 1;
        for (int d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("TensorData: negative dimension in shape " + Arrays.toString(shape));
            }
            n *= d;
            if (n > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("TensorData: shape " + Arrays.toString(shape) + " is too large");
            }
        }
        if (n != data.length) {
            throw new IllegalArgumentException("TensorData: shape " + Arrays.toString(shape) + " needs " + n
                    + " values, got " + data.length);
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
