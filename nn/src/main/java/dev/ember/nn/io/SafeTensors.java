package dev.ember.nn.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Reads and writes the safetensors format (huggingface/safetensors): an unsigned 64-bit
 * little-endian header length N, N bytes of UTF-8 JSON
 * {@code {"__metadata__":{...},"name":{"dtype":"F32","shape":[..],"data_offsets":[b,e]},...}}
 * padded with spaces to a multiple of 8, then the little-endian tensor bytes, offsets relative to
 * the end of the header. F32 and I64 tensors are read into memory (I64 holds counters such as
 * PyTorch's {@code num_batches_tracked}); tensors of the format's other dtypes (float16 weights,
 * float8, the sub-byte F4 and F6 types, ...) are validated and listed in
 * {@link SafeTensorsFile#otherDtypes()} but not decoded, and a dtype the format does not define is
 * refused as unknown. Ember writes F32 and I64.
 *
 * <p>Writing follows the reference serializer byte for byte (tensors sorted by descending dtype,
 * so I64 before F32, then by name; compact JSON with {@code __metadata__} first, space padding);
 * metadata keys are written in sorted order so the output is deterministic. Saving is atomic: a
 * temporary file in the target directory is written, forced to disk and renamed over the target,
 * so an interrupted save leaves the previous file. A failed save or read names the caller's file
 * and the cause (the temporary file's name means nothing to the user) and keeps the original
 * exception as its cause; a failed save removes its temporary file. What the reference reader
 * would refuse (a null metadata key or value, a name or value with an unpaired surrogate, a
 * header over its 100 MB limit) is refused before the file is touched.
 * Reading validates the header length, UTF-8, JSON, dtypes, shapes, offsets (contiguous, no
 * overlap or gap) and the total file size, and reports problems with the file name.
 */
public final class SafeTensors {
    /** Header size limit of the reference implementation. */
    static final long MAX_HEADER = 100_000_000L;
    private static final int CHUNK = 1 << 16;

    private SafeTensors() {
    }

    /** Called after each chunk written to the temporary file; tests use it to simulate a failure. */
    @FunctionalInterface
    interface WriteObserver {
        void written(long bytesSoFar) throws IOException;
    }

    /** Writes {@code tensors} (F32) and string {@code metadata} (may be null or empty) atomically to {@code file}. */
    public static void write(Path file, Map<String, TensorData> tensors, Map<String, String> metadata)
            throws IOException {
        write(file, tensors, Map.of(), metadata, n -> { });
    }

    /** Writes F32 {@code tensors}, I64 {@code int64s} (names distinct from the F32 ones) and {@code metadata}. */
    public static void write(Path file, Map<String, TensorData> tensors, Map<String, I64Data> int64s,
                             Map<String, String> metadata) throws IOException {
        write(file, tensors, int64s, metadata, n -> { });
    }

    static void write(Path file, Map<String, TensorData> tensors, Map<String, String> metadata,
                      WriteObserver observer) throws IOException {
        write(file, tensors, Map.of(), metadata, observer);
    }

    static void write(Path file, Map<String, TensorData> tensors, Map<String, I64Data> int64s,
                      Map<String, String> metadata, WriteObserver observer) throws IOException {
        Objects.requireNonNull(file, "file");
        List<Item> order = ordered(tensors, int64s);
        byte[] header = header(order, metadata);
        checkReadable(file, order, header);
        Path abs = linkTarget(file.toAbsolutePath());
        Path dir = abs.getParent();
        if (Files.isDirectory(abs)) {
            throw new IOException("cannot save " + file + ": it is a directory");
        }
        if (!Files.isDirectory(dir)) {
            Path shown = file.getParent() != null ? file.getParent() : dir;
            throw new IOException("cannot save " + file + ": " + (Files.exists(dir) ? shown + " is not a directory"
                    : "directory " + shown + " does not exist"));
        }
        // Not Files.createTempFile: that would give the saved model mode 0600 instead of the umask default.
        Path tmp = dir.resolve("." + abs.getFileName() + "." + Long.toHexString(System.nanoTime())
                + Long.toHexString(Thread.currentThread().threadId()) + ".tmp");
        boolean created = false;
        boolean moved = false;
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.CREATE_NEW)) {
                created = true;
                ByteBuffer buf = ByteBuffer.allocate(CHUNK).order(ByteOrder.LITTLE_ENDIAN);
                long[] written = {0};
                buf.putLong(header.length);
                int hp = 0;
                while (hp < header.length) {
                    int n = Math.min(buf.remaining(), header.length - hp);
                    buf.put(header, hp, n);
                    hp += n;
                    if (!buf.hasRemaining()) {
                        flush(ch, buf, written, observer);
                    }
                }
                for (Item t : order) {
                    if (t.f32() != null) {
                        for (float v : t.f32().data()) {
                            if (buf.remaining() < 4) {
                                flush(ch, buf, written, observer);
                            }
                            buf.putFloat(v);
                        }
                    } else {
                        for (long v : t.i64().data()) {
                            if (buf.remaining() < 8) {
                                flush(ch, buf, written, observer);
                            }
                            buf.putLong(v);
                        }
                    }
                }
                flush(ch, buf, written, observer);
                ch.force(true);
            }
            Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            moved = true;
            syncDirectory(dir);
        } catch (IOException e) {
            // The exception names the hidden temporary file; the user chose `file`.
            String why = e instanceof AtomicMoveNotSupportedException
                    ? "the file system does not support an atomic rename in " + dir
                    : IoErrors.reason(e);
            throw new IOException("cannot save " + file + ": " + why
                    + (Files.exists(abs) ? " (the previous file is unchanged)" : ""), e);
        } finally {
            if (created && !moved) {
                deleteQuietly(tmp);
            }
        }
    }

    /**
     * The file a symbolic link points to (following a chain of them), or {@code path} itself: the
     * save replaces that file, as writing through the link would, rather than the link (a
     * {@code latest.safetensors} link to the newest run keeps pointing there).
     */
    private static Path linkTarget(Path path) throws IOException {
        Path p = path;
        for (int hops = 0; Files.isSymbolicLink(p); hops++) {
            if (hops == 40) {
                throw new IOException("cannot save " + path + ": too many levels of symbolic links");
            }
            p = p.resolveSibling(Files.readSymbolicLink(p)).normalize();
        }
        return p;
    }

    /** The largest file {@link #read} takes: it reads a file into one array. */
    static final long MAX_FILE_BYTES = Integer.MAX_VALUE - 16;

    /**
     * Refuses, before the file is touched, a model that {@link #read} could not load back: a save
     * that succeeds must give a file that loads.
     */
    private static void checkReadable(Path file, List<Item> order, byte[] header) {
        long bytes = 8L + header.length;
        for (Item t : order) {
            bytes += t.bytes();
        }
        checkReadable(file, bytes);
    }

    static void checkReadable(Path file, long bytes) {
        if (bytes > MAX_FILE_BYTES) {
            throw new IllegalArgumentException("cannot save " + file + ": the file would be " + bytes + " bytes, and Ember"
                    + " loads model files of up to 2 GiB (" + MAX_FILE_BYTES + " bytes); nothing was written");
        }
    }

    /** Removes a failed save's temporary file; a failure here must not hide the save's own error. */
    private static void deleteQuietly(Path tmp) {
        try {
            Files.deleteIfExists(tmp);
        } catch (IOException ignored) {
            // Nothing more can be done: the directory refuses changes, and the save's error says why.
        }
    }

    private static void flush(FileChannel ch, ByteBuffer buf, long[] written, WriteObserver observer)
            throws IOException {
        buf.flip();
        while (buf.hasRemaining()) {
            written[0] += ch.write(buf);
        }
        buf.clear();
        observer.written(written[0]);
    }

    /** Makes the rename durable; not every platform can open a directory, so failures are ignored. */
    private static void syncDirectory(Path dir) {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException | UnsupportedOperationException ignored) {
            // The data itself was forced before the rename; only the directory entry may lag.
        }
    }

    /** The complete file contents for {@code tensors} and {@code metadata} (for tests and streams). */
    public static byte[] toBytes(Map<String, TensorData> tensors, Map<String, String> metadata) {
        return toBytes(tensors, Map.of(), metadata);
    }

    /** The complete file contents for F32 {@code tensors}, I64 {@code int64s} and {@code metadata}. */
    public static byte[] toBytes(Map<String, TensorData> tensors, Map<String, I64Data> int64s,
                                 Map<String, String> metadata) {
        List<Item> order = ordered(tensors, int64s);
        byte[] header = header(order, metadata);
        long dataBytes = 0;
        for (Item t : order) {
            dataBytes += t.bytes();
        }
        long total = 8 + header.length + dataBytes;
        if (total > MAX_FILE_BYTES) {
            throw new IllegalArgumentException("SafeTensors.toBytes: " + total + " bytes do not fit an array");
        }
        ByteBuffer b = ByteBuffer.allocate((int) total).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(header.length).put(header);
        for (Item t : order) {
            if (t.f32() != null) {
                for (float v : t.f32().data()) {
                    b.putFloat(v);
                }
            } else {
                for (long v : t.i64().data()) {
                    b.putLong(v);
                }
            }
        }
        return b.array();
    }

    /** A tensor to write: exactly one of {@code f32} and {@code i64} is set. */
    private record Item(String name, TensorData f32, I64Data i64) {
        String dtype() {
            return f32 != null ? "F32" : "I64";
        }

        int[] shape() {
            return f32 != null ? f32.shape() : i64.shape();
        }

        long bytes() {
            return f32 != null ? 4L * f32.size() : 8L * i64.size();
        }
    }

    /**
     * Tensors ordered as the reference serializer orders them: by descending dtype (its dtype enum
     * lists I64 after F32, so I64 comes first), then by name, bytewise UTF-8.
     */
    private static List<Item> ordered(Map<String, TensorData> tensors, Map<String, I64Data> int64s) {
        Objects.requireNonNull(tensors, "tensors");
        Objects.requireNonNull(int64s, "int64s");
        List<Item> items = new ArrayList<>();
        for (Map.Entry<String, I64Data> e : int64s.entrySet()) {
            String name = checkName(e.getKey());
            if (tensors.containsKey(name)) {
                throw new IllegalArgumentException("SafeTensors: tensor name '" + name + "' is given both as F32 and "
                        + "as I64");
            }
            items.add(new Item(name, null, Objects.requireNonNull(e.getValue(), "tensor " + name)));
        }
        for (Map.Entry<String, TensorData> e : tensors.entrySet()) {
            String name = checkName(e.getKey());
            items.add(new Item(name, Objects.requireNonNull(e.getValue(), "tensor " + name), null));
        }
        Comparator<String> utf8 = (a, b) -> Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8),
                b.getBytes(StandardCharsets.UTF_8));
        items.sort(Comparator.comparing((Item t) -> t.f32() != null).thenComparing(Item::name, utf8));
        return items;
    }

    private static String checkName(String name) {
        Objects.requireNonNull(name, "tensor name");
        if (name.equals("__metadata__")) {
            throw new IllegalArgumentException("SafeTensors: '__metadata__' is reserved and cannot name a tensor");
        }
        checkUnicode("tensor name '" + visible(name) + "'", name);
        return name;
    }

    /**
     * Metadata the reference reader accepts: a string for every key and value (it refuses a null,
     * which would be written as JSON null), each encodable in UTF-8.
     */
    private static void checkMetadata(Map<String, String> metadata) {
        for (Map.Entry<String, String> e : metadata.entrySet()) {
            if (e.getKey() == null) {
                throw new IllegalArgumentException("SafeTensors: a metadata key is null; keys and values must be strings");
            }
            String key = visible(e.getKey());
            checkUnicode("metadata key '" + key + "'", e.getKey());
            if (e.getValue() == null) {
                throw new IllegalArgumentException("SafeTensors: metadata value of '" + key + "' is null; the format "
                        + "allows strings only");
            }
            checkUnicode("metadata value of '" + key + "'", e.getValue());
        }
    }

    /**
     * An unpaired surrogate has no UTF-8 form: the encoder would write '?', so two names could
     * become one and the file would hold a duplicate key.
     */
    private static void checkUnicode(String what, String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw new IllegalArgumentException("SafeTensors: " + what + " is not valid Unicode: it holds an unpaired "
                        + "surrogate \\u" + HexFormat.of().toHexDigits(c) + " at index " + i + ", which UTF-8 cannot encode");
            }
        }
    }

    /** {@code s} with unpaired surrogates shown as {@code \\uXXXX} escapes, for messages. */
    private static String visible(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean paired = Character.isHighSurrogate(c) ? i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))
                    : Character.isLowSurrogate(c) && i > 0 && Character.isHighSurrogate(s.charAt(i - 1));
            if (Character.isSurrogate(c) && !paired) {
                b.append("\\u").append(HexFormat.of().toHexDigits(c));
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    private static byte[] header(List<Item> order, Map<String, String> metadata) {
        StringBuilder j = new StringBuilder("{");
        boolean first = true;
        if (metadata != null && !metadata.isEmpty()) {
            checkMetadata(metadata);
            j.append("\"__metadata__\":");
            Json.write(j, new TreeMap<>(metadata));
            first = false;
        }
        long offset = 0;
        for (Item e : order) {
            if (!first) {
                j.append(',');
            }
            first = false;
            long end = offset + e.bytes();
            j.append(Json.quote(e.name())).append(":{\"dtype\":\"").append(e.dtype()).append("\",\"shape\":");
            Json.write(j, e.shape());
            j.append(",\"data_offsets\":[").append(offset).append(',').append(end).append("]}");
            offset = end;
        }
        j.append('}');
        byte[] raw = j.toString().getBytes(StandardCharsets.UTF_8);
        int padded = (raw.length + 7) & ~7;
        if (padded > MAX_HEADER) {
            // the reference reader (and ours) refuses such a file: better no file than one that cannot load
            throw new IllegalArgumentException("SafeTensors: a header of " + padded + " bytes exceeds the format's "
                    + MAX_HEADER + "-byte limit (too much metadata or too many tensor names)");
        }
        byte[] out = Arrays.copyOf(raw, padded);
        Arrays.fill(out, raw.length, padded, (byte) ' ');
        return out;
    }

    /** Reads and validates a safetensors file. */
    public static SafeTensorsFile read(Path file) throws IOException {
        if (Files.isDirectory(file)) {
            throw new IOException("cannot load " + file + ": it is a directory, not a safetensors file");
        }
        long size;
        byte[] bytes;
        try {
            size = Files.size(file);
        } catch (IOException e) {
            throw loadFailed(file, e);
        }
        if (size > MAX_FILE_BYTES) {
            throw new IOException(file + ": " + size + " bytes is larger than this reader supports (2 GiB)");
        }
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw loadFailed(file, e);
        }
        return parse(bytes, file.toString());
    }

    /** Names {@code file} and the cause; a missing file stays a {@link NoSuchFileException} for callers that test for it. */
    private static IOException loadFailed(Path file, IOException e) {
        if (e instanceof NoSuchFileException) {
            return new NoSuchFileException(file.toString(), null, "model file not found");
        }
        return new IOException("cannot load " + file + ": " + IoErrors.reason(e), e);
    }

    /**
     * Parses a complete safetensors file held in memory. Problems raise an {@link IOException}
     * whose message starts with {@code source} and says what is wrong.
     */
    public static SafeTensorsFile parse(byte[] bytes, String source) throws IOException {
        if (bytes.length < 8) {
            throw corrupt(source, "file is " + bytes.length + " bytes, shorter than the 8-byte header length "
                    + "(truncated or not a safetensors file)");
        }
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        long n = b.getLong(0);
        if (n < 2 || n > MAX_HEADER) {
            throw corrupt(source, "header length " + Long.toUnsignedString(n) + " is not plausible (must be 2.."
                    + MAX_HEADER + "); not a safetensors file or corrupt");
        }
        if (8 + n > bytes.length) {
            throw corrupt(source, "header length " + n + " runs past the end of the " + bytes.length
                    + "-byte file (truncated)");
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes, 8, (int) n)).toString();
        } catch (CharacterCodingException e) {
            throw corrupt(source, "header is not valid UTF-8");
        }
        Object root;
        try {
            root = Json.parse(text);
        } catch (IllegalArgumentException e) {
            throw corrupt(source, "header is not valid JSON: " + e.getMessage());
        }
        if (!(root instanceof Map<?, ?> top)) {
            throw corrupt(source, "header JSON is not an object");
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        List<Entry> entries = new ArrayList<>();
        for (Map.Entry<?, ?> e : top.entrySet()) {
            String name = (String) e.getKey();
            if (name.equals("__metadata__")) {
                if (e.getValue() == null) {
                    continue; // the reference reads its metadata as an Option: null means none
                }
                if (!(e.getValue() instanceof Map<?, ?> m)) {
                    throw corrupt(source, "__metadata__ is not an object");
                }
                for (Map.Entry<?, ?> me : m.entrySet()) {
                    if (!(me.getValue() instanceof String v)) {
                        throw corrupt(source, "__metadata__ value of '" + me.getKey() + "' is not a string");
                    }
                    metadata.put((String) me.getKey(), v);
                }
                continue;
            }
            entries.add(entry(source, name, e.getValue()));
        }
        entries.sort((x, y) -> x.begin != y.begin ? Long.compare(x.begin, y.begin) : Long.compare(x.end, y.end));
        long dataStart = 8 + n;
        long expected = 0;
        for (Entry e : entries) {
            if (e.begin != expected) {
                throw corrupt(source, "tensor '" + e.name + "' starts at data offset " + e.begin + ", expected "
                        + expected + (e.begin < expected ? " (overlaps the previous tensor)" : " (gap before it)"));
            }
            expected = e.end;
        }
        if (dataStart + expected != bytes.length) {
            throw corrupt(source, "tensors cover " + expected + " data bytes after a " + n + "-byte header, so the "
                    + "file should be " + (dataStart + expected) + " bytes, but it is " + bytes.length
                    + (dataStart + expected > bytes.length ? " (truncated)" : " (trailing bytes)"));
        }
        Map<String, TensorData> tensors = new LinkedHashMap<>();
        Map<String, I64Data> int64s = new LinkedHashMap<>();
        Map<String, String> others = new LinkedHashMap<>();
        for (Entry e : entries) {
            ByteBuffer slice = ByteBuffer.wrap(bytes, (int) (dataStart + e.begin), (int) (e.end - e.begin))
                    .order(ByteOrder.LITTLE_ENDIAN);
            switch (e.dtype) {
                case "F32" -> {
                    float[] data = new float[(int) ((e.end - e.begin) / 4)];
                    slice.asFloatBuffer().get(data);
                    tensors.put(e.name, new TensorData(e.shape, data));
                }
                case "I64" -> {
                    long[] data = new long[(int) ((e.end - e.begin) / 8)];
                    slice.asLongBuffer().get(data);
                    int64s.put(e.name, new I64Data(e.shape, data));
                }
                default -> others.put(e.name, e.dtype + " " + Arrays.toString(e.shape));
            }
        }
        return new SafeTensorsFile(source, tensors, metadata, others, int64s);
    }

    private record Entry(String name, String dtype, int[] shape, long begin, long end) {
    }

    /**
     * Bits per element of each dtype the safetensors format defines (its Rust {@code Dtype} enum,
     * with {@code bitsize()}), so that a file holding any of them parses, its tensors are located
     * by their true sizes and only the ones a caller asks for are refused as unsupported. F4 and the
     * F6 types pack elements across bytes; C64 is a complex pair of float32.
     */
    private static final Map<String, Integer> DTYPE_BITS = Map.ofEntries(Map.entry("BOOL", 8), Map.entry("F4", 4),
            Map.entry("F6_E2M3", 6), Map.entry("F6_E3M2", 6), Map.entry("U8", 8), Map.entry("I8", 8),
            Map.entry("F8_E5M2", 8), Map.entry("F8_E4M3", 8), Map.entry("F8_E8M0", 8), Map.entry("I16", 16),
            Map.entry("U16", 16), Map.entry("F16", 16), Map.entry("BF16", 16), Map.entry("I32", 32),
            Map.entry("U32", 32), Map.entry("F32", 32), Map.entry("C64", 64), Map.entry("F64", 64),
            Map.entry("I64", 64), Map.entry("U64", 64));

    private static Entry entry(String source, String name, Object v) throws IOException {
        if (!(v instanceof Map<?, ?> info)) {
            throw corrupt(source, "entry for tensor '" + name + "' is not an object");
        }
        Object dtype = info.get("dtype");
        if (!(dtype instanceof String dt)) {
            throw corrupt(source, "tensor '" + name + "' has no dtype string");
        }
        Integer bits = DTYPE_BITS.get(dt);
        if (bits == null) {
            throw corrupt(source, "tensor '" + name + "' has unknown dtype " + dt + " (the format defines "
                    + new TreeSet<>(DTYPE_BITS.keySet()) + ")");
        }
        if (!(info.get("shape") instanceof List<?> shapeList)) {
            throw corrupt(source, "tensor '" + name + "' has no shape array");
        }
        int[] shape = new int[shapeList.size()];
        long elements = 1;
        for (int i = 0; i < shape.length; i++) {
            Object d = shapeList.get(i);
            if (!(d instanceof Long l) || l < 0 || l > Integer.MAX_VALUE) {
                throw corrupt(source, "tensor '" + name + "' has an invalid dimension "
                        + (d instanceof String str ? Json.quote(str) : d) + " in its shape");
            }
            shape[i] = (int) (long) l;
            elements *= l;
            if (elements > Integer.MAX_VALUE) {
                throw corrupt(source, "tensor '" + name + "' shape " + shapeList + " is too large");
            }
        }
        if (!(info.get("data_offsets") instanceof List<?> off) || off.size() != 2
                || !(off.get(0) instanceof Long begin) || !(off.get(1) instanceof Long end)) {
            throw corrupt(source, "tensor '" + name + "' needs data_offsets [begin, end] as two integers");
        }
        if (begin < 0 || end < begin) {
            throw corrupt(source, "tensor '" + name + "' has invalid data_offsets [" + begin + ", " + end + "]");
        }
        long totalBits = bits * elements;
        if (totalBits % 8 != 0) {
            // The reference reader refuses such a slice (MisalignedSlice) rather than rounding up.
            throw corrupt(source, "tensor '" + name + "' of shape " + shapeList + " and dtype " + dt + " holds "
                    + totalBits + " bits, not a whole number of bytes");
        }
        if (end - begin != totalBits / 8) {
            throw corrupt(source, "tensor '" + name + "' of shape " + shapeList + " and dtype " + dt + " needs "
                    + totalBits / 8 + " bytes, its data_offsets [" + begin + ", " + end + "] span " + (end - begin));
        }
        return new Entry(name, dt, shape, begin, end);
    }

    private static SafeTensorsFormatException corrupt(String source, String what) {
        return new SafeTensorsFormatException(source + ": invalid safetensors file: " + what);
    }
}
