package dev.ember.nn.io;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The contents of a safetensors file: its F32 tensors in file (offset) order, the string metadata
 * of {@code __metadata__} (empty when absent), the names of tensors of dtypes other than F32 and
 * I64 with their dtype and shape (e.g. {@code "F16 [2]"}), which are not decoded, and its I64
 * tensors (counters such as PyTorch's {@code num_batches_tracked}). {@link #require} is the
 * checked lookup a model loader uses, so a missing tensor, a wrong shape or a wrong dtype is
 * reported by name.
 */
public record SafeTensorsFile(String source, Map<String, TensorData> tensors, Map<String, String> metadata,
                              Map<String, String> otherDtypes, Map<String, I64Data> int64s) {
    public SafeTensorsFile {
        tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
        metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
        otherDtypes = Collections.unmodifiableMap(new LinkedHashMap<>(otherDtypes));
        int64s = Collections.unmodifiableMap(new LinkedHashMap<>(int64s));
    }

    /** A file without I64 tensors. */
    public SafeTensorsFile(String source, Map<String, TensorData> tensors, Map<String, String> metadata,
                           Map<String, String> otherDtypes) {
        this(source, tensors, metadata, otherDtypes, Map.of());
    }

    /** A file whose tensors are all F32. */
    public SafeTensorsFile(String source, Map<String, TensorData> tensors, Map<String, String> metadata) {
        this(source, tensors, metadata, Map.of(), Map.of());
    }

    /** What {@link #get} adds to its message for a tensor that is not F32. */
    public static final String F32_ONLY = " (Ember loads weights as float32 (F32) only; convert with tensor.float()"
            + " in PyTorch)";

    /** The dtype and shape of a tensor that is not F32, e.g. "I64 []", or null. */
    private String notF32(String name) {
        I64Data l = int64s.get(name);
        return l != null ? "I64 " + Arrays.toString(l.shape()) : otherDtypes.get(name);
    }

    /** The F32 tensor called {@code name}, or an exception saying it has another dtype or listing the names present. */
    public TensorData get(String name) {
        TensorData t = tensors.get(name);
        if (t == null && notF32(name) != null) {
            String[] dtypeShape = notF32(name).split(" ", 2);
            throw new IllegalArgumentException(source + ": unsupported dtype " + dtypeShape[0] + " for tensor '" + name
                    + "' of shape " + dtypeShape[1] + F32_ONLY);
        }
        if (t == null) {
            throw new IllegalArgumentException(source + ": no tensor named '" + name + "' (the file has "
                    + tensors.keySet() + ")");
        }
        return t;
    }

    /** The tensor called {@code name}, which must have exactly {@code shape}. */
    public TensorData require(String name, int... shape) {
        TensorData t = get(name);
        if (!Arrays.equals(t.shape(), shape)) {
            throw new IllegalArgumentException(source + ": tensor '" + name + "' has shape "
                    + Arrays.toString(t.shape()) + ", the model expects " + Arrays.toString(shape));
        }
        return t;
    }

    /**
     * The I64 tensor called {@code name} with exactly {@code shape}, or null when the file has no
     * tensor of that name; a tensor of that name with another dtype or shape is an exception.
     */
    public I64Data int64(String name, int... shape) {
        I64Data t = int64s.get(name);
        if (t == null) {
            if (otherDtypes.containsKey(name)) {
                String[] dtypeShape = otherDtypes.get(name).split(" ", 2);
                throw new IllegalArgumentException(source + ": unsupported dtype " + dtypeShape[0] + " for tensor '"
                        + name + "' of shape " + dtypeShape[1] + " (Ember loads it as int64 (I64) "
                        + Arrays.toString(shape) + ")");
            }
            if (tensors.containsKey(name)) {
                throw new IllegalArgumentException(source + ": tensor '" + name + "' is F32 "
                        + Arrays.toString(tensors.get(name).shape()) + ", expected I64 " + Arrays.toString(shape));
            }
            return null;
        }
        if (!Arrays.equals(t.shape(), shape)) {
            throw new IllegalArgumentException(source + ": tensor '" + name + "' has shape "
                    + Arrays.toString(t.shape()) + ", the model expects " + Arrays.toString(shape));
        }
        return t;
    }

    /**
     * The number of elements of all its tensors, whatever their dtype: what a loader can compare an
     * architecture's size with before building it, so that a file saved in another dtype is
     * reported by its tensors' dtypes rather than as holding no weights.
     */
    public long elementCount() {
        long n = 0;
        for (TensorData t : tensors.values()) {
            n += t.data().length;
        }
        for (I64Data l : int64s.values()) {
            n += l.data().length;
        }
        try {
            for (String dtypeShape : otherDtypes.values()) { // "F16 [2, 3]"; the parser checked its sizes
                long e = 1;
                String dims = dtypeShape.substring(dtypeShape.indexOf('[') + 1, dtypeShape.lastIndexOf(']')).strip();
                for (String d : dims.isEmpty() ? new String[0] : dims.split(",")) {
                    e = Math.multiplyExact(e, Long.parseLong(d.strip()));
                }
                n = Math.addExact(n, e);
            }
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
        return n;
    }

    /** A metadata value, or an exception naming the missing key. */
    public String requireMetadata(String key) {
        String v = metadata.get(key);
        if (v == null) {
            throw new IllegalArgumentException(source + ": metadata has no '" + key + "' entry (keys: "
                    + metadata.keySet() + ")");
        }
        return v;
    }
}
