package dev.ember.runtime;

/**
 * The host array that {@link Backend#uploadRows} gathers rows into before one upload. A training
 * loop sends a batch every step from the same thread, so each thread keeps its array (at most
 * {@link #KEEP} floats, 4 MiB; a larger gather gets a fresh array each time) instead of
 * allocating and zeroing a batch-sized one per step (400 KB for Fashion-MNIST at batch 128).
 */
final class RowStaging {
    static final int KEEP = 1 << 20;
    private static final ThreadLocal<float[]> BUFFER = new ThreadLocal<>();

    private RowStaging() {
    }

    /** An array of at least {@code n} floats, contents unspecified. */
    static float[] take(int n) {
        if (n > KEEP) {
            return new float[n];
        }
        float[] b = BUFFER.get();
        if (b == null || b.length < n) {
            b = new float[n];
            BUFFER.set(b);
        }
        return b;
    }
}
