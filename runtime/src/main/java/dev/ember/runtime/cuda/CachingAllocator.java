package dev.ember.runtime.cuda;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.LongFunction;

/**
 * A caching device-memory allocator in the manner of PyTorch's: requests are rounded up to size
 * buckets, released blocks go to a free list per bucket and are handed out again without a driver
 * call (cudaMalloc/cudaFree synchronise the device and cost tens of microseconds). On one stream,
 * reusing a block released earlier is safe without events, because later work is ordered after
 * the work that used it.
 *
 * <p>Buckets: up to 1 MiB, multiples of 512 bytes; above, four buckets per power of two
 * (1.25, 1.5, 1.75 and 2 times 2^k), so at most a quarter of a large block is rounding.
 * When the raw allocator reports out of memory, the cache is emptied and the request retried
 * once; a second failure raises {@link CudaOutOfMemoryException} with requested, live and peak bytes.
 *
 * <p>CUDA graphs: between {@link #beginPrivatePool()} and {@link #endPrivatePool()} (a capture),
 * blocks are taken from and returned to a private pool, which stays reserved for the graph (its
 * replays write those addresses) until {@link #closePool(Pool)}.
 *
 * @param <P> the raw pointer type (a CUdeviceptr on a GPU, anything in tests)
 */
public final class CachingAllocator<P> {

    /** The underlying allocator. */
    public interface Raw<P> {
        /** Allocates {@code bytes}; returns null when the device is out of memory, throws on other errors. */
        P malloc(long bytes);

        /** Frees a pointer returned by {@link #malloc}. */
        void free(P ptr);

        /** {free, total} device bytes for messages, or null when unknown. */
        default long[] memInfo() {
            return null;
        }
    }

    /** One device allocation of {@link #size()} bytes (a bucket size). */
    public static final class Block<P> {
        private final P ptr;
        private final long size;
        private Pool pool;
        private boolean inUse;

        Block(P ptr, long size, Pool pool) {
            this.ptr = ptr;
            this.size = size;
            this.pool = pool;
        }

        public P ptr() {
            return ptr;
        }

        public long size() {
            return size;
        }
    }

    /** A set of free lists: the global cache, or a graph's private pool. */
    public static final class Pool {
        private final String name;
        private final Map<Long, ArrayDeque<Block<?>>> free = new HashMap<>();
        private final java.util.Set<Block<?>> owned = new java.util.LinkedHashSet<>();
        private boolean closed;

        Pool(String name) {
            this.name = name;
        }

        @Override
        public String toString() {
            return name;
        }
    }

    static final long SMALL = 1L << 20;
    static final long SMALL_ROUND = 512;

    private final String device;
    private final Raw<P> raw;
    private final Pool global = new Pool("global");
    private final List<Pool> pools = new ArrayList<>(List.of(global));
    private Pool active = global;
    private long allocated;
    private long peakAllocated;
    private long reserved;
    private long cached;
    private long rawMallocs;
    private long rawFrees;

    public CachingAllocator(String device, Raw<P> raw) {
        this.device = Objects.requireNonNull(device);
        this.raw = Objects.requireNonNull(raw);
    }

    /** The bucket a request of {@code bytes} (at least 1) is served from. */
    public static long roundSize(long bytes) {
        if (bytes <= 0) {
            throw new IllegalArgumentException("allocation size must be positive, got " + bytes);
        }
        if (bytes <= SMALL) {
            return (bytes + SMALL_ROUND - 1) / SMALL_ROUND * SMALL_ROUND;
        }
        int log = 63 - Long.numberOfLeadingZeros(bytes - 1); // 2^log < bytes <= 2^(log+1)
        long step = 1L << (log - 2);                            // quarter of the power of two below
        return (bytes + step - 1) / step * step;
    }

    /** A block of at least {@code bytes}; throws {@link CudaOutOfMemoryException} when memory is exhausted. */
    public synchronized Block<P> allocate(long bytes) {
        long size = roundSize(bytes);
        Block<P> b = take(active, size);
        if (b == null && active != global) {
            b = take(global, size);
            if (b != null) {
                move(b, active);
            }
        }
        if (b == null) {
            P ptr = raw.malloc(size);
            rawMallocs++;
            if (ptr == null) {
                emptyCache();
                ptr = raw.malloc(size);
                rawMallocs++;
            }
            if (ptr == null) {
                throw new CudaOutOfMemoryException(device, bytes, allocated, peakAllocated, reserved, raw.memInfo());
            }
            b = new Block<>(ptr, size, active);
            active.owned.add(b);
            reserved += size;
        }
        b.inUse = true;
        allocated += size;
        peakAllocated = Math.max(peakAllocated, allocated);
        return b;
    }

    @SuppressWarnings("unchecked")
    private Block<P> take(Pool pool, long size) {
        ArrayDeque<Block<?>> q = pool.free.get(size);
        if (q == null || q.isEmpty()) {
            return null;
        }
        cached -= size;
        return (Block<P>) q.pop();
    }

    private void move(Block<P> b, Pool to) {
        b.pool.owned.remove(b);
        b.pool = to;
        to.owned.add(b);
    }

    /** Returns a block to its pool's free list (the global one once its pool is closed). */
    public synchronized void release(Block<P> b) {
        if (!b.inUse) {
            throw new IllegalStateException("cuda: block of " + b.size + " bytes released twice");
        }
        b.inUse = false;
        allocated -= b.size;
        if (b.pool.closed) {
            move(b, global);
        }
        b.pool.free.computeIfAbsent(b.size, s -> new ArrayDeque<>()).push(b);
        cached += b.size;
    }

    /** Frees every cached (unused) block of the global pool back to the device. */
    public synchronized void emptyCache() {
        for (ArrayDeque<Block<?>> q : global.free.values()) {
            // Each block leaves the free list before its free: if a free fails (a context killed by
            // a kernel fault), no freed pointer can be handed out again by a later allocation.
            for (Block<?> b; (b = q.poll()) != null; ) {
                global.owned.remove(b);
                freeRaw(b);
            }
        }
        global.free.clear();
    }

    @SuppressWarnings("unchecked")
    private void freeRaw(Block<?> b) {
        reserved -= b.size;
        cached -= b.size;
        rawFrees++;
        raw.free(((Block<P>) b).ptr);
    }

    /** Starts serving allocations and releases from a new private pool (for a graph capture). */
    public synchronized Pool beginPrivatePool() {
        if (active != global) {
            throw new IllegalStateException("cuda: a private pool is already active (nested capture?)");
        }
        active = new Pool("graph-pool-" + pools.size());
        pools.add(active);
        return active;
    }

    /** Back to the global pool; the private pool keeps its blocks until {@link #closePool}. */
    public synchronized void endPrivatePool() {
        active = global;
    }

    /** Gives a private pool's blocks back to the global cache (in-use ones when they are released). */
    public synchronized void closePool(Pool pool) {
        if (pool == global || pool.closed) {
            return;
        }
        pool.closed = true;
        for (Block<?> b : List.copyOf(pool.owned)) {
            @SuppressWarnings("unchecked")
            Block<P> bp = (Block<P>) b;
            move(bp, global);
            if (!b.inUse) {
                global.free.computeIfAbsent(b.size, s -> new ArrayDeque<>()).push(b);
            }
        }
        pool.free.clear();
        pools.remove(pool);
        if (active == pool) {
            active = global;
        }
    }

    /**
     * Frees every block, in use or not (when the device closes). Every free is tried even when one
     * fails (after a kernel fault each may); the allocator is empty afterwards and the first failure
     * is rethrown.
     */
    public synchronized void freeAll() {
        RuntimeException first = null;
        for (Pool p : pools) {
            for (Block<?> b : p.owned) {
                @SuppressWarnings("unchecked")
                Block<P> bp = (Block<P>) b;
                rawFrees++;
                try {
                    raw.free(bp.ptr);
                } catch (RuntimeException e) {
                    if (first == null) {
                        first = e;
                    }
                }
            }
            p.owned.clear();
            p.free.clear();
        }
        pools.removeIf(p -> p != global);
        active = global;
        reserved = 0;
        cached = 0;
        allocated = 0;
        if (first != null) {
            throw first;
        }
    }

    /** Bytes in blocks handed out and not yet released (bucket sizes). */
    public synchronized long allocatedBytes() {
        return allocated;
    }

    /** Largest {@link #allocatedBytes()} seen. */
    public synchronized long peakAllocatedBytes() {
        return peakAllocated;
    }

    /** Bytes held from the device: allocated plus cached, in every pool. */
    public synchronized long reservedBytes() {
        return reserved;
    }

    /** Bytes in free lists (any pool). */
    public synchronized long cachedBytes() {
        return cached;
    }

    /** Driver allocations made so far (a measure of cache misses). */
    public synchronized long rawMallocCount() {
        return rawMallocs;
    }

    /** Driver frees made so far. */
    public synchronized long rawFreeCount() {
        return rawFrees;
    }

    @Override
    public synchronized String toString() {
        return device + " allocator: allocated " + allocated + " B, peak " + peakAllocated + " B, reserved " + reserved
                + " B, cached " + cached + " B";
    }

    /** A {@link Raw} over functions, for tests and simple wrappers. */
    public static <P> Raw<P> raw(LongFunction<P> malloc, java.util.function.Consumer<P> free) {
        return new Raw<>() {
            @Override
            public P malloc(long bytes) {
                return malloc.apply(bytes);
            }

            @Override
            public void free(P ptr) {
                free.accept(ptr);
            }
        };
    }
}
