package dev.ember.runtime.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.ember.runtime.Device;
import dev.ember.runtime.Devices;
import dev.ember.runtime.Tensor;
import org.junit.jupiter.api.Test;

/** {@link CpuBackend#uploadRows} when the source is the tensor's own array ({@link CpuStorage#data()}). */
class CpuUploadRowsTest {
    /**
     * Permuting a CPU tensor's rows in place must read every source row before it is overwritten,
     * as the staging default of other backends does; writing the rows straight into the array they
     * are read from copied already-overwritten rows. Large enough to split over the pool too.
     */
    @Test
    void rowsPermutedFromTheTensorsOwnArrayAreTheOriginalRows() {
        Device dev = Devices.cpu();
        for (int[] rc : new int[][] {{4, 3}, {2000, 33}}) {
            int count = rc[0], cols = rc[1];
            float[] init = new float[count * cols];
            for (int i = 0; i < init.length; i++) {
                init[i] = i;
            }
            int[] rows = new int[count];
            for (int i = 0; i < count; i++) {
                rows[i] = count - 1 - i;
            }
            float[] expect = new float[init.length];
            for (int i = 0; i < count; i++) {
                System.arraycopy(init, rows[i] * cols, expect, i * cols, cols);
            }
            try (Tensor t = dev.fromArray(init, count, cols)) {
                t.copyRowsFrom(((CpuStorage) t.storage()).data(), rows, 0);
                assertArrayEquals(expect, t.toArray(), count + "x" + cols);
            }
        }
    }
}
