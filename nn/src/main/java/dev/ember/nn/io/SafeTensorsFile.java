package dev.ember.nn.io;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The contents of a safetensors file: tensors in file (offset) order and the string metadata of
 * {@code __metadata__} (empty when absent). {@link #require} is the checked lookup a model loader
 * uses, so a missing tensor or a wrong shape is reported by name.
 */
public record SafeTensorsFile(String source, Map<String, TensorData> tensors, Map<String, String> metadata) {
    public SafeTensorsFile {
        tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
        metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
    }

    /** The tensor called {@code name}, or an exception listing the names present. */
    public TensorData get(String name) {
        TensorData t = tensors.get(name);
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
