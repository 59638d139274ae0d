package dev.ember.runtime.testing;

/** The awkward shapes every op is run on: 1x1, 1xN, Nx1, 7, 33, 127, 1000, non-square. */
public final class TestShapes {
    private TestShapes() {
    }

    /** Rows x cols of rank-2 inputs (at most 7000 elements, so float64 references stay cheap). */
    public static final int[][] MATRICES = {
        {1, 1}, {1, 33}, {33, 1}, {7, 7}, {7, 33}, {127, 33}, {33, 127}, {1000, 7}, {7, 1000},
    };

    /** Small rank-2 shapes for finite-difference checks (each FD costs O(size^2)). */
    public static final int[][] SMALL_MATRICES = {{1, 1}, {1, 7}, {7, 1}, {7, 5}, {13, 33}};

    /** Lengths of flat inputs; 100003 spans several parallel chunks of the CPU backend. */
    public static final int[] LENGTHS = {1, 7, 33, 127, 1000, 100003};

    public static String of(int rows, int cols) {
        return rows + "x" + cols;
    }
}
