package dev.ember.runtime.opencl;

import static org.lwjgl.opencl.CL10.*;

import java.nio.IntBuffer;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import org.lwjgl.system.MemoryStack;

/**
 * A per-device caching allocator: buffers are rounded up to size buckets (eight per power of two,
 * so at most 12.5% is wasted) and released buffers go to the bucket's free list for reuse. The
 * queue is in order, so a buffer released after enqueuing work on it can be handed out again at
 * once: later commands run after the earlier ones. On allocation failure the free lists are
 * emptied and the allocation retried once.
 */
final class OpenClPool implements AutoCloseable {
    private final long context;
    private final String device;
    /** The device's largest buffer (CL_DEVICE_MAX_MEM_ALLOC_SIZE); no bucket is rounded past it. */
    private final long maxAlloc;
    private final Map<Long, ArrayDeque<Long>> free = new HashMap<>();
    private final java.util.Set<Long> live = new java.util.HashSet<>();
    private long cachedBytes;
    private long liveBytes;

    OpenClPool(long context, String device, long maxAlloc) {
        this.context = context;
        this.device = device;
        this.maxAlloc = maxAlloc;
    }

    /** Bucket size in bytes for a request: at least 256, then the next of (8..15) * 2^e. */
    static long bucket(long bytes) {
        long b = Math.max(256, bytes);
        int e = 63 - Long.numberOfLeadingZeros(b) - 3; // keep the top 4 bits
        long unit = 1L << e;
        return (b + unit - 1) / unit * unit;
    }

    /**
     * {@link #bucket(long)}, but never past {@code max}, the device's largest buffer: a GPU whose
     * limit is not a bucket size (many report a quarter of their memory) would otherwise refuse a
     * request just under it, rounded up by as much as 12.5%. {@code bytes} must not exceed {@code max}.
     */
    static long bucket(long bytes, long max) {
        return Math.min(bucket(bytes), Math.max(bytes, max));
    }

    OpenClStorage allocate(long elements) {
        long bytes = bucket(elements * Float.BYTES, maxAlloc);
        ArrayDeque<Long> list = free.get(bytes);
        if (list != null && !list.isEmpty()) {
            cachedBytes -= bytes;
            liveBytes += bytes;
            long mem = list.pop();
            live.add(mem);
            return new OpenClStorage(mem, elements, bytes);
        }
        long mem = create(bytes);
        if (mem == 0) {
            trim();
            mem = create(bytes);
        }
        if (mem == 0) {
            throw new OpenClException(device + ": out of device memory allocating " + bytes + " bytes ("
                    + elements + " floats); pool holds " + liveBytes + " live bytes, cache emptied", -4);
        }
        liveBytes += bytes;
        live.add(mem);
        return new OpenClStorage(mem, elements, bytes);
    }

    private long create(long bytes) {
        try (MemoryStack stack = MemoryStack.stackPush()) {
            IntBuffer err = stack.mallocInt(1);
            long mem = clCreateBuffer(context, CL_MEM_READ_WRITE, bytes, err);
            int rc = err.get(0);
            if (rc == CL_MEM_OBJECT_ALLOCATION_FAILURE || rc == CL_OUT_OF_RESOURCES || rc == CL_OUT_OF_HOST_MEMORY) {
                return 0;
            }
            Cl.check(rc, device + ": clCreateBuffer(" + bytes + " bytes)");
            return mem;
        }
    }

    void release(OpenClStorage s) {
        if (s.released) {
            throw new IllegalStateException(device + ": buffer released twice");
        }
        s.released = true;
        live.remove(s.mem);
        liveBytes -= s.capacityBytes;
        cachedBytes += s.capacityBytes;
        free.computeIfAbsent(s.capacityBytes, k -> new ArrayDeque<>()).push(s.mem);
    }

    /** Frees every cached (not live) buffer. */
    void trim() {
        for (ArrayDeque<Long> list : free.values()) {
            for (long mem : list) {
                clReleaseMemObject(mem);
            }
        }
        free.clear();
        cachedBytes = 0;
    }

    long cachedBytes() {
        return cachedBytes;
    }

    long liveBytes() {
        return liveBytes;
    }

    /** Frees cached buffers and any still live (their tensors outlived the device). */
    @Override
    public void close() {
        trim();
        for (long mem : live) {
            clReleaseMemObject(mem);
        }
        live.clear();
        liveBytes = 0;
    }
}
