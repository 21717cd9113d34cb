package org.rationalnn.samples.expressivity;

import org.knowm.xchart.XYChart;
import org.rationalnn.samples.approx.AbsApproximations;
import org.rationalnn.samples.harness.Fmt;
import org.rationalnn.samples.harness.Plots;
import org.rationalnn.samples.harness.Progress;
import org.rationalnn.samples.harness.TextTable;
import org.slf4j.Logger;

import java.util.ArrayList;
import java.util.List;

/**
 * A single function: the uniform error on [−1, 1] of rationals of type (n, n) approximating |x| against polynomials
 * with the same number of parameters (2n + 1, degree 2n). Rationals converge root-exponentially (the best ones
 * about 8·e^{−π√n}), polynomials algebraically (about 0.28/(2n)). Measured for a Lawson-fitted rational with
 * clustered poles, Newman's explicit rational, the library's {@code RationalFit} (version N) and Lawson-fitted
 * minimax polynomials ({@link AbsApproximations}).
 */
public final class SingleFunctionStudy {
    /** Largest n for which the library's RationalFit is run (it is built for low-degree activations). */
    public static final int RATIONAL_FIT_MAX_DEGREE = 12;

    private SingleFunctionStudy() {
    }

    /**
     * One row: type (n, n) against polynomials of degree 2n.
     *
     * @param n           n of type (n, n)
     * @param parameters  2n + 1: of a type-(n, n) rational, and of a polynomial of degree 2n
     * @param polynomial  minimax polynomial of degree 2n
     * @param rational    Lawson-fitted rational of type (n, n) with clustered poles
     * @param newman      Newman's explicit rational of type (n, n)
     * @param rationalFit the library's RationalFit, version N, type (n, n) (NaN where not computed)
     */
    public record Row(int n, int parameters, double polynomial, double rational, double newman,
                      double rationalFit) {
    }

    /** The rows for n = 2, 4, 6, 8, 12, 16, 24, 32, 40, ... up to {@code maxDegree}. */
    public static List<Row> run(int maxDegree, Logger log) {
        List<Integer> ns = new ArrayList<>();
        for (int n = 2; n <= maxDegree; n += n < 8 ? 2 : n < 16 ? 4 : 8) {
            ns.add(n);
        }
        Progress progress = new Progress(log, "types (n,n) of |x|", ns.size());
        List<Row> rows = new ArrayList<>();
        for (int n : ns) {
            double poly = AbsApproximations.polynomial(2 * n);
            double rational = AbsApproximations.lightningRational(n);
            double newman = AbsApproximations.newman(n);
            double fit = n <= RATIONAL_FIT_MAX_DEGREE ? AbsApproximations.rationalFit(n) : Double.NaN;
            rows.add(new Row(n, 2 * n + 1, poly, rational, newman, fit));
            progress.step(String.format(java.util.Locale.ROOT, "|x| with %d parameters: polynomial %.2e, "
                    + "rational %.2e", 2 * n + 1, poly, rational));
        }
        return rows;
    }

    public static TextTable table(List<Row> rows) {
        TextTable t = new TextTable("n", "parameters", "polynomial deg 2n", "rational (fitted)", "Newman",
                "RationalFit N", "8e^(-pi sqrt n)", "0.28/(2n)", "polynomial/rational");
        for (Row s : rows) {
            t.row(s.n(), s.parameters(), Fmt.sci(s.polynomial()), Fmt.sci(s.rational()), Fmt.sci(s.newman()),
                    Fmt.sci(s.rationalFit()), Fmt.sci(AbsApproximations.bestRationalRate(s.n())),
                    Fmt.sci(AbsApproximations.bestPolynomialRate(2 * s.n())),
                    Fmt.times(s.polynomial() / s.rational()));
        }
        return t;
    }

    public static XYChart plot(List<Row> rows) {
        XYChart c = Plots.chart("|x| on [-1,1]: rational vs polynomial, same parameter count",
                "parameters (type (n,n) rational: 2n+1; polynomial: degree 2n)", "uniform error", 900, 560);
        Plots.logY(c);
        double[] p = rows.stream().mapToDouble(Row::parameters).toArray();
        Plots.line(c, "polynomial (minimax)", p, rows.stream().mapToDouble(Row::polynomial).toArray(), 1);
        Plots.line(c, "rational (fitted, clustered poles)", p, rows.stream().mapToDouble(Row::rational).toArray(),
                0);
        Plots.line(c, "rational (Newman, explicit)", p, rows.stream().mapToDouble(Row::newman).toArray(), 3);
        List<Row> fitted = rows.stream().filter(s -> !Double.isNaN(s.rationalFit())).toList();
        if (!fitted.isEmpty()) {
            Plots.line(c, "rational (RationalFit, version N)", fitted.stream().mapToDouble(Row::parameters)
                    .toArray(), fitted.stream().mapToDouble(Row::rationalFit).toArray(), 4);
        }
        Plots.dashed(c, "0.28/(2n)", p, rows.stream().mapToDouble(s -> AbsApproximations.bestPolynomialRate(
                2 * s.n())).toArray(), 1);
        Plots.dashed(c, "8 exp(-pi sqrt n)", p, rows.stream().mapToDouble(s ->
                AbsApproximations.bestRationalRate(s.n())).toArray(), 0);
        return c;
    }

    /** The report section's introduction. */
    public static String explanation() {
        return "Uniform error of rational functions of type (n, n) against polynomials with the same number of "
                + "parameters (2n + 1, degree 2n). Best rationals converge root-exponentially (about 8·e^(−π√n)), "
                + "polynomials algebraically (about 0.28/(2n)). *rational (fitted)* has fixed poles ±iσ_j clustered "
                + "towards 0 (tapered exponential spacing) and minimax-fitted coefficients (Lawson); *Newman* is "
                + "the explicit rational of 1964 (error ≤ 3·e^(−√n)); *RationalFit N* is the library's activation "
                + "fitter (monomial basis, Q(0) = 1, bounded coefficients), which tracks the best rate only for "
                + "small n: the best rationals of high type have poles exponentially close to 0 and coefficients "
                + "far beyond its bounds.";
    }
}
