package dev.ember.nn;

import dev.ember.runtime.Device;
import dev.ember.runtime.Tensor;

import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Per-batch-size work tensors of a module. A training loop asks for the same (name, rows, cols)
 * every step and gets the same tensor back, so the steady state allocates nothing; a second batch
 * size (the last partial batch, an evaluation batch) gets its own set. The least recently used
 * set is released when more than {@value #MAX_SIZES} batch sizes are live.
 */
public final class BufferCache implements AutoCloseable {
    static final int MAX_SIZES = 4;

    private final Device device;
    private final LinkedHashMap<Integer, Map<String, Tensor>> byRows = new LinkedHashMap<>(8, 0.75f, true);
    private boolean closed;

    public BufferCache(Device device) {
        this.device = device;
    }

    /** The work tensor {@code name} of shape rows x cols (allocated on first use for this row count). */
    public Tensor get(String name, int rows, int cols) {
        Map<String, Tensor> set = setFor(rows);
        Tensor t = set.get(name);
        // rank: the name may have served vector(); closed: a caller closed a module's output, which
        // belongs to the module (try-with-resources on forward's result), and would otherwise break it
        if (t == null || t.isClosed() || t.rank() != 2 || t.cols() != cols) {
            if (t != null) {
                // out of the set before allocating: if that fails, a closed tensor must not stay cached
                set.remove(name);
                t.close();
            }
            t = device.empty(rows, cols);
            set.put(name, t);
        }
        return t;
    }

    /** A rank-1 work tensor of {@code length} values, cached under the given batch row count. */
    public Tensor vector(String name, int rows, int length) {
        Map<String, Tensor> set = setFor(rows);
        Tensor t = set.get(name);
        if (t == null || t.isClosed() || t.rank() != 1 || t.size() != length) {
            if (t != null) {
                // out of the set before allocating: if that fails, a closed tensor must not stay cached
                set.remove(name);
                t.close();
            }
            t = device.empty(length);
            set.put(name, t);
        }
        return t;
    }

    private Map<String, Tensor> setFor(int rows) {
        if (closed) {
            // A closed module's buffers would be allocated again and never released.
            throw new IllegalStateException("the work buffers of a closed module cannot be used");
        }
        Map<String, Tensor> set = byRows.get(rows);
        if (set == null) {
            if (byRows.size() >= MAX_SIZES) {
                Iterator<Map.Entry<Integer, Map<String, Tensor>>> it = byRows.entrySet().iterator();
                it.next().getValue().values().forEach(Tensor::close);
                it.remove();
            }
            set = new HashMap<>();
            byRows.put(rows, set);
        }
        return set;
    }

    @Override
    public void close() {
        closed = true;
        byRows.values().forEach(m -> m.values().forEach(Tensor::close));
        byRows.clear();
    }
}
