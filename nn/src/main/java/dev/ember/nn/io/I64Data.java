package dev.ember.nn.io;

import java.util.Arrays;
import java.util.Objects;

/**
 * A named int64 tensor's contents as stored in a model file (safetensors dtype {@code I64}): its
 * shape and row-major values. PyTorch stores counters this way, e.g. BatchNorm's scalar
 * {@code num_batches_tracked} (shape {@code []}, one value). The record holds the arrays without
 * copying.
 */
public record I64Data(int[] shape, long[] data) {
    public I64Data {
        Objects.requireNonNull(data, "data");
        TensorData.checkShape("I64Data", shape, data.length);
    }

    /** A scalar (shape {@code []}) holding {@code value}. */
    public static I64Data scalar(long value) {
        return new I64Data(new int[0], new long[] {value});
    }

    /** Number of elements. */
    public int size() {
        return data.length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof I64Data t && Arrays.equals(shape, t.shape) && Arrays.equals(data, t.data);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(shape) + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "I64Data" + Arrays.toString(shape);
    }
}
