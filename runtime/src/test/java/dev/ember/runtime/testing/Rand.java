package dev.ember.runtime.testing;

import java.util.SplittableRandom;

/**
 * Fresh seeded test inputs. The seed is the system property {@code ember.test.seed} when set
 * (to replay a failure), else {@link System#nanoTime()}; {@link Tolerance} prints it in every
 * failure message.
 */
public final class Rand {
    private final long seed;
    private final SplittableRandom rng;

    private Rand(long seed) {
        this.seed = seed;
        this.rng = new SplittableRandom(seed);
    }

    /** A generator with a fresh seed, or the one given by {@code -Dember.test.seed=...}. */
    public static Rand fresh() {
        String s = System.getProperty("ember.test.seed");
        if (s == null || s.isBlank()) {
            return new Rand(System.nanoTime());
        }
        try {
            return new Rand(Long.parseLong(s.trim()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("ember.test.seed must be a long, got '" + s + "'", e);
        }
    }

    public long seed() {
        return seed;
    }

    /** "seed=N (replay with -Dember.test.seed=N)", for failure messages. */
    public String seedNote() {
        return "seed=" + seed + " (replay with -Dember.test.seed=" + seed + ")";
    }

    public float uniform(float lo, float hi) {
        return (float) (lo + (hi - lo) * rng.nextDouble());
    }

    public float[] uniform(int n, float lo, float hi) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = uniform(lo, hi);
        }
        return a;
    }

    public float[] normal(int n, float std) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (std * gaussian());
        }
        return a;
    }

    private double gaussian() {
        double u1 = 1.0 - rng.nextDouble(), u2 = rng.nextDouble();
        return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    }

    /** Values uniform in [lo, hi) whose magnitude stays at least {@code gap} from 0 (away from kinks). */
    public float[] awayFromZero(int n, float lo, float hi, float gap) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            float v;
            do {
                v = uniform(lo, hi);
            } while (Math.abs(v) < gap);
            a[i] = v;
        }
        return a;
    }

    /** Integers in [lo, hi] as floats. */
    public float[] ints(int n, int lo, int hi) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = lo + rng.nextInt(hi - lo + 1);
        }
        return a;
    }

    public int nextInt(int bound) {
        return rng.nextInt(bound);
    }

    public long nextLong() {
        return rng.nextLong();
    }
}
