package dev.ember.nn.plot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PlotsTest {
    @TempDir
    Path dir;

    /** Directory to keep the PNGs for a look, when -Dember.plots.keep=DIR is given. */
    private Path out() {
        String keep = System.getProperty("ember.plots.keep");
        return keep == null ? dir : Path.of(keep);
    }

    private static int countColor(BufferedImage img, Color c, int tol) {
        int n = 0;
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                int rgb = img.getRGB(x, y);
                if (Math.abs(((rgb >> 16) & 255) - c.getRed()) <= tol && Math.abs(((rgb >> 8) & 255) - c.getGreen()) <= tol
                        && Math.abs((rgb & 255) - c.getBlue()) <= tol) {
                    n++;
                }
            }
        }
        return n;
    }

    @Test
    void curvesPngHasSizeAndSeriesColours() throws IOException {
        Map<String, double[]> s = new LinkedHashMap<>();
        double[] train = new double[30];
        double[] val = new double[30];
        for (int i = 0; i < 30; i++) {
            train[i] = 1.1 * Math.exp(-i / 8.0) + 0.05;
            val[i] = i == 3 ? Double.NaN : 1.2 * Math.exp(-i / 10.0) + 0.12;
        }
        s.put("train loss", train);
        s.put("val loss", val);
        Path png = out().resolve("curves.png");
        Plots.curves(png, "wine: loss per epoch", "loss", s);
        assertTrue(Files.size(png) > 10_000, "PNG size " + Files.size(png));
        BufferedImage img = ImageIO.read(png.toFile());
        assertEquals(Plots.CURVES_WIDTH, img.getWidth());
        assertEquals(Plots.CURVES_HEIGHT, img.getHeight());
        assertTrue(countColor(img, Plots.PALETTE.get(0), 10) > 500, "first series drawn");
        assertTrue(countColor(img, Plots.PALETTE.get(1), 10) > 500, "second series drawn");
        assertTrue(countColor(img, Plots.PALETTE.get(2), 10) < 20, "no third series");
        try (Stream<Path> files = Files.list(png.getParent())) {
            assertTrue(files.noneMatch(p -> p.getFileName().toString().endsWith(".tmp")));
        }
    }

    @Test
    void confusionMatrixHeatMap() throws IOException {
        int[][] m = {{11, 1, 0}, {0, 14, 0}, {0, 1, 9}};
        Path png = out().resolve("confusion.png");
        List<String> names = List.of("class_0", "class_1", "class_2");
        Plots.confusionMatrix(png, m, names, "wine: confusion matrix (test)");
        BufferedImage img = ImageIO.read(png.toFile());
        int size = Plots.confusionMatrixSize(3);
        assertEquals(size + 120, img.getWidth());
        assertEquals(size, img.getHeight());
        assertTrue(Files.size(png) > 5_000);
        // The largest count (14) is drawn in the darkest colour, a large block of it.
        int darkest = countColor(img, Plots.HEAT_MAX, 2);
        assertTrue(darkest > 10_000, "dark cell pixels " + darkest);
        // Ten classes, as for digits: also renders.
        int[][] ten = new int[10][10];
        for (int i = 0; i < 10; i++) {
            ten[i][i] = 30 + i;
            ten[i][(i + 3) % 10] = i % 3;
        }
        Path png10 = out().resolve("confusion10.png");
        Plots.confusionMatrix(png10, ten, List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9"), "digits");
        BufferedImage img10 = ImageIO.read(png10.toFile());
        assertEquals(Plots.confusionMatrixSize(10), img10.getHeight());
    }

    @Test
    void rejectsBadInput() {
        Path png = dir.resolve("x.png");
        assertThrows(IllegalArgumentException.class, () -> Plots.confusionMatrix(png, new int[][] {{1, 2}},
                List.of("a", "b"), "t"));
        assertThrows(IllegalArgumentException.class, () -> Plots.confusionMatrix(png, new int[][] {{1, -2}, {0, 0}},
                List.of("a", "b"), "t"));
        assertThrows(IllegalArgumentException.class, () -> Plots.curves(png, "t", "y", Map.of()));
        assertThrows(IllegalArgumentException.class, () -> Plots.curves(png, "t", "y",
                Map.of("a", new double[] {1, Double.POSITIVE_INFINITY})));
        assertTrue(!Files.exists(png));
    }

    /** A charting failure becomes one line, with the font hint only when fonts are the cause; VM errors pass. */
    @Test
    void skippedChartsSayWhyAndVmErrorsPass() {
        String fonts = Plots.skipped("charts", new RuntimeException("Fontconfig head is null, check your fonts"));
        assertTrue(fonts.startsWith("charts skipped (java.lang.RuntimeException: Fontconfig head is null"), fonts);
        assertTrue(fonts.endsWith("install fonts (e.g. fonts-dejavu-core) to get them"), fonts);
        String other = Plots.skipped("plots", new IllegalStateException("width 0"));
        assertEquals("plots skipped (java.lang.IllegalStateException: width 0)", other);
        assertTrue(Plots.skipped("plots", new Error("Probable fatal error: No fonts found.")).contains("install fonts"));
        assertThrows(OutOfMemoryError.class, () -> Plots.skipped("plots", new OutOfMemoryError("heap")));
        assertTrue(Plots.skipped("charts", new ExceptionInInitializerError(new RuntimeException("Fontconfig head is null")))
                .contains("install fonts"));
    }
}
