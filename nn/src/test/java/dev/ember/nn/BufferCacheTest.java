package dev.ember.nn;

import dev.ember.runtime.Device;
import dev.ember.runtime.Devices;
import dev.ember.runtime.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

/** Work tensors come back with the shape asked for, and the same tensor while it is asked for again. */
class BufferCacheTest {
    @Test
    void aNameAskedForAsAMatrixAndAsAVectorGetsEachShape() {
        Device cpu = Devices.cpu();
        long before = cpu.liveBytes();
        try (BufferCache cache = new BufferCache(cpu)) {
            // 1 x 1 and a vector of 1 have the same size: the rank must tell them apart
            Tensor v = cache.vector("y", 1, 1);
            assertArrayEquals(new int[] {1}, v.shape());
            Tensor m = cache.get("y", 1, 1);
            assertArrayEquals(new int[] {1, 1}, m.shape());
            assertSame(m, cache.get("y", 1, 1));
            assertArrayEquals(new int[] {1}, cache.vector("y", 1, 1).shape());
            Tensor wide = cache.get("h", 3, 4);
            assertSame(wide, cache.get("h", 3, 4));
            assertArrayEquals(new int[] {3, 5}, cache.get("h", 3, 5).shape());
            assertArrayEquals(new int[] {2, 5}, cache.get("h", 2, 5).shape());
        }
        assertEquals(before, cpu.liveBytes(), "the cache released what it made");
    }

    /** A fifth batch size releases the least recently used set: at most four sets are held. */
    @Test
    void atMostFourBatchSizesAreHeldAndAnEvictedSetIsReleased() {
        Device cpu = Devices.cpu();
        long before = cpu.liveBytes();
        try (BufferCache cache = new BufferCache(cpu)) {
            Tensor first = cache.vector("v", 1, 33);
            assertSame(first, cache.vector("v", 1, 33));
            for (int rows = 2; rows <= BufferCache.MAX_SIZES; rows++) {
                cache.get("h", rows, 33);
            }
            cache.vector("v", 1, 33); // now the most recently used: rows 2 goes first
            long full = cpu.liveBytes() - before;
            assertEquals(33L * 4 * (1 + 2 + 3 + 4), full);
            Tensor five = cache.get("h", 5, 33);
            assertEquals(full - 2 * 33 * 4 + 5 * 33 * 4, cpu.liveBytes() - before, "rows 2 released, rows 5 added");
            assertSame(first, cache.vector("v", 1, 33), "rows 1 kept");
            assertSame(five, cache.get("h", 5, 33));
            cache.get("h", 6, 33); // rows 3 is now the least recently used, and goes
            assertEquals(33L * 4 * (1 + 4 + 5 + 6), cpu.liveBytes() - before, "rows 3 released, rows 6 added");
            first.close();
            Tensor again = cache.vector("v", 1, 33);
            assertNotSame(first, again, "a closed tensor is replaced");
            assertFalse(again.isClosed());
        }
        assertEquals(before, cpu.liveBytes(), "the cache released what it made");
    }
}
