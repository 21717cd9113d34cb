package org.rationalnn.benchmarks;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.DoubleUnaryOperator;

import org.rationalnn.dl4j.rational.FitResult;
import org.rationalnn.dl4j.rational.RationalFit;
import org.rationalnn.dl4j.rational.RationalFunction;
import org.rationalnn.dl4j.rational.RationalSpec;
import org.rationalnn.dl4j.rational.RationalVersion;
import org.rationalnn.dl4j.rational.TargetFunction;

/**
 * The fitting half of {@link FitErrorTable}: fits every {@link TargetFunction} of the library on the class path
 * with types (5,4) and (3,2) and versions A, B, C, D, N on the target's default fit interval (the interval a
 * {@link RationalSpec} built with {@code init(target)} fits on), times each fit, and writes one tab-separated
 * line per fit with the coefficients, so that the errors and the kink margin of fits made by different library
 * versions can be judged afterwards by one and the same code.
 *
 * <p>It uses only API that 0.1.0 already had ({@code RationalFit.fit}, {@code FitResult}, {@code RationalFunction},
 * {@code RationalSpec.builder().init(f).build().getFitLower()}), so the same source compiles against the 0.1.0 jar:
 * {@code benchmarks/fit-errors-0.1.0.sh} does that. Type (m, n) always means today's type: version C (m, n) has
 * the n + 1 coefficients b_0..b_n. 0.1.0 called that function class C (m, n + 1); with {@code --legacy-c-type}
 * the run asks the library for C (m, n + 1) and labels the line (m, n).
 *
 * <p>Each fit is timed cold: it goes through {@link RationalFit#fit(DoubleUnaryOperator, RationalVersion, int, int,
 * double, double)}, which caches nothing, so a fit of type (5,4) includes the (3,2) fit it starts from (as a first
 * call with a target function does) and D is fitted again as B. Times are the CPU time of the fitting thread
 * (the fitter is single-threaded) and the wall time, in milliseconds, after {@value #WARMUP_FITS} untimed warm-up
 * fits; with {@code --repeat r} the smallest of r fits is reported.
 *
 * <p>Arguments: {@code [--legacy-c-type] [--repeat r] [--out FILE]} (default: standard output). Line format,
 * after a header line starting with {@code #}: target, version, m, n, status ({@code ok} or {@code rejected}),
 * CPU ms, wall ms, numerator and denominator coefficients (comma-separated, full precision), the fitter's own
 * reported uniform error, and for rejected fits the fitter's message.
 */
public final class FitErrorRun {
    /** The types of the table, {m, n} in today's meaning. */
    static final int[][] TYPES = {{5, 4}, {3, 2}};
    /** The versions of the table, by name (the same names in every library version). */
    static final String[] VERSIONS = {"A", "B", "C", "D", "N"};
    /** Untimed fits before the first timed one (JIT warm-up). */
    static final int WARMUP_FITS = 4;
    /** Header of the tab-separated output. */
    static final String HEADER = "# target\tversion\tm\tn\tstatus\tcpu_ms\twall_ms\tnumerator\tdenominator"
            + "\tfitter_error\tmessage";

    private FitErrorRun() {
    }

    /**
     * Runs the fits and writes the lines.
     *
     * @param args {@code [--legacy-c-type] [--repeat r] [--out FILE]}
     * @throws IOException              if the output file cannot be written
     * @throws IllegalArgumentException for an unknown argument or a repeat count outside [1, 100]
     */
    public static void main(String[] args) throws IOException {
        boolean legacy = false;
        int repeat = 1;
        Path out = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--legacy-c-type":
                    legacy = true;
                    break;
                case "--repeat":
                    repeat = Integer.parseInt(value(args, ++i, "--repeat"));
                    break;
                case "--out":
                    out = Path.of(value(args, ++i, "--out"));
                    break;
                default:
                    throw new IllegalArgumentException("unknown argument " + args[i]
                            + "; accepted: --legacy-c-type, --repeat r, --out FILE");
            }
        }
        List<String> lines = run(legacy, repeat);
        if (out == null) {
            PrintStream o = System.out;
            lines.forEach(o::println);
        } else {
            Files.write(out, lines, StandardCharsets.UTF_8);
        }
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }

    /**
     * Fits every target × type × version and returns the header and one line per fit.
     *
     * @param legacyCType whether the library on the class path is 0.1.0's, whose C (m, n + 1) is today's C (m, n)
     * @param repeat      fits per combination, the fastest reported; in [1, 100]
     * @return the lines, header first
     * @throws IllegalArgumentException if repeat is outside [1, 100]
     */
    static List<String> run(boolean legacyCType, int repeat) {
        if (repeat < 1 || repeat > 100) {
            throw new IllegalArgumentException("repeat must be in [1, 100], got " + repeat);
        }
        warmUp();
        List<String> lines = new ArrayList<>();
        lines.add(HEADER);
        for (TargetFunction f : TargetFunction.values()) {
            RationalSpec spec = RationalSpec.builder().init(f).build();
            double lo = spec.getFitLower();
            double hi = spec.getFitUpper();
            for (int[] type : TYPES) {
                for (String vn : VERSIONS) {
                    lines.add(line(f, RationalVersion.valueOf(vn), type[0], type[1], lo, hi, legacyCType, repeat));
                }
            }
        }
        return lines;
    }

    private static void warmUp() {
        String[] versions = {"A", "B", "C", "N"};
        for (int i = 0; i < WARMUP_FITS; i++) {
            RationalVersion v = RationalVersion.valueOf(versions[i % versions.length]);
            RationalFit.fit(x -> TargetFunction.SILU.apply(x), v, 3, 3, -3, 3);
        }
    }

    private static String line(TargetFunction f, RationalVersion v, int m, int n, double lo, double hi,
                               boolean legacyCType, int repeat) {
        int asked = legacyCType && v.name().equals("C") ? n + 1 : n;
        DoubleUnaryOperator g = f::apply;
        ThreadMXBean bean = ManagementFactory.getThreadMXBean();
        double cpu = Double.POSITIVE_INFINITY;
        double wall = Double.POSITIVE_INFINITY;
        FitResult r = null;
        for (int k = 0; k < repeat; k++) {
            long c0 = bean.getCurrentThreadCpuTime();
            long w0 = System.nanoTime();
            try {
                r = RationalFit.fit(g, v, m, asked, lo, hi);
            } catch (IllegalArgumentException e) {
                // the fitter's refusal is a result of the table: reported with its message, not hidden
                return String.join("\t", f.name(), v.name(), Integer.toString(m), Integer.toString(n), "rejected",
                        "", "", "", "", "", e.getMessage().replace('\t', ' ').replace('\n', ' '));
            }
            cpu = Math.min(cpu, (bean.getCurrentThreadCpuTime() - c0) / 1e6);
            wall = Math.min(wall, (System.nanoTime() - w0) / 1e6);
        }
        RationalFunction rf = r.function();
        return String.join("\t", f.name(), v.name(), Integer.toString(m), Integer.toString(n), "ok",
                String.format(Locale.ROOT, "%.1f", cpu), String.format(Locale.ROOT, "%.1f", wall),
                join(rf.numerator()), join(rf.denominator()), Double.toString(r.uniformError()), "");
    }

    private static String join(double[] c) {
        String[] s = new String[c.length];
        Arrays.setAll(s, i -> Double.toString(c[i]));
        return String.join(",", s);
    }
}
