package org.rationalnn.samples.expressivity;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.DoubleUnaryOperator;
import java.util.stream.DoubleStream;

/**
 * Rational networks that emulate |x| and ReLU on [−1, 1] with uniform error falling doubly exponentially in the
 * depth: a composition of k odd rationals of type (3, 2), each Zolotarev's best approximation of sign(x) on
 * [−1, −ℓ_j] ∪ [ℓ_j, 1] (the dynamically weighted Halley step), followed by |x| ≈ σ·x·s(x).
 *
 * <p><b>The step.</b> f(s) = s·(a + b s²)/(1 + c s²) with, for ℓ ∈ (0, 1),
 * γ = (4(1 − ℓ²)/ℓ⁴)^{1/3}, a = √(1 + γ) + ½·√(8 − 4γ + 8(2 − ℓ²)/(ℓ²√(1 + γ))), b = (a − 1)²/4,
 * c = a + b − 1 (Nakatsukasa, Bai &amp; Gygi, SIAM J. Matrix Anal. Appl. 31, 2010). f maps [ℓ, 1] onto
 * [ℓ', 1] with ℓ' = f(ℓ), and it is the best type-(3, 2) approximation of sign there, scaled to a maximum of 1; a
 * composition of such steps with ℓ_{j+1} = f_j(ℓ_j) is again Zolotarev's best approximation, of type
 * (3^k, 3^k − 1) (Nakatsukasa &amp; Freund, SIAM Review 58, 2016). So k layers with 6 coefficients each (the
 * library's version N normalises Q(0) = 1 and stores a_0..a_3, b_1, b_2; 3 of them are non-zero) hold a rational of
 * degree 3^k, and the sign
 * error 1 − ℓ_k falls like exp(−c·3^k/log(1/ℓ)).
 *
 * <p><b>|x| and ReLU.</b> |x| ≈ σ·x·s_k(x), ReLU(x) ≈ x·(1 + σ s_k(x))/2 (the ReLU error is exactly half the |x|
 * error). For |x| ≥ ℓ the error is at most |x|·|1 − σ s_k|, for |x| &lt; ℓ it is |x|·|1 − σ s_k(x)| ≤ |x| (s_k
 * rises from 0 to about 1 on [0, ℓ]): the error tends to 0 linearly at x = 0 and peaks at |x| of the order of ℓ.
 * The design parameter ℓ balances the two (a smaller ℓ shrinks the region near 0 but needs more depth), and σ
 * centres the equioscillation; both are chosen here, per depth, to minimise the measured uniform error on a grid
 * that includes 0 and points down to 10⁻¹⁶. The result: log(1/ε) grows by about √3 per layer, so the depth
 * needed for ε is about 2·log₃ log(1/ε) + O(1) (Boullé, Nakatsukasa &amp; Townsend, arXiv:2004.01902, Theorem 3;
 * Tang &amp; Townsend, arXiv:2602.12390).
 */
public final class ZolotarevSign {
    private ZolotarevSign() {
    }

    /** One step f(s) = s·(a + b s²)/(1 + c s²). */
    public record Step(double a, double b, double c) {
        /** f(s). */
        public double apply(double s) {
            double s2 = s * s;
            return s * (a + b * s2) / (1 + c * s2);
        }

        /** The step as the library's version-N coefficients: numerator a_0..a_3, denominator b_1, b_2. */
        public double[] numerator(double scale) {
            return new double[]{0, scale * a, 0, scale * b};
        }

        public double[] denominator() {
            return new double[]{0, c};
        }
    }

    /** The Zolotarev (dynamically weighted Halley) step for the interval [ℓ, 1], 0 &lt; ℓ &lt; 1. */
    public static Step step(double ell) {
        if (!(ell > 0 && ell < 1)) {
            throw new IllegalArgumentException("ℓ must be in (0, 1), got " + ell);
        }
        double l2 = ell * ell;
        double gamma = Math.cbrt(4 * (1 - l2) / (l2 * l2));
        double root = Math.sqrt(1 + gamma);
        double a = root + 0.5 * Math.sqrt(8 - 4 * gamma + 8 * (2 - l2) / (l2 * root));
        double b = (a - 1) * (a - 1) / 4;
        return new Step(a, b, a + b - 1);
    }

    /** k steps starting from ℓ_0 = {@code ell}, each for the interval the previous one leaves. */
    public static List<Step> steps(double ell, int depth) {
        List<Step> steps = new ArrayList<>();
        double l = ell;
        for (int j = 0; j < depth; j++) {
            Step s = step(l);
            steps.add(s);
            l = Math.min(s.apply(l), Math.nextDown(1.0));
        }
        return steps;
    }

    /**
     * An emulation of |x| (and ReLU) of depth k: the steps, the design ℓ, the final scale σ and the measured
     * errors.
     *
     * @param depth        number of type-(3, 2) layers k
     * @param ell          the design parameter ℓ (sign is approximated on ℓ ≤ |x| ≤ 1)
     * @param scale        σ in |x| ≈ σ·x·s_k(x)
     * @param steps        the k steps
     * @param absError     max |σ x s_k(x) − |x|| over {@link #grid()}
     * @param errorNearZero the same over |x| &lt; ℓ
     * @param errorAway    the same over ℓ ≤ |x| ≤ 1
     * @param argMax       where the error is largest (|x|)
     */
    public record Emulation(int depth, double ell, double scale, List<Step> steps, double absError,
                            double errorNearZero, double errorAway, double argMax) {
        /** s_k(x), the sign approximation (without σ). */
        public double sign(double x) {
            double s = x;
            for (Step st : steps) {
                s = st.apply(s);
            }
            return s;
        }

        /** σ·x·s_k(x) ≈ |x|. */
        public double abs(double x) {
            return scale * x * sign(x);
        }

        /** x·(1 + σ s_k(x))/2 ≈ ReLU(x). */
        public double relu(double x) {
            return x * (1 + scale * sign(x)) / 2;
        }

        /** The uniform error of the ReLU emulation: half that of |x|. */
        public double reluError() {
            return absError / 2;
        }
    }

    /** The grid of the design search: 2001 uniform points of [0, 1] and 30 per decade from 10⁻¹⁸ to 1. */
    private static final double[] DESIGN_GRID = halfGrid(2000, 30);
    /** The measurement grid: 20,001 uniform points of [−1, 1], 60 per decade from ±10⁻¹⁸ to ±1, and 0. */
    private static final double[] GRID = fullGrid(10_000, 60);

    /** The measurement grid (a copy): uniform on [−1, 1], geometric towards 0 down to 10⁻¹⁸, and 0 itself. */
    public static double[] grid() {
        return GRID.clone();
    }

    /**
     * The emulation of depth k with the smallest uniform error: ℓ by a scan over log ℓ ∈ [log 10⁻¹⁸, log 0.9]
     * refined by golden sections, σ (for each ℓ) by ternary search (the error is convex in σ).
     */
    public static Emulation best(int depth) {
        if (depth < 1 || depth > 12) {
            throw new IllegalArgumentException("depth must be in [1, 12], got " + depth);
        }
        double lo = Math.log(1e-18);
        double hi = Math.log(0.9);
        int scan = 240;
        double bestLog = hi;
        double bestErr = Double.POSITIVE_INFINITY;
        for (int i = 0; i <= scan; i++) {
            double t = lo + (hi - lo) * i / scan;
            double e = designError(Math.exp(t), depth)[0];
            if (e < bestErr) {
                bestErr = e;
                bestLog = t;
            }
        }
        double h = (hi - lo) / scan;
        double a = bestLog - h;
        double b = bestLog + h;
        double g = (Math.sqrt(5) - 1) / 2;
        for (int it = 0; it < 40; it++) {
            double m1 = b - g * (b - a);
            double m2 = a + g * (b - a);
            if (designError(Math.exp(m1), depth)[0] <= designError(Math.exp(m2), depth)[0]) {
                b = m2;
            } else {
                a = m1;
            }
        }
        double refined = (a + b) / 2;
        if (designError(Math.exp(refined), depth)[0] > bestErr) {
            refined = bestLog;
        }
        double ell = Math.exp(refined);
        double scale = designError(ell, depth)[1];
        return measure(depth, ell, scale);
    }

    /** The emulation with these design parameters, measured on {@link #grid()}. */
    public static Emulation measure(int depth, double ell, double scale) {
        List<Step> steps = steps(ell, depth);
        Emulation e = new Emulation(depth, ell, scale, steps, 0, 0, 0, 0);
        double max = 0;
        double near = 0;
        double away = 0;
        double arg = 0;
        for (double x : GRID) {
            double err = Math.abs(e.abs(x) - Math.abs(x));
            if (!(err <= Double.MAX_VALUE)) {
                err = Double.POSITIVE_INFINITY;
            }
            if (err > max) {
                max = err;
                arg = Math.abs(x);
            }
            if (Math.abs(x) < ell) {
                near = Math.max(near, err);
            } else {
                away = Math.max(away, err);
            }
        }
        return new Emulation(depth, ell, scale, List.copyOf(steps), max, near, away, arg);
    }

    /** {uniform error on the design grid with the best σ, that σ} for this ℓ. */
    static double[] designError(double ell, int depth) {
        List<Step> steps = steps(ell, depth);
        double[] s = new double[DESIGN_GRID.length];
        for (int i = 0; i < s.length; i++) {
            double v = DESIGN_GRID[i];
            for (Step st : steps) {
                v = st.apply(v);
            }
            s[i] = v;
        }
        DoubleUnaryOperator err = sigma -> {
            double m = 0;
            for (int i = 0; i < s.length; i++) {
                double x = DESIGN_GRID[i];
                m = Math.max(m, Math.abs(x - sigma * x * s[i]));
            }
            return m;
        };
        double a = 0.5;
        double b = 1.5;
        for (int it = 0; it < 90; it++) {
            double m1 = a + (b - a) / 3;
            double m2 = b - (b - a) / 3;
            if (err.applyAsDouble(m1) <= err.applyAsDouble(m2)) {
                b = m2;
            } else {
                a = m1;
            }
        }
        double sigma = (a + b) / 2;
        double e = err.applyAsDouble(sigma);
        return new double[]{Double.isNaN(e) ? Double.POSITIVE_INFINITY : e, sigma};
    }

    private static double[] halfGrid(int uniform, int perDecade) {
        DoubleStream u = DoubleStream.iterate(0, i -> i + 1).limit(uniform + 1L).map(i -> i / uniform);
        DoubleStream geo = DoubleStream.iterate(0, i -> i + 1).limit(18L * perDecade)
                .map(i -> Math.pow(10, -18 + i / perDecade));
        return DoubleStream.concat(u, geo).sorted().distinct().toArray();
    }

    private static double[] fullGrid(int halfUniform, int perDecade) {
        double[] half = halfGrid(halfUniform, perDecade);
        double[] all = new double[2 * half.length];
        for (int i = 0; i < half.length; i++) {
            all[i] = half[i];
            all[half.length + i] = -half[i];
        }
        return Arrays.stream(all).sorted().distinct().toArray();
    }
}
