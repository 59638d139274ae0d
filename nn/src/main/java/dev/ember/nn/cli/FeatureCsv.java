package dev.ember.nn.cli;

import dev.ember.nn.data.Csv;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a features-only CSV for {@code predict}: one row per record ({@link Csv.Records}: cells
 * may be quoted), numbers as {@link Csv#parseCell} reads them, optional header line, blank lines
 * skipped. A bad cell is reported with file, line and column.
 * The file is opened like training data ({@link Csv#openText}): gzip, a byte-order mark and text
 * that is not UTF-8 are handled the same way.
 */
final class FeatureCsv {
    private FeatureCsv() {
    }

    record Table(float[] values, int rows, int cols) {
    }

    static Table read(Path file, boolean header, int expectedCols) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new UsageException("input file " + file + " does not exist");
        }
        List<float[]> rows = new ArrayList<>();
        try (BufferedReader r = Csv.openText(file)) {
            Csv.Records records = new Csv.Records(r, file.toString());
            if (header) {
                records.next();
            }
            String[] cells;
            while ((cells = records.next()) != null) {
                int lineNo = records.line();
                if (cells.length != expectedCols) {
                    throw new IllegalArgumentException(file + ": line " + lineNo + " has " + cells.length
                            + " columns, the model takes " + expectedCols + " features");
                }
                float[] v = new float[expectedCols];
                for (int c = 0; c < cells.length; c++) {
                    // the same cells as training data: "1f", hex, NaN and Infinity are refused
                    v[c] = Csv.parseCell(cells[c], file.toString(), lineNo, c + 1);
                }
                rows.add(v);
            }
        } catch (IOException e) {
            // e.g. a truncated .gz; the stream's own message does not name the file
            throw new IOException("cannot read " + file + ": " + dev.ember.nn.io.IoErrors.reason(e), e);
        }
        if (rows.isEmpty()) {
            throw new IllegalArgumentException(file + ": no data rows");
        }
        float[] all = new float[rows.size() * expectedCols];
        for (int i = 0; i < rows.size(); i++) {
            System.arraycopy(rows.get(i), 0, all, i * expectedCols, expectedCols);
        }
        return new Table(all, rows.size(), expectedCols);
    }
}
