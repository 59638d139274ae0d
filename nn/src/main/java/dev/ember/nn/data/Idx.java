package dev.ember.nn.data;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Reader for the IDX format of MNIST and Fashion-MNIST, gzipped or not (recognised by the gzip
 * magic bytes): a big-endian int32 magic {@code 0x000008NN} (type 0x08 = unsigned byte, NN = number
 * of dimensions; images are {@code 0x803}, labels {@code 0x801}), one big-endian int32 per dimension,
 * then the row-major bytes. Magic, dimensions and the exact data length are checked.
 */
public final class Idx {
    private static final int UBYTE = 0x08;

    private Idx() {
    }

    /** An unsigned-byte IDX array: its dimensions and row-major data (read bytes with {@code & 0xFF}). */
    public record Array(int[] dims, byte[] data) {
        public Array {
            Objects.requireNonNull(dims, "dims");
            Objects.requireNonNull(data, "data");
            long n = 1;
            for (int d : dims) {
                n *= d;
            }
            if (n != data.length) {
                throw new IllegalArgumentException("Idx.Array: dims " + Arrays.toString(dims) + " need " + n
                        + " bytes, got " + data.length);
            }
        }

        /** Value i as an int in 0..255. */
        public int get(int i) {
            return data[i] & 0xFF;
        }
    }

    /** Reads an IDX file of any rank (unsigned bytes only). */
    public static Array read(Path file) {
        try (InputStream in = Csv.open(file)) {
            return read(in, file.toString(), -1);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read IDX file " + file + ": " + dev.ember.nn.io.IoErrors.reason(e), e);
        }
    }

    /** Reads an images file (magic {@code 0x00000803}: count x rows x cols). */
    public static Array readImages(Path file) {
        return readRank(file, 3);
    }

    /** Reads a labels file (magic {@code 0x00000801}: count). */
    public static Array readLabels(Path file) {
        return readRank(file, 1);
    }

    private static Array readRank(Path file, int rank) {
        try (InputStream in = Csv.open(file)) {
            return read(in, file.toString(), rank);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read IDX file " + file + ": " + dev.ember.nn.io.IoErrors.reason(e), e);
        }
    }

    /**
     * Reads an IDX stream (already gunzipped). {@code expectedRank} of -1 accepts any rank.
     * Errors name {@code source}.
     */
    public static Array read(InputStream raw, String source, int expectedRank) throws IOException {
        DataInputStream in = new DataInputStream(raw);
        int magic;
        try {
            magic = in.readInt();
        } catch (EOFException e) {
            throw new IllegalArgumentException(source + ": not an IDX file (shorter than the 4-byte magic)");
        }
        int type = (magic >>> 8) & 0xFF;
        int rank = magic & 0xFF;
        if ((magic >>> 16) != 0 || rank == 0) {
            throw new IllegalArgumentException(source + ": not an IDX file (magic " + hex(magic)
                    + ", expected 0x000008NN, e.g. 0x00000803 for images, 0x00000801 for labels)");
        }
        if (type != UBYTE) {
            throw new IllegalArgumentException(source + ": IDX data type 0x" + Integer.toHexString(type)
                    + " is not supported (only 0x08, unsigned byte)");
        }
        if (expectedRank > 0 && rank != expectedRank) {
            throw new IllegalArgumentException(source + ": IDX magic " + hex(magic) + " has " + rank
                    + " dimensions, expected " + expectedRank + " (" + hex(0x800 | expectedRank) + ")");
        }
        int[] dims = new int[rank];
        long total = 1;
        for (int i = 0; i < rank; i++) {
            try {
                dims[i] = in.readInt();
            } catch (EOFException e) {
                throw new IllegalArgumentException(source + ": truncated IDX header (dimension " + i + " of " + rank
                        + " missing)");
            }
            if (dims[i] <= 0) {
                throw new IllegalArgumentException(source + ": IDX dimension " + i + " is " + dims[i]
                        + ", must be positive");
            }
            total *= dims[i];
            if (total > Integer.MAX_VALUE - 16) {
                throw new IllegalArgumentException(source + ": IDX dimensions " + Arrays.toString(dims)
                        + " exceed 2^31 bytes");
            }
        }
        byte[] data = in.readNBytes((int) total);
        if (data.length != total) {
            throw new IllegalArgumentException(source + ": truncated IDX data: dimensions "
                    + Arrays.toString(dims) + " need " + total + " bytes, the file has " + data.length);
        }
        if (in.read() != -1) {
            throw new IllegalArgumentException(source + ": trailing bytes after the " + total
                    + " bytes announced by IDX dimensions " + Arrays.toString(dims));
        }
        return new Array(dims, data);
    }

    /**
     * An image/label pair as a classification data set: one row per image, pixels as floats 0..255
     * (unscaled), labels validated against {@code classNames}.
     */
    public static Dataset dataset(String name, Path images, Path labels, List<String> classNames) {
        Array img = readImages(images);
        Array lab = readLabels(labels);
        if (img.dims()[0] != lab.dims()[0]) {
            throw new IllegalArgumentException(name + ": " + images + " has " + img.dims()[0] + " images but "
                    + labels + " has " + lab.dims()[0] + " labels");
        }
        int rows = img.dims()[0];
        int cols = img.dims()[1] * img.dims()[2];
        float[] x = new float[img.data().length];
        byte[] b = img.data();
        for (int i = 0; i < x.length; i++) {
            x[i] = b[i] & 0xFF;
        }
        float[] y = new float[rows];
        for (int i = 0; i < rows; i++) {
            int l = lab.get(i);
            if (l >= classNames.size()) {
                throw new IllegalArgumentException(labels + ": label " + l + " of item " + i + " is not below "
                        + classNames.size() + " classes");
            }
            y[i] = l;
        }
        String[] names = new String[cols];
        for (int i = 0; i < cols; i++) {
            names[i] = "pixel_" + (i / img.dims()[2]) + "_" + (i % img.dims()[2]);
        }
        return new Dataset(name, x, rows, cols, y, classNames.size(), List.of(names), classNames);
    }

    /** Writes an unsigned-byte IDX stream (used by tests and tools; not gzipped). */
    public static void write(java.io.OutputStream out, Array a) throws IOException {
        java.io.DataOutputStream d = new java.io.DataOutputStream(out);
        d.writeInt(0x800 | a.dims().length);
        for (int x : a.dims()) {
            d.writeInt(x);
        }
        d.write(a.data());
        d.flush();
    }

    private static String hex(int v) {
        return String.format("0x%08X", v);
    }
}
