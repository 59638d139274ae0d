package dev.ember.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * Philox-4x32-10 against the published known-answer vectors, and the stream layout the
 * backends rely on (element i = word i % 4 of block i / 4, key = seed; uniform from the top 24
 * bits).
 *
 * <p>The vectors are the three "philox4x32 10" lines of Random123's tests/kat_vectors
 * (D. E. Shaw Research), columns counter[4] key[2] result[4], all hex.
 */
class PhiloxTest {

    private static void kat(int[] ctr, int[] key, int[] expected) {
        int[] out = Philox.block(ctr[0], ctr[1], ctr[2], ctr[3], key[0], key[1]);
        assertArrayEquals(expected, out, () -> String.format("Philox4x32-10 ctr=%08x %08x %08x %08x key=%08x %08x:"
                + " expected %08x %08x %08x %08x got %08x %08x %08x %08x", ctr[0], ctr[1], ctr[2], ctr[3], key[0],
                key[1], expected[0], expected[1], expected[2], expected[3], out[0], out[1], out[2], out[3]));
    }

    @Test
    void knownAnswerZeros() {
        kat(new int[] {0, 0, 0, 0}, new int[] {0, 0}, new int[] {0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8});
    }

    @Test
    void knownAnswerAllOnes() {
        kat(new int[] {-1, -1, -1, -1}, new int[] {-1, -1},
                new int[] {0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd});
    }

    @Test
    void knownAnswerPiDigits() {
        kat(new int[] {0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344}, new int[] {0xa4093822, 0x299f31d0},
                new int[] {0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1});
    }

    @Test
    void streamLayout() {
        long seed = 0x299f31d0_a4093822L; // key words (low, high) = (a4093822, 299f31d0)
        // Counter words 0-1 = (243f6a88, 05a308d3), words 2-3 zero; 4 * block still fits a long.
        long block = 0x05a308d3_243f6a88L;
        int[] w = Philox.block((int) block, (int) (block >>> 32), 0, 0, (int) seed, (int) (seed >>> 32));
        for (int lane = 0; lane < 4; lane++) {
            long index = block * 4 + lane;
            assertEquals(w[lane], Philox.bits(seed, index), "bits(seed, " + index + ") is word " + lane);
            assertEquals((w[lane] >>> 8) * 0x1.0p-24f, Philox.uniform(seed, index), "uniform from the top 24 bits");
        }
        // Counter 0 / key 0 is the first known-answer vector.
        assertEquals(0x6627e8d5, Philox.bits(0L, 0L));
        assertEquals(0x9b00dbd8, Philox.bits(0L, 3L));
    }

    @Test
    void uniformsMatchesUniformAtAnyOffset() {
        long seed = 0x1234_5678_9abc_def0L;
        // 2^34 - 4 starts block 2^32 - 1; the next block's counter carries into its second word.
        for (long start : new long[] {0, 1, 2, 3, 5, 4097, (1L << 32) - 2, (1L << 34) - 4, (1L << 34) - 7}) {
            for (int len : new int[] {1, 3, 4, 7, 8, 9, 17, 33, 64}) {
                float[] out = new float[len + 2];
                Philox.uniforms(seed, start, out, 1, len);
                for (int i = 0; i < len; i++) {
                    assertEquals(Philox.uniform(seed, start + i), out[1 + i], "uniforms start=" + start + " i=" + i);
                }
                assertEquals(0f, out[0], "uniforms must not write before the offset");
                assertEquals(0f, out[len + 1], "uniforms must not write past the length");
            }
        }
    }

    @Test
    void uniformIsInUnitIntervalAndBalanced() {
        long seed = 42;
        int n = 1 << 16;
        double sum = 0;
        int[] bins = new int[16];
        for (int i = 0; i < n; i++) {
            float u = Philox.uniform(seed, i);
            assertTrue(u >= 0f && u < 1f, "uniform " + i + " = " + u);
            sum += u;
            bins[(int) (u * 16)]++;
        }
        // Mean 0.5 with sd sqrt(1/12 / n) = 0.0011; each bin n/16 = 4096 with sd ~62.
        assertEquals(0.5, sum / n, 0.006, "mean of uniforms");
        for (int b = 0; b < 16; b++) {
            assertEquals(n / 16.0, bins[b], 6 * 62, "bin " + b);
        }
    }
}
