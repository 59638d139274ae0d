package dev.ember.nn;

import dev.ember.nn.data.StandardScaler;
import dev.ember.nn.io.SafeTensors;
import dev.ember.nn.io.SafeTensorsFile;
import dev.ember.nn.io.TensorData;
import dev.ember.nn.model.ModelFile;
import dev.ember.nn.model.SavedModel;
import dev.ember.runtime.Device;
import dev.ember.runtime.Devices;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Model files: round trip, PyTorch naming, mismatch reports by tensor name, corrupt files. */
class ModelFileTest {
    static final Device CPU = Devices.cpu();

    private static Sequential model(long seed) {
        return Sequential.builder(4).dense(6, "relu").batchNorm().dropout(0.1).dense(5, "leaky_relu").dense(3)
                .build(CPU, seed);
    }

    @Test
    void roundTripKeepsWeightsArchitectureNamesAndScalers(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("m.safetensors");
        float[] x = LayerGradientTest.random(3, 7 * 4);
        StandardScaler fs = StandardScaler.ofDouble(new double[] {1, 2, 3, 4}, new double[] {0.5, 1, 2, 4});
        float[] before;
        try (Sequential m = model(1)) {
            // move the running statistics away from their initial values
            m.train(true);
            m.forward(CPU.fromArray(x, 7, 4));
            before = m.predict(x, 7, 3);
            ModelFile.save(f, new SavedModel(m, "cross_entropy", "toy", List.of("a", "b", "c", "d"),
                    List.of("x", "y", "z"), fs, null));
        }
        SafeTensorsFile raw = SafeTensors.read(f);
        assertEquals(List.of("0.bias", "0.weight", "2.bias", "2.running_mean", "2.running_var", "2.weight", "4.bias",
                "4.weight", "6.bias", "6.weight"), raw.tensors().keySet().stream().sorted().toList());
        assertArrayEquals(new int[] {6, 4}, raw.tensors().get("0.weight").shape());
        try (SavedModel s = ModelFile.load(f, CPU)) {
            assertArrayEquals(before, s.model().predict(x, 7, 3));
            assertEquals("cross_entropy", s.loss());
            assertEquals(List.of("x", "y", "z"), s.classNames());
            assertEquals(List.of("a", "b", "c", "d"), s.featureNames());
            assertArrayEquals(fs.stdDouble(), s.featureScaler().stdDouble());
            assertEquals(null, s.targetScaler());
            assertEquals(model(1).summary().lines().count(), s.model().summary().lines().count());
        }
    }

    @Test
    void pytorchStyleFileWithoutMetadataLoadsIntoTheSameArchitecture(@TempDir Path dir) throws Exception {
        // what safetensors.torch.save_file(nn.Sequential(Linear(3,2), ReLU(), Linear(2,1)).state_dict()) writes
        Map<String, TensorData> t = new LinkedHashMap<>();
        t.put("0.weight", new TensorData(new int[] {2, 3}, new float[] {1, 0, 0, 0, 1, 0}));
        t.put("0.bias", new TensorData(new int[] {2}, new float[] {0, -1}));
        t.put("2.weight", new TensorData(new int[] {1, 2}, new float[] {2, 3}));
        t.put("2.bias", new TensorData(new int[] {1}, new float[] {0.5f}));
        Path f = dir.resolve("torch.safetensors");
        SafeTensors.write(f, t, null);
        try (Sequential m = Sequential.builder(3).dense(2, "relu").dense(1).build(CPU, 9)) {
            ModelFile.loadWeights(f, m);
            float[] y = m.predict(new float[] {1, 2, 3, -1, 0.5f, 0}, 2, 2);
            assertArrayEquals(new float[] {2 * 1 + 3 * 1 + 0.5f, 0.5f}, y, 1e-6f);
        }
        assertThrows(IllegalArgumentException.class, () -> ModelFile.load(f, CPU));
    }

    @Test
    void mismatchesAreReportedByTensorNameAndLeaveTheModelUntouched(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("m.safetensors");
        try (Sequential m = Sequential.builder(4).dense(8, "relu").dense(3).build(CPU, 1)) {
            ModelFile.save(f, new SavedModel(m, "cross_entropy", null, null, null, null, null));
        }
        try (Sequential other = Sequential.builder(4).dense(6, "relu").dense(3).build(CPU, 2)) {
            float[] w = other.parameters().get(0).value().toArray();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ModelFile.loadWeights(f, other));
            assertTrue(e.getMessage().contains("'0.weight' has shape [8, 4], the model expects [6, 4]"), e.getMessage());
            assertTrue(e.getMessage().contains("2.weight"), e.getMessage());
            assertArrayEquals(w, other.parameters().get(0).value().toArray());
        }
        try (Sequential deeper = Sequential.builder(4).dense(8, "relu").dense(3, "relu").dense(3).build(CPU, 2)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ModelFile.loadWeights(f, deeper));
            assertTrue(e.getMessage().contains("no tensor named '4.weight'"), e.getMessage());
        }
    }

    @Test
    void truncatedOrCorruptFilesGiveClearErrors(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("m.safetensors");
        try (Sequential m = Sequential.builder(4).dense(3).build(CPU, 1)) {
            ModelFile.save(f, new SavedModel(m, "cross_entropy", null, null, null, null, null));
        }
        byte[] all = Files.readAllBytes(f);
        Path cut = dir.resolve("cut.safetensors");
        Files.write(cut, Arrays.copyOf(all, all.length - 5));
        Exception e = assertThrows(Exception.class, () -> ModelFile.load(cut, CPU));
        assertTrue(e.getMessage().contains("cut.safetensors"), e.getMessage());
        Path junk = dir.resolve("junk.safetensors");
        Files.write(junk, new byte[] {1, 2, 3});
        e = assertThrows(Exception.class, () -> ModelFile.load(junk, CPU));
        assertTrue(e.getMessage().contains("junk.safetensors"), e.getMessage());
    }
}
