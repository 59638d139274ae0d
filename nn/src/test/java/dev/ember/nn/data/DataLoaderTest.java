package dev.ember.nn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.Test;

class DataLoaderTest {
    /** 10 rows, 2 cols; row i = (i, -i), target i (regression). */
    private static Dataset rows10() {
        float[] x = new float[20];
        float[] y = new float[10];
        for (int i = 0; i < 10; i++) {
            x[2 * i] = i;
            x[2 * i + 1] = -i;
            y[i] = i;
        }
        return new Dataset("ten", x, 10, 2, y, 0, null, null);
    }

    private static List<Float> order(Iterable<DataLoader.Batch> epoch, List<Integer> sizes) {
        List<Float> out = new ArrayList<>();
        for (DataLoader.Batch b : epoch) {
            sizes.add(b.rows());
            assertEquals(2, b.cols());
            for (int i = 0; i < b.rows(); i++) {
                assertEquals(b.y()[i], b.x()[2 * i]);
                assertEquals(-b.y()[i], b.x()[2 * i + 1], 0f);
                out.add(b.y()[i]);
            }
        }
        return out;
    }

    @Test
    void keepsPartialLastBatchInOrderWithoutShuffle() {
        DataLoader l = new DataLoader(rows10(), 4, false, 0);
        assertEquals(3, l.batchesPerEpoch());
        List<Integer> sizes = new ArrayList<>();
        assertEquals(List.of(0f, 1f, 2f, 3f, 4f, 5f, 6f, 7f, 8f, 9f), order(l, sizes));
        assertEquals(List.of(4, 4, 2), sizes);
    }

    /** batchesPerEpoch counts the batches an epoch gives: whole, partial, one row per batch, batch over the rows. */
    @Test
    void batchesPerEpochIsTheNumberOfBatches() {
        for (int bs : new int[] {1, 2, 5, 9, 10, 33}) {
            DataLoader l = new DataLoader(rows10(), bs, false, 0);
            List<Integer> sizes = new ArrayList<>();
            order(l, sizes);
            assertEquals(sizes.size(), l.batchesPerEpoch(), "batch " + bs);
            assertEquals(sizes.size(), l.nextEpochRows().size(), "batch " + bs);
            assertEquals(bs, l.batchSize());
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new DataLoader(rows10(), 0, false, 0));
        assertEquals("DataLoader: batchSize must be >= 1, got 0", e.getMessage());
    }

    @Test
    void shuffleIsSeededPerEpochAndCoversEveryRow() {
        DataLoader a = new DataLoader(rows10(), 3, true, 99);
        DataLoader b = new DataLoader(rows10(), 3, true, 99);
        List<Integer> sizes = new ArrayList<>();
        List<Float> a0 = order(a, sizes);
        List<Float> a1 = order(a, new ArrayList<>());
        assertEquals(List.of(3, 3, 3, 1), sizes);
        assertEquals(a0, order(b, new ArrayList<>()), "same seed, same first epoch");
        assertEquals(a1, order(b, new ArrayList<>()), "same seed, same second epoch");
        assertFalse(a0.equals(a1), "epochs differ");
        List<Float> sorted = new ArrayList<>(a0);
        sorted.sort(null);
        assertEquals(List.of(0f, 1f, 2f, 3f, 4f, 5f, 6f, 7f, 8f, 9f), sorted);
        // Epoch e uses permutation seed + e.
        int[] p = Splits.splitMix64Permutation(10, 100);
        float[] expected = new float[10];
        for (int i = 0; i < 10; i++) {
            expected[i] = p[i];
        }
        float[] got = new float[10];
        for (int i = 0; i < 10; i++) {
            got[i] = a1.get(i);
        }
        assertArrayEquals(expected, got);
        assertEquals(2, a.epochsStarted());
        Iterator<DataLoader.Batch> e1 = a.epoch(1);
        assertEquals(a1.get(0), e1.next().y()[0]);
        assertEquals(2, a.epochsStarted());
        DataLoader c = new DataLoader(rows10(), 3, true, 5);
        assertFalse(a0.equals(order(c, new ArrayList<>())), "different seed, different order");
    }

    /**
     * Row numbers name the same batches as the array iterator, shuffled or not, and advance the
     * same epoch counter (epochs alternate between the two forms here).
     */
    @Test
    void epochRowsNameTheSameBatchesAsTheIterator() {
        for (boolean shuffle : new boolean[] {false, true}) {
            DataLoader arrays = new DataLoader(rows10(), 3, shuffle, 11), rowNumbers = new DataLoader(rows10(), 3, shuffle, 11);
            for (int e = 0; e < 3; e++) {
                Iterator<DataLoader.Batch> it = e % 2 == 0 ? arrays.iterator() : rowNumbers.iterator();
                List<DataLoader.Rows> rows = e % 2 == 0 ? rowNumbers.nextEpochRows() : arrays.nextEpochRows();
                assertEquals(4, rows.size());
                for (DataLoader.Rows r : rows) {
                    DataLoader.Batch b = it.next();
                    assertEquals(b.rows(), r.count());
                    for (int i = 0; i < r.count(); i++) {
                        assertEquals(b.y()[i], (float) r.row(i), "epoch " + e + " shuffle " + shuffle);
                    }
                }
                assertFalse(it.hasNext());
            }
            assertEquals(3, arrays.epochsStarted());
            assertEquals(3, rowNumbers.epochsStarted());
        }
    }

    @Test
    void rejectsBadArguments() {
        assertThrows(IllegalArgumentException.class, () -> new DataLoader(rows10(), 0, false, 0));
        Iterator<DataLoader.Batch> it = new DataLoader(rows10(), 100, false, 0).iterator();
        assertTrue(it.hasNext());
        assertEquals(10, it.next().rows());
        assertFalse(it.hasNext());
        assertThrows(java.util.NoSuchElementException.class, it::next);
    }

    @Test
    void datasetValidationAndOneHot() {
        assertThrows(IllegalArgumentException.class,
                () -> new Dataset("d", new float[4], 2, 2, new float[] {0, 2}, 2, null, null));
        assertThrows(IllegalArgumentException.class,
                () -> new Dataset("d", new float[4], 2, 2, new float[] {0, 0.5f}, 2, null, null));
        assertThrows(IllegalArgumentException.class,
                () -> new Dataset("d", new float[3], 2, 2, new float[] {0, 1}, 2, null, null));
        assertThrows(IllegalArgumentException.class,
                () -> new Dataset("d", new float[4], 2, 2, new float[] {0}, 2, null, null));
        assertThrows(IllegalArgumentException.class,
                () -> new Dataset("d", new float[4], 2, 2, new float[] {0, 1}, 1, null, null));
        assertThrows(IllegalArgumentException.class,
                () -> new Dataset("d", new float[4], 2, 2, new float[] {0, 1}, 2, List.of("a"), null));
        assertThrows(IllegalArgumentException.class,
                () -> new Dataset("d", new float[4], 2, 2, new float[] {0, Float.NaN}, 0, null, null));
        assertArrayEquals(new float[] {0, 1, 0, 1, 0, 0}, OneHot.encode(new float[] {1, 0}, 3));
        assertThrows(IllegalArgumentException.class, () -> OneHot.encode(new float[] {3}, 3));
        assertArrayEquals(new int[] {2, 0}, OneHot.argmax(new float[] {0, 1, 5, 3, 3, 1}, 2, 3));
        // torch.argmax: the first NaN wins, even over +Inf
        float nan = Float.NaN;
        assertArrayEquals(new int[] {1, 0}, OneHot.argmax(new float[] {1, nan, Float.POSITIVE_INFINITY, nan, 5, nan}, 2, 3));
        Dataset d = rows10().subset(new int[] {9, 0, 9});
        assertArrayEquals(new float[] {9, 0, 9}, d.targets());
        assertThrows(IllegalArgumentException.class, () -> rows10().subset(new int[] {10}));
        assertTrue(Arrays.equals(new float[] {9, -9}, d.row(0)));
    }
}
