package dev.ember.nn;

import dev.ember.nn.data.Csv;
import dev.ember.nn.data.Dataset;
import dev.ember.nn.data.Datasets;
import dev.ember.nn.data.Split;
import dev.ember.nn.data.Splits;
import dev.ember.nn.io.Json;
import dev.ember.nn.io.SafeTensors;
import dev.ember.nn.io.SafeTensorsFile;
import dev.ember.nn.model.ModelFile;
import dev.ember.nn.model.SavedModel;
import dev.ember.nn.train.Experiment;
import dev.ember.nn.train.Progress;
import dev.ember.nn.train.RunConfig;
import dev.ember.runtime.Device;
import dev.ember.runtime.Devices;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A CSV with text class labels through the Java API: read, train, save with its class names, load. */
class TextLabelsTest {
    static final Device CPU = Devices.cpu();

    /**
     * The bundled iris with its species as text in the last column, quoted as pandas'
     * {@code to_csv(quoting=csv.QUOTE_NONNUMERIC)} writes it.
     */
    static Path irisCsv(Path file) throws java.io.IOException {
        Dataset iris = Datasets.load("iris");
        StringBuilder csv = new StringBuilder("\"sepal length\",\"sepal width\",\"petal length\",\"petal width\","
                + "\"species\"\n");
        for (int r = 0; r < iris.rows(); r++) {
            for (float v : iris.row(r)) {
                csv.append(v).append(',');
            }
            csv.append('"').append(iris.classNames().get((int) iris.targets()[r])).append("\"\n");
        }
        Files.writeString(file, csv);
        return file;
    }

    @Test
    void textLabelledCsvTrainsAndItsModelFileKeepsTheClassNames(@TempDir Path dir) throws Exception {
        Dataset d = Csv.read(irisCsv(dir.resolve("iris.csv")), true, -1, true);
        assertEquals(List.of("setosa", "versicolor", "virginica"), d.classNames());
        assertArrayEquals(Datasets.load("iris").targets(), d.targets());
        Split split = Splits.random(d, 0.2, 42, true).standardized(false);
        Path f = dir.resolve("iris.safetensors");
        Experiment.Result r = Experiment.run(RunConfig.reference("iris"), split, CPU, Progress.Mode.QUIET, System.out);
        float[] x = split.test().features();
        float[] before;
        try (Sequential m = r.model()) {
            assertTrue(r.test().accuracy() > 0.9, "test accuracy " + r.test().accuracy());
            before = m.predict(x, split.test().rows(), 64);
            ModelFile.save(f, new SavedModel(m, r.loss().name(), d.name(), d.featureNames(),
                    split.train().classNames(), split.featureScaler(), null));
        }
        try (SavedModel s = ModelFile.load(f, CPU)) {
            assertEquals(List.of("setosa", "versicolor", "virginica"), s.classNames());
            assertEquals(List.of("sepal length", "sepal width", "petal length", "petal width"), s.featureNames());
            assertArrayEquals(before, s.model().predict(x, split.test().rows(), 64));
        }
    }

    /**
     * safetensors' header "__metadata__" is a str -> str map (PyTorch's loader refuses anything
     * else): class names travel as one JSON string, whatever characters they hold.
     */
    @Test
    @SuppressWarnings("unchecked")
    void classNamesAreOneStringOfMetadata(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("m.safetensors");
        List<String> names = List.of("Iris, setosa", "say \"hi\"", "\u00e9t\u00e9 \uD83C\uDF1E");
        try (Sequential m = Sequential.builder(2).dense(3).build(CPU, 1)) {
            ModelFile.save(f, new SavedModel(m, "cross_entropy", "x", null, names, null, null));
        }
        byte[] all = Files.readAllBytes(f);
        long n = java.nio.ByteBuffer.wrap(all, 0, 8).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
        Map<String, Object> header = (Map<String, Object>) Json.parse(new String(all, 8, (int) n,
                StandardCharsets.UTF_8));
        Map<String, Object> meta = (Map<String, Object>) header.get("__metadata__");
        for (Map.Entry<String, Object> e : meta.entrySet()) {
            assertTrue(e.getValue() instanceof String, e.getKey() + " is " + e.getValue());
        }
        assertEquals(names, Json.parse((String) meta.get(ModelFile.CLASS_NAMES)));
        try (SavedModel s = ModelFile.load(f, CPU)) {
            assertEquals(names, s.classNames());
        }
    }

    /** A file written before class names were stored, or by code that gave none, loads with none. */
    @Test
    void aModelFileWithoutClassNamesLoads(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("m.safetensors");
        float[] x = {0.5f, -1, 2, 0.25f};
        float[] y;
        try (Sequential m = Sequential.builder(2).dense(4, "relu").dense(3).build(CPU, 3)) {
            y = m.predict(x, 2, 2);
            ModelFile.save(f, new SavedModel(m, "cross_entropy", "x", null, List.of("a", "b", "c"), null, null));
        }
        SafeTensorsFile raw = SafeTensors.read(f);
        Map<String, String> meta = new LinkedHashMap<>(raw.metadata());
        meta.remove(ModelFile.CLASS_NAMES);
        Path old = dir.resolve("old.safetensors");
        SafeTensors.write(old, raw.tensors(), meta);
        assertTrue(!SafeTensors.read(old).metadata().containsKey(ModelFile.CLASS_NAMES));
        try (SavedModel s = ModelFile.load(old, CPU)) {
            assertEquals(List.of(), s.classNames());
            assertArrayEquals(y, s.model().predict(x, 2, 2));
        }
    }
}
