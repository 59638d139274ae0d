package dev.ember.nn.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Train/test splits. All randomness comes from a SplitMix64 Fisher-Yates permutation (the
 * language-independent algorithm of {@code shared/datasets/README.md}), so the same seed gives the
 * same split in any implementation.
 */
public final class Splits {
    private Splits() {
    }

    /** SplitMix64 generator (Steele, Lea, Flood 2014), as specified for the reference split. */
    static final class SplitMix64 {
        private long s;

        SplitMix64(long seed) {
            this.s = seed;
        }

        long next() {
            s += 0x9E3779B97F4A7C15L;
            long z = s;
            z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
            z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
            return z ^ (z >>> 31);
        }
    }

    /**
     * The permutation {@code p} of {@code 0..n-1}: start from the identity and for {@code i = n-1}
     * down to 1 swap {@code p[i]} with {@code p[(next() >>> 1) mod (i+1)]}.
     */
    public static int[] splitMix64Permutation(int n, long seed) {
        if (n < 0) {
            throw new IllegalArgumentException("splitMix64Permutation: n must be >= 0, got " + n);
        }
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        SplitMix64 g = new SplitMix64(seed);
        for (int i = n - 1; i >= 1; i--) {
            int j = (int) Long.remainderUnsigned(g.next() >>> 1, i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    /** Number of test rows of the reference split: ceil(0.2 n), computed exactly in integers. */
    public static int referenceTestCount(int n) {
        return (int) ((n + 4L) / 5);
    }

    /**
     * The reference 80/20 split of the data-set README: permutation with seed 42, test rows
     * {@code p[0 : ceil(0.2 n)]}, train rows {@code p[ceil(0.2 n) : n]}, both in permutation order.
     * Unscaled.
     */
    public static Split reference(Dataset d) {
        int[] p = splitMix64Permutation(d.rows(), 42);
        int k = referenceTestCount(d.rows());
        return of(d, Arrays.copyOfRange(p, k, p.length), Arrays.copyOfRange(p, 0, k));
    }

    /** Split with explicit train and test rows (in the given order; they must be disjoint). Unscaled. */
    public static Split of(Dataset d, int[] trainRows, int[] testRows) {
        boolean[] seen = new boolean[d.rows()];
        for (int[] part : new int[][] {trainRows, testRows}) {
            for (int r : part) {
                if (r < 0 || r >= d.rows()) {
                    throw new IllegalArgumentException("Splits: row index " + r + " outside [0, " + d.rows()
                            + ") of " + d.name());
                }
                if (seen[r]) {
                    throw new IllegalArgumentException("Splits: row " + r + " of " + d.name()
                            + " is listed twice");
                }
                seen[r] = true;
            }
        }
        return new Split(d.subset(trainRows), d.subset(testRows), null, null);
    }

    /** Split with the given test rows (in that order); all other rows, ascending, are train. Unscaled. */
    public static Split fixed(Dataset d, int[] testRows) {
        Objects.requireNonNull(testRows, "testRows");
        boolean[] isTest = new boolean[d.rows()];
        for (int r : testRows) {
            if (r < 0 || r >= d.rows()) {
                throw new IllegalArgumentException("Splits.fixed: test row " + r + " outside [0, " + d.rows()
                        + ") of " + d.name());
            }
            if (isTest[r]) {
                throw new IllegalArgumentException("Splits.fixed: test row " + r + " of " + d.name()
                        + " is listed twice");
            }
            isTest[r] = true;
        }
        int[] train = new int[d.rows() - testRows.length];
        int k = 0;
        for (int r = 0; r < d.rows(); r++) {
            if (!isTest[r]) {
                train[k++] = r;
            }
        }
        return of(d, train, testRows);
    }

    /**
     * Seeded random split with {@code ceil(testFraction * n)} test rows (at least 1 and leaving at
     * least 1 train row); unstratified with fraction 0.2 and seed 42 it is {@link #reference}.
     * Stratified (classification only): each class contributes its share, rounded by largest
     * remainder so the total is still {@code ceil(testFraction * n)}, and each
     * class's rows are drawn with a SplitMix64 permutation seeded {@code seed + class}. Unscaled.
     */
    public static Split random(Dataset d, double testFraction, long seed, boolean stratified) {
        if (!(testFraction > 0 && testFraction < 1)) {
            throw new IllegalArgumentException("Splits.random: testFraction must be in (0, 1), got " + testFraction);
        }
        int n = d.rows();
        if (n < 2) {
            throw new IllegalArgumentException("Splits.random: " + d.name() + " has " + n + (n == 1 ? " row" : " rows")
                    + "; a train/test split needs at least 2");
        }
        int nTest = testCount(n, testFraction);
        if (!stratified) {
            int[] p = splitMix64Permutation(n, seed);
            return of(d, Arrays.copyOfRange(p, nTest, n), Arrays.copyOfRange(p, 0, nTest));
        }
        if (!d.isClassification()) {
            throw new IllegalArgumentException("Splits.random: stratified split needs class labels, " + d.name()
                    + " is a regression set");
        }
        int[] counts = d.classCounts();
        int[] take = allocate(counts, nTest, n);
        List<Integer> test = new ArrayList<>(nTest);
        List<Integer> train = new ArrayList<>(n - nTest);
        int[][] byClass = rowsByClass(d, counts);
        for (int c = 0; c < counts.length; c++) {
            int[] rowsC = byClass[c];
            int[] p = splitMix64Permutation(rowsC.length, seed + c);
            for (int i = 0; i < rowsC.length; i++) {
                (i < take[c] ? test : train).add(rowsC[p[i]]);
            }
        }
        // Interleave classes deterministically by a final seeded shuffle of each part.
        return of(d, shuffled(train, seed ^ 0x5DEECE66DL), shuffled(test, seed ^ 0x2545F4914F6CDD1DL));
    }

    /**
     * The number of test rows {@link #random} takes from {@code rows >= 2} rows:
     * {@code ceil(testFraction * rows)}, at least 1 and leaving at least 1 train row.
     */
    public static int testCount(int rows, double testFraction) {
        return (int) Math.min(rows - 1, Math.max(1, (long) Math.ceil(testFraction * rows - 1e-9)));
    }

    private static int[] allocate(int[] counts, int nTest, int n) {
        int[] take = new int[counts.length];
        double[] rem = new double[counts.length];
        int total = 0;
        for (int c = 0; c < counts.length; c++) {
            double exact = (double) counts[c] * nTest / n;
            take[c] = (int) Math.floor(exact);
            rem[c] = exact - take[c];
            total += take[c];
        }
        while (total < nTest) {
            int best = -1;
            for (int c = 0; c < counts.length; c++) {
                if (take[c] < counts[c] && (best < 0 || rem[c] > rem[best])) {
                    best = c;
                }
            }
            take[best]++;
            rem[best] = -1;
            total++;
        }
        return take;
    }

    private static int[][] rowsByClass(Dataset d, int[] counts) {
        int[][] out = new int[counts.length][];
        int[] fill = new int[counts.length];
        for (int c = 0; c < counts.length; c++) {
            out[c] = new int[counts[c]];
        }
        float[] t = d.targets();
        for (int r = 0; r < d.rows(); r++) {
            int c = (int) t[r];
            out[c][fill[c]++] = r;
        }
        return out;
    }

    private static int[] shuffled(List<Integer> rows, long seed) {
        int[] p = splitMix64Permutation(rows.size(), seed);
        int[] out = new int[rows.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = rows.get(p[i]);
        }
        return out;
    }
}
