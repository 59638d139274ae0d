package dev.ember.runtime;

/**
 * Philox-4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC 2011), the
 * counter-based generator behind dropout. Element i of a stream keyed by a 64-bit seed takes
 * word {@code i % 4} of Philox(counter = (i / 4) as a 64-bit number in words 0-1, key = seed),
 * so every backend produces the same mask without sharing state. {@code kernels/philox.h} is the
 * device twin of this class.
 */
public final class Philox {
    private static final int M0 = 0xD2511F53, M1 = 0xCD9E8D57;
    private static final int W0 = 0x9E3779B9, W1 = 0xBB67AE85;

    private Philox() {
    }

    /** One Philox-4x32-10 block: four counter words and two key words in, four words out. */
    public static int[] block(int c0, int c1, int c2, int c3, int k0, int k1) {
        int[] out = new int[4];
        blockInto(c0, c1, c2, c3, k0, k1, out);
        return out;
    }

    /** {@link #block} writing into {@code out[0..3]}, for loops that must not allocate. */
    public static void blockInto(int c0, int c1, int c2, int c3, int k0, int k1, int[] out) {
        for (int round = 0; round < 10; round++) {
            if (round > 0) {
                k0 += W0;
                k1 += W1;
            }
            long p0 = (M0 & 0xFFFFFFFFL) * (c0 & 0xFFFFFFFFL);
            long p1 = (M1 & 0xFFFFFFFFL) * (c2 & 0xFFFFFFFFL);
            int hi0 = (int) (p0 >>> 32), lo0 = (int) p0;
            int hi1 = (int) (p1 >>> 32), lo1 = (int) p1;
            int n0 = hi1 ^ c1 ^ k0;
            int n2 = hi0 ^ c3 ^ k1;
            c0 = n0;
            c1 = lo1;
            c2 = n2;
            c3 = lo0;
        }
        out[0] = c0;
        out[1] = c1;
        out[2] = c2;
        out[3] = c3;
    }

    /** The 32 random bits for element {@code index} of the stream keyed by {@code seed}. */
    public static int bits(long seed, long index) {
        long block = index >>> 2;
        int[] w = block((int) block, (int) (block >>> 32), 0, 0, (int) seed, (int) (seed >>> 32));
        return w[(int) (index & 3)];
    }

    /** Uniform float in [0, 1) from the top 24 bits of {@link #bits}: exact in float32 on every device. */
    public static float uniform(long seed, long index) {
        return (bits(seed, index) >>> 8) * 0x1.0p-24f;
    }

    /** Fills {@code out[i] = uniform(seed, start + i)} computing each Philox block once. */
    public static void uniforms(long seed, long start, float[] out, int offset, int length) {
        int k0 = (int) seed, k1 = (int) (seed >>> 32);
        int[] w = new int[4];
        int i = 0;
        while (i < length) {
            long index = start + i;
            long block = index >>> 2;
            blockInto((int) block, (int) (block >>> 32), 0, 0, k0, k1, w);
            for (int lane = (int) (index & 3); lane < 4 && i < length; lane++, i++) {
                out[offset + i] = (w[lane] >>> 8) * 0x1.0p-24f;
            }
        }
    }
}
