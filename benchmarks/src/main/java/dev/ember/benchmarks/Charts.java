package dev.ember.benchmarks;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.CategoryLabelPositions;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.renderer.category.LineAndShapeRenderer;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.category.DefaultCategoryDataset;

/**
 * PNG charts of a report (JFreeChart, headless): per op, grouped bars of the rate on each device
 * (with-transfers bars beside resident ones), and where an accelerator was measured, its speedup
 * over the CPU against size with the break-even line at 1, so the crossover is visible.
 */
public final class Charts {
    private Charts() {
    }

    /** Writes the charts into {@code dir} and returns the files written. */
    public static List<Path> write(ReportTable table, Path dir) throws IOException {
        System.setProperty("java.awt.headless", "true");
        Files.createDirectories(dir);
        Map<String, List<ReportTable.Line>> byOp = new LinkedHashMap<>();
        table.lines().forEach(l -> byOp.computeIfAbsent(l.op(), k -> new ArrayList<>()).add(l));
        List<Path> written = new ArrayList<>();
        for (Map.Entry<String, List<ReportTable.Line>> e : byOp.entrySet()) {
            written.add(bars(e.getKey(), e.getValue(), table.devices(), dir));
            if (table.devices().contains("cpu") && !table.accelerators().isEmpty()) {
                Path p = speedup(e.getKey(), e.getValue(), table.accelerators(), dir);
                if (p != null) {
                    written.add(p);
                }
            }
        }
        return written;
    }

    private static String fileName(String op) {
        return op.replaceAll("[^A-Za-z0-9_.-]", "_");
    }

    /** Every chart file {@link #write} may write for {@code op} into {@code dir}, whether or not it exists. */
    static List<Path> files(String op, Path dir) {
        return List.of(dir.resolve(fileName(op) + ".png"), dir.resolve(fileName(op) + "-speedup.png"));
    }

    private static Path bars(String op, List<ReportTable.Line> lines, List<String> devices, Path dir) throws IOException {
        BarData data = barData(lines, devices);
        JFreeChart chart = ChartFactory.createBarChart(op + ": " + data.axis() + " by size and device", "size",
                data.axis(), data.values(), PlotOrientation.VERTICAL, true, false, false);
        style(chart);
        Path f = files(op, dir).get(0);
        ChartUtils.saveChartAsPNG(f.toFile(), chart, 900, 500);
        return f;
    }

    /** A bar chart's value axis ("GFLOP/s", "GB/s" or "ms per op") and its bars. */
    record BarData(String axis, DefaultCategoryDataset values) {
    }

    /**
     * The bar chart's data: a series per device and mode, against size. A row without the rate
     * (not counted, or not measured) gets no bar: a bar of height 0 would read as a rate of 0.
     */
    static BarData barData(List<ReportTable.Line> lines, List<String> devices) {
        boolean flops = lines.stream().flatMap(l -> l.byDevice().values().stream()).anyMatch(ResultRow::hasFlops);
        boolean bytes = lines.stream().flatMap(l -> l.byDevice().values().stream()).anyMatch(ResultRow::hasBytes);
        String axis = flops ? "GFLOP/s" : bytes ? "GB/s" : "ms per op";
        DefaultCategoryDataset ds = new DefaultCategoryDataset();
        for (ReportTable.Line l : lines) {
            for (String d : devices) {
                ResultRow r = l.byDevice().get(d);
                if (r == null) {
                    continue;
                }
                double v = flops ? r.flopRate() / 1e9 : bytes ? r.byteRate() / 1e9 : r.seconds() * 1e3;
                String series = d + (l.mode().equals("with_transfers") ? " with transfers" : "");
                // null keeps the size's slot for this series (the bars stay aligned) and draws nothing
                ds.addValue(Double.isFinite(v) ? v : null, series, l.size());
            }
        }
        return new BarData(axis, ds);
    }

    private static Path speedup(String op, List<ReportTable.Line> lines, List<String> accelerators, Path dir)
            throws IOException {
        DefaultCategoryDataset ds = speedupData(lines, accelerators);
        if (ds.getRowCount() == 0) {
            return null;
        }
        JFreeChart chart = ChartFactory.createLineChart(op + ": speedup over CPU (above 1 = faster than CPU)", "size",
                "speedup (CPU time / device time)", ds, PlotOrientation.VERTICAL, true, false, false);
        style(chart);
        CategoryPlot plot = chart.getCategoryPlot();
        ValueMarker even = new ValueMarker(1.0, Color.DARK_GRAY, new BasicStroke(1.5f, BasicStroke.CAP_BUTT,
                BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f));
        even.setLabel("CPU break-even");
        even.setLabelAnchor(RectangleAnchor.TOP_RIGHT);
        even.setLabelTextAnchor(TextAnchor.BOTTOM_RIGHT);
        plot.addRangeMarker(even);
        LineAndShapeRenderer renderer = (LineAndShapeRenderer) plot.getRenderer();
        renderer.setDefaultShapesVisible(true);
        renderer.setAutoPopulateSeriesStroke(false);
        renderer.setDefaultStroke(new BasicStroke(2.5f));
        Path f = files(op, dir).get(1);
        ChartUtils.saveChartAsPNG(f.toFile(), chart, 900, 500);
        return f;
    }

    /**
     * The speedup chart's data: a line (series) per accelerator, mode and product, against size.
     * Where an op's sizes name different products (gemm_mlp), each product is its own line over
     * its batches ({@code b128}), so no line joins one product to another.
     */
    static DefaultCategoryDataset speedupData(List<ReportTable.Line> lines, List<String> accelerators) {
        DefaultCategoryDataset ds = new DefaultCategoryDataset();
        for (String d : accelerators) {
            for (ReportTable.Line l : lines) {
                double s = l.speedup(d);
                if (Double.isFinite(s)) {
                    String product = ReportTable.product(l);
                    String size = product.isEmpty() || !l.size().startsWith(product + "_") ? l.size()
                            : l.size().substring(product.length() + 1);
                    ds.addValue(s, d + (product.isEmpty() ? "" : " " + product)
                            + (l.mode().isEmpty() ? "" : " " + l.mode()), size);
                }
            }
        }
        return ds;
    }

    private static void style(JFreeChart chart) {
        CategoryPlot plot = chart.getCategoryPlot();
        plot.setBackgroundPaint(Color.WHITE);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        plot.getDomainAxis().setCategoryLabelPositions(CategoryLabelPositions.UP_45);
        chart.setBackgroundPaint(Color.WHITE);
    }
}
