package dev.ember.nn;

import dev.ember.runtime.Device;
import dev.ember.runtime.Devices;
import dev.ember.runtime.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
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
}
