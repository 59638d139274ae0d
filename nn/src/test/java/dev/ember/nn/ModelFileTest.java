package dev.ember.nn;

import dev.ember.nn.data.StandardScaler;
import dev.ember.nn.io.Json;
import dev.ember.nn.io.SafeTensors;
import dev.ember.nn.io.SafeTensorsFile;
import dev.ember.nn.io.TensorData;
import dev.ember.nn.model.ModelFile;
import dev.ember.nn.model.SavedModel;
import dev.ember.nn.model.TrainingCsv;
import dev.ember.runtime.Device;
import dev.ember.runtime.Devices;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
    void theTrainingCsvRecordRoundTripsAndIsOptional(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("m.safetensors");
        String sha = "0123456789abcdef".repeat(4);
        TrainingCsv csv = new TrainingCsv(150, sha, 0.2, 1L << 40, true, 6, List.of(0, 5));
        try (Sequential m = model(1)) {
            ModelFile.save(f, new SavedModel(m, "cross_entropy", "toy", null, null, null, null, csv));
            ModelFile.save(dir.resolve("old.safetensors"), new SavedModel(m, "cross_entropy", "toy", null, null, null,
                    null));
        }
        try (SavedModel s = ModelFile.load(f, CPU)) {
            assertEquals(csv, s.trainingCsv());
            assertArrayEquals(new int[] {1, 2, 3, 4}, s.trainingCsv().keptPositions());
        }
        try (SavedModel s = ModelFile.load(dir.resolve("old.safetensors"), CPU)) {
            assertEquals(null, s.trainingCsv()); // a file without the entry loads as before
        }
        String json = SafeTensors.read(f).metadata().get(ModelFile.TRAINING_CSV);
        assertLoadFails(editMetadata(f, dir.resolve("wide.safetensors"), ModelFile.TRAINING_CSV,
                json.replace("\"feature_columns\":6", "\"feature_columns\":7")), ModelFile.TRAINING_CSV,
                "7 feature columns less 2 dropped leave 5 features, the model takes 4");
        assertLoadFails(editMetadata(f, dir.resolve("bad.safetensors"), ModelFile.TRAINING_CSV,
                json.replace("\"stratify\":true", "\"stratify\":1")), "corrupt " + ModelFile.TRAINING_CSV,
                "'stratify' must be true or false");
        assertLoadFails(editMetadata(f, dir.resolve("drop.safetensors"), ModelFile.TRAINING_CSV,
                json.replace("[0,5]", "[0,6]")), "dropped column 6 is not one of the 6 feature columns");
        // a number past int's range names its entry (Math.toIntExact said only "integer overflow")
        assertLoadFails(editMetadata(f, dir.resolve("huge.safetensors"), ModelFile.TRAINING_CSV,
                json.replace("\"rows\":150", "\"rows\":99999999999")), "corrupt " + ModelFile.TRAINING_CSV,
                "'rows' must be an integer from 0 to 2147483647, got 99999999999");
        assertLoadFails(editMetadata(f, dir.resolve("hugedrop.safetensors"), ModelFile.TRAINING_CSV,
                json.replace("[0,5]", "[0,4294967296]")), "'dropped_columns' must be an integer from 0 to");
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

    /**
     * What safetensors.torch.save_file writes for nn.Sequential(Linear(3,2), BatchNorm1d(2), ReLU(),
     * Linear(2,1)): the batch norm adds an int64 scalar num_batches_tracked, which must not stop the load.
     */
    /**
     * The tensors of a PyTorch-named 3-2-BatchNorm-ReLU-1 model as {name, dtype, shape, bytes},
     * with {@code 1.num_batches_tracked} of the given dtype and bytes.
     */
    static Object[][] torchBatchNormModel(String counterDtype, byte[] counter) {
        return new Object[][] {
            {"0.weight", "F32", "[2,3]", f32(1, 0, 0, 0, 1, 0)},
            {"0.bias", "F32", "[2]", f32(0, -1)},
            {"1.weight", "F32", "[2]", f32(2, 1)},
            {"1.bias", "F32", "[2]", f32(0.5f, 0)},
            {"1.running_mean", "F32", "[2]", f32(1, 1)},
            {"1.running_var", "F32", "[2]", f32(4, 1)},
            {"1.num_batches_tracked", counterDtype, "[]", counter},
            {"3.weight", "F32", "[1,2]", f32(1, 1)},
            {"3.bias", "F32", "[1]", f32(0)},
        };
    }

    /** Writes a safetensors file by hand: {name, dtype, shape JSON, little-endian bytes} per tensor, in order. */
    static Path writeSafetensors(Path f, Object[][] tensors) throws java.io.IOException {
        java.io.ByteArrayOutputStream data = new java.io.ByteArrayOutputStream();
        StringBuilder h = new StringBuilder("{");
        for (Object[] t : tensors) {
            byte[] bytes = (byte[]) t[3];
            h.append(h.length() > 1 ? "," : "").append('"').append(t[0]).append("\":{\"dtype\":\"").append(t[1])
                    .append("\",\"shape\":").append(t[2]).append(",\"data_offsets\":[").append(data.size())
                    .append(',').append(data.size() + bytes.length).append("]}");
            data.write(bytes);
        }
        byte[] header = h.append('}').toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        java.nio.file.Files.write(f, java.nio.ByteBuffer.allocate(8 + header.length + data.size())
                .order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(header.length).put(header).put(data.toByteArray())
                .array());
        return f;
    }

    /**
     * A state dict converted with {@code {k: v.float()}} holds num_batches_tracked as a float32
     * scalar: a whole, non-negative value loads as the count; anything else is refused by name.
     */
    @Test
    void aFloat32BatchNormCounterLoadsWhenItIsAWholeCount(@TempDir Path dir) throws Exception {
        for (float count : new float[] {1234f, 0f, 2.5f, -1f}) {
            Object[][] tensors = torchBatchNormModel("F32", f32(count));
            Path f = writeSafetensors(dir.resolve("float-counter.safetensors"), tensors);
            try (Sequential m = Sequential.builder(3).dense(2).batchNorm().activation("relu").dense(1).build(CPU, 3)) {
                if (count == 1234f || count == 0f) {
                    ModelFile.loadWeights(f, m);
                    assertEquals((long) count, m.counters().get("1.num_batches_tracked").get());
                } else {
                    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                            () -> ModelFile.loadWeights(f, m));
                    assertTrue(e.getMessage().contains("1.num_batches_tracked") && e.getMessage().contains("whole"),
                            e.getMessage());
                }
            }
        }
    }

    @Test
    void pytorchBatchNormFileWithInt64CounterLoads(@TempDir Path dir) throws Exception {
        Object[][] tensors = torchBatchNormModel("I64", java.nio.ByteBuffer.allocate(8)
                .order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(1234).array());
        Path f = writeSafetensors(dir.resolve("torch-bn.safetensors"), tensors);
        try (Sequential m = Sequential.builder(3).dense(2).batchNorm().activation("relu").dense(1).build(CPU, 3)) {
            java.util.Set<String> torchNames = new java.util.TreeSet<>();
            for (Object[] t : tensors) {
                torchNames.add((String) t[0]);
            }
            torchNames.remove("1.num_batches_tracked");
            assertEquals(torchNames, new java.util.TreeSet<>(m.stateDict().keySet()), "PyTorch's state_dict names");
            ModelFile.loadWeights(f, m);
            assertEquals(1234, m.counters().get("1.num_batches_tracked").get());
            m.train(false);
            // x = (1, 2, 3): linear -> (1, 1); batch norm (eval) -> ((1-1)/2*2+0.5, (1-1)/1*1+0) = (0.5, 0)
            float[] y = m.predict(new float[] {1, 2, 3}, 1, 1);
            assertEquals(0.5f, y[0], 1e-3f);
        }
        // A weight stored in another dtype is named with its dtype, not silently skipped.
        byte[] f16 = java.nio.file.Files.readAllBytes(f);
        String text = new String(f16, java.nio.charset.StandardCharsets.ISO_8859_1)
                .replace("\"3.bias\":{\"dtype\":\"F32\"", "\"3.bias\":{\"dtype\":\"I32\"")
                .replace("\"0.bias\":{\"dtype\":\"F32\"", "\"0.bias\":{\"dtype\":\"I32\"");
        Path g = dir.resolve("i32.safetensors");
        java.nio.file.Files.write(g, text.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        try (Sequential m = Sequential.builder(3).dense(2).batchNorm().activation("relu").dense(1).build(CPU, 3)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ModelFile.loadWeights(g, m));
            assertTrue(e.getMessage().contains("unsupported dtype I32 for tensor '3.bias' of shape [1]"), e.getMessage());
            assertTrue(e.getMessage().contains("unsupported dtype I32 for tensor '0.bias' of shape [2]"), e.getMessage());
            // the advice once, not once per tensor
            assertEquals(1, e.getMessage().split("convert with tensor.float", -1).length - 1, e.getMessage());
        }
    }

    private static byte[] f32(float... v) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(4 * v.length).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (float x : v) {
            b.putFloat(x);
        }
        return b.array();
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

    /**
     * A file whose weights are all in a dtype Ember does not load (here I32, the size of F32, so
     * the offsets stay valid) is refused by the tensors' dtypes, with the advice once; the size
     * check before building counted only float32 values and called it a corrupt architecture.
     */
    @Test
    void aFileOfAnotherDtypeIsRefusedByItsDtypes(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("m.safetensors");
        try (Sequential m = Sequential.builder(4).dense(8, "relu").dense(3).build(CPU, 1)) {
            ModelFile.save(f, new SavedModel(m, "cross_entropy", null, null, null, null, null));
        }
        String header = headerOf(Files.readAllBytes(f));
        Path g = editHeader(f, dir.resolve("i32.safetensors"), header, header.replace("\"F32\"", "\"I32\""));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ModelFile.load(g, CPU));
        String msg = e.getMessage();
        assertTrue(msg.contains("unsupported dtype I32 for tensor '0.weight' of shape [8, 4]")
                && msg.contains("unsupported dtype I32 for tensor '2.bias' of shape [3]"), msg);
        assertEquals(1, msg.split("convert with tensor.float", -1).length - 1, msg);
        assertTrue(!msg.contains("architecture"), msg);
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

    @Test
    void saveAndLoadErrorsNameTheUsersFile(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("nope").resolve("m.safetensors");
        try (Sequential m = Sequential.builder(4).dense(3).build(CPU, 1)) {
            java.io.IOException e = assertThrows(java.io.IOException.class, () -> ModelFile.save(f,
                    new SavedModel(m, "cross_entropy", null, null, null, null, null)));
            assertEquals("cannot save " + f + ": directory " + f.getParent() + " does not exist", e.getMessage());
            // a null loss is refused at save like an unknown one, not with a NullPointerException
            Path g = dir.resolve("g.safetensors");
            IllegalArgumentException n = assertThrows(IllegalArgumentException.class, () -> ModelFile.save(g,
                    new SavedModel(m, null, null, null, null, null, null)));
            assertTrue(n.getMessage().startsWith(g + ": metadata " + ModelFile.LOSS + ": no loss given"),
                    n.getMessage());
            assertTrue(Files.notExists(g));
        }
        java.io.IOException e = assertThrows(java.io.IOException.class, () -> ModelFile.load(dir, CPU));
        assertTrue(e.getMessage().startsWith("cannot load " + dir + ": it is a directory"), e.getMessage());
    }

    /** The header JSON of a safetensors file. */
    private static String headerOf(byte[] file) {
        long n = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        return new String(file, 8, (int) n, StandardCharsets.UTF_8);
    }

    /**
     * Writes {@code dst}: {@code src} with the header JSON text {@code from} replaced by {@code to},
     * re-padded to 8 bytes with the length prefix rewritten; the tensor bytes are unchanged.
     */
    private static Path editHeader(Path src, Path dst, String from, String to) throws Exception {
        byte[] all = Files.readAllBytes(src);
        String header = headerOf(all);
        assertTrue(header.contains(from), "header lacks " + from + ": " + header);
        byte[] h = header.replace(from, to).stripTrailing().getBytes(StandardCharsets.UTF_8);
        int padded = (h.length + 7) & ~7;
        byte[] data = Arrays.copyOfRange(all, 8 + header.getBytes(StandardCharsets.UTF_8).length, all.length);
        ByteBuffer b = ByteBuffer.allocate(8 + padded + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(padded).put(h);
        while (b.position() < 8 + padded) {
            b.put((byte) ' ');
        }
        Files.write(dst, b.put(data).array());
        SafeTensors.read(dst); // still a valid safetensors file: only the model check may refuse it
        return dst;
    }

    /** {@code src} with metadata {@code key} set to {@code value} in place of its saved value. */
    private static Path editMetadata(Path src, Path dst, String key, String value) throws Exception {
        String old = SafeTensors.read(src).metadata().get(key);
        return editHeader(src, dst, Json.quote(key) + ":" + Json.quote(old), Json.quote(key) + ":" + Json.quote(value));
    }

    private static void assertLoadFails(Path f, String... parts) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ModelFile.load(f, CPU));
        assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), "message '" + e.getMessage() + "' lacks '" + p + "'");
        }
    }

    /**
     * Metadata found by fuzzing: a corrupt architecture must be refused by what is wrong in it,
     * before a model is built (a 40000 x 40000 layer from an 8 KB file ran the heap out), and never
     * by a NullPointerException's or ClassCastException's text.
     */
    @Test
    void corruptMetadataIsRefusedByWhatIsWrong(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("m.safetensors");
        try (Sequential m = model(1)) {
            ModelFile.save(f, new SavedModel(m, "cross_entropy", null, null, java.util.List.of("x", "y", "z"), null,
                    null));
        }
        String[][] cases = {
            {"{\"type\":\"sequential\",\"in\":40000,\"layers\":[{\"type\":\"linear\",\"out\":40000}]}",
                "the architecture needs 1600040000 float32 values"},
            {"{\"type\":\"sequential\",\"in\":4.5,\"layers\":[]}", "'in' must be a whole number"},
            {"{\"type\":\"sequential\",\"in\":4294967300,\"layers\":[]}", "'in' must be a whole number"},
            {"{\"type\":\"sequential\",\"in\":4,\"layers\":[null]}", "layer 0 must be an object"},
            {"{\"type\":\"sequential\",\"in\":4,\"layers\":[{\"type\":\"dropout\"}]}", "'p' must be a number"},
            {"[1]", "expected a JSON object"},
        };
        int i = 0;
        for (String[] c : cases) {
            // the size check's message ("needs ... float32 values") is made before anything is built
            Path bad = editMetadata(f, dir.resolve("arch" + i++ + ".safetensors"), ModelFile.ARCHITECTURE, c[0]);
            assertLoadFails(bad, c[1]);
        }
        assertLoadFails(editMetadata(f, dir.resolve("names.safetensors"), ModelFile.CLASS_NAMES, "[\"a\",1,null]"),
                ModelFile.CLASS_NAMES, "element 1 is 1, not a string");
        assertLoadFails(editMetadata(f, dir.resolve("format.safetensors"), ModelFile.FORMAT, "something-else/9"),
                "model format 'something-else/9'");
        // a misspelt loss in a file read back is corruption, not a custom loss to save under another name
        Path misspelt = editMetadata(f, dir.resolve("loss.safetensors"), ModelFile.LOSS, "cross_entrpy");
        assertLoadFails(misspelt, "unknown loss 'cross_entrpy'", "the file is corrupt, or was written by another program");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ModelFile.load(misspelt, CPU));
        assertFalse(e.getMessage().contains("a loss of your own"), e.getMessage());
        long live = CPU.liveBytes();
        assertLoadFails(editHeader(f, dir.resolve("noloss.safetensors"), Json.quote(ModelFile.LOSS) + ":"
                + Json.quote("cross_entropy"), Json.quote("ember.other") + ":" + Json.quote("x")), ModelFile.LOSS);
        assertEquals(live, CPU.liveBytes(), "the model built before the loss was found missing is released");
    }

    @Test
    void scalerOfAnotherWidthThanTheModelIsRefusedAtLoad(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("m.safetensors");
        StandardScaler four = StandardScaler.ofDouble(new double[] {1, 2, 3, 4}, new double[] {1, 1, 1, 1});
        StandardScaler two = StandardScaler.ofDouble(new double[] {1, 2}, new double[] {1, 1});
        try (Sequential m = model(1)) {
            ModelFile.save(f, new SavedModel(m, "cross_entropy", null, null, null, four, null));
            Path refused = dir.resolve("refused.safetensors");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ModelFile.save(refused,
                    new SavedModel(m, "cross_entropy", null, null, null, two, null)));
            assertTrue(e.getMessage().contains(ModelFile.FEATURE_SCALER), e.getMessage());
            assertTrue(Files.notExists(refused));
        }
        ModelFile.load(f, CPU).close();
        Path bad = editMetadata(f, dir.resolve("narrow.safetensors"), ModelFile.FEATURE_SCALER,
                "{\"mean\":[1.0,2.0],\"std\":[1.0,1.0]}");
        assertLoadFails(bad, ModelFile.FEATURE_SCALER, "has 2 columns", "4 input features");

        Path r = dir.resolve("reg.safetensors");
        try (Sequential m = Sequential.builder(2).dense(1).build(CPU, 1)) {
            ModelFile.save(r, new SavedModel(m, "mse", null, null, null, two, StandardScaler.ofDouble(
                    new double[] {5}, new double[] {2})));
        }
        ModelFile.load(r, CPU).close();
        String wideTarget = SafeTensors.read(r).metadata().get(ModelFile.FEATURE_SCALER);
        assertLoadFails(editMetadata(r, dir.resolve("target.safetensors"), ModelFile.TARGET_SCALER, wideTarget),
                ModelFile.TARGET_SCALER, "has 2 columns", "1 outputs");
    }

    /**
     * A target scaler undoes a standardised regression target, as Split allows it; on a classifier
     * it is refused at save and at load. Before, it was accepted, and SavedModel.predict un-scaled
     * the logits (here moving the argmax from class 0 to class 2) while ember predict ignored it.
     */
    @Test
    void aTargetScalerBelongsToARegressionModel(@TempDir Path dir) throws Exception {
        StandardScaler three = StandardScaler.ofDouble(new double[] {0, 0, 100}, new double[] {1, 1, 1});
        Path f = dir.resolve("ce.safetensors");
        try (Sequential m = model(1)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ModelFile.save(f,
                    new SavedModel(m, "cross_entropy", null, null, null, null, three)));
            assertTrue(e.getMessage().contains(ModelFile.TARGET_SCALER + " (width 3) belongs to a regression model")
                    && e.getMessage().contains("loss cross_entropy"), e.getMessage());
            assertTrue(Files.notExists(f));
        }
        Path r = dir.resolve("reg.safetensors");
        try (Sequential m = Sequential.builder(2).dense(1).build(CPU, 1)) {
            ModelFile.save(r, new SavedModel(m, "mse", null, null, null, null, StandardScaler.ofDouble(
                    new double[] {5}, new double[] {2})));
        }
        assertLoadFails(editMetadata(r, dir.resolve("bce.safetensors"), ModelFile.LOSS, "bce"),
                ModelFile.TARGET_SCALER + " (width 1) belongs to a regression model", "loss bce");
    }

    @Test
    void classNamesMustCountTheModelsClasses(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("ce.safetensors");
        try (Sequential m = model(1)) {
            ModelFile.save(f, new SavedModel(m, "cross_entropy", null, null, List.of("x", "y", "z"), null, null));
        }
        assertLoadFails(editMetadata(f, dir.resolve("ce2.safetensors"), ModelFile.CLASS_NAMES, "[\"x\",\"y\"]"),
                ModelFile.CLASS_NAMES, "lists 2 names", "has 3 classes");
        // no names at all is allowed (outputs are then numbered)
        ModelFile.load(editMetadata(f, dir.resolve("ce0.safetensors"), ModelFile.CLASS_NAMES, "[]"), CPU).close();

        // binary cross-entropy: one output, two classes
        Path b = dir.resolve("bce.safetensors");
        try (Sequential m = Sequential.builder(4).dense(1).build(CPU, 1)) {
            ModelFile.save(b, new SavedModel(m, "bce", null, null, List.of("benign", "malignant"), null, null));
        }
        try (SavedModel s = ModelFile.load(b, CPU)) {
            assertEquals(List.of("benign", "malignant"), s.classNames());
        }
        assertLoadFails(editMetadata(b, dir.resolve("bce1.safetensors"), ModelFile.CLASS_NAMES, "[\"benign\"]"),
                ModelFile.CLASS_NAMES, "lists 1 names", "has 2 classes (one output");
        assertLoadFails(editMetadata(b, dir.resolve("bce3.safetensors"), ModelFile.CLASS_NAMES, "[\"a\",\"b\",\"c\"]"),
                ModelFile.CLASS_NAMES, "lists 3 names", "has 2 classes");
        // a regression model has no classes
        assertLoadFails(editMetadata(b, dir.resolve("mse.safetensors"), ModelFile.LOSS, "mse"),
                ModelFile.CLASS_NAMES, "lists 2 names", "has 0 classes (regression");
        assertLoadFails(editMetadata(b, dir.resolve("loss.safetensors"), ModelFile.LOSS, "hinge"),
                ModelFile.LOSS, "hinge");
        assertLoadFails(editMetadata(b, dir.resolve("fn.safetensors"), ModelFile.FEATURE_NAMES, "[\"a\"]"),
                ModelFile.FEATURE_NAMES, "lists 1 names", "4 input features");
    }

    /**
     * Saving and loading weights take the model's lock, as its own calls do: a checkpoint saved from
     * another thread while Trainer.fit (which holds the lock) runs waits for it, rather than reading
     * weights that the steps are writing, and loadWeights does not replace weights under a predict.
     */
    @Test
    void saveAndLoadWeightsWaitForTheCallInProgress(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("m.safetensors");
        try (Sequential m = Sequential.builder(4).dense(3).build(CPU, 1);
             Sequential other = Sequential.builder(4).dense(3).build(CPU, 2)) {
            float[] before = m.predict(new float[4], 1, 1);
            ModelFile.save(dir.resolve("other.safetensors"), new SavedModel(other, "cross_entropy", null, null, null,
                    null, null));
            java.util.concurrent.atomic.AtomicReference<Throwable> failed = new java.util.concurrent.atomic.AtomicReference<>();
            Thread saver = new Thread(() -> {
                try {
                    ModelFile.save(f, new SavedModel(m, "cross_entropy", null, null, null, null, null));
                } catch (Throwable e) {
                    failed.set(e);
                }
            });
            Thread loader = new Thread(() -> {
                try {
                    ModelFile.loadWeights(dir.resolve("other.safetensors"), m);
                } catch (Throwable e) {
                    failed.set(e);
                }
            });
            synchronized (m) { // as Trainer.fit holds it
                for (Thread t : new Thread[] {saver, loader}) {
                    t.start();
                    SequentialTest.awaitBlocked(t, "waits for the model's lock");
                }
                assertFalse(Files.exists(f), "nothing saved while the model was in use");
                assertArrayEquals(before, m.predict(new float[4], 1, 1), "weights unchanged while in use");
            }
            saver.join();
            loader.join();
            if (failed.get() != null) {
                throw new AssertionError("save or loadWeights failed", failed.get());
            }
            assertTrue(Files.exists(f));
            assertArrayEquals(other.predict(new float[4], 1, 1), m.predict(new float[4], 1, 1));
        }
    }

    /**
     * The loss decides how outputs are read, so a loss that cannot read the model's outputs is
     * refused at save and at load: a one-output model saved as cross_entropy predicted class 0 with
     * probability 1 for every row, a three-output one saved as bce took three rows' logits from one.
     */
    @Test
    void theLossMustReadTheModelsOutputs(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("x.safetensors");
        try (Sequential three = Sequential.builder(4).dense(3).build(CPU, 1);
             Sequential one = Sequential.builder(4).dense(1).build(CPU, 1)) {
            IllegalArgumentException bce = assertThrows(IllegalArgumentException.class,
                    () -> ModelFile.save(f, new SavedModel(three, "bce", null, null, null, null, null)));
            assertTrue(bce.getMessage().contains(ModelFile.LOSS) && bce.getMessage().contains("bce reads one binary logit")
                    && bce.getMessage().contains("has 3 outputs"), bce.getMessage());
            IllegalArgumentException ce = assertThrows(IllegalArgumentException.class,
                    () -> ModelFile.save(f, new SavedModel(one, "cross_entropy", null, null, null, null, null)));
            assertTrue(ce.getMessage().contains("cross_entropy reads one logit per class")
                    && ce.getMessage().contains("has 1 output") && ce.getMessage().contains("saved with bce"),
                    ce.getMessage());
            assertFalse(Files.exists(f), "nothing was written");
            ModelFile.save(f, new SavedModel(one, "bce", null, null, null, null, null));
            ModelFile.save(dir.resolve("3.safetensors"), new SavedModel(three, "mse", null, null, null, null, null));
        }
        assertLoadFails(editMetadata(f, dir.resolve("ce1.safetensors"), ModelFile.LOSS, "cross_entropy"),
                ModelFile.LOSS, "cross_entropy reads one logit per class", "has 1 output");
        assertLoadFails(editMetadata(dir.resolve("3.safetensors"), dir.resolve("bce3.safetensors"), ModelFile.LOSS,
                "bce"), ModelFile.LOSS, "bce reads one binary logit", "has 3 outputs");
    }

    /** {@code src} with float {@code index} of tensor {@code name} overwritten by {@code value} in the data bytes. */
    @SuppressWarnings("unchecked")
    private static Path poke(Path src, Path dst, String name, int index, float value) throws Exception {
        byte[] all = Files.readAllBytes(src);
        String header = headerOf(all);
        Map<String, Object> entry = (Map<String, Object>) ((Map<String, Object>) Json.parse(header)).get(name);
        long begin = (Long) ((List<Object>) entry.get("data_offsets")).get(0);
        int at = 8 + header.getBytes(StandardCharsets.UTF_8).length + (int) begin + 4 * index;
        ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN).putFloat(at, value);
        Files.write(dst, all);
        return dst;
    }

    @Test
    void nonFiniteWeightsAreRefusedNamingTensorAndFirstIndex(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("m.safetensors");
        try (Sequential m = model(1)) {
            ModelFile.save(f, new SavedModel(m, "cross_entropy", null, null, null, null, null));
        }
        Path nan = poke(poke(f, dir.resolve("nan.safetensors"), "0.weight", 9, Float.NaN),
                dir.resolve("nan.safetensors"), "0.weight", 13, Float.POSITIVE_INFINITY);
        assertLoadFails(nan, "'0.weight'", "NaN at index 9", "element [2, 1] of shape [6, 4]");
        Path inf = poke(f, dir.resolve("inf.safetensors"), "2.running_var", 3, Float.NEGATIVE_INFINITY);
        assertLoadFails(inf, "'2.running_var'", "-Infinity at index 3");
        try (Sequential m = model(1)) {
            float[] w = m.stateDict().get("4.bias").toArray();
            w[2] = Float.NaN;
            m.stateDict().get("4.bias").copyFrom(w);
            Path g = dir.resolve("g.safetensors");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ModelFile.save(g,
                    new SavedModel(m, "cross_entropy", null, null, null, null, null)));
            assertTrue(e.getMessage().contains("'4.bias' holds NaN at index 2"), e.getMessage());
            assertTrue(Files.notExists(g));
        }
        // loading into an existing model refuses too, and leaves its weights as they were
        try (Sequential m = model(2)) {
            float[] w = m.stateDict().get("0.weight").toArray();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ModelFile.loadWeights(nan, m));
            assertTrue(e.getMessage().contains("nan.safetensors"), e.getMessage());
            assertArrayEquals(w, m.stateDict().get("0.weight").toArray());
        }
    }

    /**
     * PyTorch's state_dict has BatchNorm's num_batches_tracked (an int64 scalar counting training
     * forward passes); without it, strict load_state_dict reports a missing key.
     */
    @Test
    @SuppressWarnings("unchecked")
    void batchNormCounterIsSavedAsInt64ScalarAndLoadedBack(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("bn.safetensors");
        float[] x = LayerGradientTest.random(5, 7 * 4);
        try (Sequential m = model(1)) {
            m.train(true);
            for (int i = 0; i < 3; i++) {
                m.forward(CPU.fromArray(x, 7, 4));
            }
            m.predict(x, 7, 7); // evaluation mode: not counted
            assertEquals(3, m.counters().get("2.num_batches_tracked").get());
            ModelFile.save(f, new SavedModel(m, "cross_entropy", null, null, null, null, null));
        }
        byte[] all = Files.readAllBytes(f);
        String header = headerOf(all);
        Map<String, Object> entry = (Map<String, Object>) ((Map<String, Object>) Json.parse(header))
                .get("2.num_batches_tracked");
        assertEquals("I64", entry.get("dtype"));
        assertEquals(List.of(), entry.get("shape"));
        // the reference serializer puts 8-byte dtypes first, so the counter starts the data
        assertEquals(List.of(0L, 8L), entry.get("data_offsets"));
        int data = 8 + header.getBytes(StandardCharsets.UTF_8).length;
        assertEquals(3, ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN).getLong(data));
        try (SavedModel s = ModelFile.load(f, CPU)) {
            assertEquals(3, s.model().counters().get("2.num_batches_tracked").get());
        }

        // a file saved before the counter existed loads, counting from 0
        SafeTensorsFile raw = SafeTensors.read(f);
        Path old = dir.resolve("old.safetensors");
        SafeTensors.write(old, raw.tensors(), raw.metadata());
        try (SavedModel s = ModelFile.load(old, CPU)) {
            assertEquals(0, s.model().counters().get("2.num_batches_tracked").get());
        }
        byte[] negative = all.clone();
        ByteBuffer.wrap(negative).order(ByteOrder.LITTLE_ENDIAN).putLong(data, -2);
        Path neg = dir.resolve("neg.safetensors");
        Files.write(neg, negative);
        assertLoadFails(neg, "'2.num_batches_tracked' is -2");
        Path f32 = editHeader(f, dir.resolve("f32.safetensors"),
                "\"2.num_batches_tracked\":{\"dtype\":\"I64\",\"shape\":[]",
                "\"2.num_batches_tracked\":{\"dtype\":\"F32\",\"shape\":[2]");
        assertLoadFails(f32, "'2.num_batches_tracked' is F32 [2], expected I64 []");
    }

    /**
     * A loaded model predicts from raw features: SavedModel.predict applies the stored feature
     * scaler and undoes the target scaler, which model.predict on raw features would skip silently.
     */
    @Test
    void savedModelPredictAppliesTheScalers(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("r.safetensors");
        StandardScaler fs = StandardScaler.ofDouble(new double[] {1, -2}, new double[] {0.5, 4});
        StandardScaler ts = StandardScaler.ofDouble(new double[] {10}, new double[] {3});
        float[] raw = LayerGradientTest.random(4, 9 * 2);
        try (Sequential m = Sequential.builder(2).dense(5, "tanh").dense(1).build(CPU, 2)) {
            ModelFile.save(f, new SavedModel(m, "mse", null, null, null, fs, ts));
        }
        try (SavedModel s = ModelFile.load(f, CPU)) {
            float[] scaled = new float[raw.length];
            for (int i = 0; i < raw.length; i++) {
                scaled[i] = (float) ((raw[i] - (i % 2 == 0 ? 1.0 : -2.0)) / (i % 2 == 0 ? 0.5 : 4.0));
            }
            float[] y = s.model().predict(scaled, 9, 4);
            float[] got = s.predict(raw, 9);
            assertEquals(9, got.length);
            for (int r = 0; r < 9; r++) {
                double ref = y[r] * 3.0 + 10;
                assertTrue(Math.abs(got[r] - ref) <= 1e-5 + 1e-5 * Math.abs(ref), "row " + r + ": " + got[r] + " vs " + ref);
            }
            assertEquals(dev.ember.nn.train.Task.REGRESSION, s.task());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> s.predict(new float[3], 1));
            assertTrue(e.getMessage().contains("3 values") && e.getMessage().contains("2 features"), e.getMessage());
        }
    }
}
