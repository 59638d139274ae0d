package dev.ember.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The device backends' reduction splits: every row in exactly one non-empty chunk, lanes a power of two. */
class ReductionLayoutTest {

    @Test
    void columnChunksCoverTheRowsOnceAndStayWithinTheGrid() {
        int[] rows = {0, 1, 7, 1000, 1024, 1025, 2047, 2048, 2049, 65536, 70001, 1 << 22, (1 << 22) + 1, 100_000_007,
            Integer.MAX_VALUE};
        for (int r : rows) {
            int per = ReductionLayout.columnChunkRows(r), chunks = ReductionLayout.columnChunks(r);
            String what = r + " rows: " + chunks + " chunks of " + per;
            assertTrue(per >= 1 && chunks >= 1 && chunks <= ReductionLayout.MAX_COLUMN_CHUNKS, what);
            assertTrue((long) chunks * per >= r, what + " cover them");
            assertTrue(r == 0 || (long) (chunks - 1) * per < r, what + ": the last chunk is not empty");
            if (r <= ReductionLayout.COLUMN_CHUNK_ROWS) {
                assertEquals(1, chunks, what);
            } else {
                assertTrue(per >= ReductionLayout.COLUMN_CHUNK_ROWS / 2 && chunks > 1, what);
            }
        }
        assertEquals(64, ReductionLayout.columnChunks(65536));
        assertEquals(1024, ReductionLayout.columnChunkRows(65536));
    }

    @Test
    void rowLanesFollowTheRowLength() {
        int[][] want = {{1, 1}, {2, 2}, {3, 4}, {10, 16}, {32, 32}, {33, 32}, {1000, 32}, {1024, 32}, {1025, 64},
            {4096, 128}, {4097, 256}, {1 << 20, 256}};
        for (int[] w : want) {
            assertEquals(w[1], ReductionLayout.rowLanes(w[0], 256), w[0] + " columns");
        }
        assertEquals(64, ReductionLayout.rowLanes(4096, 64), "capped at the group size");
        assertEquals(1, ReductionLayout.rowLanes(0, 256));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ReductionLayout.rowLanes(10, 96));
        assertTrue(e.getMessage().contains("96"), e.getMessage());
    }
}
