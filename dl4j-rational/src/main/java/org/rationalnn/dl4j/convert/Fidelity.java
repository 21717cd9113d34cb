package org.rationalnn.dl4j.convert;

import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.BaseActivationFunction;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.conditions.Conditions;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.rationalnn.dl4j.convert.NetworkSurgery.Plan;
import org.rationalnn.dl4j.convert.NetworkSurgery.Planned;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Calibration (ranges of the pre-activations of the planned layers, observed in a probe network that computes exactly
 * the original's function with the activations split out), the measured output difference, and the Lipschitz chain
 * of {@link ConversionReport#outputBound()}.
 */
final class Fidelity {

    private Fidelity() {
    }

    /** The bound on the network output and how it was obtained. */
    record Bound(double value, String note) {
    }

    // ------------------------------------------------------------------------------------------------------
    // Calibration

    /**
     * The activation of the probe network's ActivationLayers: records min, max, count and shape of what it is applied
     * to (the pre-activation of a planned layer, after any preprocessor) and applies DL4J's own activation. DL4J's
     * ActivationLayer works in place at inference, so the pre-activations cannot be read back from feed-forward
     * results afterwards. Never serialized.
     */
    static final class RecordingActivation extends BaseActivationFunction {
        private static final long serialVersionUID = 1L;
        private final transient Planned sink;
        private final IActivation inner;
        private final double fixedLower;
        private final double fixedUpper;

        RecordingActivation(Planned sink, IActivation inner, double fixedLower, double fixedUpper) {
            this.sink = sink;
            this.inner = inner;
            this.fixedLower = fixedLower;
            this.fixedUpper = fixedUpper;
        }

        @Override
        public INDArray getActivation(INDArray in, boolean training) {
            observe(sink, in, fixedLower, fixedUpper);
            return inner.getActivation(in, training);
        }

        @Override
        public Pair<INDArray, INDArray> backprop(INDArray in, INDArray epsilon) {
            return inner.backprop(in, epsilon);
        }

        @Override
        public String toString() {
            return "recording(" + inner + ")";
        }
    }

    /**
     * Runs the probe network (which computes the original's function, with the planned activations applied by
     * {@link RecordingActivation}s) over the calibration batches in inference mode.
     *
     * @throws IllegalStateException if a pre-activation was not finite
     */
    static void record(Model probe, Plan plan, List<MultiDataSet> batches) {
        for (MultiDataSet b : batches) {
            try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
                outputs(probe, b);
            }
        }
        for (Planned p : plan.planned()) {
            if (p.observed() && !(Double.isFinite(p.min) && Double.isFinite(p.max))) {
                throw new IllegalStateException("layer '" + p.name() + "': the calibration data produced non-finite "
                        + "pre-activations (range [" + p.min + ", " + p.max + "])");
            }
        }
    }

    private static INDArray mask(INDArray[] masks) {
        return masks == null || masks.length == 0 ? null : masks[0];
    }

    private static INDArray[] outputs(Model net, MultiDataSet b) {
        if (net instanceof MultiLayerNetwork) {
            return new INDArray[]{((MultiLayerNetwork) net).output(b.getFeatures(0), false,
                    mask(b.getFeaturesMaskArrays()), mask(b.getLabelsMaskArrays()))};
        }
        return ((ComputationGraph) net).output(false, b.getFeatures(), b.getFeaturesMaskArrays(),
                b.getLabelsMaskArrays());
    }

    private static void observe(Planned p, INDArray x, double fixedLower, double fixedUpper) {
        double lo = x.minNumber().doubleValue();
        double hi = x.maxNumber().doubleValue();
        if (Double.isNaN(lo) || Double.isNaN(hi) || x.isNaN().any()) {
            p.min = Double.NaN;
            p.max = Double.NaN;
        } else {
            p.min = Math.min(p.min, lo);
            p.max = Math.max(p.max, hi);
        }
        p.count += x.length();
        if (!Double.isNaN(fixedLower)) {
            p.outside += x.scan(Conditions.lessThan(fixedLower)).longValue()
                    + x.scan(Conditions.greaterThan(fixedUpper)).longValue();
        }
        if (p.shape == null) {
            p.shape = x.shape();
        }
    }

    /** max |y' − y| over every output element of every batch (inference mode, masks applied as in training). */
    static double measure(Model original, Model converted, List<MultiDataSet> batches) {
        double max = 0;
        for (MultiDataSet b : batches) {
            try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
                INDArray[] y = outputs(original, b);
                INDArray[] z = outputs(converted, b);
                for (int i = 0; i < y.length; i++) {
                    INDArray d = Transforms.abs(y[i].castTo(DataType.DOUBLE).sub(z[i].castTo(DataType.DOUBLE)), false);
                    max = Math.max(max, d.maxNumber().doubleValue());
                }
            }
        }
        return max;
    }

    // ------------------------------------------------------------------------------------------------------
    // The Lipschitz chain

    /** Deviation after a planned activation, given the deviation of its pre-activation. */
    private static double throughRational(Planned p, double dz) {
        p.inputDeviation = dz;
        double lo = p.observed() ? p.min : p.lower;
        double hi = p.observed() ? p.max : p.upper;
        double lip = dz == 0 ? 0 : Lipschitz.rational(p.fit.function(), lo - dz, hi + dz);
        p.outputDeviation = lip * dz + p.errorBound;
        return p.outputDeviation;
    }

    private static String unknown(String where, String what) {
        return "no bound: no Lipschitz constant for " + where + " (" + what + ") downstream of a replaced activation";
    }

    /** The chain over a MultiLayerNetwork, in layer order. */
    static Bound bound(MultiLayerNetwork net, Plan plan) {
        MultiLayerConfiguration conf = net.getLayerWiseConfigurations();
        double d = 0;
        String failure = null;
        for (int i = 0; i < conf.getConfs().size(); i++) {
            org.deeplearning4j.nn.conf.layers.Layer layer = conf.getConf(i).getLayer();
            String name = NetworkSurgery.layerName(layer, i);
            InputPreProcessor pp = conf.getInputPreProcess(i);
            if (d > 0 && pp != null) {
                double l = Lipschitz.of(pp);
                if (Double.isNaN(l) && failure == null) {
                    failure = unknown("the preprocessor of layer '" + name + "'", pp.getClass().getSimpleName());
                }
                d *= l;
            }
            d = step(plan.at(name), layer, net.getLayer(i).paramTable(false), d);
            if (Double.isNaN(d) && failure == null) {
                failure = unknown("layer '" + name + "'", Lipschitz.of(layer, net.getLayer(i).paramTable(false))
                        .unknown());
            }
        }
        return new Bound(d, note(d, failure));
    }

    /** One layer of the chain: through its affine part and its activation, or through the rational replacing it. */
    private static double step(Planned p, org.deeplearning4j.nn.conf.layers.Layer layer, Map<String, INDArray> params,
                               double d) {
        if (p != null) {
            double dz = d == 0 || p.whole ? d : d * Lipschitz.of(layer, params).affine();
            return throughRational(p, dz);
        }
        if (d == 0 || Double.isNaN(d)) {
            return d;
        }
        Lipschitz.LayerMap m = Lipschitz.of(layer, params);
        return d * m.total();
    }

    /** The chain over a ComputationGraph, in topological order; the bound is the largest over its outputs. */
    static Bound bound(ComputationGraph graph, Plan plan) {
        ComputationGraphConfiguration conf = graph.getConfiguration();
        Map<String, Double> dev = new HashMap<>();
        for (String in : conf.getNetworkInputs()) {
            dev.put(in, 0.0);
        }
        String failure = null;
        org.deeplearning4j.nn.graph.vertex.GraphVertex[] vertices = graph.getVertices();
        for (int idx : graph.topologicalSortOrder()) {
            String name = vertices[idx].getVertexName();
            if (dev.containsKey(name)) {
                continue;
            }
            GraphVertex v = conf.getVertices().get(name);
            List<Double> in = new ArrayList<>();
            for (String s : conf.getVertexInputs().get(name)) {
                in.add(dev.get(s));
            }
            double d;
            if (v instanceof LayerVertex) {
                LayerVertex lv = (LayerVertex) v;
                d = in.stream().mapToDouble(Double::doubleValue).max().orElse(0);
                if (in.stream().anyMatch(x -> Double.isNaN(x))) {
                    d = Double.NaN;
                }
                if (d > 0 && lv.getPreProcessor() != null) {
                    double l = Lipschitz.of(lv.getPreProcessor());
                    if (Double.isNaN(l) && failure == null) {
                        failure = unknown("the preprocessor of vertex '" + name + "'",
                                lv.getPreProcessor().getClass().getSimpleName());
                    }
                    d *= l;
                }
                Map<String, INDArray> params = vertices[idx].paramTable(false);
                boolean wasKnown = !Double.isNaN(d);
                d = step(plan.at(name), lv.getLayerConf().getLayer(), params, d);
                if (wasKnown && Double.isNaN(d) && failure == null) {
                    failure = unknown("layer '" + name + "'", Lipschitz.of(lv.getLayerConf().getLayer(), params)
                            .unknown());
                }
            } else {
                boolean wasKnown = in.stream().noneMatch(x -> Double.isNaN(x));
                d = Lipschitz.vertex(v, in);
                if (wasKnown && Double.isNaN(d) && failure == null) {
                    failure = unknown("vertex '" + name + "'", v.getClass().getSimpleName());
                }
            }
            dev.put(name, d);
        }
        double out = 0;
        for (String o : conf.getNetworkOutputs()) {
            out = Math.max(out, dev.get(o));
            if (Double.isNaN(dev.get(o))) {
                out = Double.NaN;
                break;
            }
        }
        return new Bound(out, note(out, failure));
    }

    private static String note(double bound, String failure) {
        if (Double.isNaN(bound)) {
            return failure != null ? failure : "no bound";
        }
        return "bound: replaced activations' errors chained through max-norm Lipschitz constants of the layers "
                + "after them; holds where every pre-activation stays in its observed range";
    }
}
