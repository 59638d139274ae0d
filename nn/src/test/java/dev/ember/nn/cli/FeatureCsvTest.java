package dev.ember.nn.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The predict input reader opens files like the training reader: byte-order mark, gzip, encoding errors. */
class FeatureCsvTest {
    @TempDir
    Path dir;

    private Path write(String name, byte[] bytes) throws IOException {
        Path f = dir.resolve(name);
        Files.write(f, bytes);
        return f;
    }

    private static byte[] gzip(String text) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (OutputStream o = new GZIPOutputStream(b)) {
            o.write(text.getBytes(StandardCharsets.UTF_8));
        }
        return b.toByteArray();
    }

    @Test
    void byteOrderMarkIsDroppedWithAndWithoutHeader() throws IOException {
        byte[] bom = "\uFEFF1.5,2\n3,4\n".getBytes(StandardCharsets.UTF_8);
        assertEquals(0xEF, bom[0] & 0xFF);
        FeatureCsv.Table t = FeatureCsv.read(write("bom.csv", bom), false, 2);
        assertArrayEquals(new float[] {1.5f, 2, 3, 4}, t.values());
        t = FeatureCsv.read(write("bomh.csv", "\uFEFFa,b\n5,6\n".getBytes(StandardCharsets.UTF_8)), true, 2);
        assertArrayEquals(new float[] {5, 6}, t.values());
    }

    @Test
    void gzippedInputIsRead() throws IOException {
        FeatureCsv.Table t = FeatureCsv.read(write("x.csv.gz", gzip("\uFEFF1,2\n\n3,4\n")), false, 2);
        assertEquals(2, t.rows());
        assertArrayEquals(new float[] {1, 2, 3, 4}, t.values());
    }

    /** Cells are read as training data reads them: no Java-only spellings, nothing non-finite. */
    @Test
    void cellsFollowTheTrainingDataRules() throws IOException {
        for (String bad : new String[] {"1f", "0x1p3", "NaN", "Infinity", "1e999", "", "abc"}) {
            Path f = write("bad.csv", ("1,2\n3," + bad + "\n").getBytes(StandardCharsets.UTF_8));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FeatureCsv.read(f, false, 2),
                    bad);
            assertTrue(e.getMessage().contains("bad.csv line 2, column 2"), e.getMessage());
        }
        FeatureCsv.Table t = FeatureCsv.read(write("ok.csv", " -1.5e2 , .25\n".getBytes(StandardCharsets.UTF_8)),
                false, 2);
        assertArrayEquals(new float[] {-150f, 0.25f}, t.values());
    }

    /** Quoted cells, as pandas' to_csv(quoting=QUOTE_ALL) writes them; a broken quote is still an error. */
    @Test
    void quotedCellsAreRead() throws IOException {
        FeatureCsv.Table t = FeatureCsv.read(write("q.csv", "\"a, cm\",\"b\"\n\"1.5\", \"2\" \n3,\"-4e1\"\n"
                .getBytes(StandardCharsets.UTF_8)), true, 2);
        assertArrayEquals(new float[] {1.5f, 2, 3, -40}, t.values());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FeatureCsv.read(
                write("open.csv", "1,2\n\"3,4\n".getBytes(StandardCharsets.UTF_8)), false, 2));
        assertTrue(e.getMessage().contains("open.csv line 2, column 1: the quoted cell is not closed"), e.getMessage());
    }

    @Test
    void encodingAndGzipProblemsNameTheFile() throws IOException {
        Path latin1 = write("latin1.csv", "1,2\n3,\u00e9\n".getBytes(StandardCharsets.ISO_8859_1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> FeatureCsv.read(latin1, false, 2));
        assertTrue(e.getMessage().contains("latin1.csv line 2") && e.getMessage().contains("not UTF-8"),
                e.getMessage());
        Path utf16 = write("u16.csv", "1,2\n".getBytes(StandardCharsets.UTF_16));
        e = assertThrows(IllegalArgumentException.class, () -> FeatureCsv.read(utf16, false, 2));
        assertTrue(e.getMessage().contains("u16.csv line 1") && e.getMessage().contains("not UTF-8"),
                e.getMessage());
        byte[] gz = gzip("1,2\n".repeat(1000));
        Path cut = write("cut.csv.gz", Arrays.copyOf(gz, gz.length / 2));
        IOException io = assertThrows(IOException.class, () -> FeatureCsv.read(cut, false, 2));
        assertTrue(io.getMessage().contains("cut.csv.gz"), io.getMessage());
    }
}
