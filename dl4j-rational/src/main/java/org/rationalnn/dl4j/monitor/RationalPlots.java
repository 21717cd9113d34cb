package org.rationalnn.dl4j.monitor;

import org.deeplearning4j.nn.api.Model;
import org.rationalnn.dl4j.rational.RationalFunction;

import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.Stroke;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One PNG picture of every rational of a network: per rational a panel with its learned function (up to
 * {@value #MAX_CURVES} coefficient sets), the function it started from (dashed) and a histogram of its inputs, over
 * the input range the {@link RationalMonitor} saw (else the spec's fit interval, else [-3, 3]). Drawn with
 * {@code java.awt} and written with {@code ImageIO}, so the library needs no plotting dependency; headless
 * ({@code java.awt.headless=true} is set unless the application chose otherwise).
 *
 * <p>The start is the spec's initial function where the configuration gives it, else the coefficients the monitor saw
 * first (the transformer block's KAT rationals); histograms need a monitor that watched training.
 */
public final class RationalPlots {
    /** Coefficient sets drawn per rational. */
    public static final int MAX_CURVES = 8;
    static final int PANEL_WIDTH = 420;
    static final int PANEL_HEIGHT = 300;
    static final int COLUMNS = 3;
    private static final Color[] PALETTE = {new Color(0xD62728), new Color(0x1F77B4), new Color(0x2CA02C),
            new Color(0xFF7F0E), new Color(0x9467BD), new Color(0x8C564B), new Color(0xE377C2), new Color(0x17BECF)};
    private static final int POINTS = 241;
    private static final int BINS = 40;

    private RationalPlots() {
    }

    /** What one panel shows. */
    private record Panel(String title, double lo, double hi, List<RationalFunction> learned, RationalFunction initial,
                         double[] sample) {
    }

    /**
     * Writes the picture.
     *
     * @param network a MultiLayerNetwork or ComputationGraph
     * @param monitor the monitor that watched its training (input ranges, histograms, initial coefficients), or null
     * @param file    the PNG file (parent folders are created)
     * @return the names of the rationals drawn, in panel order
     * @throws IOException if the file cannot be written
     */
    public static List<String> write(Model network, RationalMonitor monitor, Path file) throws IOException {
        headless();
        List<Panel> panels = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (RationalSite s : RationalSite.find(network)) {
            panels.add(panel(s, monitor));
            names.add(s.name());
        }
        int columns = Math.max(1, Math.min(COLUMNS, panels.size()));
        int rows = Math.max(1, (panels.size() + columns - 1) / columns);
        BufferedImage img = new BufferedImage(columns * PANEL_WIDTH, rows * PANEL_HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, img.getWidth(), img.getHeight());
        if (panels.isEmpty()) {
            g.setColor(Color.DARK_GRAY);
            g.drawString("no rational layers in this network", 20, 40);
        }
        for (int i = 0; i < panels.size(); i++) {
            draw(g, panels.get(i), (i % columns) * PANEL_WIDTH, (i / columns) * PANEL_HEIGHT);
        }
        g.dispose();
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        if (!ImageIO.write(img, "png", file.toFile())) {
            throw new IOException("no PNG writer available for " + file);
        }
        return names;
    }

    private static void headless() {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    private static Panel panel(RationalSite s, RationalMonitor monitor) {
        double[] range = monitor == null ? null : monitor.inputRange(s.name());
        double[] iv = s.fitInterval();
        double lo;
        double hi;
        if (range != null && range[1] > range[0]) {
            double pad = 0.05 * (range[1] - range[0]);
            lo = range[0] - pad;
            hi = range[1] + pad;
        } else if (iv != null) {
            lo = iv[0];
            hi = iv[1];
        } else {
            lo = -3;
            hi = 3;
        }
        int sets = (int) s.numerator().size(0);
        List<RationalFunction> learned = new ArrayList<>();
        for (int k = 0; k < Math.min(sets, MAX_CURVES); k++) {
            learned.add(s.function(k));
        }
        RationalFunction initial = s.initialFunction();
        if (initial == null && monitor != null) {
            double[] c = monitor.initialCoefficients(s.name());
            int m1 = s.slot().numeratorDegree() + 1;
            int dl = s.slot().version().denominatorLength(s.slot().denominatorDegree());
            if (c != null && c.length == sets * (m1 + dl)) {
                initial = new RationalFunction(s.slot().version(), java.util.Arrays.copyOfRange(c, 0, m1),
                        java.util.Arrays.copyOfRange(c, sets * m1, sets * m1 + dl));
            }
        }
        String title = s.name() + ": " + s.slot().version() + " (" + s.slot().numeratorDegree() + ","
                + s.slot().denominatorDegree() + ")" + (sets > 1 ? ", " + sets + " sets" + (sets > MAX_CURVES
                ? " (first " + MAX_CURVES + ")" : "") : "");
        return new Panel(title, lo, hi, learned, initial, monitor == null ? new double[0]
                : monitor.inputSample(s.name()));
    }

    private static void draw(Graphics2D g, Panel p, int ox, int oy) {
        int left = ox + 56;
        int right = ox + PANEL_WIDTH - 14;
        int top = oy + 30;
        int bottom = oy + PANEL_HEIGHT - 42;
        double[] xs = new double[POINTS];
        for (int i = 0; i < POINTS; i++) {
            xs[i] = p.lo + (p.hi - p.lo) * i / (POINTS - 1);
        }
        List<double[]> curves = new ArrayList<>();
        for (RationalFunction f : p.learned) {
            curves.add(values(f, xs));
        }
        double[] init = p.initial == null ? null : values(p.initial, xs);
        double[] yr = yRange(curves, init);

        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 12));
        g.drawString(p.title, ox + 10, oy + 18);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 10));

        // histogram of the inputs, in the lower 30% of the plot
        if (p.sample.length > 0) {
            int[] counts = new int[BINS];
            for (double v : p.sample) {
                int b = (int) Math.floor((v - p.lo) / (p.hi - p.lo) * BINS);
                if (b >= 0 && b < BINS) {
                    counts[b]++;
                }
            }
            int maxCount = 1;
            for (int c : counts) {
                maxCount = Math.max(maxCount, c);
            }
            g.setColor(new Color(0xC6DBEF));
            double w = (right - left) / (double) BINS;
            for (int b = 0; b < BINS; b++) {
                int h = (int) Math.round(0.3 * (bottom - top) * counts[b] / maxCount);
                g.fillRect((int) Math.round(left + b * w), bottom - h, (int) Math.ceil(w) - 1, h);
            }
        }

        // axes, grid and ticks
        g.setColor(new Color(0xE0E0E0));
        for (int k = 0; k <= 4; k++) {
            int x = left + (right - left) * k / 4;
            int y = bottom - (bottom - top) * k / 4;
            g.drawLine(x, top, x, bottom);
            g.drawLine(left, y, right, y);
        }
        g.setColor(Color.DARK_GRAY);
        g.drawRect(left, top, right - left, bottom - top);
        for (int k = 0; k <= 4; k++) {
            int x = left + (right - left) * k / 4;
            int y = bottom - (bottom - top) * k / 4;
            String xl = label(p.lo + (p.hi - p.lo) * k / 4);
            String yl = label(yr[0] + (yr[1] - yr[0]) * k / 4);
            g.drawString(xl, x - g.getFontMetrics().stringWidth(xl) / 2, bottom + 13);
            g.drawString(yl, left - 4 - g.getFontMetrics().stringWidth(yl), y + 4);
        }
        if (yr[0] < 0 && yr[1] > 0) {
            g.setColor(Color.GRAY);
            int y0 = yPix(0, yr, top, bottom);
            g.drawLine(left, y0, right, y0);
        }

        java.awt.Shape clip = g.getClip();
        g.clipRect(left, top, right - left + 1, bottom - top + 1);
        Stroke solid = new BasicStroke(1.8f);
        if (init != null) {
            g.setColor(Color.BLACK);
            g.setStroke(new BasicStroke(1.4f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 1f, new float[]{6f, 4f},
                    0f));
            g.draw(path(xs, init, p.lo, p.hi, yr, left, right, top, bottom));
        }
        g.setStroke(solid);
        for (int c = curves.size() - 1; c >= 0; c--) {
            g.setColor(PALETTE[c % PALETTE.length]);
            g.draw(path(xs, curves.get(c), p.lo, p.hi, yr, left, right, top, bottom));
        }
        g.setClip(clip);
        g.setStroke(new BasicStroke(1f));

        // legend
        int ly = oy + PANEL_HEIGHT - 14;
        int lx = ox + 12;
        g.setColor(PALETTE[0]);
        g.fillRect(lx, ly - 8, 14, 3);
        g.setColor(Color.BLACK);
        g.drawString(curves.size() > 1 ? "learned (per set)" : "learned", lx + 18, ly - 3);
        lx += 130;
        if (init != null) {
            g.drawLine(lx, ly - 7, lx + 5, ly - 7);
            g.drawLine(lx + 9, ly - 7, lx + 14, ly - 7);
            g.drawString("initial", lx + 18, ly - 3);
            lx += 80;
        }
        if (p.sample.length > 0) {
            g.setColor(new Color(0xC6DBEF));
            g.fillRect(lx, ly - 11, 14, 9);
            g.setColor(Color.BLACK);
            g.drawString("inputs (" + p.sample.length + " sampled)", lx + 18, ly - 3);
        }
    }

    private static double[] values(RationalFunction f, double[] xs) {
        double[] y = new double[xs.length];
        for (int i = 0; i < xs.length; i++) {
            y[i] = f.value(xs[i]);
        }
        return y;
    }

    /** A y range covering the curves' middle 96% of values with half its spread to spare (spikes near poles leave it). */
    private static double[] yRange(List<double[]> curves, double[] init) {
        List<Double> all = new ArrayList<>();
        for (double[] c : curves) {
            for (double v : c) {
                if (Double.isFinite(v)) {
                    all.add(v);
                }
            }
        }
        if (init != null) {
            for (double v : init) {
                if (Double.isFinite(v)) {
                    all.add(v);
                }
            }
        }
        if (all.isEmpty()) {
            return new double[]{-1, 1};
        }
        all.sort(Double::compare);
        double q02 = all.get((int) (0.02 * (all.size() - 1)));
        double q98 = all.get((int) (0.98 * (all.size() - 1)));
        double spread = Math.max(q98 - q02, 1e-6);
        double lo = Math.max(all.get(0), q02 - 0.5 * spread);
        double hi = Math.min(all.get(all.size() - 1), q98 + 0.5 * spread);
        if (hi - lo < 1e-9) {
            lo -= 0.5;
            hi += 0.5;
        }
        double pad = 0.05 * (hi - lo);
        return new double[]{lo - pad, hi + pad};
    }

    private static int yPix(double y, double[] yr, int top, int bottom) {
        return (int) Math.round(bottom - (y - yr[0]) / (yr[1] - yr[0]) * (bottom - top));
    }

    private static Path2D path(double[] xs, double[] ys, double lo, double hi, double[] yr, int left, int right,
                               int top, int bottom) {
        Path2D.Double path = new Path2D.Double();
        boolean pen = false;
        double span = yr[1] - yr[0];
        for (int i = 0; i < xs.length; i++) {
            if (!Double.isFinite(ys[i])) {
                pen = false;
                continue;
            }
            double y = Math.max(yr[0] - 10 * span, Math.min(yr[1] + 10 * span, ys[i]));
            double px = left + (xs[i] - lo) / (hi - lo) * (right - left);
            double py = bottom - (y - yr[0]) / span * (bottom - top);
            if (pen) {
                path.lineTo(px, py);
            } else {
                path.moveTo(px, py);
                pen = true;
            }
        }
        return path;
    }

    private static String label(double v) {
        if (v == 0) {
            return "0";
        }
        double a = Math.abs(v);
        return a >= 1e4 || a < 1e-3 ? String.format(Locale.ROOT, "%.1e", v) : String.format(Locale.ROOT, "%.3g", v);
    }
}
