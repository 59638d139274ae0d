package dev.ember.nn.data;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Data sets by name: the five small sets bundled as resources (from Debian's python3-sklearn
 * 1.2.1, BSD-3-Clause; see {@code resources/dev/ember/nn/datasets/README.md}) and Fashion-MNIST
 * from Debian's {@code dataset-fashion-mnist} package or a given directory. {@link #reference}
 * gives the fixed split and preprocessing behind the project's reference accuracies.
 */
public final class Datasets {
    static final String RESOURCES = "/dev/ember/nn/datasets/";
    /** System property naming a directory holding the four Fashion-MNIST IDX files. */
    public static final String FASHION_PROPERTY = "ember.fashionMnist.dir";
    /** Environment variable naming a directory holding the four Fashion-MNIST IDX files. */
    public static final String FASHION_ENV = "EMBER_FASHION_MNIST_DIR";
    static final Path FASHION_DEBIAN = Path.of("/usr/share/datasets/fashion-mnist");
    public static final List<String> FASHION_CLASSES = List.of("T-shirt/top", "Trouser", "Pullover", "Dress",
            "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");

    private static final List<String> BUNDLED = List.of("wine", "iris", "breast-cancer", "digits", "diabetes");

    private static final List<String> WINE_FEATURES = List.of("alcohol", "malic_acid", "ash", "alcalinity_of_ash",
            "magnesium", "total_phenols", "flavanoids", "nonflavanoid_phenols", "proanthocyanins",
            "color_intensity", "hue", "od280/od315_of_diluted_wines", "proline");
    private static final List<String> IRIS_FEATURES = List.of("sepal length (cm)", "sepal width (cm)",
            "petal length (cm)", "petal width (cm)");
    private static final List<String> DIABETES_FEATURES = List.of("age", "sex", "bmi", "bp", "s1", "s2", "s3",
            "s4", "s5", "s6");

    private Datasets() {
    }

    /** Names accepted by {@link #load} without any file outside the jar. */
    public static List<String> bundledNames() {
        return BUNDLED;
    }

    /** All names {@link #load} knows (bundled plus fashion-mnist). */
    public static List<String> knownNames() {
        List<String> all = new ArrayList<>(BUNDLED);
        all.add("fashion-mnist");
        return List.copyOf(all);
    }

    /**
     * Loads a data set by name, unscaled. Bundled: wine, iris, breast-cancer, digits, diabetes
     * (underscores are accepted for hyphens). "fashion-mnist" is its 60,000-image train part.
     */
    public static Dataset load(String name) {
        String n = normalize(name);
        try {
            return switch (n) {
                case "wine" -> sklearn("wine_data.csv", "wine", true, WINE_FEATURES);
                case "iris" -> sklearn("iris.csv", "iris", true, IRIS_FEATURES);
                case "breast-cancer" -> sklearn("breast_cancer.csv", "breast-cancer", true, breastCancerFeatures());
                case "digits" -> digits();
                case "diabetes" -> diabetes();
                case "fashion-mnist" -> fashionMnist(true);
                default -> throw new IllegalArgumentException("Unknown data set '" + name + "'; known: "
                        + String.join(", ", knownNames()) + " (or give a CSV file path)");
            };
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read bundled data set " + n + ": " + e.getMessage(), e);
        }
    }

    /**
     * The reference split and preprocessing of the data-set README: bundled sets use the fixed
     * SplitMix64 (seed 42) 80/20 split with features standardised by the train part's mean and
     * population std (digits divided by 16 instead; the diabetes target standardised with train
     * statistics too); Fashion-MNIST uses its own train/t10k files divided by 255.
     */
    public static Split reference(String name) {
        String n = normalize(name);
        if (n.equals("fashion-mnist")) {
            Dataset train = fashionMnist(true);
            Dataset test = fashionMnist(false);
            StandardScaler s = StandardScaler.constant(train.cols(), 255);
            s.transformInPlace(train.features(), train.rows(), train.cols());
            s.transformInPlace(test.features(), test.rows(), test.cols());
            return new Split(train, test, s, null);
        }
        Dataset d = load(n);
        Split raw = Splits.reference(d);
        if (n.equals("digits")) {
            StandardScaler s = StandardScaler.constant(d.cols(), 16);
            Dataset tr = raw.train(), te = raw.test();
            return new Split(tr.withFeatures(s.transform(tr.features(), tr.rows(), tr.cols())),
                    te.withFeatures(s.transform(te.features(), te.rows(), te.cols())), s, null);
        }
        return raw.standardized(n.equals("diabetes"));
    }

    /** Fashion-MNIST's train (60,000) or t10k (10,000) part, pixels unscaled 0..255. */
    public static Dataset fashionMnist(boolean train) {
        Path dir = fashionMnistDir();
        String prefix = train ? "train" : "t10k";
        Path images = find(dir, prefix + "-images-idx3-ubyte");
        Path labels = find(dir, prefix + "-labels-idx1-ubyte");
        if (images == null || labels == null) {
            throw new IllegalArgumentException("Fashion-MNIST not found in " + dir + " (need " + prefix
                    + "-images-idx3-ubyte[.gz] and " + prefix + "-labels-idx1-ubyte[.gz]). Install it with "
                    + "`apt-get install dataset-fashion-mnist` (Debian/Ubuntu), or point -D" + FASHION_PROPERTY
                    + "=DIR or " + FASHION_ENV + "=DIR at a directory holding the IDX files (or torchvision's"
                    + " root, whose FashionMNIST/raw/ holds them).");
        }
        return Idx.dataset(train ? "fashion-mnist" : "fashion-mnist-test", images, labels, FASHION_CLASSES);
    }

    /** The directory searched for Fashion-MNIST: the system property, the environment variable, or Debian's. */
    public static Path fashionMnistDir() {
        String p = System.getProperty(FASHION_PROPERTY);
        if (p == null || p.isBlank()) {
            p = System.getenv(FASHION_ENV);
        }
        return p == null || p.isBlank() ? FASHION_DEBIAN : Path.of(p);
    }

    /**
     * {@code base}[.gz] in {@code dir}, or where torchvision's {@code datasets.FashionMNIST(root)}
     * keeps it, so that a PyTorch user's download serves: {@code root/FashionMNIST/raw/} (dir the
     * root) or {@code FashionMNIST/raw/} (dir the FashionMNIST folder). Null when none holds it.
     */
    static Path find(Path dir, String base) {
        for (Path d : new Path[] {dir, dir.resolve("raw"), dir.resolve("FashionMNIST").resolve("raw")}) {
            for (String suffix : new String[] {".gz", ""}) {
                Path f = d.resolve(base + suffix);
                if (Files.isRegularFile(f)) {
                    return f;
                }
            }
        }
        return null;
    }

    static String normalize(String name) {
        if (name == null) {
            throw new IllegalArgumentException("Data set name is null; known: " + String.join(", ", knownNames()));
        }
        return name.strip().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    private static Dataset sklearn(String file, String name, boolean classification, List<String> features)
            throws IOException {
        try (InputStream in = resource(file)) {
            return Csv.readSklearn(in, resourceName(file), name, classification, features);
        }
    }

    private static Dataset digits() throws IOException {
        Csv.Table t;
        try (InputStream in = Csv.maybeGunzip(resource("digits.csv.gz"))) {
            t = Csv.parse(in, resourceName("digits.csv.gz"), false);
        }
        String[] names = new String[64];
        for (int i = 0; i < 64; i++) {
            names[i] = "pixel_" + (i / 8) + "_" + (i % 8);
        }
        Dataset d = Csv.toDataset(t, "digits", -1, true, List.of(names), null, null);
        if (d.rows() != 1797 || d.cols() != 64 || d.classes() != 10) {
            throw new IllegalStateException("Bundled digits has unexpected shape " + d);
        }
        return d;
    }

    private static Dataset diabetes() throws IOException {
        Csv.Table x;
        Csv.Table y;
        try (InputStream in = Csv.maybeGunzip(resource("diabetes_data_raw.csv.gz"))) {
            x = Csv.parse(in, resourceName("diabetes_data_raw.csv.gz"), true);
        }
        try (InputStream in = Csv.maybeGunzip(resource("diabetes_target.csv.gz"))) {
            y = Csv.parse(in, resourceName("diabetes_target.csv.gz"), true);
        }
        if (x.rows() != y.rows() || y.cols() != 1 || x.cols() != DIABETES_FEATURES.size()) {
            throw new IllegalStateException("Bundled diabetes: " + x.rows() + " x " + x.cols() + " features vs "
                    + y.rows() + " x " + y.cols() + " targets");
        }
        return new Dataset("diabetes", x.values(), x.rows(), x.cols(), y.values(), 0, DIABETES_FEATURES, null);
    }

    private static List<String> breastCancerFeatures() {
        List<String> base = List.of("radius", "texture", "perimeter", "area", "smoothness", "compactness",
                "concavity", "concave points", "symmetry", "fractal dimension");
        List<String> out = new ArrayList<>(30);
        base.forEach(b -> out.add("mean " + b));
        base.forEach(b -> out.add(b + " error"));
        base.forEach(b -> out.add("worst " + b));
        return out;
    }

    private static InputStream resource(String file) {
        InputStream in = Datasets.class.getResourceAsStream(RESOURCES + file);
        if (in == null) {
            throw new IllegalStateException("Bundled resource " + RESOURCES + file + " is missing from the classpath");
        }
        return in;
    }

    private static String resourceName(String file) {
        return "classpath:" + RESOURCES + file;
    }
}
