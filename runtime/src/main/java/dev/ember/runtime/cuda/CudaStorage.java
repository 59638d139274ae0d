package dev.ember.runtime.cuda;

import dev.ember.runtime.Storage;
import jcuda.driver.CUdeviceptr;

/** Device memory of the CUDA backend: a block of the caching allocator holding {@code elements} floats. */
final class CudaStorage implements Storage {
    final CachingAllocator.Block<CUdeviceptr> block;
    private final long elements;

    CudaStorage(CachingAllocator.Block<CUdeviceptr> block, long elements) {
        this.block = block;
        this.elements = elements;
    }

    CUdeviceptr ptr() {
        return block.ptr();
    }

    /** The address of element {@code offset}. */
    CUdeviceptr at(long offset) {
        return offset == 0 ? block.ptr() : block.ptr().withByteOffset(offset * Float.BYTES);
    }

    @Override
    public long elements() {
        return elements;
    }
}
