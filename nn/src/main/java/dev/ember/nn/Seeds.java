package dev.ember.nn;

/** SplitMix64 mixing, used to derive independent seeds (per layer, per step) from one user seed. */
public final class Seeds {
    private Seeds() {
    }

    public static long mix(long z) {
        z += 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** A seed for stream {@code a}, item {@code b} of the user seed. */
    public static long derive(long seed, long a, long b) {
        return mix(mix(mix(seed) ^ a) ^ b);
    }
}
