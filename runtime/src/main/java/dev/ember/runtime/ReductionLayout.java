package dev.ember.runtime;

/**
 * How the device backends (OpenCL and CUDA) split the rows and columns of their reduction kernels:
 * shared so that both launch {@code reduce.cl}'s and {@code losses.cl}'s kernels the same way, and
 * depending only on the shape, so that a sum is computed in the same order on every run.
 */
public final class ReductionLayout {
    /** Rows a column-sum chunk covers at least; fewer rows are summed in one launch. */
    public static final int COLUMN_CHUNK_ROWS = 1024;
    /** Most chunks one column sum is split into (a CUDA grid's second dimension allows 65,535). */
    public static final int MAX_COLUMN_CHUNKS = 4096;

    private ReductionLayout() {
    }

    /**
     * Rows per chunk of {@code column_sums}: all of them up to {@link #COLUMN_CHUNK_ROWS}, else
     * about that many, so that a tall matrix with a few hundred columns still gives a GPU thousands
     * of work-groups (one chunk of 65,536 rows left 63 of them for 1,000 columns).
     */
    public static int columnChunkRows(int rows) {
        if (rows <= COLUMN_CHUNK_ROWS) {
            return Math.max(1, rows);
        }
        long chunks = Math.min(MAX_COLUMN_CHUNKS, (rows + (long) COLUMN_CHUNK_ROWS - 1) / COLUMN_CHUNK_ROWS);
        return (int) ((rows + chunks - 1) / chunks);
    }

    /**
     * Chunks of {@link #columnChunkRows} rows that cover {@code rows}, each non-empty: 1 up to
     * {@link #COLUMN_CHUNK_ROWS} rows.
     */
    public static int columnChunks(int rows) {
        int per = columnChunkRows(rows);
        return (int) Math.max(1, (rows + (long) per - 1) / per);
    }

    /**
     * Work-items per row of the row kernels ({@code xent_rows}, {@code softmax_rows},
     * {@code row_argmax}): a power of two, at least the row's length up to 32
     * (a warp) and at least a 32nd of it, at most {@code groupSize} (a power of two). Ten classes
     * take 16 lanes, 1,000 take 32, 4,096 take 128; one work-group then holds
     * {@code groupSize / lanes} rows.
     */
    public static int rowLanes(int cols, int groupSize) {
        if (groupSize < 1 || Integer.bitCount(groupSize) != 1) {
            throw new IllegalArgumentException("rowLanes: group size " + groupSize + " is not a power of two");
        }
        int narrow = ceilPow2(Math.min(Math.max(cols, 1), 32));
        int wide = ceilPow2((int) ((Math.max(cols, 1) + 31L) / 32));
        return Math.min(groupSize, Math.max(narrow, wide));
    }

    private static int ceilPow2(int v) {
        return v <= 1 ? 1 : Integer.highestOneBit(v - 1) << 1;
    }
}
