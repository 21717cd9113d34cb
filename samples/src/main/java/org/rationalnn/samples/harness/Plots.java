package org.rationalnn.samples.harness;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.XYStyler;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import javax.imageio.ImageIO;

/**
 * Small helpers around XChart for the samples' PNG plots. Headless: {@link #headless()} is called before any
 * chart is built, so the samples run on machines without a display.
 */
public final class Plots {
    /** A fixed palette so that an activation has the same color in every plot of a run. */
    private static final Color[] PALETTE = {
            new Color(0xD62728), new Color(0x1F77B4), new Color(0x2CA02C), new Color(0xFF7F0E),
            new Color(0x9467BD), new Color(0x8C564B), new Color(0xE377C2), new Color(0x7F7F7F),
            new Color(0xBCBD22), new Color(0x17BECF)};

    private Plots() {
    }

    /** Sets {@code java.awt.headless=true} (unless the user set it) so AWT never looks for a display. */
    public static void headless() {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    /** The i-th palette color (wraps around). */
    public static Color color(int i) {
        return PALETTE[Math.floorMod(i, PALETTE.length)];
    }

    /**
     * A line chart with the samples' common style: white background, legend outside on the right (it never covers
     * data), short tick labels ({@link Fmt#tick}) instead of the full double precision.
     */
    public static XYChart chart(String title, String xTitle, String yTitle, int width, int height) {
        headless();
        XYChart c = new XYChartBuilder().width(width).height(height).title(title).xAxisTitle(xTitle)
                .yAxisTitle(yTitle).build();
        XYStyler s = c.getStyler();
        s.setChartBackgroundColor(Color.WHITE);
        s.setPlotBackgroundColor(Color.WHITE);
        s.setLegendPosition(Styler.LegendPosition.OutsideE);
        s.setLegendBorderColor(Color.WHITE);
        s.setPlotGridLinesColor(new Color(0xE8E8E8));
        s.setPlotGridLinesStroke(new java.awt.BasicStroke(0.6f)); // solid: XChart's dashed default reads as noise
        s.setAntiAlias(true);
        s.setMarkerSize(6);
        s.setxAxisTickLabelsFormattingFunction(Fmt::tick);
        s.setyAxisTickLabelsFormattingFunction(Fmt::tick);
        return c;
    }

    /**
     * A logarithmic x axis with labels at the decades only ("0.01", "1", "1E4"). XChart's own log labels are used:
     * a custom formatting function would make it place linear ticks on the log axis.
     */
    public static XYChart logX(XYChart c) {
        c.getStyler().setXAxisLogarithmic(true);
        c.getStyler().setXAxisLogarithmicDecadeOnly(true);
        c.getStyler().setxAxisTickLabelsFormattingFunction(null);
        return c;
    }

    /**
     * A logarithmic x axis for data from {@code min} to {@code max}: labels at the decades only when the data span
     * two decades or more, else at every 1..9 × 10^k (a narrow range would otherwise show a single label).
     */
    public static XYChart logX(XYChart c, double min, double max) {
        logX(c);
        c.getStyler().setXAxisLogarithmicDecadeOnly(max / min >= 100);
        return c;
    }

    /** A thin, light line without markers and without a legend entry: the spread around a median line. */
    public static XYSeries band(XYChart c, String name, double[] x, double[] y, int color) {
        XYSeries s = c.addSeries(name, x, y);
        Color base = color(color);
        s.setLineColor(new Color(base.getRed(), base.getGreen(), base.getBlue(), 110));
        s.setLineStyle(new java.awt.BasicStroke(1.0f, java.awt.BasicStroke.CAP_BUTT, java.awt.BasicStroke.JOIN_MITER,
                10f, new float[]{2f, 3f}, 0f));
        s.setMarker(SeriesMarkers.NONE);
        s.setShowInLegend(false);
        return s;
    }

    /** A logarithmic y axis with labels at the decades only (see {@link #logX}). */
    public static XYChart logY(XYChart c) {
        c.getStyler().setYAxisLogarithmic(true);
        c.getStyler().setYAxisLogarithmicDecadeOnly(true);
        c.getStyler().setyAxisTickLabelsFormattingFunction(null);
        return c;
    }

    /**
     * An x axis that shows log10 of the data on a linear scale, labelled "1E-8", "1E-6", ...: for many decades
     * (XChart's logarithmic axes label every decade, and a dozen labels overlap). Plot log10(x) as the x values.
     */
    public static XYChart exponentX(XYChart c) {
        c.getStyler().setxAxisTickLabelsFormattingFunction(v -> Math.abs(v - Math.rint(v)) < 1e-9
                ? (Math.rint(v) == 0 ? "1" : "1E" + (long) Math.rint(v)) : "");
        return c;
    }

    /** Sets the x range to [lo, hi] widened to multiples of a round step (ticks then land on round numbers). */
    public static XYChart xRange(XYChart c, double lo, double hi) {
        double[] r = roundRange(lo, hi);
        c.getStyler().setXAxisMin(r[0]);
        c.getStyler().setXAxisMax(r[1]);
        return c;
    }

    /** Sets the y range to [lo, hi] widened to multiples of a round step. */
    public static XYChart yRange(XYChart c, double lo, double hi) {
        double[] r = roundRange(lo, hi);
        c.getStyler().setYAxisMin(r[0]);
        c.getStyler().setYAxisMax(r[1]);
        return c;
    }

    /** [lo, hi] widened to multiples of 1, 2 or 5 × 10^k (about a tenth of the range). */
    static double[] roundRange(double lo, double hi) {
        double span = Math.max(hi - lo, 1e-12);
        double raw = span / 10;
        double p = Math.pow(10, Math.floor(Math.log10(raw)));
        double step = raw / p < 2 ? 2 * p : raw / p < 5 ? 5 * p : 10 * p;
        return new double[]{Math.floor(lo / step) * step, Math.ceil(hi / step) * step};
    }


    /** Adds a line with markers in palette color {@code color}. */
    public static XYSeries line(XYChart c, String name, double[] x, double[] y, int color) {
        XYSeries s = c.addSeries(name, x, y);
        s.setLineColor(color(color));
        s.setLineStyle(SeriesLines.SOLID);
        s.setMarkerColor(color(color));
        s.setMarker(SeriesMarkers.CIRCLE);
        return s;
    }

    /** Adds a dashed reference line without markers. */
    public static XYSeries dashed(XYChart c, String name, double[] x, double[] y, int color) {
        XYSeries s = c.addSeries(name, x, y);
        s.setLineColor(color(color));
        s.setLineStyle(SeriesLines.DASH_DASH);
        s.setMarker(SeriesMarkers.NONE);
        return s;
    }

    /** Adds a solid line without markers. */
    public static XYSeries curve(XYChart c, String name, double[] x, double[] y, int color) {
        XYSeries s = c.addSeries(name, x, y);
        s.setLineColor(color(color));
        s.setLineStyle(SeriesLines.SOLID);
        s.setMarker(SeriesMarkers.NONE);
        return s;
    }

    /** Writes the chart as PNG to {@code file} (parent folders are created). */
    public static void save(XYChart c, Path file) {
        write(BitmapEncoder.getBufferedImage(c), file);
    }

    /** Draws the charts into one PNG, {@code columns} per row, each chart at its own size. */
    public static void saveGrid(List<XYChart> charts, int columns, Path file) {
        if (charts.isEmpty()) {
            return;
        }
        int w = charts.get(0).getWidth();
        int h = charts.get(0).getHeight();
        int rows = (charts.size() + columns - 1) / columns;
        int cols = Math.min(columns, charts.size());
        BufferedImage all = new BufferedImage(w * cols, h * rows, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = all.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, all.getWidth(), all.getHeight());
        for (int i = 0; i < charts.size(); i++) {
            g.drawImage(BitmapEncoder.getBufferedImage(charts.get(i)), (i % columns) * w, (i / columns) * h, null);
        }
        g.dispose();
        write(all, file);
    }

    private static void write(BufferedImage image, Path file) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            ImageIO.write(image, "png", file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write plot " + file + ": " + e.getMessage(), e);
        }
    }
}
