package org.rationalnn.samples.harness;

import java.util.Locale;

/** Number formats shared by the samples' tables and reports (one place, so every table reads the same). */
public final class Fmt {
    private Fmt() {
    }

    /** "1.23e-04"; "-" for NaN, "diverged" for ±∞. */
    public static String sci(double v) {
        if (Double.isNaN(v)) {
            return "-";
        }
        if (Double.isInfinite(v)) {
            return "diverged";
        }
        return String.format(Locale.ROOT, "%.2e", v);
    }

    /** Fixed decimals; "" for NaN. */
    public static String fixed(double v, int decimals) {
        return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%." + decimals + "f", v);
    }

    /** A ratio as "12x" / "1.5x" ("-" for NaN). */
    public static String times(double v) {
        if (Double.isNaN(v)) {
            return "-";
        }
        return String.format(Locale.ROOT, v >= 10 ? "%.0fx" : "%.1fx", v);
    }

    /** An integer with thousands separators ("12,345"). */
    public static String count(long v) {
        return String.format(Locale.ROOT, "%,d", v);
    }

    /** At most three significant digits, trailing zeros dropped ("0.05", "0.001", "1e-08", "2.5e+04"). */
    public static String g(double v) {
        if (Double.isNaN(v)) {
            return "-";
        }
        String s = String.format(Locale.ROOT, "%.3g", v);
        int e = s.indexOf('e');
        String mantissa = e < 0 ? s : s.substring(0, e);
        if (mantissa.contains(".")) {
            mantissa = mantissa.replaceAll("0+$", "").replaceAll("\\.$", "");
        }
        return e < 0 ? mantissa : mantissa + s.substring(e);
    }

    /** A short label of a positive number for plot ticks: "0.01", "1", "200", "1e-05", "3e+04". */
    public static String tick(double v) {
        if (v == 0) {
            return "0";
        }
        double a = Math.abs(v);
        if (a >= 1e-3 && a < 1e5) {
            String s = String.format(Locale.ROOT, "%.4f", v);
            s = s.contains(".") ? s.replaceAll("0+$", "").replaceAll("\\.$", "") : s;
            return s.equals("-0") ? "0" : s;
        }
        String s = String.format(Locale.ROOT, "%.1e", v);
        return s.replace(".0e", "e");
    }

    /** "1h02m", "3m05s" or "12.3s". */
    public static String duration(double seconds) {
        return Progress.duration(seconds);
    }
}
