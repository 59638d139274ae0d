package dev.ember.nn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxTest {
    @TempDir
    Path dir;

    private Path gz(String name, byte[] bytes) throws IOException {
        Path f = dir.resolve(name);
        try (OutputStream o = new GZIPOutputStream(Files.newOutputStream(f))) {
            o.write(bytes);
        }
        return f;
    }

    private static byte[] idx(int magic, int[] dims, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(4 + 4 * dims.length + data.length); // big-endian by default
        b.putInt(magic);
        for (int d : dims) {
            b.putInt(d);
        }
        b.put(data);
        return b.array();
    }

    @Test
    void readsGzippedImagesAndLabelsIntoDataset() throws IOException {
        byte[] pixels = new byte[3 * 2 * 2];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (byte) (i * 20 + 15); // reaches 235: tests unsigned reading
        }
        Path images = gz("img.gz", idx(0x803, new int[] {3, 2, 2}, pixels));
        Path labels = dir.resolve("lab"); // plain, not gzipped
        Files.write(labels, idx(0x801, new int[] {3}, new byte[] {2, 0, 1}));
        Idx.Array a = Idx.readImages(images);
        assertArrayEquals(new int[] {3, 2, 2}, a.dims());
        assertEquals(235, a.get(11));
        Dataset d = Idx.dataset("toy", images, labels, List.of("a", "b", "c"));
        assertEquals(3, d.rows());
        assertEquals(4, d.cols());
        assertArrayEquals(new float[] {2, 0, 1}, d.targets());
        assertArrayEquals(new float[] {175, 195, 215, 235}, d.row(2));
        assertEquals("pixel_1_0", d.featureNames().get(2));
    }

    @Test
    void writeThenReadRoundTrip() throws IOException {
        Idx.Array a = new Idx.Array(new int[] {2, 3}, new byte[] {1, 2, 3, (byte) 255, 5, 6});
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Idx.write(out, a);
        Path f = dir.resolve("rt");
        Files.write(f, out.toByteArray());
        Idx.Array b = Idx.read(f);
        assertArrayEquals(a.dims(), b.dims());
        assertArrayEquals(a.data(), b.data());
    }

    private void assertBad(byte[] bytes, String expect, boolean images) throws IOException {
        Path f = gz("bad" + Arrays.hashCode(bytes) + ".gz", bytes);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> (images ? Idx.readImages(f) : Idx.readLabels(f)).dims());
        assertTrue(e.getMessage().contains(expect) && e.getMessage().contains(f.toString()), e.getMessage());
    }

    @Test
    void validatesMagicDimsAndLength() throws IOException {
        assertBad(idx(0x801, new int[] {2}, new byte[2]), "IDX magic 0x00000801 has 1 dimensions, expected 3 (0x00000803)", true);
        assertBad(idx(0x12345678, new int[] {}, new byte[0]), "not an IDX file", true);
        assertBad(idx(0x0D03, new int[] {1, 1, 1}, new byte[4]), "data type 0xd", true);
        assertBad(idx(0x803, new int[] {2, 2, 2}, new byte[7]), "truncated IDX data", true);
        assertBad(idx(0x801, new int[] {2}, new byte[3]), "trailing bytes", false);
        assertBad(idx(0x801, new int[] {0}, new byte[0]), "must be positive", false);
        assertBad(new byte[] {0, 0}, "shorter than", false);
        assertBad(idx(0x803, new int[] {2}, new byte[0]), "truncated IDX header", true);
    }

    /** The limits themselves: 2^31 - 17 bytes may be announced (the data is then missing), one more may not; a label equal to the class count is refused. */
    @Test
    void sizeAndLabelLimits() throws IOException {
        assertBad(idx(0x801, new int[] {Integer.MAX_VALUE - 16}, new byte[1]), "truncated IDX data", false);
        assertBad(idx(0x801, new int[] {Integer.MAX_VALUE - 15}, new byte[1]), "IDX dimensions [2147483632] exceed"
                + " 2^31 bytes", false);
        Path images = gz("i.gz", idx(0x803, new int[] {2, 1, 1}, new byte[] {1, 2}));
        Path labels = gz("l.gz", idx(0x801, new int[] {2}, new byte[] {0, 3}));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Idx.dataset("t", images, labels, List.of("a", "b", "c")));
        assertTrue(e.getMessage().equals(labels + ": label 3 of item 1 is not below 3 classes"), e.getMessage());
        assertArrayEquals(new float[] {0, 2}, Idx.dataset("t", images, gz("l2.gz", idx(0x801, new int[] {2},
                new byte[] {0, 2})), List.of("a", "b", "c")).targets());
    }

    @Test
    void fashionMnistTestLabelsWhenInstalled() {
        Path labels = Path.of("/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz");
        if (!Files.isRegularFile(labels)) {
            System.out.println("IdxTest: Fashion-MNIST not installed, skipping the real-file check");
            return;
        }
        Idx.Array a = Idx.readLabels(labels);
        assertArrayEquals(new int[] {10000}, a.dims());
        int[] counts = new int[10];
        for (int i = 0; i < 10000; i++) {
            counts[a.get(i)]++;
        }
        for (int c : counts) {
            assertEquals(1000, c);
        }
    }
}
