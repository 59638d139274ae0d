package dev.ember.runtime;

import java.util.SplittableRandom;

/**
 * A dense float32 tensor, row-major, rank 1 to 4, owned by one {@link Device}. Close it (or use
 * try-with-resources) to return its memory; any use after close throws
 * {@link IllegalStateException} naming the tensor. Unlike PyTorch's tensors, one that becomes
 * unreachable without being closed is not freed: its OpenCL or CUDA memory stays allocated until
 * the JVM exits, and {@link Device#liveTensors()} and {@link Device#liveBytes()} keep counting it
 * (on the CPU the garbage collector reclaims the array, but the counts still include it).
 */
public final class Tensor implements AutoCloseable {
    private static final int CHUNK = 1 << 20;

    private final Device device;
    private final int[] shape;
    private final long size;
    private Storage storage;

    Tensor(Device device, Storage storage, int[] shape) {
        this.device = device;
        this.storage = storage;
        this.shape = shape;
        this.size = Shapes.size(shape);
    }

    public Device device() {
        return device;
    }

    public int[] shape() {
        return shape.clone();
    }

    /** Whether {@code other} has this tensor's shape (rank and every dimension); copies nothing. */
    public boolean sameShape(Tensor other) {
        return java.util.Arrays.equals(shape, other.shape);
    }

    public int rank() {
        return shape.length;
    }

    /** The length of dimension {@code i}, counting from 0. */
    public int dim(int i) {
        if (i < 0 || i >= shape.length) {
            throw new IllegalArgumentException("dim: tensor " + shapeString() + " has rank " + shape.length
                    + ", no dimension " + i);
        }
        return shape[i];
    }

    /** Rows of a rank-2 tensor (or 1 for rank 1; {@code dim(0)} for rank 3 and 4). */
    public int rows() {
        return shape.length == 1 ? 1 : shape[0];
    }

    /**
     * Columns of a rank-2 tensor (the length of a rank-1 one; the last dimension for rank 3 and 4,
     * so that {@code rows() * cols()} is then less than {@link #size()}).
     */
    public int cols() {
        return shape[shape.length - 1];
    }

    /** Number of elements. */
    public long size() {
        return size;
    }

    public String shapeString() {
        return Shapes.toString(shape);
    }

    /** The backend storage; throws when closed. */
    public Storage storage() {
        if (storage == null) {
            throw new IllegalStateException("tensor " + shapeString() + " on " + device.name() + " is closed");
        }
        return storage;
    }

    Storage storageUnchecked() {
        return storage;
    }

    public boolean isClosed() {
        return storage == null;
    }

    /** Copies all values to a new array (a synchronisation point). */
    public float[] toArray() {
        if (size > Integer.MAX_VALUE - 8) {
            throw new IllegalStateException("tensor " + shapeString() + " has more than 2^31 elements; use copyTo ranges");
        }
        float[] out = new float[(int) size];
        copyTo(out);
        return out;
    }

    public void copyTo(float[] dst) {
        Storage s = storage();
        if (dst.length < size) {
            throw new IllegalArgumentException("copyTo: array of " + dst.length + " is smaller than tensor " + shapeString());
        }
        device.backend().download(s, 0, dst, 0, (int) size);
    }

    /** Overwrites all values from {@code src}, whose length must equal {@link #size()}. */
    public Tensor copyFrom(float[] src) {
        Storage s = storage();
        if (src.length != size) {
            throw new IllegalArgumentException("copyFrom: " + src.length + " values for tensor " + shapeString()
                    + " of " + size + " elements");
        }
        device.backend().upload(src, 0, s, 0, src.length);
        return this;
    }

    /** Overwrites elements [offset, offset + length) from {@code src[srcOffset..]}. */
    public Tensor copyFrom(float[] src, int srcOffset, long offset, int length) {
        Storage s = storage();
        // long sums: an int srcOffset + length near Integer.MAX_VALUE would wrap and pass the check.
        if (srcOffset < 0 || length < 0 || (long) srcOffset + length > src.length || offset < 0
                || offset + length > size) {
            throw new IllegalArgumentException("copyFrom: range " + offset + "+" + length + " from array offset "
                    + srcOffset + " does not fit tensor " + shapeString() + " / array of " + src.length);
        }
        device.backend().upload(src, srcOffset, s, offset, length);
        return this;
    }

    /**
     * Overwrites this tensor with rows of a host matrix: with {@code count = dim(0)} and
     * {@code cols = size() / count}, slice i of this tensor becomes row {@code rows[from + i]} of
     * {@code src}, which holds row-major rows of {@code cols} values (for a rank-1 tensor each row
     * is one value). This is how a shuffled mini-batch reaches a device without being gathered
     * into an array first; on the CPU backend the rows are written in place by the pool's threads.
     *
     * @throws IllegalArgumentException when {@code rows} has fewer than {@code from + count}
     *         entries or one of them is not a row of {@code src} (both named in the message)
     */
    public Tensor copyRowsFrom(float[] src, int[] rows, int from) {
        Storage s = storage();
        int count = shape[0];
        if (size / count > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("copyRowsFrom: a slice of tensor " + shapeString() + " holds "
                    + size / count + " values, more than a Java array can");
        }
        int cols = (int) (size / count);
        long srcRows = src.length / cols;
        if (from < 0 || (long) from + count > rows.length) {
            throw new IllegalArgumentException("copyRowsFrom: tensor " + shapeString() + " needs " + count
                    + " row numbers from index " + from + ", but the index array has " + rows.length);
        }
        for (int i = from; i < from + count; i++) {
            if (rows[i] < 0 || rows[i] >= srcRows) {
                throw new IllegalArgumentException("copyRowsFrom: row number " + rows[i] + " at index " + i
                        + " is outside the source, which has " + srcRows + " rows of " + cols + " values");
            }
        }
        device.backend().uploadRows(src, cols, rows, from, count, s);
        return this;
    }

    /** Copies all values of {@code src} (same size, any device) into this tensor. */
    public Tensor copyFrom(Tensor src) {
        storage();
        src.storage();
        if (src.size != size) {
            throw new IllegalArgumentException("copyFrom: tensor " + src.shapeString() + " does not match "
                    + shapeString());
        }
        if (src.device == device) {
            device.backend().copy(src.storage(), 0, storage(), 0, size);
        } else {
            float[] chunk = new float[(int) Math.min(size, CHUNK)];
            for (long off = 0; off < size; off += chunk.length) {
                int n = (int) Math.min(chunk.length, size - off);
                src.device.backend().download(src.storage(), off, chunk, 0, n);
                device.backend().upload(chunk, 0, storage(), off, n);
            }
        }
        return this;
    }

    /** A copy of this tensor on {@code target} (which may be this tensor's device). */
    public Tensor to(Device target) {
        Tensor out = target.empty(shape);
        try {
            return out.copyFrom(this);
        } catch (RuntimeException | Error e) { // an OutOfMemoryError on the CPU backend too
            out.close();
            throw e;
        }
    }

    /** A copy with the same device and values, viewed with another shape of the same size. */
    public Tensor reshapedCopy(int... newShape) {
        int[] s = Shapes.check("reshape", newShape);
        if (Shapes.size(s) != size) {
            throw new IllegalArgumentException("reshape: " + shapeString() + " (" + size + " elements) cannot become "
                    + Shapes.toString(s));
        }
        Storage from = storage(); // before allocating, so a closed tensor leaks nothing
        Tensor out = device.empty(s);
        try {
            device.backend().copy(from, 0, out.storage(), 0, size);
            return out;
        } catch (RuntimeException | Error e) {
            out.close(); // the caller never received it
            throw e;
        }
    }

    public Tensor fill(float value) {
        device.backend().fill(storage(), 0, size, value);
        return this;
    }

    /** A finite mean and a finite, non-negative std, as PyTorch's normal_ asks. */
    static void checkNormal(String op, float mean, float std) {
        if (!Float.isFinite(mean) || !Float.isFinite(std) || std < 0) {
            throw new IllegalArgumentException(op + ": needs a finite mean and a finite std >= 0, got mean " + mean
                    + ", std " + std);
        }
    }

    /**
     * Finite bounds with lo <= hi and a width hi - lo within float range, as PyTorch's uniform_
     * asks (lo == hi gives lo everywhere).
     */
    static void checkUniform(String op, float lo, float hi) {
        if (!Float.isFinite(lo) || !Float.isFinite(hi) || lo > hi) {
            throw new IllegalArgumentException(op + ": needs finite bounds with lo <= hi, got lo " + lo + ", hi " + hi);
        }
        if (!Float.isFinite(hi - lo)) {
            throw new IllegalArgumentException(op + ": hi - lo must be at most the largest float, got lo " + lo
                    + ", hi " + hi);
        }
    }

    /** Fills with Normal(mean, std) from a seeded generator (host-side, so identical on every device). */
    public Tensor fillNormal(long seed, float mean, float std) {
        checkNormal("fillNormal", mean, std);
        SplittableRandom rng = new SplittableRandom(seed);
        float[] chunk = new float[(int) Math.min(size, CHUNK)];
        for (long off = 0; off < size; off += chunk.length) {
            int n = (int) Math.min(chunk.length, size - off);
            for (int i = 0; i < n; i += 2) {
                // Box-Muller: two normals from two uniforms; u1 in (0, 1] so the log is finite.
                double u1 = 1.0 - rng.nextDouble();
                double u2 = rng.nextDouble();
                double r = Math.sqrt(-2.0 * Math.log(u1));
                chunk[i] = (float) (mean + std * r * Math.cos(2 * Math.PI * u2));
                if (i + 1 < n) {
                    chunk[i + 1] = (float) (mean + std * r * Math.sin(2 * Math.PI * u2));
                }
            }
            device.backend().upload(chunk, 0, storage(), off, n);
        }
        return this;
    }

    /** Fills with Uniform[lo, hi) from a seeded generator (host-side, so identical on every device). */
    public Tensor fillUniform(long seed, float lo, float hi) {
        checkUniform("fillUniform", lo, hi);
        SplittableRandom rng = new SplittableRandom(seed);
        float[] chunk = new float[(int) Math.min(size, CHUNK)];
        for (long off = 0; off < size; off += chunk.length) {
            int n = (int) Math.min(chunk.length, size - off);
            for (int i = 0; i < n; i++) {
                float v = (float) (lo + (hi - lo) * rng.nextDouble());
                // rounding to float can reach hi itself (u near 1, or few floats in [lo, hi)):
                // keep the promised half-open range, as SplittableRandom.nextDouble(lo, hi) does
                chunk[i] = v >= hi && lo < hi ? Math.nextDown(hi) : v;
            }
            device.backend().upload(chunk, 0, storage(), off, n);
        }
        return this;
    }

    /**
     * Returns the memory to the device. Closing twice is allowed and does nothing, also from two
     * threads at once (synchronized: the check and the release must not interleave, or the memory
     * would be counted and returned to the device's pool twice). Closing a tensor that an op on
     * another thread is still using is not allowed: its memory may already serve another tensor.
     */
    @Override
    public synchronized void close() {
        if (storage != null) {
            try {
                device.released(this);
            } finally {
                // Closed even when the backend's release fails (a lost context): the device has
                // already stopped counting it, and a second close must not count it out again.
                storage = null;
            }
        }
    }

    @Override
    public String toString() {
        return "Tensor[" + shapeString() + " on " + device.name() + (storage == null ? ", closed]" : "]");
    }
}
