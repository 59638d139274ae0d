package dev.ember.nn.io;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The contents of a safetensors file: its F32 tensors in file (offset) order, the string metadata
 * of {@code __metadata__} (empty when absent), and the names of tensors of other dtypes with
 * their dtype and shape (e.g. {@code "I64 []"}), which are not decoded. {@link #require} is the
 * checked lookup a model loader uses, so a missing tensor, a wrong shape or a wrong dtype is
 * reported by name.
 */
public record SafeTensorsFile(String source, Map<String, TensorData> tensors, Map<String, String> metadata,
                              Map<String, String> otherDtypes) {
    public SafeTensorsFile {
        tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
        metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
        otherDtypes = Collections.unmodifiableMap(new LinkedHashMap<>(otherDtypes));
    }

    /** A file whose tensors are all F32. */
    public SafeTensorsFile(String source, Map<String, TensorData> tensors, Map<String, String> metadata) {
        this(source, tensors, metadata, Map.of());
    }

    /** The F32 tensor called {@code name}, or an exception saying it has another dtype or listing the names present. */
    public TensorData get(String name) {
        TensorData t = tensors.get(name);
        if (t == null && otherDtypes.containsKey(name)) {
            throw new IllegalArgumentException(source + ": tensor '" + name + "' is " + otherDtypes.get(name)
                    + "; Ember loads float32 (F32) tensors only (convert with tensor.float() in PyTorch)");
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
