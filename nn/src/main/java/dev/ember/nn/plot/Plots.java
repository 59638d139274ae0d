package dev.ember.nn.plot;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Paint;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.annotations.XYTextAnnotation;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.SymbolAxis;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.PaintScale;
import org.jfree.chart.renderer.xy.XYBlockRenderer;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.PaintScaleLegend;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.chart.ui.RectangleInsets;
import org.jfree.data.xy.DefaultXYZDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * PNG charts of a training run, drawn with JFreeChart in headless mode: per-epoch curves (loss,
 * accuracy) and the confusion matrix as a heat map with the count in each cell. Files are written
 * to a temporary sibling and renamed, so a reader never sees half a PNG.
 */
public final class Plots {
    /** Default size of {@link #curves}. */
    public static final int CURVES_WIDTH = 800;
    public static final int CURVES_HEIGHT = 500;
    /** Line colours, in series order (colour-blind-safe Okabe-Ito palette). */
    public static final List<Color> PALETTE = List.of(new Color(0x0072B2), new Color(0xD55E00),
            new Color(0x009E73), new Color(0xCC79A7), new Color(0xE69F00), new Color(0x56B4E9),
            new Color(0xF0E442), new Color(0x000000));
    /** Colour of the largest count in a confusion matrix (zero is white). */
    public static final Color HEAT_MAX = new Color(0x08306B);

    static {
        System.setProperty("java.awt.headless", "true");
    }

    /**
     * The one line to print when a chart could not be drawn, for callers that treat charts as
     * optional. AWT cannot render text without fonts (a bare GPU server or container: "Fontconfig
     * head is null", or an Error "No fonts found"); out-of-memory and other virtual-machine errors
     * are rethrown, since they are not a charting problem.
     */
    public static String skipped(String what, Throwable e) {
        if (e instanceof VirtualMachineError vme && !(e instanceof InternalError)) {
            throw vme;
        }
        boolean fonts = false;
        for (Throwable t = e; t != null && !fonts; t = t.getCause() == t ? null : t.getCause()) {
            fonts = String.valueOf(t.getMessage()).toLowerCase(java.util.Locale.ROOT).contains("font");
        }
        return what + " skipped (" + e + ")" + (fonts ? "; install fonts (e.g. fonts-dejavu-core) to get them" : "");
    }

    private Plots() {
    }

    /**
     * Line chart of per-epoch values: one line per map entry (in the map's order), x = epoch 1..n.
     * NaN values are left out (e.g. a validation metric missing for some epochs).
     */
    public static void curves(Path png, String title, String yLabel, Map<String, double[]> series) throws IOException {
        curves(png, title, "epoch", yLabel, series, CURVES_WIDTH, CURVES_HEIGHT);
    }

    /** {@link #curves(Path, String, String, Map)} with an x label and a size in pixels. */
    public static void curves(Path png, String title, String xLabel, String yLabel, Map<String, double[]> series,
                              int width, int height) throws IOException {
        Objects.requireNonNull(series, "series");
        checkSize(width, height);
        if (series.isEmpty()) {
            throw new IllegalArgumentException("Plots.curves: no series to draw");
        }
        XYSeriesCollection data = new XYSeriesCollection();
        for (Map.Entry<String, double[]> e : series.entrySet()) {
            XYSeries s = new XYSeries(e.getKey(), false, true);
            double[] v = Objects.requireNonNull(e.getValue(), "series " + e.getKey());
            for (int i = 0; i < v.length; i++) {
                if (Double.isInfinite(v[i])) {
                    throw new IllegalArgumentException("Plots.curves: series '" + e.getKey() + "' has " + v[i]
                            + " at epoch " + (i + 1));
                }
                if (!Double.isNaN(v[i])) {
                    s.add(i + 1, v[i]);
                }
            }
            data.addSeries(s);
        }
        NumberAxis x = new NumberAxis(xLabel);
        x.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        NumberAxis y = new NumberAxis(yLabel);
        y.setAutoRangeIncludesZero(false);
        XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, true);
        for (int i = 0; i < series.size(); i++) {
            r.setSeriesPaint(i, PALETTE.get(i % PALETTE.size()));
            r.setSeriesStroke(i, new BasicStroke(2f));
            r.setSeriesShapesVisible(i, maxLength(series) <= 60);
        }
        XYPlot plot = new XYPlot(data, x, y, r);
        plot.setOrientation(PlotOrientation.VERTICAL);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(new Color(0xDDDDDD));
        plot.setRangeGridlinePaint(new Color(0xDDDDDD));
        JFreeChart chart = new JFreeChart(title, JFreeChart.DEFAULT_TITLE_FONT, plot, true);
        chart.setBackgroundPaint(Color.WHITE);
        save(png, chart, width, height);
    }

    /** Pixel size used by {@link #confusionMatrix(Path, int[][], List, String)} for {@code n} classes. */
    public static int confusionMatrixSize(int n) {
        return Math.min(1400, Math.max(520, 200 + 64 * n));
    }

    /**
     * Heat map of a confusion matrix ({@code matrix[true][predicted]}), white for 0 to dark blue for
     * the largest count, with each count printed in its cell; true classes run top to bottom.
     */
    public static void confusionMatrix(Path png, int[][] matrix, List<String> classNames, String title)
            throws IOException {
        int size = confusionMatrixSize(classNames.size());
        confusionMatrix(png, matrix, classNames, title, size + 120, size);
    }

    /** {@link #confusionMatrix(Path, int[][], List, String)} with a size in pixels. */
    public static void confusionMatrix(Path png, int[][] matrix, List<String> classNames, String title, int width,
                                       int height) throws IOException {
        Objects.requireNonNull(matrix, "matrix");
        Objects.requireNonNull(classNames, "classNames");
        checkSize(width, height);
        int n = classNames.size();
        if (n < 1 || matrix.length != n) {
            throw new IllegalArgumentException("Plots.confusionMatrix: " + matrix.length + " rows for " + n
                    + " class names");
        }
        int max = 0;
        double[] xs = new double[n * n];
        double[] ys = new double[n * n];
        double[] zs = new double[n * n];
        for (int t = 0; t < n; t++) {
            if (matrix[t] == null || matrix[t].length != n) {
                throw new IllegalArgumentException("Plots.confusionMatrix: row " + t + " has "
                        + (matrix[t] == null ? "no" : matrix[t].length) + " columns, expected " + n);
            }
            for (int p = 0; p < n; p++) {
                if (matrix[t][p] < 0) {
                    throw new IllegalArgumentException("Plots.confusionMatrix: negative count " + matrix[t][p]
                            + " at [" + t + "][" + p + "]");
                }
                max = Math.max(max, matrix[t][p]);
                xs[t * n + p] = p;
                ys[t * n + p] = t;
                zs[t * n + p] = matrix[t][p];
            }
        }
        DefaultXYZDataset data = new DefaultXYZDataset();
        data.addSeries("counts", new double[][] {xs, ys, zs});
        String[] names = classNames.toArray(String[]::new);
        SymbolAxis x = new SymbolAxis("predicted", names);
        SymbolAxis y = new SymbolAxis("true", names);
        x.setRange(-0.5, n - 0.5);
        y.setRange(-0.5, n - 0.5);
        y.setInverted(true);
        x.setGridBandsVisible(false);
        y.setGridBandsVisible(false);
        int longest = classNames.stream().mapToInt(String::length).max().orElse(0);
        if ((long) n * longest > 60) {
            x.setVerticalTickLabels(true);
        }
        HeatScale scale = new HeatScale(Math.max(1, max));
        XYBlockRenderer r = new XYBlockRenderer();
        r.setBlockWidth(1);
        r.setBlockHeight(1);
        r.setPaintScale(scale);
        XYPlot plot = new XYPlot(data, x, y, r);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinesVisible(false);
        plot.setRangeGridlinesVisible(false);
        plot.setAxisOffset(RectangleInsets.ZERO_INSETS);
        float fontSize = (float) Math.max(9, Math.min(20, 240.0 / n));
        Font font = new Font(Font.SANS_SERIF, Font.BOLD, Math.round(fontSize));
        for (int t = 0; t < n; t++) {
            for (int p = 0; p < n; p++) {
                XYTextAnnotation a = new XYTextAnnotation(Integer.toString(matrix[t][p]), p, t);
                a.setFont(font);
                a.setPaint(matrix[t][p] > 0.5 * max ? Color.WHITE : matrix[t][p] == 0 ? Color.GRAY : Color.BLACK);
                plot.addAnnotation(a);
            }
        }
        JFreeChart chart = new JFreeChart(title, JFreeChart.DEFAULT_TITLE_FONT, plot, false);
        NumberAxis legendAxis = new NumberAxis("count");
        legendAxis.setRange(0, Math.max(1, max));
        legendAxis.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        PaintScaleLegend legend = new PaintScaleLegend(scale, legendAxis);
        legend.setPosition(RectangleEdge.RIGHT);
        legend.setMargin(new RectangleInsets(10, 10, 10, 10));
        legend.setStripWidth(16);
        chart.addSubtitle(legend);
        chart.setBackgroundPaint(Color.WHITE);
        save(png, chart, width, height);
    }

    /** Linear white-to-{@link #HEAT_MAX} scale on [0, max]. */
    private record HeatScale(double max) implements PaintScale {
        @Override
        public double getLowerBound() {
            return 0;
        }

        @Override
        public double getUpperBound() {
            return max;
        }

        @Override
        public Paint getPaint(double value) {
            double f = Double.isNaN(value) ? 0 : Math.max(0, Math.min(1, value / max));
            return new Color(mix(255, HEAT_MAX.getRed(), f), mix(255, HEAT_MAX.getGreen(), f),
                    mix(255, HEAT_MAX.getBlue(), f));
        }

        private static int mix(int a, int b, double f) {
            return (int) Math.round(a + (b - a) * f);
        }
    }

    private static int maxLength(Map<String, double[]> series) {
        int m = 0;
        for (double[] v : series.values()) {
            m = Math.max(m, v == null ? 0 : v.length);
        }
        return m;
    }

    private static void checkSize(int width, int height) {
        if (width < 50 || height < 50 || width > 10_000 || height > 10_000) {
            throw new IllegalArgumentException("Plots: image size " + width + " x " + height
                    + " outside 50..10000 pixels");
        }
    }

    private static void save(Path png, JFreeChart chart, int width, int height) throws IOException {
        Path abs = png.toAbsolutePath();
        Path tmp = abs.resolveSibling("." + abs.getFileName() + "." + Long.toHexString(System.nanoTime()) + ".tmp");
        boolean moved = false;
        try {
            try (OutputStream out = Files.newOutputStream(tmp)) {
                ChartUtils.writeChartAsPNG(out, chart, width, height);
            }
            Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            moved = true;
        } finally {
            if (!moved) {
                Files.deleteIfExists(tmp);
            }
        }
    }
}
