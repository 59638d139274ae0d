package dev.ember.nn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class DatasetsTest {
    /**
     * Fashion-MNIST's IDX files are found where torchvision's FashionMNIST(root) put them, with the
     * directory pointing at the root or at its FashionMNIST folder; a folder of the files themselves
     * still comes first, and .gz before the plain file.
     */
    @Test
    void fashionMnistFilesAreFoundInTorchvisionsLayout(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path raw = Files.createDirectories(dir.resolve("FashionMNIST/raw"));
        Path plain = Files.writeString(raw.resolve("train-images-idx3-ubyte"), "x");
        assertEquals(plain, Datasets.find(dir, "train-images-idx3-ubyte"));
        assertEquals(plain, Datasets.find(dir.resolve("FashionMNIST"), "train-images-idx3-ubyte"));
        Path gz = Files.writeString(raw.resolve("train-images-idx3-ubyte.gz"), "x");
        assertEquals(gz, Datasets.find(dir, "train-images-idx3-ubyte"));
        Path top = Files.writeString(dir.resolve("train-images-idx3-ubyte"), "x");
        assertEquals(top, Datasets.find(dir, "train-images-idx3-ubyte"));
        assertEquals(null, Datasets.find(dir, "t10k-images-idx3-ubyte"));
    }

    @Test
    void bundledShapesLabelsAndClassCounts() {
        check("wine", 178, 13, 3, new int[] {59, 71, 48});
        check("iris", 150, 4, 3, new int[] {50, 50, 50});
        check("breast-cancer", 569, 30, 2, new int[] {212, 357});
        Dataset digits = check("digits", 1797, 64, 10, null);
        for (int c : digits.classCounts()) {
            assertTrue(c >= 174 && c <= 183, "digit count " + c);
        }
        Dataset diabetes = Datasets.load("diabetes");
        assertEquals(442, diabetes.rows());
        assertEquals(10, diabetes.cols());
        assertEquals(0, diabetes.classes());
        assertEquals(151f, diabetes.targets()[0]);
        assertArrayEquals(new float[] {59, 2, 32.1f, 101, 157, 93.2f, 38, 4, 4.8598f, 87}, diabetes.row(0));
        assertEquals(List.of("malignant", "benign"), Datasets.load("breast_cancer").classNames());
        assertEquals(List.of("wine", "iris", "breast-cancer", "digits", "diabetes"), Datasets.bundledNames());
        assertEquals(1065f, Datasets.load("wine").row(0)[12]);
    }

    private static Dataset check(String name, int rows, int cols, int classes, int[] counts) {
        Dataset d = Datasets.load(name);
        assertEquals(rows, d.rows(), name);
        assertEquals(cols, d.cols(), name);
        assertEquals(classes, d.classes(), name);
        assertEquals(cols, d.featureNames().size());
        if (counts != null) {
            assertArrayEquals(counts, d.classCounts(), name);
        }
        return d;
    }

    @Test
    void unknownNameListsKnownOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Datasets.load("mnist2"));
        assertTrue(e.getMessage().contains("wine") && e.getMessage().contains("fashion-mnist"), e.getMessage());
    }

    @Test
    void referenceStandardisesWithTrainStatisticsOnly() {
        Split s = Datasets.reference("wine");
        Dataset rawTrain = Splits.reference(Datasets.load("wine")).train();
        StandardScaler fit = StandardScaler.fit(rawTrain.features(), rawTrain.rows(), rawTrain.cols());
        assertArrayEquals(fit.mean(), s.featureScaler().mean());
        // Train part: mean 0, population std 1 per column; test part is not exactly so.
        double[] m = colMean(s.train());
        double[] sd = colStd(s.train(), m);
        for (int j = 0; j < 13; j++) {
            assertEquals(0, m[j], 1e-5);
            assertEquals(1, sd[j], 1e-5);
        }
        double[] mt = colMean(s.test());
        double off = 0;
        for (double v : mt) {
            off += Math.abs(v);
        }
        assertTrue(off > 0.1, "test part should not be re-centred");
        assertEquals(null, s.targetScaler());
    }

    @Test
    void diabetesTargetStandardisedAndInvertible() {
        Split s = Datasets.reference("diabetes");
        assertEquals(353, s.train().rows());
        assertEquals(89, s.test().rows());
        StandardScaler ts = s.targetScaler();
        double mean = 0;
        for (float t : s.train().targets()) {
            mean += t;
        }
        assertEquals(0, mean / 353, 1e-5);
        Dataset raw = Datasets.load("diabetes");
        int firstTest = Splits.splitMix64Permutation(442, 42)[0];
        float back = ts.inverse(new float[] {s.test().targets()[0]}, 1, 1)[0];
        assertEquals(raw.targets()[firstTest], back, 1e-3);
    }

    @Test
    void breastCancerAndIrisReferenceSizes() {
        assertEquals(114, Datasets.reference("breast-cancer").test().rows());
        assertEquals(30, Datasets.reference("iris").test().rows());
    }

    /**
     * The reference preprocessing of Fashion-MNIST divides the pixels of both parts by 255: checked on
     * a stand-in directory of tiny IDX files (3 train and 2 test images of 2 x 2 pixels).
     */
    @Test
    void fashionMnistReferenceScalesBothPartsTo01(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws java.io.IOException {
        byte[][] images = {{0, 51, (byte) 255, 102, 1, 2, 3, 4, 5, 6, 7, 8}, {(byte) 255, 0, 17, (byte) 204, 9, 10, 11, 12}};
        String[] parts = {"train", "t10k"};
        for (int p = 0; p < 2; p++) {
            int n = images[p].length / 4;
            for (String[] f : new String[][] {{"images-idx3-ubyte", "img"}, {"labels-idx1-ubyte", "lab"}}) {
                Idx.Array a = f[1].equals("img") ? new Idx.Array(new int[] {n, 2, 2}, images[p])
                        : new Idx.Array(new int[] {n}, new byte[n]);
                try (java.io.OutputStream out = java.nio.file.Files.newOutputStream(dir.resolve(parts[p] + "-" + f[0]))) {
                    Idx.write(out, a);
                }
            }
        }
        String old = System.getProperty(Datasets.FASHION_PROPERTY);
        try {
            System.setProperty(Datasets.FASHION_PROPERTY, dir.toString());
            Split s = Datasets.reference("fashion-mnist");
            Dataset[] got = {s.train(), s.test()};
            for (int p = 0; p < 2; p++) {
                for (int i = 0; i < images[p].length; i++) {
                    assertEquals((images[p][i] & 0xFF) / 255.0, got[p].features()[i], 1e-7, parts[p] + " pixel " + i);
                }
            }
        } finally {
            if (old == null) {
                System.clearProperty(Datasets.FASHION_PROPERTY);
            } else {
                System.setProperty(Datasets.FASHION_PROPERTY, old);
            }
        }
    }

    @Test
    void fashionMnistMessageWhenAbsent() {
        String old = System.getProperty(Datasets.FASHION_PROPERTY);
        try {
            System.setProperty(Datasets.FASHION_PROPERTY, "/nonexistent-ember-dir");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Datasets.load("fashion-mnist"));
            assertTrue(e.getMessage().contains("apt-get install dataset-fashion-mnist"), e.getMessage());
            assertTrue(e.getMessage().contains("/nonexistent-ember-dir"), e.getMessage());
        } finally {
            if (old == null) {
                System.clearProperty(Datasets.FASHION_PROPERTY);
            } else {
                System.setProperty(Datasets.FASHION_PROPERTY, old);
            }
        }
    }

    @Test
    void fashionMnistReferenceWhenInstalled() {
        if (!Files.isDirectory(Path.of("/usr/share/datasets/fashion-mnist")) || System.getenv(Datasets.FASHION_ENV) != null) {
            return;
        }
        Split s = Datasets.reference("fashion-mnist");
        assertEquals(60000, s.train().rows());
        assertEquals(10000, s.test().rows());
        assertEquals(784, s.train().cols());
        float max = 0;
        for (float v : s.test().features()) {
            max = Math.max(max, v);
        }
        assertEquals(1f, max);
        for (int c : s.test().classCounts()) {
            assertEquals(1000, c);
        }
    }

    static double[] colMean(Dataset d) {
        double[] m = new double[d.cols()];
        for (int i = 0; i < d.rows(); i++) {
            for (int j = 0; j < d.cols(); j++) {
                m[j] += d.features()[i * d.cols() + j];
            }
        }
        for (int j = 0; j < m.length; j++) {
            m[j] /= d.rows();
        }
        return m;
    }

    static double[] colStd(Dataset d, double[] m) {
        double[] v = new double[d.cols()];
        for (int i = 0; i < d.rows(); i++) {
            for (int j = 0; j < d.cols(); j++) {
                double e = d.features()[i * d.cols() + j] - m[j];
                v[j] += e * e;
            }
        }
        for (int j = 0; j < v.length; j++) {
            v[j] = Math.sqrt(v[j] / d.rows());
        }
        return v;
    }
}
