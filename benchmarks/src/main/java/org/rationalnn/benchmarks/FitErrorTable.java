package org.rationalnn.benchmarks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.rationalnn.dl4j.rational.RationalFit;
import org.rationalnn.dl4j.rational.RationalFunction;
import org.rationalnn.dl4j.rational.RationalSpec;
import org.rationalnn.dl4j.rational.RationalVersion;
import org.rationalnn.dl4j.rational.TargetFunction;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The fit-error table of docs/fitting.md: for every {@link TargetFunction}, types (5,4) and (3,2) and versions
 * A, B, C, D, N on the target's default fit interval, the uniform error of the fitted function, whether it keeps
 * the kink margin ({@link RationalFit#keepsKinkMargin}) and the time of the fit, for this library and optionally
 * for an earlier one side by side, as a Markdown table on standard output.
 *
 * <p>The fits come from {@link FitErrorRun} (run here in this JVM, or read from its output with {@code --after});
 * the "before" column from a {@link FitErrorRun} output of another library version ({@code --before}, made for
 * 0.1.0 by {@code benchmarks/fit-errors-0.1.0.sh}). Both are judged here by the same code: the uniform error is
 * max |R(x) − f(x)| over {@code --dense} uniformly spaced points of the interval (both ends included), evaluated
 * with today's {@link RationalFunction#value}, independent of the fitter's own grids; the margin by today's rules.
 * Type (m, n) means today's type (version C (m, n): b_0..b_n, which 0.1.0 called C (m, n + 1)).
 *
 * <p>Run: {@code mvn -B -o -q -pl benchmarks -am package exec:exec -DskipTests
 * -Dbench.main=org.rationalnn.benchmarks.FitErrorTable -Dbench.args="--before /path/before.tsv"}.
 */
@Command(name = "fit-error-table", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Markdown table of fit errors, kink margin and fit times, optionally beside an older fitter's.")
public final class FitErrorTable implements Runnable {

    @Option(names = "--before", description = "FitErrorRun output of the earlier fitter (0.1.0: "
            + "benchmarks/fit-errors-0.1.0.sh); without it only today's columns")
    Path before;

    @Option(names = "--after", description = "FitErrorRun output of today's fitter; without it the fits run now")
    Path after;

    @Option(names = "--write-after", description = "also write today's FitErrorRun lines to this file")
    Path writeAfter;

    @Option(names = "--repeat", description = "fits per combination when they run now, the fastest one timed "
            + "(default: ${DEFAULT-VALUE})")
    int repeat = 1;

    @Option(names = "--dense", description = "uniform points on which the errors are judged (default: "
            + "${DEFAULT-VALUE})")
    int dense = 200_001;

    /**
     * Command-line entry point; see the class comment and {@code --help}.
     *
     * @param args the options
     */
    public static void main(String[] args) {
        System.exit(new CommandLine(new FitErrorTable()).execute(args));
    }

    /**
     * Builds the table and prints it.
     *
     * @throws IllegalArgumentException if {@code --dense} is outside [101, 10^7] or an input line is malformed
     * @throws IllegalStateException    if an input file cannot be read or written
     */
    @Override
    public void run() {
        if (dense < 101 || dense > 10_000_000) {
            throw new IllegalArgumentException("--dense must be in [101, 10000000], got " + dense);
        }
        try {
            List<String> now = after != null ? Files.readAllLines(after, StandardCharsets.UTF_8)
                    : FitErrorRun.run(false, repeat);
            if (writeAfter != null) {
                Files.write(writeAfter, now, StandardCharsets.UTF_8);
            }
            Map<String, Fit> afterFits = parse(now, "after");
            Map<String, Fit> beforeFits = before == null ? null
                    : parse(Files.readAllLines(before, StandardCharsets.UTF_8), "before");
            System.out.print(table(beforeFits, afterFits));
        } catch (IOException e) {
            throw new IllegalStateException("cannot read or write a fit file: " + e.getMessage(), e);
        }
    }

    /** One line of a {@link FitErrorRun} output, judged. */
    private static final class Fit {
        final boolean ok;
        final double cpuMs;
        final double error;
        final boolean margin;
        final String message;

        Fit(boolean ok, double cpuMs, double error, boolean margin, String message) {
            this.ok = ok;
            this.cpuMs = cpuMs;
            this.error = error;
            this.margin = margin;
            this.message = message;
        }
    }

    private static String key(String target, String version, int m, int n) {
        return target + " " + version + " " + m + " " + n;
    }

    private Map<String, Fit> parse(List<String> lines, String what) {
        Map<String, Fit> fits = new LinkedHashMap<>();
        for (String line : lines) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String[] c = line.split("\t", -1);
            if (c.length != 11) {
                throw new IllegalArgumentException(what + " line must have 11 tab-separated fields, got " + c.length
                        + ": " + line);
            }
            int m = Integer.parseInt(c[2]);
            int n = Integer.parseInt(c[3]);
            String k = key(c[0], c[1], m, n);
            if (c[4].equals("rejected")) {
                fits.put(k, new Fit(false, Double.NaN, Double.NaN, false, c[10]));
                continue;
            }
            TargetFunction f = TargetFunction.valueOf(c[0]);
            RationalFunction r = new RationalFunction(RationalVersion.valueOf(c[1]), doubles(c[7]), doubles(c[8]));
            if (r.numeratorDegree() != m || r.denominatorDegree() != n) {
                throw new IllegalArgumentException(what + " line of type (" + m + ", " + n + ") holds a function of "
                        + "type (" + r.numeratorDegree() + ", " + r.denominatorDegree() + "): " + line);
            }
            RationalSpec spec = RationalSpec.builder().init(f).build();
            double lo = spec.getFitLower();
            double hi = spec.getFitUpper();
            fits.put(k, new Fit(true, Double.parseDouble(c[5]), denseError(r, f, lo, hi),
                    RationalFit.keepsKinkMargin(r, lo, hi), ""));
        }
        return fits;
    }

    private static double[] doubles(String s) {
        return s.isEmpty() ? new double[0] : Arrays.stream(s.split(",")).mapToDouble(Double::parseDouble).toArray();
    }

    /** max |r − f| over {@link #dense} uniform points of [lo, hi]; +∞ if r − f is not finite somewhere. */
    private double denseError(RationalFunction r, TargetFunction f, double lo, double hi) {
        double mx = 0;
        for (int i = 0; i < dense; i++) {
            double x = i == dense - 1 ? hi : lo + (hi - lo) * ((double) i / (dense - 1));
            double e = Math.abs(r.value(x) - f.apply(x));
            if (!Double.isFinite(e)) {
                return Double.POSITIVE_INFINITY;
            }
            mx = Math.max(mx, e);
        }
        return mx;
    }

    private String table(Map<String, Fit> b, Map<String, Fit> a) {
        StringBuilder sb = new StringBuilder();
        List<String> notes = new ArrayList<>();
        boolean two = b != null;
        sb.append(two ? "| target | type | version | 0.1.0 error | 0.1.0 margin | 0.1.0 ms | error | margin | ms "
                + "| error ratio | time ratio |\n|---|---|---|---:|---|---:|---:|---|---:|---:|---:|\n"
                : "| target | type | version | error | margin | ms |\n|---|---|---|---:|---|---:|\n");
        double sumB = 0;
        double sumA = 0;
        int better = 0;
        int worse = 0;
        int worseKept = 0;
        int marginB = 0;
        int marginA = 0;
        int both = 0;
        for (TargetFunction f : TargetFunction.values()) {
            for (int[] t : FitErrorRun.TYPES) {
                for (String v : FitErrorRun.VERSIONS) {
                    String k = key(f.name(), v, t[0], t[1]);
                    Fit fa = a.get(k);
                    Fit fb = two ? b.get(k) : null;
                    sb.append("| ").append(f).append(" | (").append(t[0]).append(",").append(t[1]).append(") | ")
                            .append(v).append(" | ");
                    if (two) {
                        sb.append(cells(fb, k, "0.1.0", notes));
                    }
                    sb.append(cells(fa, k, "today's fitter", notes));
                    if (two) {
                        if (fb != null && fb.ok && fa != null && fa.ok) {
                            both++;
                            sumB += fb.cpuMs;
                            sumA += fa.cpuMs;
                            better += fa.error < fb.error * (1 - 1e-6) ? 1 : 0;
                            worse += fa.error > fb.error * (1 + 1e-6) ? 1 : 0;
                            worseKept += fa.error > fb.error * (1 + 1e-6) && fb.margin ? 1 : 0;
                            marginB += fb.margin ? 1 : 0;
                            marginA += fa.margin ? 1 : 0;
                            sb.append(String.format(Locale.ROOT, "%s | %.2f |", ratio(fa.error, fb.error),
                                    fa.cpuMs / fb.cpuMs));
                        } else {
                            sb.append(" | |");
                        }
                    }
                    sb.append('\n');
                }
            }
        }
        if (two) {
            sb.append(String.format(Locale.ROOT, "%nCombinations fitted by both: %d. Today's error smaller: %d, larger: "
                    + "%d (relative tolerance 1e-6), of which %d where 0.1.0 kept the kink margin. Kink margin kept: "
                    + "0.1.0 %d, today %d. Fit CPU time, sum: 0.1.0 %.1f s, today %.1f s (%.2fx).%n", both, better,
                    worse, worseKept, marginB, marginA, sumB / 1e3,
                    sumA / 1e3, sumA / sumB));
        }
        sb.append(String.format(Locale.ROOT, "%nErrors: max |R - f| on %,d uniform points of the interval "
                + "[%s, %s]; margin: RationalFit.keepsKinkMargin; ms: CPU time of one cold fit.%n", dense,
                fmt(RationalSpec.builder().build().getFitLower()), fmt(RationalSpec.builder().build().getFitUpper())));
        for (String note : notes) {
            sb.append("- ").append(note).append('\n');
        }
        return sb.toString();
    }

    private static String cells(Fit fit, String key, String who, List<String> notes) {
        if (fit == null) {
            notes.add(key + ": not fitted by " + who + " (no such target function there)");
            return "— | — | — | ";
        }
        if (!fit.ok) {
            notes.add(key + ": rejected by " + who + ": " + fit.message);
            return "rejected | — | — | ";
        }
        return String.format(Locale.ROOT, "%s | %s | %.0f | ", sci(fit.error), fit.margin ? "yes" : "**no**",
                fit.cpuMs);
    }

    private static String ratio(double after, double before) {
        if (before == 0) {
            return after == 0 ? "1" : "∞";
        }
        return String.format(Locale.ROOT, "%.3g", after / before);
    }

    private static String sci(double e) {
        return Double.isFinite(e) ? String.format(Locale.ROOT, "%.3e", e) : "∞";
    }

    private static String fmt(double x) {
        return x == Math.rint(x) ? Long.toString((long) x) : Double.toString(x);
    }
}
