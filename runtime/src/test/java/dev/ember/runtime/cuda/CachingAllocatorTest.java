package dev.ember.runtime.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The caching allocator's bucketing, reuse, out-of-memory retry and graph pools, over a fake device. */
class CachingAllocatorTest {

    /** A fake device with a byte budget: malloc returns null (out of memory) past it. */
    static class FakeDevice implements CachingAllocator.Raw<long[]> {
        final long capacity;
        long used;
        long nextAddress = 0x1000;
        final Set<Long> live = new HashSet<>();
        final List<Long> mallocSizes = new ArrayList<>();
        int frees;

        FakeDevice(long capacity) {
            this.capacity = capacity;
        }

        @Override
        public long[] malloc(long bytes) {
            mallocSizes.add(bytes);
            if (used + bytes > capacity) {
                return null;
            }
            used += bytes;
            long[] p = {nextAddress, bytes};
            nextAddress += bytes;
            live.add(p[0]);
            return p;
        }

        @Override
        public void free(long[] ptr) {
            assertTrue(live.remove(ptr[0]), "double or foreign free of " + ptr[0]);
            used -= ptr[1];
            frees++;
        }

        @Override
        public long[] memInfo() {
            return new long[] {capacity - used, capacity};
        }
    }

    @Test
    void roundsSmallRequestsTo512AndLargeOnesToQuarterPowersOfTwo() {
        assertEquals(512, CachingAllocator.roundSize(1));
        assertEquals(512, CachingAllocator.roundSize(512));
        assertEquals(1024, CachingAllocator.roundSize(513));
        assertEquals(1L << 20, CachingAllocator.roundSize((1L << 20) - 1));
        assertEquals(1L << 20, CachingAllocator.roundSize(1L << 20));
        // 1 MiB + 1: the power of two below is 1 MiB, a quarter of it is 256 KiB.
        assertEquals((1L << 20) + (256L << 10), CachingAllocator.roundSize((1L << 20) + 1));
        assertEquals(3L << 20, CachingAllocator.roundSize((3L << 20) - 5));
        assertEquals(5L << 28, CachingAllocator.roundSize((1L << 30) + 1)); // 1.25 GiB
        assertEquals(2L << 30, CachingAllocator.roundSize((7L << 28) + 1)); // past 1.75 GiB -> 2 GiB
        for (long b = 1; b < (1L << 34); b = b * 3 + 7) {
            long r = CachingAllocator.roundSize(b);
            assertTrue(r >= b && (b <= (1 << 20) ? r - b < 512 : r - b <= b / 4), b + " -> " + r);
        }
        assertThrows(IllegalArgumentException.class, () -> CachingAllocator.roundSize(0));
    }

    @Test
    void releasedBlocksAreReusedFromTheirBucketWithoutDriverCalls() {
        FakeDevice dev = new FakeDevice(1L << 30);
        CachingAllocator<long[]> a = new CachingAllocator<>("fake", dev);
        var b1 = a.allocate(1000);   // bucket 1024
        var b2 = a.allocate(5000);   // bucket 5120
        assertEquals(2, dev.mallocSizes.size());
        assertEquals(1024 + 5120, a.allocatedBytes());
        a.release(b1);
        assertEquals(5120, a.allocatedBytes());
        assertEquals(1024, a.cachedBytes());
        var b3 = a.allocate(600);    // same 1024 bucket: served from the cache
        assertSame(b1.ptr(), b3.ptr());
        assertEquals(2, dev.mallocSizes.size());
        var b4 = a.allocate(2000);   // bucket 2048: a new driver allocation, not the cached 5120 block
        assertEquals(3, dev.mallocSizes.size());
        assertEquals(2048L, dev.mallocSizes.get(2));
        assertEquals(1024 + 5120 + 2048, a.peakAllocatedBytes());
        a.release(b2);
        a.release(b3);
        a.release(b4);
        assertEquals(0, a.allocatedBytes());
        assertEquals(1024 + 5120 + 2048, a.reservedBytes());
        a.emptyCache();
        assertEquals(0, a.reservedBytes());
        assertEquals(0, a.cachedBytes());
        assertEquals(0, dev.used);
        assertEquals(3, dev.frees);
        assertThrows(IllegalStateException.class, () -> a.release(b2), "double release");
    }

    @Test
    void outOfMemoryEmptiesTheCacheAndRetriesOnce() {
        FakeDevice dev = new FakeDevice(8L << 20);
        CachingAllocator<long[]> a = new CachingAllocator<>("fake", dev);
        var big = a.allocate(5L << 20); // 5 MiB bucket
        a.release(big);                 // cached: the device is still 5 MiB full
        var other = a.allocate(6L << 20); // does not fit next to the cached block: cache emptied, retried
        assertEquals(6L << 20, other.size());
        assertEquals(1, dev.frees);
        assertEquals(0, a.cachedBytes());
        assertEquals(6L << 20, a.reservedBytes());
    }

    @Test
    void outOfMemoryAfterTheRetryReportsRequestedLiveAndPeak() {
        FakeDevice dev = new FakeDevice(8L << 20);
        CachingAllocator<long[]> a = new CachingAllocator<>("cuda:fake", dev);
        var held = a.allocate(6L << 20);
        int before = dev.mallocSizes.size();
        CudaOutOfMemoryException e = assertThrows(CudaOutOfMemoryException.class, () -> a.allocate(3L << 20));
        assertEquals(before + 2, dev.mallocSizes.size(), "one attempt and one retry");
        assertEquals(3L << 20, e.requestedBytes());
        assertEquals(6L << 20, e.liveBytes());
        assertEquals(6L << 20, e.peakBytes());
        String m = e.getMessage();
        assertTrue(m.contains("cuda:fake") && m.contains("3.0 MiB") && m.contains("live 6.0 MiB")
                && m.contains("peak 6.0 MiB") && m.contains("device free 2.0 MiB") && m.contains("of 8.0 MiB"), m);
        a.release(held);
        assertEquals(6L << 20, a.allocate(3L << 20).size() + (3L << 20), "usable again after the failure");
    }

    @Test
    void graphPoolKeepsItsBlocksUntilClosed() {
        FakeDevice dev = new FakeDevice(1L << 30);
        CachingAllocator<long[]> a = new CachingAllocator<>("fake", dev);
        var cachedBefore = a.allocate(4096);
        a.release(cachedBefore); // in the global cache
        CachingAllocator.Pool pool = a.beginPrivatePool();
        var t1 = a.allocate(4096);           // taken from the global cache into the pool
        assertSame(cachedBefore.ptr(), t1.ptr());
        var t2 = a.allocate(512);            // new driver block, owned by the pool
        a.release(t1);                       // back to the pool, not to the global cache
        var t3 = a.allocate(4096);           // the pool's own block again
        assertSame(t1.ptr(), t3.ptr());
        a.release(t3);
        a.endPrivatePool();
        var outside = a.allocate(4096);      // the graph's block must not be handed out
        assertNotSame(t1.ptr(), outside.ptr());
        a.emptyCache();                      // must not free the graph's blocks either
        assertTrue(dev.live.contains(t1.ptr()[0]) && dev.live.contains(t2.ptr()[0]));
        a.closePool(pool);                   // t1's block returns to the global cache; t2 is still in use
        var again = a.allocate(4096);
        assertSame(t1.ptr(), again.ptr());
        a.release(t2);                       // released after the pool closed: goes to the global cache
        var small = a.allocate(100);
        assertSame(t2.ptr(), small.ptr());
        a.release(again);
        a.release(small);
        a.release(outside);
        a.emptyCache();
        assertEquals(0, dev.used);
        assertEquals(0, a.reservedBytes());
        assertThrows(IllegalStateException.class, () -> {
            a.beginPrivatePool();
            a.beginPrivatePool();
        });
    }

    /**
     * A free that fails (a context killed by a kernel fault) must not leave freed blocks in the
     * cache, where a later allocation would hand out a dead pointer; freeAll tries every block.
     */
    @Test
    void failedFreesNeverLeaveFreedBlocksToHandOut() {
        FakeDevice dev = new FakeDevice(1L << 30) {
            int calls;

            @Override
            public void free(long[] ptr) {
                super.free(ptr);
                if (++calls % 2 == 0) { // every other free fails
                    throw new IllegalStateException("cuMemFree: CUDA_ERROR_ILLEGAL_ADDRESS");
                }
            }
        };
        CachingAllocator<long[]> a = new CachingAllocator<>("fake", dev);
        List<CachingAllocator.Block<long[]>> blocks = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            blocks.add(a.allocate(4096));
        }
        blocks.forEach(a::release);
        assertThrows(IllegalStateException.class, a::emptyCache);
        for (int i = 0; i < 4; i++) {
            long[] p = a.allocate(4096).ptr();
            assertTrue(dev.live.contains(p[0]), "allocation " + i + " handed out a freed pointer " + p[0]);
        }
        a.allocate(100);
        assertThrows(IllegalStateException.class, a::freeAll); // the second free fails again
        assertTrue(dev.live.isEmpty(), "every block was freed in spite of the failure: " + dev.live);
        assertEquals(0, a.reservedBytes());
    }

    @Test
    void freeAllReleasesEveryBlockInEveryPool() {
        FakeDevice dev = new FakeDevice(1L << 30);
        CachingAllocator<long[]> a = new CachingAllocator<>("fake", dev);
        a.allocate(100);
        a.release(a.allocate(70000));
        a.beginPrivatePool();
        a.allocate(3000);
        a.endPrivatePool();
        a.freeAll();
        assertEquals(0, dev.used);
        assertTrue(dev.live.isEmpty());
        assertEquals(0, a.reservedBytes());
    }
}
