package org.rationalnn.samples.expressivity;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.rationalnn.samples.harness.Fmt;
import org.rationalnn.samples.harness.Progress;
import org.rationalnn.samples.harness.TextTable;
import org.slf4j.Logger;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.Callable;

/**
 * Why gradient training misses the exact rational networks: training that starts at the exact network of the trained
 * architecture ({@link TrainedStudy#exactRepresentation}), perturbed by relative noise, with exactly the protocol's
 * training (Adam at the smallest learning rate of the grid with the plateau schedule, then the L-BFGS polish), in
 * float64. Every parameter θ becomes θ + σ·(|θ| + 1)·g with g standard normal (a fixed seed per run), so σ = 0 is the
 * exact network itself and σ = 1 is a start about as far from it as the parameters are large. Each start is trained
 * twice ({@link Optimizer}): by the protocol (Adam, then L-BFGS) and by L-BFGS alone, whose line search never
 * increases the loss. Where L-BFGS alone keeps or recovers the exact network but Adam leaves it, the Adam phase is
 * what loses it; where neither recovers from moderate σ, the exact network sits in a narrow basin that the usual
 * start does not reach. Either way the optimizer, not the function class, limits the trained rational networks.
 */
public final class RecoveryStudy {
    private RecoveryStudy() {
    }

    /** How a perturbed exact network is trained. */
    public enum Optimizer {
        /** The trained study's protocol: Adam with the plateau schedule, then the L-BFGS polish. */
        ADAM_THEN_LBFGS("Adam, then L-BFGS"),
        /** Only the L-BFGS polish (no Adam step), with as many iterations as the protocol's polish. */
        LBFGS_ONLY("L-BFGS only");

        private final String label;

        Optimizer(String label) {
            this.label = label;
        }

        /** The name in tables and the report. */
        public String label() {
            return label;
        }

        TrainedStudy.Protocol protocol(TrainedStudy.Protocol p) {
            return this == ADAM_THEN_LBFGS ? p : p.withMaxSteps(0);
        }
    }

    /**
     * One training run from a perturbed exact network.
     *
     * @param target     the target's id
     * @param scale      where the exact network carries the target's scale
     * @param optimizer  how it was trained
     * @param noise      the relative noise σ
     * @param startError the uniform error of the perturbed network before training
     * @param run        the training run (its uniform error is after training)
     */
    public record Recovery(String target, TrainedStudy.ExactScale scale, Optimizer optimizer, double noise,
                           double startError,
                           TrainedStudy.Run run) {
    }

    /**
     * The perturbation seed of the s-th run: distinct across the seeds of one cell, and the same s-th seed for every
     * target, scale, optimizer and noise level (so both optimizers start from the same perturbed network).
     */
    static long seed(int s) {
        return 7000L + s;
    }

    /**
     * Trains, for every target with an exact representation, both placements of its scale
     * ({@link TrainedStudy.ExactScale}), both optimizers and every noise level, {@code p.seeds()} networks; a seed's
     * perturbation is the same for both optimizers. Targets without one (|x|
     * and the ReLU network) are skipped with a log line.
     *
     * @throws IllegalArgumentException if a noise level is negative or not finite
     */
    public static List<Recovery> run(List<Target> targets, List<Double> noises, TrainedStudy.Protocol p,
                                     Logger log) {
        for (double sigma : noises) {
            if (!(sigma >= 0) || !Double.isFinite(sigma)) {
                throw new IllegalArgumentException("noise levels must be finite and >= 0, got " + sigma);
            }
        }
        TrainedStudy.Protocol dp = p.inDouble();
        double lr = p.learningRates().stream().mapToDouble(Double::doubleValue).min().orElseThrow();
        List<Target> exact = new ArrayList<>();
        for (Target t : targets) {
            if (TrainedStudy.exactRepresentation(t, dp) == null) {
                log.info("recovery: {} has no exact rational network in this architecture; skipped", t.id());
            } else {
                exact.add(t);
            }
        }
        List<TrainedStudy.ExactScale> scales = List.of(TrainedStudy.ExactScale.values());
        List<Optimizer> optimizers = p.polish() > 0 ? List.of(Optimizer.values())
                : List.of(Optimizer.ADAM_THEN_LBFGS);
        if (p.polish() == 0) {
            log.info("recovery: no L-BFGS polish in this protocol (--polish 0), so no L-BFGS-only runs");
        }
        int total = exact.size() * scales.size() * optimizers.size() * noises.size() * p.seeds();
        log.info("recovery: training {} networks from the exact rational network plus relative noise {}, lr {}",
                total, noises, lr);
        Progress progress = new Progress(log, "recovery networks", total);
        List<Callable<Recovery>> tasks = new ArrayList<>();
        for (Target t : exact) {
            for (TrainedStudy.ExactScale scale : scales) {
                for (Optimizer optimizer : optimizers) {
                    for (double sigma : noises) {
                        for (int s = 0; s < p.seeds(); s++) {
                            long seed = seed(s);
                            tasks.add(() -> {
                                Recovery r = train(t, scale, optimizer, sigma, seed, lr, dp);
                                progress.step(String.format(Locale.ROOT, "%s / scale in the %s / %s / noise %s / "
                                                + "seed %d: uniform error %.3g at the start, %.3g after %d steps and "
                                                + "%d L-BFGS iterations (%.1fs)", t.id(), scale.id(),
                                        optimizer.label(), Fmt.g(sigma), seed, r.startError(), r.run().uniformError,
                                        r.run().steps, r.run().lbfgsIterations, r.run().seconds));
                                return r;
                            });
                        }
                    }
                }
            }
        }
        return TrainedStudy.inParallel(tasks, p.threads());
    }

    /** One run: the exact network, perturbed with this noise and seed, trained by the optimizer at lr. */
    static Recovery train(Target t, TrainedStudy.ExactScale scale, Optimizer optimizer, double sigma, long seed,
                          double lr, TrainedStudy.Protocol dp) {
        long t0 = System.nanoTime();
        MultiLayerNetwork net = TrainedStudy.exactRepresentation(t, dp, scale).net();
        perturb(net, sigma, seed);
        TrainedStudy.setLearningRate(net, lr, dp);
        double start = TrainedStudy.uniformError(net, t);
        int width = (int) net.getLayer(0).getParam("b").length();
        TrainedStudy.Run run = TrainedStudy.fit(net, t, Act.RATIONAL, (int) net.numParams(), width, seed, lr,
                false, optimizer.protocol(dp), t0);
        return new Recovery(t.id(), scale, optimizer, sigma, start, run);
    }

    /** θ ← θ + σ·(|θ| + 1)·g for every parameter, g standard normal from {@code new Random(seed)}. */
    static void perturb(MultiLayerNetwork net, double sigma, long seed) {
        if (sigma == 0) {
            return;
        }
        double[] theta = net.params().toDoubleVector();
        Random random = new Random(seed);
        for (int i = 0; i < theta.length; i++) {
            theta[i] += sigma * (Math.abs(theta[i]) + 1) * random.nextGaussian();
        }
        INDArray perturbed = Nd4j.create(theta, new long[]{1, theta.length}).castTo(net.params().dataType());
        net.setParams(perturbed);
    }

    /**
     * Per target, scale, optimizer and noise level: the median and range of the start and final uniform errors, over
     * the seeds.
     */
    public static TextTable table(List<Recovery> runs, List<Double> thresholds) {
        List<String> header = new ArrayList<>(List.of("target", "scale in the", "parameters", "training", "noise σ",
                "error at start (median)",
                "error after training (median)", "min", "max"));
        for (double e : thresholds) {
            header.add("runs ≤ " + Fmt.sci(e));
        }
        header.add("mean Adam steps");
        TextTable table = new TextTable(header);
        for (Group g : groups(runs)) {
            for (double sigma : runs.stream().map(Recovery::noise).distinct().toList()) {
                List<Recovery> cell = g.of(runs, sigma);
                if (cell.isEmpty()) {
                    continue;
                }
                double[] end = cell.stream().mapToDouble(r -> r.run().uniformError).sorted().toArray();
                double start = TrainedStudy.median(cell.stream().mapToDouble(Recovery::startError).toArray());
                List<String> row = new ArrayList<>(List.of(g.target(), g.scale().id(),
                        Long.toString(cell.get(0).run().parameters), g.optimizer().label(),
                        Fmt.g(sigma), Fmt.sci(start), Fmt.sci(TrainedStudy.median(end)), Fmt.sci(end[0]),
                        Fmt.sci(end[end.length - 1])));
                for (double e : thresholds) {
                    row.add(Arrays.stream(end).filter(v -> v <= e).count() + "/" + end.length);
                }
                row.add(Fmt.fixed(cell.stream().mapToInt(r -> r.run().steps).average().orElse(Double.NaN), 0));
                table.row(row);
            }
        }
        return table;
    }

    /** A target with one placement of its scale, trained by one optimizer. */
    private record Group(String target, TrainedStudy.ExactScale scale, Optimizer optimizer) {
        List<Recovery> of(List<Recovery> runs, double sigma) {
            return runs.stream().filter(r -> r.target().equals(target) && r.scale() == scale
                    && r.optimizer() == optimizer && r.noise() == sigma).toList();
        }
    }

    private static List<Group> groups(List<Recovery> runs) {
        return runs.stream().map(r -> new Group(r.target(), r.scale(), r.optimizer())).distinct().toList();
    }

    /** Every run, a row each. */
    public static TextTable runTable(List<Recovery> runs) {
        TextTable t = new TextTable("target", "scale_in", "training", "noise", "seed", "parameters",
                "start_uniform_error", "uniform_error", "rms_error", "steps", "converged", "lbfgs_iterations",
                "lbfgs_stopped", "train_seconds");
        for (Recovery r : runs) {
            TrainedStudy.Run run = r.run();
            t.row(r.target(), r.scale().id(), r.optimizer().label(), Fmt.g(r.noise()), run.seed, run.parameters,
                    Fmt.sci(r.startError()), Fmt.sci(run.uniformError), Fmt.sci(run.rmsError), run.steps,
                    run.converged, run.lbfgsIterations,
                    run.lbfgsStopped, Fmt.fixed(run.seconds, 2));
        }
        return t;
    }

    /** What the report says about the method. */
    public static String explanation(TrainedStudy.Protocol p) {
        double lr = p.learningRates().stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
        return String.format(Locale.ROOT, "Training that starts at the exact rational network of the trained "
                + "architecture (the one in the findings above), with every parameter θ moved to θ + σ·(|θ| + 1)·g, "
                + "g standard normal, and then trained exactly like the reported runs (Adam from learning rate %s "
                + "with the plateau schedule, at most %d steps, then at most %d L-BFGS iterations; float64; %d "
                + "seeds per noise level), and, from the same start, by the L-BFGS iterations alone, whose line "
                + "search never increases the loss. σ = 0 is the exact network; at σ = 1 the start is as far from "
                + "it as its parameters are large. Each target is represented twice, the same function with its "
                + "scale 1/η in different parameters: *coefficients* puts 1/η² into the second rational layer's "
                + "denominator, so "
                + "every rational layer sees inputs in [−2, 2]; *weights* puts it into the dense weights before it, "
                + "so that layer sees inputs up to 1/η² (the peak) or about 2/η (the ridge) and its degree-k "
                + "coefficients act on their k-th powers. Where small σ trains back to a tiny error but large σ "
                + "ends where training from the ReLU-shaped start ends, the exact network lies in a narrow basin "
                + "that gradient training from the usual start does not reach; where L-BFGS alone stays at or "
                + "returns to it but Adam does not, Adam's steps are what leave it.", Fmt.g(lr), p.maxSteps(),
                p.polish(), p.seeds());
    }

    /** One sentence per target: which noise levels still train back to ε. */
    public static List<String> findings(List<Recovery> runs, double epsilon) {
        List<String> out = new ArrayList<>();
        for (Group g : groups(runs)) {
            List<String> parts = new ArrayList<>();
            for (double sigma : runs.stream().map(Recovery::noise).distinct().toList()) {
                List<Recovery> cell = g.of(runs, sigma);
                if (cell.isEmpty()) {
                    continue;
                }
                long reached = cell.stream().filter(r -> r.run().uniformError <= epsilon).count();
                parts.add(String.format(Locale.ROOT, "σ = %s: %d/%d (median %s)", Fmt.g(sigma), reached,
                        cell.size(), Fmt.sci(TrainedStudy.median(cell.stream().mapToDouble(r -> r.run().uniformError)
                                .toArray()))));
            }
            out.add(String.format(Locale.ROOT, "%s, scale in the %s, %s: runs that ended at uniform error ≤ %s: "
                    + "%s", g.target(), g.scale().id(), g.optimizer().label(), Fmt.sci(epsilon),
                    String.join("; ", parts)));
        }
        return out;
    }
}
