package dev.ember.runtime.testing;

/** The awkward shapes every op is run on: 1x1, 1xN, Nx1, 7, 33, 127, 1000, non-square. */
public final class TestShapes {
    private TestShapes() {
    }

    /** Rows x cols of rank-2 inputs (at most 7000 elements, so float64 references stay cheap). */
    public static final int[][] MATRICES = {
        {1, 1}, {1, 33}, {33, 1}, {7, 7}, {7, 33}, {127, 33}, {33, 127}, {1000, 7}, {7, 1000},
    };

    /**
     * Row counts and lengths for the device row kernels (softmax, argmax, cross-entropy), which give a
     * row a power-of-two number of lanes chosen from its length (16 for 10 columns, 32 for 1,000, 256
     * past 4,096) and pack 256 / lanes rows into a work-group: lengths on both sides of each lane
     * step, and row counts that leave the last work-group part empty.
     */
    public static final int[][] PACKED_ROWS = {{257, 1}, {300, 10}, {129, 17}, {65, 33}, {9, 1000}, {3, 1025}, {2, 8193}};

    /** {@code a} followed by {@code b}. */
    public static int[][] plus(int[][] a, int[][] b) {
        int[][] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    /** Small rank-2 shapes for finite-difference checks (each FD costs O(size^2)). */
    public static final int[][] SMALL_MATRICES = {{1, 1}, {1, 7}, {7, 1}, {7, 5}, {13, 33}};

    /** Lengths of flat inputs; 100003 spans several parallel chunks of the CPU backend. */
    public static final int[] LENGTHS = {1, 7, 33, 127, 1000, 100003};

    public static String of(int rows, int cols) {
        return rows + "x" + cols;
    }
}
