package dev.ember.runtime.cpu;

import dev.ember.runtime.Storage;

/** CPU memory: a plain Java array. */
public final class CpuStorage implements Storage {
    final float[] data;

    CpuStorage(int elements) {
        this.data = new float[elements];
    }

    /** The backing array (for the CPU backend and its benchmarks). */
    public float[] data() {
        return data;
    }

    @Override
    public long elements() {
        return data.length;
    }
}
