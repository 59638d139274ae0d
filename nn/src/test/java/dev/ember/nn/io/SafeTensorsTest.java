package dev.ember.nn.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafeTensorsTest {
    @TempDir
    Path dir;

    private static byte[] bytes(int... v) {
        byte[] b = new byte[v.length];
        for (int i = 0; i < v.length; i++) {
            b[i] = (byte) v[i];
        }
        return b;
    }

    private static Map<String, TensorData> one(String name, int[] shape, float... data) {
        Map<String, TensorData> m = new LinkedHashMap<>();
        m.put(name, new TensorData(shape, data));
        return m;
    }

    /**
     * Byte vectors from the reference implementation's own unit tests (huggingface/safetensors,
     * safetensors/src/tensor.rs: test_serialization, test_serialization_forced_alignement, test_empty).
     */
    @Test
    void byteIdenticalToReferenceSerializerVectors() throws IOException {
        byte[] attnDot0 = bytes(64, 0, 0, 0, 0, 0, 0, 0, 123, 34, 97, 116, 116, 110, 46, 48, 34, 58, 123, 34, 100,
                116, 121, 112, 101, 34, 58, 34, 70, 51, 50, 34, 44, 34, 115, 104, 97, 112, 101, 34,
                58, 91, 49, 44, 50, 44, 51, 93, 44, 34, 100, 97, 116, 97, 95, 111, 102, 102, 115,
                101, 116, 115, 34, 58, 91, 48, 44, 50, 52, 93, 125, 125, 0, 0, 0, 0, 0, 0, 128, 63,
                0, 0, 0, 64, 0, 0, 64, 64, 0, 0, 128, 64, 0, 0, 160, 64);
        float[] six = {0, 1, 2, 3, 4, 5};
        assertArrayEquals(attnDot0, SafeTensors.toBytes(one("attn.0", new int[] {1, 2, 3}, six), null));

        byte[] attn0 = bytes(72, 0, 0, 0, 0, 0, 0, 0, 123, 34, 97, 116, 116, 110, 48, 34, 58, 123, 34, 100, 116,
                121, 112, 101, 34, 58, 34, 70, 51, 50, 34, 44, 34, 115, 104, 97, 112, 101, 34, 58,
                91, 49, 44, 49, 44, 50, 44, 51, 93, 44, 34, 100, 97, 116, 97, 95, 111, 102, 102,
                115, 101, 116, 115, 34, 58, 91, 48, 44, 50, 52, 93, 125, 125, 32, 32, 32, 32, 32,
                32, 32, 0, 0, 0, 0, 0, 0, 128, 63, 0, 0, 0, 64, 0, 0, 64, 64, 0, 0, 128, 64, 0, 0,
                160, 64);
        Path f = dir.resolve("attn0.safetensors");
        SafeTensors.write(f, one("attn0", new int[] {1, 1, 2, 3}, six), Map.of());
        assertArrayEquals(attn0, Files.readAllBytes(f));
        SafeTensorsFile r = SafeTensors.read(f);
        assertArrayEquals(new int[] {1, 1, 2, 3}, r.get("attn0").shape());
        assertArrayEquals(six, r.get("attn0").data());

        assertArrayEquals(bytes(8, 0, 0, 0, 0, 0, 0, 0, 123, 125, 32, 32, 32, 32, 32, 32),
                SafeTensors.toBytes(Map.of(), null));
        byte[] emptyWithMeta = bytes(40, 0, 0, 0, 0, 0, 0, 0, 123, 34, 95, 95, 109, 101, 116, 97, 100, 97, 116, 97,
                95, 95, 34, 58, 123, 34, 102, 114, 97, 109, 101, 119, 111, 114, 107, 34, 58, 34, 112,
                116, 34, 125, 125, 32, 32, 32, 32, 32);
        assertArrayEquals(emptyWithMeta, SafeTensors.toBytes(Map.of(), Map.of("framework", "pt")));
        SafeTensorsFile e = SafeTensors.parse(emptyWithMeta, "mem");
        assertEquals(Map.of("framework", "pt"), e.metadata());
        assertTrue(e.tensors().isEmpty());
    }

    /**
     * A two-tensor file with metadata (including a JSON string that needs escaping), checked by hand:
     * 8-byte LE length 0xa8 = 168, the 167-byte header plus one space, then b = [0.5, -2] and
     * w = [1, 2, 3, 0.001] as little-endian float32 (0x3f000000, 0xc0000000, ..., 0x3a83126f).
     * Tensors appear sorted by name although inserted w-first.
     */
    @Test
    void handCheckedHexFixtureWithMetadata() throws IOException {
        String hex = "a8000000000000007b225f5f6d657461646174615f5f223a7b2261726368223a227b5c226c61796572735c"
                + "223a5b325d7d222c22666f726d6174223a227074227d2c2262223a7b226474797065223a22463332222c2273"
                + "68617065223a5b325d2c22646174615f6f666673657473223a5b302c385d7d2c2277223a7b22647479706522"
                + "3a22463332222c227368617065223a5b322c325d2c22646174615f6f666673657473223a5b382c32345d7d7d"
                + "200000003f000000c00000803f00000040000040406f12833a";
        byte[] expected = HexFormat.of().parseHex(hex);
        Map<String, TensorData> t = new LinkedHashMap<>();
        t.put("w", new TensorData(new int[] {2, 2}, new float[] {1, 2, 3, 0.001f}));
        t.put("b", new TensorData(new int[] {2}, new float[] {0.5f, -2}));
        Map<String, String> meta = new HashMap<>();
        meta.put("format", "pt");
        meta.put("arch", "{\"layers\":[2]}");
        assertArrayEquals(expected, SafeTensors.toBytes(t, meta));
        SafeTensorsFile r = SafeTensors.parse(expected, "fixture");
        assertEquals(List.of("b", "w"), List.copyOf(r.tensors().keySet()));
        assertEquals("{\"layers\":[2]}", r.requireMetadata("arch"));
        assertEquals(t.get("w"), r.require("w", 2, 2));
        IllegalArgumentException shape = assertThrows(IllegalArgumentException.class, () -> r.require("w", 4));
        assertTrue(shape.getMessage().contains("'w'") && shape.getMessage().contains("[2, 2]"), shape.getMessage());
        assertThrows(IllegalArgumentException.class, () -> r.get("missing"));
    }

    @Test
    void randomRoundTripThroughFile() throws IOException {
        long seed = System.nanoTime();
        Random rnd = new Random(seed);
        Map<String, TensorData> t = new LinkedHashMap<>();
        int[][] shapes = {{1}, {7}, {33, 127}, {1000}, {3, 1, 2, 5}, {0, 4}, {}};
        for (int i = 0; i < shapes.length; i++) {
            int n = 1;
            for (int d : shapes[i]) {
                n *= d;
            }
            float[] v = new float[n];
            for (int k = 0; k < n; k++) {
                v[k] = (float) rnd.nextGaussian();
            }
            if (n > 3) {
                v[0] = Float.NaN;
                v[1] = Float.NEGATIVE_INFINITY;
                v[2] = -0f;
                v[3] = Float.MIN_VALUE;
            }
            t.put("layer" + i + ".wéight", new TensorData(shapes[i], v));
        }
        Path f = dir.resolve("m.safetensors");
        SafeTensors.write(f, t, Map.of("ember", "1", "quote\"key", "line\nbreak\u0001"));
        SafeTensorsFile r = SafeTensors.read(f);
        assertEquals(t.keySet(), r.tensors().keySet(), "seed " + seed);
        for (String k : t.keySet()) {
            assertArrayEquals(t.get(k).shape(), r.get(k).shape(), k);
            // Bitwise, including NaN and -0.
            float[] a = t.get(k).data();
            float[] b = r.get(k).data();
            for (int i = 0; i < a.length; i++) {
                assertEquals(Float.floatToRawIntBits(a[i]), Float.floatToRawIntBits(b[i]), k + "[" + i + "] seed " + seed);
            }
        }
        assertEquals("line\nbreak\u0001", r.metadata().get("quote\"key"));
        long headerLen = ByteBuffer.wrap(Files.readAllBytes(f)).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(0, headerLen % 8);
    }

    /**
     * I64 tensors (PyTorch's num_batches_tracked) are written as the reference serializer orders
     * them: by descending dtype, so all I64 before all F32, each group by name; offsets stay
     * contiguous and the values are 8-byte little-endian.
     */
    @Test
    void int64TensorsAreWrittenFirstAndRoundTrip() throws IOException {
        Map<String, TensorData> f = new LinkedHashMap<>();
        f.put("z", new TensorData(new int[] {2}, new float[] {2, 3}));
        f.put("a", new TensorData(new int[] {1}, new float[] {1}));
        Map<String, I64Data> l = new LinkedHashMap<>();
        l.put("c", new I64Data(new int[] {2}, new long[] {-1, 1L << 40}));
        l.put("b.num_batches_tracked", I64Data.scalar(7));
        byte[] bytes = SafeTensors.toBytes(f, l, null);
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int n = (int) b.getLong(0);
        assertEquals("{\"b.num_batches_tracked\":{\"dtype\":\"I64\",\"shape\":[],\"data_offsets\":[0,8]},"
                + "\"c\":{\"dtype\":\"I64\",\"shape\":[2],\"data_offsets\":[8,24]},"
                + "\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[24,28]},"
                + "\"z\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[28,36]}}",
                new String(bytes, 8, n, StandardCharsets.UTF_8).stripTrailing());
        assertEquals(0, n % 8);
        assertEquals(8 + n + 36, bytes.length);
        assertEquals(7, b.getLong(8 + n));
        assertEquals(-1, b.getLong(8 + n + 8));
        assertEquals(1L << 40, b.getLong(8 + n + 16));
        assertEquals(1f, b.getFloat(8 + n + 24));

        Path file = dir.resolve("i64.safetensors");
        SafeTensors.write(file, f, l, Map.of("k", "v"));
        SafeTensorsFile r = SafeTensors.read(file);
        assertEquals(l, r.int64s());
        assertEquals(f, r.tensors());
        assertTrue(r.otherDtypes().isEmpty());
        assertEquals(I64Data.scalar(7), r.int64("b.num_batches_tracked"));
        assertEquals(null, r.int64("absent"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> r.int64("c", 3));
        assertTrue(e.getMessage().contains("'c' has shape [2]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> r.int64("a"));
        assertTrue(e.getMessage().contains("'a' is F32 [1], expected I64 []"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> r.get("c"));
        assertTrue(e.getMessage().contains("unsupported dtype I64 for tensor 'c' of shape [2]"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> SafeTensors.toBytes(f, Map.of("a", I64Data.scalar(1)), null));
    }

    @Test
    void atomicSaveLeavesPreviousFileWhenWriteFails() throws IOException {
        Path f = dir.resolve("model.safetensors");
        Map<String, TensorData> v1 = one("w", new int[] {4}, 1, 2, 3, 4);
        SafeTensors.write(f, v1, Map.of("version", "1"));
        byte[] before = Files.readAllBytes(f);
        // A 200k-float tensor is written in several 64 KiB chunks; fail after the first.
        Map<String, TensorData> v2 = one("w", new int[] {200_000}, new float[200_000]);
        IOException e = assertThrows(IOException.class, () -> SafeTensors.write(f, v2, Map.of("version", "2"),
                n -> {
                    if (n >= 65536) {
                        throw new IOException("simulated disk full after " + n + " bytes");
                    }
                }));
        assertEquals("cannot save " + f + ": simulated disk full after 65536 bytes (the previous file is unchanged)",
                e.getMessage());
        assertTrue(e.getCause().getMessage().startsWith("simulated"), "original kept as the cause");
        assertArrayEquals(before, Files.readAllBytes(f), "previous file intact");
        assertEquals("1", SafeTensors.read(f).requireMetadata("version"));
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(List.of(f.getFileName().toString()), s.map(p -> p.getFileName().toString()).toList(),
                    "temporary file removed");
        }
        // A successful save replaces it.
        SafeTensors.write(f, v2, Map.of("version", "2"));
        assertEquals("2", SafeTensors.read(f).requireMetadata("version"));
        assertEquals(200_000, SafeTensors.read(f).get("w").size());
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(1, s.count());
        }
    }

    @Test
    void saveFailsCleanlyWhenDirectoryIsMissing() throws IOException {
        Path f = dir.resolve("no-such-dir").resolve("m.safetensors");
        IOException e = assertThrows(IOException.class, () -> SafeTensors.write(f, one("w", new int[] {1}, 1), null));
        assertEquals("cannot save " + f + ": directory " + f.getParent() + " does not exist", e.getMessage());
        Path plain = dir.resolve("plain.txt");
        Files.writeString(plain, "x");
        Path under = plain.resolve("m.safetensors");
        e = assertThrows(IOException.class, () -> SafeTensors.write(under, one("w", new int[] {1}, 1), null));
        assertEquals("cannot save " + under + ": " + plain + " is not a directory", e.getMessage());
        Path sub = Files.createDirectory(dir.resolve("sub"));
        e = assertThrows(IOException.class, () -> SafeTensors.write(sub, one("w", new int[] {1}, 1), null));
        assertEquals("cannot save " + sub + ": it is a directory", e.getMessage());
        assertTrue(Files.isDirectory(sub));
    }

    /** A file system error names the hidden temporary file; the message must name the user's file and the cause. */
    @Test
    void fileSystemErrorDuringSaveNamesTheTargetNotTheTemporaryFile() throws IOException {
        Path f = dir.resolve("full.safetensors");
        IOException e = assertThrows(IOException.class, () -> SafeTensors.write(f, one("w", new int[] {4}, 1, 2, 3, 4),
                Map.of(), null, n -> {
                    throw new java.nio.file.FileSystemException(dir.resolve(".full.safetensors.1.tmp").toString(),
                            null, "No space left on device");
                }));
        assertEquals("cannot save " + f + ": no space left on device", e.getMessage());
        assertTrue(e.getCause() instanceof java.nio.file.FileSystemException);
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(List.of(), s.toList(), "no temporary file and no target left behind");
        }
    }

    @Test
    void readingADirectoryOrMissingFileNamesIt() {
        IOException e = assertThrows(IOException.class, () -> SafeTensors.read(dir));
        assertEquals("cannot load " + dir + ": it is a directory, not a safetensors file", e.getMessage());
        Path missing = dir.resolve("gone.safetensors");
        e = assertThrows(java.nio.file.NoSuchFileException.class, () -> SafeTensors.read(missing));
        assertTrue(e.getMessage().startsWith(missing.toString()), e.getMessage());
    }

    private void assertCorrupt(byte[] b, String... parts) throws IOException {
        Path f = dir.resolve("bad" + Arrays.hashCode(b) + ".safetensors");
        Files.write(f, b);
        IOException e = assertThrows(IOException.class, () -> SafeTensors.read(f));
        assertTrue(e.getMessage().startsWith(f.toString()), e.getMessage());
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), "'" + e.getMessage() + "' lacks '" + p + "'");
        }
    }

    private static byte[] file(String header, int dataBytes) {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h);
        return b.array();
    }

    @Test
    void truncatedAndCorruptFilesGiveClearErrors() throws IOException {
        byte[] good = SafeTensors.toBytes(one("w", new int[] {2, 3}, 1, 2, 3, 4, 5, 6), Map.of("a", "b"));
        // Every truncation is detected, never loaded as a smaller model.
        for (int len = 0; len < good.length; len++) {
            byte[] cut = Arrays.copyOf(good, len);
            IOException e = assertThrows(IOException.class, () -> SafeTensors.parse(cut, "cut"));
            assertTrue(e.getMessage().startsWith("cut: invalid safetensors file"), e.getMessage());
        }
        assertCorrupt(Arrays.copyOf(good, good.length - 1), "truncated");
        assertCorrupt(Arrays.copyOf(good, good.length + 4), "trailing bytes");
        assertCorrupt(new byte[3], "shorter than the 8-byte header length");
        byte[] huge = good.clone();
        huge[7] = 0x7f;
        assertCorrupt(huge, "header length");
        assertCorrupt(file("{\"w\":{\"dtype\":\"F12\",\"shape\":[2],\"data_offsets\":[0,4]}}", 4), "unknown dtype F12");
        assertCorrupt(file("{\"n\":{\"dtype\":\"I64\",\"shape\":[],\"data_offsets\":[0,4]}}", 4), "'n'", "dtype I64",
                "needs 8");
        // Other dtypes parse, are listed, and are refused by name when asked for as floats.
        SafeTensorsFile half = SafeTensors.parse(file("{\"w\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[0,4]}}",
                4), "half");
        assertEquals(Map.of("w", "F16 [2]"), half.otherDtypes());
        assertTrue(half.tensors().isEmpty());
        IllegalArgumentException notFloat = assertThrows(IllegalArgumentException.class, () -> half.get("w"));
        assertTrue(notFloat.getMessage().contains("unsupported dtype F16 for tensor 'w' of shape [2]"),
                notFloat.getMessage());
        assertCorrupt(file("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,4]}}", 4), "'w'", "needs 8");
        assertCorrupt(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[2,6]}}", 6), "'b'", "overlaps");
        assertCorrupt(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}", 12), "'b'", "gap");
        assertCorrupt(file("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}", 8), "not valid JSON");
        assertCorrupt(file("[1,2]", 0), "not an object");
        assertCorrupt(file("{\"w\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", 4), "dimension");
        // a string dimension is shown as a string, not as the number it looks like
        assertCorrupt(file("{\"w\":{\"dtype\":\"F32\",\"shape\":[\"1\"],\"data_offsets\":[0,4]}}", 4),
                "invalid dimension \"1\" in its shape");
        assertCorrupt(file("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4]}}", 4), "data_offsets");
        assertCorrupt(file("{\"__metadata__\":{\"k\":1}}", 0), "not a string");
        assertCorrupt(file("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                + "\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8), "duplicate key");
        byte[] badUtf8 = file("{\"\u00e9\":1}", 0);
        badUtf8[10] = (byte) 0xff;
        assertCorrupt(badUtf8, "UTF-8");
        assertThrows(java.nio.file.NoSuchFileException.class, () -> SafeTensors.read(dir.resolve("absent")));
    }

    /**
     * The dtypes newer safetensors versions define (float8 E8M0, the sub-byte F4 and F6 types,
     * complex C64) parse with their true sizes, so tensors after them are located correctly; a
     * caller asking for one is told it is unsupported, not that the file is corrupt.
     */
    @Test
    void newerDtypesParseWithTheirSizesAndAreRefusedOnlyWhenAskedFor() throws IOException {
        // F4 [2, 2]: 16 bits = 2 bytes; F6_E2M3 [4]: 24 bits = 3 bytes; F6_E3M2 [8]: 6 bytes;
        // F8_E8M0 [3]: 3 bytes; C64 [2]: 16 bytes; then the float32 tensor at byte 30.
        String header = "{\"a\":{\"dtype\":\"F4\",\"shape\":[2,2],\"data_offsets\":[0,2]},"
                + "\"b\":{\"dtype\":\"F6_E2M3\",\"shape\":[4],\"data_offsets\":[2,5]},"
                + "\"c\":{\"dtype\":\"F6_E3M2\",\"shape\":[8],\"data_offsets\":[5,11]},"
                + "\"d\":{\"dtype\":\"F8_E8M0\",\"shape\":[3],\"data_offsets\":[11,14]},"
                + "\"e\":{\"dtype\":\"C64\",\"shape\":[2],\"data_offsets\":[14,30]},"
                + "\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[30,38]}}";
        byte[] b = file(header, 38);
        int data = b.length - 38;
        Arrays.fill(b, data, data + 30, (byte) 0x7f); // the other tensors' bytes must not leak into 'w'
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putFloat(data + 30, 1.5f).putFloat(data + 34, -2f);
        SafeTensorsFile f = SafeTensors.parse(b, "new");
        assertArrayEquals(new float[] {1.5f, -2f}, f.get("w").data());
        assertEquals(Map.of("a", "F4 [2, 2]", "b", "F6_E2M3 [4]", "c", "F6_E3M2 [8]", "d", "F8_E8M0 [3]",
                "e", "C64 [2]"), f.otherDtypes());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> f.require("a", 2, 2));
        assertEquals("new: unsupported dtype F4 for tensor 'a' of shape [2, 2] (Ember loads weights as float32 (F32)"
                + " only; convert with tensor.float() in PyTorch)", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> f.int64("e", 2));
        assertEquals("new: unsupported dtype C64 for tensor 'e' of shape [2] (Ember loads it as int64 (I64) [2])",
                e.getMessage());

        // Sizes are checked with the true bit width: a byte per F4 element is wrong, and a tensor of a
        // fractional number of bytes is refused as the reference reader refuses it (MisalignedSlice).
        assertCorrupt(file("{\"a\":{\"dtype\":\"F4\",\"shape\":[4],\"data_offsets\":[0,4]}}", 4),
                "'a' of shape [4] and dtype F4 needs 2 bytes", "span 4");
        assertCorrupt(file("{\"a\":{\"dtype\":\"F4\",\"shape\":[3],\"data_offsets\":[0,2]}}", 2),
                "'a' of shape [3] and dtype F4 holds 12 bits, not a whole number of bytes");
        assertCorrupt(file("{\"b\":{\"dtype\":\"F6_E3M2\",\"shape\":[2],\"data_offsets\":[0,2]}}", 2),
                "'b' of shape [2] and dtype F6_E3M2 holds 12 bits");
        assertCorrupt(file("{\"e\":{\"dtype\":\"C64\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8),
                "'e' of shape [2] and dtype C64 needs 16 bytes");
        // a name the format does not define stays unknown
        assertCorrupt(file("{\"x\":{\"dtype\":\"F8_E3M4\",\"shape\":[1],\"data_offsets\":[0,1]}}", 1),
                "tensor 'x' has unknown dtype F8_E3M4 (the format defines [", "C64", "F4", "F6_E2M3", "F8_E8M0");
    }

    @Test
    void rejectsReservedNameAndBadTensorData() {
        assertThrows(IllegalArgumentException.class, () -> SafeTensors.toBytes(
                one("__metadata__", new int[] {1}, 1), null));
        assertThrows(IllegalArgumentException.class, () -> new TensorData(new int[] {2, 2}, new float[3]));
    }

    /**
     * Every file the writer produces must pass the reference reader, which refuses metadata values
     * that are not strings and headers over 100 MB, and cannot represent a name with an unpaired
     * surrogate in UTF-8 (two such names would both become '?', a duplicate key). Such input is
     * refused before anything is written, so the previous file stays.
     */
    @Test
    void writerRefusesWhatTheReferenceReaderWouldRefuseAndKeepsThePreviousFile() throws IOException {
        Path f = dir.resolve("m.safetensors");
        SafeTensors.write(f, one("w", new int[] {1}, 1), Map.of("v", "1"));
        byte[] before = Files.readAllBytes(f);
        Map<String, String> nullValue = new HashMap<>();
        nullValue.put("k", null);
        Map<String, String> nullKey = new HashMap<>();
        nullKey.put(null, "v");
        Map<String, TensorData> surrogateNames = new LinkedHashMap<>();
        surrogateNames.put("a\ud800", new TensorData(new int[] {1}, new float[1]));
        surrogateNames.put("a\udc00", new TensorData(new int[] {1}, new float[1]));
        String big = "x".repeat((int) (SafeTensors.MAX_HEADER / 2));
        List<Object[]> cases = List.of(
                new Object[] {one("w", new int[] {1}, 2), nullValue, "metadata value of 'k' is null"},
                new Object[] {one("w", new int[] {1}, 2), nullKey, "metadata key is null"},
                new Object[] {surrogateNames, null, "tensor name 'a\\ud800' is not valid Unicode"},
                new Object[] {one("w", new int[] {1}, 2), Map.of("k", "\udfff"), "metadata value of 'k' is not valid"},
                new Object[] {one("w", new int[] {1}, 2), Map.of("k\udfff", "v"), "metadata key 'k\\udfff' is not valid"},
                new Object[] {one("w", new int[] {1}, 2), Map.of("a", big, "b", big, "c", "y"), "header of 1000000"});
        for (Object[] c : cases) {
            @SuppressWarnings("unchecked")
            Map<String, TensorData> t = (Map<String, TensorData>) c[0];
            @SuppressWarnings("unchecked")
            Map<String, String> m = (Map<String, String>) c[1];
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SafeTensors.write(f, t, m),
                    () -> "no refusal for " + c[2]);
            assertTrue(e.getMessage().startsWith("SafeTensors: "), e.getMessage());
            assertTrue(e.getMessage().contains((String) c[2]), "'" + e.getMessage() + "' lacks '" + c[2] + "'");
            assertArrayEquals(before, Files.readAllBytes(f), "previous file intact");
        }
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(1, s.count(), "no temporary file left");
        }
    }

    /**
     * What the reference reader accepts (its metadata is an Option, so {@code "__metadata__": null}
     * is a file without metadata; any JSON whitespace may pad the header; tensors may be listed in
     * any order in the JSON) loads here too.
     */
    @Test
    void readsWhatTheReferenceReaderAccepts() throws IOException {
        String w = "\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}";
        String v = "\"v\":{\"dtype\":\"I64\",\"shape\":[],\"data_offsets\":[8,16]}";
        for (String header : List.of("{\"__metadata__\":null," + w + "}", "{" + v + "," + w + "} \n\t\r   ",
                "{" + w + ",\"__metadata__\":{\"a\":\"b\"}," + v + "}")) {
            boolean withV = header.contains("\"v\"");
            SafeTensorsFile s = SafeTensors.parse(file(header, withV ? 16 : 8), "ok");
            assertEquals(List.of("w"), List.copyOf(s.tensors().keySet()), header);
            assertEquals(withV ? List.of("v") : List.of(), List.copyOf(s.int64s().keySet()), header);
            assertEquals(header.contains("\"a\"") ? Map.of("a", "b") : Map.of(), s.metadata(), header);
        }
    }

    /**
     * The reference reader sorts tensors by (begin, end) before checking that they tile the data: a
     * zero-size tensor listed after another at the same offset is fine, as is a file of no tensors.
     */
    @Test
    void zeroSizeTensorsAndAnEmptyHeaderAreValid() throws IOException {
        SafeTensorsFile s = SafeTensors.parse(file("{\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"a\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]}}", 8), "zero");
        assertEquals(0, s.get("a").size());
        assertEquals(2, s.get("b").size());
        SafeTensorsFile empty = SafeTensors.parse(file("{}", 0), "empty");
        assertTrue(empty.tensors().isEmpty() && empty.metadata().isEmpty());
    }

    /** A header longer than the 64 KiB write buffer (a long metadata value) is written across buffers. */
    @Test
    void aHeaderLongerThanTheWriteBufferRoundTrips() throws IOException {
        Path f = dir.resolve("long.safetensors");
        String config = "c".repeat(100_003);
        SafeTensors.write(f, one("w", new int[] {3}, 1, 2, 3), Map.of("config", config));
        SafeTensorsFile back = SafeTensors.read(f);
        assertEquals(config, back.requireMetadata("config"));
        assertArrayEquals(new float[] {1, 2, 3}, back.get("w").data());
    }

    /** A cycle of symbolic links is refused (as ELOOP), not followed forever. */
    @Test
    void aCycleOfSymbolicLinksIsRefused(@TempDir Path dir) throws IOException {
        Path a = dir.resolve("a.safetensors"), b = dir.resolve("b.safetensors");
        Files.createSymbolicLink(a, b.getFileName());
        Files.createSymbolicLink(b, a.getFileName());
        IOException e = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(10),
                () -> assertThrows(IOException.class, () -> SafeTensors.write(a, one("w", new int[] {1}, 1), Map.of())));
        assertEquals("cannot save " + a.toAbsolutePath() + ": too many levels of symbolic links", e.getMessage());
    }

    /** The reference reader (serde_json) refuses a \\u escape that is half a surrogate pair; so does this one. */
    @Test
    void loneSurrogateEscapesAreInvalidJsonAsInTheReference() throws IOException {
        for (String name : List.of("\\ud800", "\\udc00x", "\\ud800\\u0041", "x\\ud83d")) {
            assertCorrupt(file("{\"" + name + "\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4),
                    "not valid JSON", "surrogate");
        }
        SafeTensorsFile pair = SafeTensors.parse(file(
                "{\"\\ud83d\\ude00\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4), "pair");
        assertEquals(List.of("\ud83d\ude00"), List.copyOf(pair.tensors().keySet()));
    }

    /**
     * A save whose file the reader could not load back (over 2 GiB: several large tensors) is
     * refused before anything is written. (The rule is checked on sizes: such tensors would need
     * more than 2 GiB of heap here.)
     */
    @Test
    void aModelTooLargeToLoadBackIsRefusedBeforeWriting(@TempDir Path dir) {
        Path f = dir.resolve("big.safetensors");
        SafeTensors.checkReadable(f, SafeTensors.MAX_FILE_BYTES);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SafeTensors.checkReadable(f, SafeTensors.MAX_FILE_BYTES + 1));
        assertTrue(e.getMessage().contains("big.safetensors") && e.getMessage().contains("up to 2 GiB")
                && e.getMessage().contains("nothing was written"), e.getMessage());
        assertTrue(Files.notExists(f));
    }

    /** Saving through a symbolic link replaces the file it points to and keeps the link. */
    @Test
    void savingThroughASymbolicLinkKeepsTheLink(@TempDir Path dir) throws IOException {
        Path runs = Files.createDirectory(dir.resolve("run7"));
        Path model = runs.resolve("model.safetensors");
        Map<String, TensorData> first = new LinkedHashMap<>(), second = new LinkedHashMap<>();
        first.put("w", new TensorData(new int[] {2}, new float[] {1, 2}));
        second.put("w", new TensorData(new int[] {2}, new float[] {3, 4}));
        SafeTensors.write(model, first, Map.of());
        Path latest = Files.createSymbolicLink(dir.resolve("latest.safetensors"), Path.of("run7/model.safetensors"));
        Path chained = Files.createSymbolicLink(dir.resolve("current.safetensors"), latest.getFileName());
        SafeTensors.write(chained, second, Map.of());
        assertTrue(Files.isSymbolicLink(latest) && Files.isSymbolicLink(chained), "the links stay links");
        assertArrayEquals(new float[] {3, 4}, SafeTensors.read(model).tensors().get("w").data());
        try (Stream<Path> left = Files.list(runs)) {
            assertEquals(List.of(model), left.toList(), "no temporary file left beside the model");
        }
    }
}
