package dev.ember.nn;

import dev.ember.nn.data.StandardScaler;
import dev.ember.nn.io.Json;
import dev.ember.nn.model.ModelFile;
import dev.ember.nn.model.SavedModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Model files against the safetensors reference (huggingface/safetensors, tensor.rs): what Ember
 * writes passes the reference reader's checks and follows its writer's layout, and files laid
 * out as the reference writer (safetensors.torch.save_file) lays them out load here.
 */
class ReferenceFormatTest {
    /**
     * The reference Dtype enum, in its declared (increasing bit size) order; the writer sorts
     * descending. Newer versions added F4, the F6 types, F8_E8M0 and C64.
     */
    private static final List<String> DTYPES = List.of("BOOL", "F4", "F6_E2M3", "F6_E3M2", "U8", "I8", "F8_E5M2",
            "F8_E4M3", "F8_E8M0", "I16", "U16", "F16", "BF16", "I32", "U32", "F32", "C64", "F64", "I64", "U64");
    /** Bits per element ({@code Dtype::bitsize}). */
    private static final Map<String, Integer> BITS = Map.ofEntries(Map.entry("BOOL", 8), Map.entry("F4", 4),
            Map.entry("F6_E2M3", 6), Map.entry("F6_E3M2", 6), Map.entry("U8", 8), Map.entry("I8", 8),
            Map.entry("F8_E5M2", 8), Map.entry("F8_E4M3", 8), Map.entry("F8_E8M0", 8), Map.entry("I16", 16),
            Map.entry("U16", 16), Map.entry("F16", 16), Map.entry("BF16", 16), Map.entry("I32", 32),
            Map.entry("U32", 32), Map.entry("F32", 32), Map.entry("C64", 64), Map.entry("F64", 64),
            Map.entry("I64", 64), Map.entry("U64", 64));
    /** What the reference writer puts in a tensor's entry, and nothing else. */
    private static final Set<String> ENTRY_KEYS = Set.of("dtype", "shape", "data_offsets");

    /**
     * The reference reader's checks (read_metadata, Metadata::validate) and its writer's layout
     * (header a multiple of 8 padded with spaces, data by descending dtype then name), written
     * here independently of SafeTensors.
     */
    @SuppressWarnings("unchecked")
    static void assertReferenceValid(byte[] file) {
        assertTrue(file.length >= 8, "HeaderTooSmall");
        long n = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        assertTrue(n >= 0 && n <= 100_000_000, "HeaderTooLarge: " + n);
        assertTrue(8 + n <= file.length, "InvalidHeaderLength");
        assertEquals(0, n % 8, "writer pads the header to a multiple of 8");
        String header = StandardCharsets.UTF_8.decode(ByteBuffer.wrap(file, 8, (int) n)).toString();
        assertTrue(header.startsWith("{"), header);
        String body = header.stripTrailing();
        assertTrue(header.substring(body.length()).matches(" {0,7}"), "padding is up to 7 spaces");
        Map<String, Object> top = (Map<String, Object>) Json.parse(header);
        List<Object[]> infos = new ArrayList<>(); // name, dtype, shape, begin, end
        for (Map.Entry<String, Object> e : top.entrySet()) {
            if (e.getKey().equals("__metadata__")) {
                assertTrue(body.startsWith("{\"__metadata__\":"), "metadata comes first");
                for (Object v : ((Map<String, Object>) e.getValue()).values()) {
                    assertTrue(v instanceof String, "metadata values are strings: " + v);
                }
                continue;
            }
            Map<String, Object> info = (Map<String, Object>) e.getValue();
            assertEquals(ENTRY_KEYS, info.keySet(), e.getKey());
            List<Object> off = (List<Object>) info.get("data_offsets");
            infos.add(new Object[] {e.getKey(), info.get("dtype"), info.get("shape"), off.get(0), off.get(1)});
        }
        infos.sort(Comparator.comparingLong((Object[] i) -> (Long) i[3]).thenComparingLong(i -> (Long) i[4]));
        long start = 0;
        for (Object[] i : infos) {
            assertEquals(start, (long) (Long) i[3], "InvalidOffset(" + i[0] + ")");
            long elements = 1;
            for (Object d : (List<Object>) i[2]) {
                elements = Math.multiplyExact(elements, (Long) d);
            }
            assertTrue(BITS.containsKey((String) i[1]), "dtype " + i[1]);
            long bits = elements * BITS.get((String) i[1]);
            assertEquals(0, bits % 8, "MisalignedSlice(" + i[0] + ")");
            assertEquals(bits / 8, (Long) i[4] - (Long) i[3], "TensorInvalidInfo(" + i[0] + ")");
            start = (Long) i[4];
        }
        assertEquals(file.length, 8 + n + start, "MetadataIncompleteBuffer");
        List<Object[]> writerOrder = new ArrayList<>(infos);
        writerOrder.sort(Comparator.comparingInt((Object[] i) -> -DTYPES.indexOf((String) i[1]))
                .thenComparing(i -> (String) i[0], (a, b) -> Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8),
                        b.getBytes(StandardCharsets.UTF_8))));
        assertEquals(infos.stream().map(i -> i[0]).toList(), writerOrder.stream().map(i -> i[0]).toList(),
                "data ordered by descending dtype, then name");
    }

    @Test
    void everyModelFileEmberWritesPassesTheReferenceReader(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("m.safetensors");
        try (Sequential m = Sequential.builder(4).dense(6, "relu").batchNorm().dropout(0.1).dense(3).build(
                ModelFileTest.CPU, 4)) {
            StandardScaler fs = StandardScaler.ofDouble(new double[] {1, 2, 3, 4}, new double[] {1, 1, 2, 2});
            ModelFile.save(f, new SavedModel(m, "cross_entropy", "d\u00e9j\u00e0 \"vu\"\n",
                    List.of("a", "\u03b2", "c\u0001", "\ud83d\ude00"), List.of("x", "y", "z"), fs, null));
        }
        assertReferenceValid(Files.readAllBytes(f));
    }

    /** {name, dtype, shape, values}: what nn.Sequential(Linear(3,2), BatchNorm1d(2), ReLU(), Linear(2,1)) saves. */
    private static List<Object[]> torchBatchNorm(String dtype) {
        return List.of(
                new Object[] {"0.weight", dtype, List.of(2L, 3L), new double[] {1, 0, 0, 0, 1, 0}},
                new Object[] {"0.bias", dtype, List.of(2L), new double[] {0, -1}},
                new Object[] {"1.weight", dtype, List.of(2L), new double[] {2, 1}},
                new Object[] {"1.bias", dtype, List.of(2L), new double[] {0.5, 0}},
                new Object[] {"1.running_mean", dtype, List.of(2L), new double[] {1, 1}},
                new Object[] {"1.running_var", dtype, List.of(2L), new double[] {4, 1}},
                new Object[] {"1.num_batches_tracked", "I64", List.of(), new double[] {1234}},
                new Object[] {"3.weight", dtype, List.of(1L, 2L), new double[] {1, 1}},
                new Object[] {"3.bias", dtype, List.of(1L), new double[] {0}});
    }

    /**
     * {@code v} in {@code dtype}'s bytes. F8_E8M0 (a bare exponent, which has no zero) is written as
     * zero bytes of the right size: only tests that expect it refused use it.
     */
    private static byte[] encode(String dtype, double[] v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * BITS.get(dtype) / 8).order(ByteOrder.LITTLE_ENDIAN);
        for (double x : v) {
            switch (dtype) {
                case "F32" -> b.putFloat((float) x);
                case "F64" -> b.putDouble(x);
                case "F16" -> b.putShort(Float.floatToFloat16((float) x));
                case "BF16" -> b.putShort((short) (Float.floatToIntBits((float) x) >>> 16));
                case "C64" -> b.putFloat((float) x).putFloat(0f);
                case "F8_E8M0" -> b.put((byte) 0);
                case "I64" -> b.putLong((long) x);
                default -> throw new IllegalArgumentException(dtype);
            }
        }
        return b.array();
    }

    /**
     * Lays the tensors out as the reference serializer does (data by descending dtype, then name;
     * space padding to 8 bytes; metadata first when given), listing the entries in the JSON in a
     * shuffled order as older versions (a serde HashMap) did.
     */
    private static byte[] referenceWrite(List<Object[]> tensors, Map<String, String> metadata, long seed) {
        List<Object[]> order = new ArrayList<>(tensors);
        order.sort(Comparator.comparingInt((Object[] t) -> -DTYPES.indexOf((String) t[1]))
                .thenComparing(t -> (String) t[0]));
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        List<String> entries = new ArrayList<>();
        for (Object[] t : order) {
            byte[] bytes = encode((String) t[1], (double[]) t[3]);
            Map<String, Object> info = new LinkedHashMap<>();
            info.put("dtype", t[1]);
            info.put("shape", t[2]);
            info.put("data_offsets", List.of((long) data.size(), (long) data.size() + bytes.length));
            entries.add(Json.quote((String) t[0]) + ":" + Json.write(info));
            data.writeBytes(bytes);
        }
        Collections.shuffle(entries, new Random(seed));
        if (metadata != null) {
            entries.addFirst("\"__metadata__\":" + Json.write(metadata));
        }
        StringBuilder h = new StringBuilder("{").append(String.join(",", entries)).append('}');
        while (h.length() % 8 != 0) {
            h.append(' ');
        }
        byte[] header = h.toString().getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(8 + header.length + data.size()).order(ByteOrder.LITTLE_ENDIAN)
                .putLong(header.length).put(header).put(data.toByteArray()).array();
    }

    @Test
    void pytorchFilesInTheReferenceLayoutLoadWithOrWithoutMetadata(@TempDir Path dir) throws Exception {
        for (Map<String, String> meta : Arrays.asList(null, Map.of("format", "pt"))) {
            for (long seed = 0; seed < 3; seed++) {
                byte[] bytes = referenceWrite(torchBatchNorm("F32"), meta, seed);
                assertReferenceValid(bytes);
                Path f = Files.write(dir.resolve("torch" + seed + ".safetensors"), bytes);
                try (Sequential m = Sequential.builder(3).dense(2).batchNorm().activation("relu").dense(1)
                        .build(ModelFileTest.CPU, 3)) {
                    ModelFile.loadWeights(f, m);
                    assertEquals(1234, m.counters().get("1.num_batches_tracked").get());
                    m.train(false);
                    // x = (1, 2, 3): linear -> (1, 1); batch norm (eval) -> (0.5, 0); relu; 1*0.5 + 1*0 + 0
                    assertEquals(0.5f, m.predict(new float[] {1, 2, 3}, 1, 1)[0], 1e-3f, "seed " + seed);
                }
            }
        }
    }

    /**
     * Half, bfloat16, double, complex and float8 (E8M0, newer in the format) weights are refused by
     * tensor name and dtype, never read as float32 bytes.
     */
    @Test
    void otherFloatDtypesAreRefusedByNameAndDtype(@TempDir Path dir) throws Exception {
        for (String dtype : List.of("F16", "BF16", "F64", "C64", "F8_E8M0")) {
            byte[] bytes = referenceWrite(torchBatchNorm(dtype), Map.of("format", "pt"), 1);
            assertReferenceValid(bytes);
            Path f = Files.write(dir.resolve(dtype + ".safetensors"), bytes);
            try (Sequential m = Sequential.builder(3).dense(2).batchNorm().activation("relu").dense(1)
                    .build(ModelFileTest.CPU, 3)) {
                float[] before = m.stateDict().get("0.weight").toArray();
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> ModelFile.loadWeights(f, m));
                assertTrue(e.getMessage().startsWith(f.toString()), e.getMessage());
                assertTrue(e.getMessage().contains("unsupported dtype " + dtype + " for tensor '0.weight' of shape [2, 3]"),
                        e.getMessage());
                assertTrue(e.getMessage().contains("float32"), e.getMessage());
                assertEquals(Arrays.toString(before), Arrays.toString(m.stateDict().get("0.weight").toArray()),
                        "model untouched");
            }
        }
    }
}
