package dev.ember.runtime.opencl;

import dev.ember.runtime.Storage;

/** One OpenCL buffer ({@code cl_mem}) from a device's pool; {@code capacityBytes} is its pool bucket. */
final class OpenClStorage implements Storage {
    final long mem;
    final long elements;
    final long capacityBytes;
    boolean released;

    OpenClStorage(long mem, long elements, long capacityBytes) {
        this.mem = mem;
        this.elements = elements;
        this.capacityBytes = capacityBytes;
    }

    @Override
    public long elements() {
        return elements;
    }
}
