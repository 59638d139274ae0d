package dev.ember.nn.data;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;

/**
 * Mini-batches over a data set. Each call of {@link #iterator()} is a new epoch: with shuffling,
 * epoch {@code e} (counting from 0 per loader) visits rows in the order of
 * {@link Splits#splitMix64Permutation} seeded {@code seed + e}, so a run is reproducible from
 * the seed alone. The last, partial batch is kept. Every batch has arrays of its own; the
 * {@link dev.ember.nn.train.Trainer} skips the arrays altogether: it takes each epoch as row
 * numbers ({@link #nextEpochRows}) and copies those rows to the device directly.
 */
public final class DataLoader implements Iterable<DataLoader.Batch> {
    private final Dataset data;
    private final int batchSize;
    private final boolean shuffle;
    private final long seed;
    private long epoch;

    /** One mini-batch: {@code x} is row-major {@code rows x cols}, {@code y} one target per row. */
    public record Batch(float[] x, float[] y, int rows, int cols) {
    }

    /**
     * One mini-batch as row numbers of the data set: rows {@code order[from .. from + count)}, for
     * {@link dev.ember.runtime.Tensor#copyRowsFrom}, which copies them to a device without
     * gathering them into an array first.
     */
    public record Rows(int[] order, int from, int count) {
        /** The data set's row number of the batch's i-th row. */
        public int row(int i) {
            return order[from + i];
        }
    }

    public DataLoader(Dataset d, int batchSize, boolean shuffle, long seed) {
        this.data = Objects.requireNonNull(d, "dataset");
        if (batchSize < 1) {
            throw new IllegalArgumentException("DataLoader: batchSize must be >= 1, got " + batchSize);
        }
        if (d.rows() == 0) {
            throw new IllegalArgumentException("DataLoader: data set " + d.name() + " has no rows");
        }
        this.batchSize = batchSize;
        this.shuffle = shuffle;
        this.seed = seed;
    }

    /** Batches per epoch, counting the partial last one. */
    public int batchesPerEpoch() {
        return (data.rows() + batchSize - 1) / batchSize;
    }

    public int batchSize() {
        return batchSize;
    }

    public Dataset dataset() {
        return data;
    }

    /** Number of epochs started so far by {@link #iterator()}. */
    public synchronized long epochsStarted() {
        return epoch;
    }

    /** The next epoch. */
    @Override
    public Iterator<Batch> iterator() {
        return epoch(takeEpoch());
    }

    /** The number of the next epoch, counted once for either form ({@link #iterator}, {@link #nextEpochRows}). */
    private synchronized long takeEpoch() {
        return epoch++;
    }

    /**
     * The next epoch as row numbers: the same batches as {@link #iterator()} would give, and it
     * advances the same epoch counter.
     */
    public List<Rows> nextEpochRows() {
        int[] order = order(takeEpoch());
        int n = data.rows();
        List<Rows> batches = new ArrayList<>(batchesPerEpoch());
        for (int from = 0; from < n; from += batchSize) {
            batches.add(new Rows(order, from, Math.min(batchSize, n - from)));
        }
        return batches;
    }

    /** The row order of epoch {@code e}: seeded by {@code seed + e} when shuffling, else 0, 1, 2, ... */
    private int[] order(long e) {
        int n = data.rows();
        return shuffle ? Splits.splitMix64Permutation(n, seed + e) : java.util.stream.IntStream.range(0, n).toArray();
    }

    /** The batches of a given epoch, without advancing the counter (same order as that epoch's iterator). */
    public Iterator<Batch> epoch(long e) {
        final int[] order = order(e);
        return new Iterator<>() {
            private int next;

            @Override
            public boolean hasNext() {
                return next < data.rows();
            }

            @Override
            public Batch next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                int rows = Math.min(batchSize, data.rows() - next);
                int cols = data.cols();
                float[] x = new float[rows * cols];
                float[] y = new float[rows];
                float[] f = data.features();
                float[] t = data.targets();
                for (int i = 0; i < rows; i++) {
                    int r = order[next + i];
                    System.arraycopy(f, r * cols, x, i * cols, cols);
                    y[i] = t[r];
                }
                next += rows;
                return new Batch(x, y, rows, cols);
            }
        };
    }
}
