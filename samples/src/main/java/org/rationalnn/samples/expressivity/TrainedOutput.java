package org.rationalnn.samples.expressivity;

import org.knowm.xchart.XYChart;
import org.rationalnn.dl4j.rational.RationalFunction;
import org.rationalnn.samples.expressivity.TrainedStudy.Cell;
import org.rationalnn.samples.expressivity.TrainedStudy.Run;
import org.rationalnn.samples.harness.Fmt;
import org.rationalnn.samples.harness.Plots;
import org.rationalnn.samples.harness.TextTable;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;

/** Tables, plots and findings of the trained part ({@link TrainedStudy}). */
public final class TrainedOutput {
    /** The goals of the study: rational at least this many times smaller on the peak and the ridge ... */
    public static final double GOAL_FACTOR = 5;
    /** ... and within this factor of ReLU on |x|, at {@link #GOAL_EPSILON}. */
    public static final double ABS_GOAL_FACTOR = 2;
    public static final double GOAL_EPSILON = 1e-3;

    private TrainedOutput() {
    }

    /** One row per activation and budget: parameters, chosen learning rate, median / min / max error, convergence. */
    public static TextTable cellTable(TrainedStudy.Result r, String target) {
        TextTable t = new TextTable("activation", "budget", "width", "parameters", "lr", "median error",
                "min", "max", "converged", "mean steps");
        for (Cell c : r.cells()) {
            if (!c.target().equals(target)) {
                continue;
            }
            t.row(c.activation().id(), c.budget(), c.width(), c.parameters(), Fmt.g(c.learningRate()),
                    Fmt.sci(c.median()), Fmt.sci(c.min()), Fmt.sci(c.max()), c.converged() + "/" + c.runs().size(),
                    Fmt.fixed(c.meanSteps(), 0));
        }
        return t;
    }

    /** Every network (tuning runs included). */
    public static TextTable runTable(TrainedStudy.Result r, int depth) {
        TextTable t = new TextTable("target", "activation", "budget", "width", "depth", "parameters", "seed",
                "role", "learning_rate", "uniform_error", "rms_error", "steps", "converged", "lbfgs_iterations",
                "lbfgs_stopped", "train_seconds");
        for (Run run : r.runs()) {
            t.row(run.target, run.activation.id(), run.budget, run.width, depth, run.parameters, run.seed,
                    run.tuning ? "tuning" : "evaluation", Fmt.g(run.learningRate), Fmt.sci(run.uniformError),
                    Fmt.sci(run.rmsError), run.steps, run.converged, run.lbfgsIterations, run.lbfgsStopped,
                    Fmt.fixed(run.seconds, 2));
        }
        return t;
    }

    /** The training curves of every network: mean loss per window. */
    public static TextTable curveTable(TrainedStudy.Result r) {
        TextTable t = new TextTable("target", "activation", "parameters", "seed", "role", "step", "loss",
                "learning_rate");
        for (Run run : r.runs()) {
            for (TrainedStudy.CurvePoint p : run.curve) {
                t.row(run.target, run.activation.id(), run.parameters, run.seed, run.tuning ? "tuning" : "evaluation",
                        p.step(), Fmt.sci(p.loss()), Fmt.g(p.learningRate()));
            }
        }
        return t;
    }

    /**
     * Parameters needed for each ε: the smallest trained parameter count whose median error reached it ("> N": no
     * budget did, N the largest trained), the best fixed activation and its ratio to the rational.
     */
    public static TextTable neededTable(TrainedStudy.Result r, List<String> targets, List<Act> acts,
                                        List<Double> epsilons) {
        List<String> header = new ArrayList<>(List.of("target", "ε"));
        acts.forEach(a -> header.add(a.id()));
        header.add("best fixed");
        header.add("best fixed / rational");
        TextTable t = new TextTable(header);
        for (String target : targets) {
            for (double eps : epsilons) {
                List<String> row = new ArrayList<>(List.of(target, Fmt.sci(eps)));
                for (Act a : acts) {
                    row.add(needed(r, target, a, eps));
                }
                Comparison c = compare(r, target, acts, eps);
                row.add(c.bestFixed == null ? "-" : c.bestFixed.id());
                row.add(c.ratioText());
                t.row(row);
            }
        }
        return t;
    }

    static String needed(TrainedStudy.Result r, String target, Act a, double eps) {
        OptionalLong p = r.parametersToReach(target, a, eps);
        long max = r.largest(target, a);
        return p.isPresent() ? Long.toString(p.getAsLong()) : max == 0 ? "-" : "> " + max;
    }

    /**
     * Rational against the best fixed activation at ε.
     *
     * @param rational  parameters the rational needed (-1: none reached ε)
     * @param rationalMax the largest rational network trained
     * @param bestFixed the fixed activation needing the fewest (or, if none reached ε, the one with the lowest median
     *                  error at its largest budget)
     * @param fixed     its parameters (-1: none reached ε)
     * @param fixedMax  the largest fixed network trained
     */
    record Comparison(long rational, long rationalMax, Act bestFixed, long fixed, long fixedMax) {
        /** fixed / rational, or bounds when one side did not reach ε; NaN if neither did or no fixed was trained. */
        double ratio() {
            if (fixedMax == 0) {
                return Double.NaN;
            }
            if (rational > 0 && fixed > 0) {
                return (double) fixed / rational;
            }
            if (rational > 0) {
                return (double) fixedMax / rational; // a lower bound: "> ratio"
            }
            if (fixed > 0) {
                return (double) fixed / rationalMax; // an upper bound: "< ratio"
            }
            return Double.NaN;
        }

        String ratioText() {
            if (fixedMax == 0) {
                return "no fixed activation trained";
            }
            double q = ratio();
            if (Double.isNaN(q)) {
                return "neither reached ε";
            }
            String s = Fmt.times(q);
            return rational > 0 && fixed <= 0 ? "> " + s : rational <= 0 ? "< " + s : s;
        }
    }

    static Comparison compare(TrainedStudy.Result r, String target, List<Act> acts, double eps) {
        long rational = r.parametersToReach(target, Act.RATIONAL, eps).orElse(-1);
        long rationalMax = r.largest(target, Act.RATIONAL);
        Act best = null;
        long fixed = -1;
        long fixedMax = 0;
        for (Act a : acts) {
            if (a == Act.RATIONAL) {
                continue;
            }
            fixedMax = Math.max(fixedMax, r.largest(target, a));
            OptionalLong p = r.parametersToReach(target, a, eps);
            if (p.isPresent() && (fixed < 0 || p.getAsLong() < fixed)) {
                fixed = p.getAsLong();
                best = a;
            }
        }
        if (best == null) {
            double bestErr = Double.POSITIVE_INFINITY;
            for (Act a : acts) {
                if (a == Act.RATIONAL) {
                    continue;
                }
                Cell c = r.cells().stream().filter(x -> x.target().equals(target) && x.activation() == a)
                        .max(Comparator.comparingLong(Cell::parameters)).orElse(null);
                if (c != null && c.median() < bestErr) {
                    bestErr = c.median();
                    best = a;
                }
            }
        }
        return new Comparison(rational, rationalMax, best, fixed, fixedMax);
    }

    /** The goals of issue 15 at ε = 10⁻³, with what was measured. */
    public static TextTable goalTable(TrainedStudy.Result r, List<String> targets, List<Act> acts) {
        TextTable t = new TextTable("target", "ε", "goal", "rational needs", "best fixed", "it needs",
                "best fixed / rational", "met");
        for (String target : targets) {
            if (!acts.contains(Act.RATIONAL)) {
                continue;
            }
            Comparison c = compare(r, target, acts, GOAL_EPSILON);
            String goal;
            Boolean met;
            double q = c.ratio();
            if (target.equals("abs")) {
                goal = "rational within " + Fmt.times(ABS_GOAL_FACTOR) + " of ReLU";
                long relu = r.parametersToReach(target, Act.RELU, GOAL_EPSILON).orElse(-1);
                if (r.largest(target, Act.RELU) == 0) {
                    met = null; // ReLU not trained: nothing to be within 2x of
                } else if (c.rational() > 0) {
                    met = relu <= 0 || c.rational() <= ABS_GOAL_FACTOR * relu;
                } else {
                    met = relu > 0 ? Boolean.FALSE : null;
                }
            } else if (target.equals("peak") || target.equals("ridge")) {
                goal = "rational ≥ " + Fmt.times(GOAL_FACTOR) + " fewer";
                if (c.rational() > 0) {
                    // fixed not reached: q is a lower bound, so only a bound of at least the goal decides
                    met = c.fixed() > 0 || q >= GOAL_FACTOR ? Boolean.valueOf(q >= GOAL_FACTOR) : null;
                } else {
                    met = c.fixed() > 0 ? Boolean.FALSE : null;
                }
            } else {
                goal = "(none)";
                met = null;
            }
            t.row(target, Fmt.sci(GOAL_EPSILON), goal, c.rational() > 0 ? Long.toString(c.rational())
                            : "> " + c.rationalMax(), c.bestFixed() == null ? "-" : c.bestFixed().id(),
                    c.fixed() > 0 ? Long.toString(c.fixed()) : c.fixedMax() == 0 ? "-" : "> " + c.fixedMax(),
                    c.ratioText(),
                    met == null ? "undecided" : met ? "yes" : "no");
        }
        return t;
    }

    /**
     * At equal parameters: for each target and budget, the rational network's median error against the best fixed
     * activation's (by median), and their ratio (&gt; 1: the rational is more accurate).
     */
    public static TextTable equalBudgetTable(TrainedStudy.Result r, List<String> targets, List<Act> acts) {
        TextTable t = new TextTable("target", "budget", "rational: parameters", "median error", "best fixed",
                "parameters", "median error", "best fixed / rational");
        for (String target : targets) {
            List<Integer> budgets = r.cells().stream().filter(c -> c.target().equals(target)).map(Cell::budget)
                    .distinct().sorted().toList();
            for (int b : budgets) {
                Cell rational = r.cell(target, Act.RATIONAL, b);
                Cell best = bestFixedCell(r, target, acts, b);
                if (rational == null || best == null) {
                    continue;
                }
                t.row(target, b, rational.parameters(), Fmt.sci(rational.median()), best.activation().id(),
                        best.parameters(), Fmt.sci(best.median()), Fmt.times(best.median() / rational.median()));
            }
        }
        return t;
    }

    static Cell bestFixedCell(TrainedStudy.Result r, String target, List<Act> acts, int budget) {
        return acts.stream().filter(a -> a != Act.RATIONAL).map(a -> r.cell(target, a, budget))
                .filter(c -> c != null && !Double.isNaN(c.median())).min(Comparator.comparingDouble(Cell::median))
                .orElse(null);
    }

    /** One sentence per target: rational against the best fixed activation at the largest budget. */
    public static List<String> equalBudgetSentences(TrainedStudy.Result r, List<String> targets, List<Act> acts) {
        List<String> out = new ArrayList<>();
        for (String target : targets) {
            int b = r.cells().stream().filter(c -> c.target().equals(target)).mapToInt(Cell::budget).max().orElse(0);
            Cell rational = r.cell(target, Act.RATIONAL, b);
            Cell best = bestFixedCell(r, target, acts, b);
            if (rational == null || best == null) {
                continue;
            }
            double q = best.median() / rational.median();
            out.add(String.format(Locale.ROOT, "%s: rational %s vs %s %s (%s)", target, Fmt.sci(rational.median()),
                    best.activation().id(), Fmt.sci(best.median()), q >= 1 ? "rational " + Fmt.times(q) + " more accurate"
                            : best.activation().id() + " " + Fmt.times(1 / q) + " more accurate"));
        }
        return out;
    }

    /**
     * Where the rational network is less accurate than the best fixed activation of the same budget, with the
     * share of its parameters its coefficients take (the width they cost).
     */
    public static List<String> losses(TrainedStudy.Result r, List<String> targets, List<Act> acts) {
        List<String> out = new ArrayList<>();
        for (String target : targets) {
            for (Cell rational : r.cells().stream().filter(c -> c.target().equals(target)
                    && c.activation() == Act.RATIONAL).sorted(Comparator.comparingInt(Cell::budget)).toList()) {
                Cell best = bestFixedCell(r, target, acts, rational.budget());
                if (best == null || !(best.median() < rational.median())) {
                    continue;
                }
                long coefficients = rational.parameters() - TrainedStudy.parameters(
                        target.equals("ridge") ? 2 : 1, rational.width(), Act.RELU, protocolOf(r));
                out.add(String.format(Locale.ROOT, "%s at budget %d (%s %s vs rational %s; the rational's %d "
                                + "coefficients are %.0f%% of its %d parameters: width %d against %d)", target,
                        rational.budget(), best.activation().id(), Fmt.sci(best.median()), Fmt.sci(rational.median()),
                        coefficients, 100.0 * coefficients / rational.parameters(), rational.parameters(),
                        rational.width(), best.width()));
            }
        }
        return out;
    }

    private static TrainedStudy.Protocol protocolOf(TrainedStudy.Result r) {
        return r.protocol();
    }

    /** Whether any reported run met the convergence criterion. */
    public static long convergedRuns(TrainedStudy.Result r) {
        return r.runs().stream().filter(x -> !x.tuning && x.converged).count();
    }

    /** One short sentence per target on the goal at ε = 10⁻³. */
    public static List<String> goalSentences(TrainedStudy.Result r, List<String> targets, List<Act> acts) {
        List<String> out = new ArrayList<>();
        TextTable goals = goalTable(r, targets, acts);
        for (String target : targets) {
            if (!acts.contains(Act.RATIONAL)) {
                continue;
            }
            Comparison c = compare(r, target, acts, GOAL_EPSILON);
            String met = metText(r, target, acts);
            String rational = c.rational() > 0 ? c.rational() + " parameters" : "not reached with " + c.rationalMax();
            if (c.fixedMax() == 0) {
                out.add(String.format(Locale.ROOT, "%s: rational %s at ε = 1e-3 (no fixed activation trained; goal "
                        + "%s)", target, rational, met));
                continue;
            }
            out.add(String.format(Locale.ROOT, "%s: rational %s, best fixed (%s) %s at ε = 1e-3 (%s; goal %s)", target,
                    rational, c.bestFixed() == null ? "-" : c.bestFixed().id(),
                    c.fixed() > 0 ? c.fixed() + " parameters" : "not reached with " + c.fixedMax(), c.ratioText(),
                    met));
        }
        return goals.size() == 0 ? List.of() : out;
    }

    private static String metText(TrainedStudy.Result r, String target, List<Act> acts) {
        TextTable t = goalTable(r, List.of(target), acts);
        String csv = t.csv();
        String last = csv.strip().substring(csv.strip().lastIndexOf(',') + 1);
        return switch (last) {
            case "yes" -> "met";
            case "no" -> "missed";
            default -> target.equals("relu-net") ? "none set" : "undecided";
        };
    }

    /** Findings per target in words, with the reasons where the rational does not win. */
    public static List<String> findings(TrainedStudy.Result r, List<String> targets, List<Act> acts,
                                        List<Double> epsilons, java.util.Map<String, TrainedStudy.Exact> exact) {
        List<String> out = new ArrayList<>();
        double tightest = epsilons.stream().mapToDouble(Double::doubleValue).min().orElse(GOAL_EPSILON);
        for (String target : targets) {
            if (!acts.contains(Act.RATIONAL)) {
                continue;
            }
            StringBuilder sb = new StringBuilder("**").append(target).append("**: ");
            List<String> parts = new ArrayList<>();
            for (double eps : epsilons.stream().sorted(Comparator.reverseOrder()).toList()) {
                Comparison c = compare(r, target, acts, eps);
                if (c.bestFixed() == null) {
                    continue;
                }
                parts.add(String.format(Locale.ROOT, "ε = %s: rational %s, best fixed %s %s (%s)", Fmt.sci(eps),
                        c.rational() > 0 ? c.rational() + " parameters" : "not reached (> " + c.rationalMax() + ")",
                        c.bestFixed().id(), c.fixed() > 0 ? c.fixed() + " parameters" : "not reached (> "
                                + c.fixedMax() + ")", c.ratioText()));
            }
            if (!parts.isEmpty()) {
                sb.append(String.join("; ", parts)).append(". ");
            }
            Cell bestRational = r.cells().stream().filter(c -> c.target().equals(target)
                    && c.activation() == Act.RATIONAL).min(Comparator.comparingDouble(Cell::median)).orElse(null);
            if (bestRational != null) {
                sb.append(String.format(Locale.ROOT, "The best rational median is %s at %d parameters (%d/%d runs "
                                + "converged). ", Fmt.sci(bestRational.median()), bestRational.parameters(),
                        bestRational.converged(), bestRational.runs().size()));
            }
            sb.append(why(target));
            TrainedStudy.Exact e = exact.get(target);
            if (e != null) {
                sb.append(String.format(Locale.ROOT, " In this very architecture a rational network with %d "
                        + "parameters represents the target exactly (explicit coefficients, DL4J float64 error %s).",
                        e.parameters(), Fmt.sci(e.uniformError())));
            }
            if (r.parametersToReach(target, Act.RATIONAL, tightest).isEmpty()) {
                sb.append(e != null ? " So where no trained rational network reached the tightest ε, the optimizer "
                        + "(Adam on the MSE within the step cap) is the limit, not the function class."
                        : " No trained rational network reached the tightest ε.");
            }
            out.add(sb.toString());
        }
        return out;
    }

    static String why(String target) {
        return switch (target) {
            case "abs" -> "Why: ReLU represents |x| exactly with two neurons, so any ReLU network here can reach "
                    + "zero error and only training limits it; a rational must emulate the kink (type (5, 4) "
                    + "alone reaches about 1e-2; compositions reach 1e-3 and below, see the constructive part), so "
                    + "on |x| the honest claim is a small overhead, not a win.";
            case "relu-net" -> "Why: the target is itself a ReLU network (1-6-6-1), the home ground of ReLU.";
            case "peak" -> "Why: one rational neuron of type (0, 2) is the peak exactly, while fixed activations "
                    + "must build the narrow bump from many units (a 1-hidden-layer ReLU network needs about "
                    + "1.2/√ε pieces, see the constructive part).";
            case "ridge" -> "Why: a rational network of width 3 represents the ridge exactly (squares in the first "
                    + "rational layer, 1/(1 + u²/η²) in the second), while fixed activations must tile a curved "
                    + "narrow ridge in 2-D.";
            default -> "";
        };
    }

    /** Median error (line with markers) and the min-max spread (thin lines) against parameters, log-log. */
    public static XYChart errorPlot(TrainedStudy.Result r, Target t, List<Act> acts) {
        XYChart c = Plots.chart(t.label(), "parameters", "uniform error (median; thin: min and max over seeds)",
                760, 500);
        Plots.logY(c);
        double pMin = r.cells().stream().filter(x -> x.target().equals(t.id())).mapToDouble(Cell::parameters).min()
                .orElse(1);
        double pMax = r.cells().stream().filter(x -> x.target().equals(t.id())).mapToDouble(Cell::parameters).max()
                .orElse(10);
        Plots.logX(c, pMin, pMax);
        for (Act a : acts) {
            List<Cell> cells = r.cells().stream().filter(x -> x.target().equals(t.id()) && x.activation() == a
                    && Double.isFinite(x.median())).sorted(Comparator.comparingLong(Cell::parameters)).toList();
            if (cells.isEmpty()) {
                continue;
            }
            double[] p = cells.stream().mapToDouble(Cell::parameters).toArray();
            Plots.line(c, a.id(), p, cells.stream().mapToDouble(Cell::median).toArray(), a.ordinal());
            for (boolean low : new boolean[]{true, false}) {
                double[] y = cells.stream().mapToDouble(x -> low ? x.min() : x.max()).map(v -> Double.isFinite(v)
                        ? v : Double.NaN).toArray();
                if (Arrays.stream(y).allMatch(Double::isFinite)) {
                    Plots.band(c, a.id() + (low ? " min" : " max"), p, y, a.ordinal());
                }
            }
        }
        return c;
    }

    /** Training loss against steps for the first evaluation seed of each activation at the largest budget. */
    public static XYChart curvePlot(TrainedStudy.Result r, Target t, List<Act> acts) {
        int budget = r.cells().stream().filter(x -> x.target().equals(t.id())).mapToInt(Cell::budget).max()
                .orElse(0);
        XYChart c = Plots.chart(t.id() + ": training loss (budget " + budget + ", first seed)", "step",
                "mean MSE per window", 760, 500);
        Plots.logY(c);
        for (Act a : acts) {
            Cell cell = r.cell(t.id(), a, budget);
            if (cell == null || cell.runs().isEmpty() || cell.runs().get(0).curve.isEmpty()) {
                continue;
            }
            Run run = cell.runs().get(0);
            double[] x = run.curve.stream().mapToDouble(TrainedStudy.CurvePoint::step).toArray();
            double[] y = run.curve.stream().mapToDouble(p -> Double.isFinite(p.loss()) && p.loss() > 0 ? p.loss()
                    : Double.NaN).toArray();
            if (Arrays.stream(y).allMatch(Double::isFinite)) {
                Plots.curve(c, a.id() + (run.converged ? " (converged)" : " (cap)"), x, y, a.ordinal());
            }
        }
        return c;
    }

    /** Learned (solid) and initial (dashed) rationals of the best rational network at the largest budget. */
    public static XYChart shapePlot(TrainedStudy.Result r, Target t) {
        Cell cell = r.cells().stream().filter(x -> x.target().equals(t.id()) && x.activation() == Act.RATIONAL)
                .max(Comparator.comparingLong(Cell::parameters)).orElse(null);
        if (cell == null) {
            return null;
        }
        Run run = cell.runs().stream().min(Comparator.comparingDouble(x -> x.uniformError)).orElseThrow();
        if (run.shapes.isEmpty()) {
            return null;
        }
        XYChart c = Plots.chart(t.id() + ": learned rationals (" + run.parameters + " params)",
                "pre-activation x (range its inputs cover)", "R(x)", 720, 480);
        double lo = Math.max(-10, Math.min(-1, run.shapes.stream().mapToDouble(s -> s.lo).min().orElse(-1)));
        double hi = Math.min(10, Math.max(1, run.shapes.stream().mapToDouble(s -> s.hi).max().orElse(1)));
        double[] range = {lo, hi};
        int n = 201;
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = range[0] + (range[1] - range[0]) * i / (n - 1);
        }
        int k = 0;
        double yLo = Double.POSITIVE_INFINITY;
        double yHi = Double.NEGATIVE_INFINITY;
        for (TrainedStudy.Shape s : run.shapes) {
            double[] y = Arrays.stream(x).map(s.learned::value).toArray();
            Plots.curve(c, "layer " + s.layer + " learned", x, y, k++);
            yLo = Math.min(yLo, Arrays.stream(y).min().orElse(0));
            yHi = Math.max(yHi, Arrays.stream(y).max().orElse(1));
        }
        RationalFunction initial = run.shapes.get(0).initial;
        double[] y0 = Arrays.stream(x).map(initial::value).toArray();
        Plots.dashed(c, "initial (ReLU fit)", x, y0, 7);
        yLo = Math.min(yLo, Arrays.stream(y0).min().orElse(0));
        yHi = Math.max(yHi, Arrays.stream(y0).max().orElse(1));
        Plots.xRange(c, lo, hi);
        Plots.yRange(c, yLo, yHi);
        return c;
    }

    /** The protocol in words, for the report. */
    public static String protocol(TrainedStudy.Protocol p, boolean tuned) {
        return String.format(Locale.ROOT, "Networks d → w → w → 1 (%d hidden layers). *rational*: dense (identity) "
                        + "+ `RationalActivationLayer` of type (%d, %d), version B, one coefficient set per layer, "
                        + "initialised to ReLU on [−1, 1], coefficients counted as parameters and trained at %s× the "
                        + "learning rate (the paper's recipe). Fixed activations are DL4J's (GELU is DL4J's default "
                        + "GELU, SiLU is `Activation.SWISH`). Every network has the largest width that fits its "
                        + "budget; full-batch Adam on the MSE, %s. "
                        + "%s"
                        + "Training stops when the loss stopped moving: the mean loss of each window of %d steps is "
                        + "compared with the best so far; after %d windows without a relative improvement of %s "
                        + "the learning rate is divided by %s, and after %d divisions the next plateau ends the run "
                        + "(*converged*); runs that hit the cap of %d steps count as not converged. %s"
                        + "Reported: the "
                        + "uniform error on a dense grid (4001 points in 1-D, 201×201 in 2-D), median and range over "
                        + "%d seeds.",
                p.depth(), p.degrees()[0], p.degrees()[1], Fmt.g(p.coefficientLr()),
                p.dataType() == org.nd4j.linalg.api.buffer.DataType.DOUBLE ? "float64" : "float32",
                tuned ? "The learning rate is tuned per activation and budget: each of " + p.learningRates()
                        + " trains on a separate tuning seed, the one with the smallest uniform error is kept, and "
                        + "the reported seeds are trained with it (the tuning seed is not among them). "
                        : "Learning rate " + p.learningRates().get(0) + " for every network (no tuning). ",
                p.evalEvery(), p.patience(), Fmt.g(p.tolerance()), Fmt.g(p.lrFactor()), p.lrDrops(), p.maxSteps(),
                p.polish() > 0 ? "Then every network, whatever its activation, is polished by full-batch L-BFGS "
                        + "(memory " + FullBatchLbfgs.MEMORY + ", Armijo backtracking) for at most " + p.polish()
                        + " iterations, or until no step lowers the loss. " : "",
                p.seeds());
    }
}
