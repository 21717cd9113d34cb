package org.rationalnn.dl4j.convert;

import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.graph.rnn.DuplicateToTimeSeriesVertex;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.graph.FrozenVertex;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.rnn.LastTimeStepVertex;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.graph.PoolHelperVertex;
import org.deeplearning4j.nn.conf.graph.PreprocessorVertex;
import org.deeplearning4j.nn.conf.graph.ReshapeVertex;
import org.deeplearning4j.nn.conf.graph.rnn.ReverseTimeSeriesVertex;
import org.deeplearning4j.nn.conf.graph.ScaleVertex;
import org.deeplearning4j.nn.conf.graph.ShiftVertex;
import org.deeplearning4j.nn.conf.graph.StackVertex;
import org.deeplearning4j.nn.conf.graph.SubsetVertex;
import org.deeplearning4j.nn.conf.graph.UnstackVertex;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.CenterLossOutputLayer;
import org.deeplearning4j.nn.conf.layers.CnnLossLayer;
import org.deeplearning4j.nn.conf.layers.Convolution1DLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.RnnLossLayer;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.conf.layers.Subsampling1DLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.layers.Upsampling1D;
import org.deeplearning4j.nn.conf.layers.Upsampling2D;
import org.deeplearning4j.nn.conf.layers.ZeroPadding1DLayer;
import org.deeplearning4j.nn.conf.layers.ZeroPaddingLayer;
import org.deeplearning4j.nn.conf.layers.convolutional.Cropping1D;
import org.deeplearning4j.nn.conf.layers.convolutional.Cropping2D;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayerWithBackprop;
import org.deeplearning4j.nn.conf.layers.misc.RepeatVector;
import org.deeplearning4j.nn.conf.layers.util.MaskLayer;
import org.deeplearning4j.nn.conf.preprocessor.CnnToFeedForwardPreProcessor;
import org.deeplearning4j.nn.conf.preprocessor.CnnToRnnPreProcessor;
import org.deeplearning4j.nn.conf.preprocessor.ComposableInputPreProcessor;
import org.deeplearning4j.nn.conf.preprocessor.FeedForwardToCnnPreProcessor;
import org.deeplearning4j.nn.conf.preprocessor.FeedForwardToRnnPreProcessor;
import org.deeplearning4j.nn.conf.preprocessor.RnnToCnnPreProcessor;
import org.deeplearning4j.nn.conf.preprocessor.RnnToFeedForwardPreProcessor;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.rationalnn.dl4j.rational.RationalFunction;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Lipschitz constants in the maximum norm (the largest factor by which a map can stretch the largest elementwise
 * difference of its input) of DL4J layers, preprocessors and graph vertices at inference, for
 * {@link ConversionReport#outputBound()}. A layer is split into its pre-activation map (weights: largest absolute
 * row sum of the matrix that produces one output element; normalization: largest scale) and its activation.
 */
final class Lipschitz {

    /** Pre-activation constant of a layer and the activation it applies afterwards; NaN with a reason if unknown. */
    record LayerMap(double affine, IActivation activation, String unknown) {
        static LayerMap of(double affine, IActivation activation) {
            return new LayerMap(affine, activation, null);
        }

        static LayerMap unknown(String reason) {
            return new LayerMap(Double.NaN, null, reason);
        }

        /** The whole layer's constant: affine × Lip(activation). */
        double total() {
            return activation == null ? affine : affine * Dl4jActivations.lipschitz(activation);
        }
    }

    private static final Set<Class<?>> UNIT_PREPROCESSORS = Set.of(CnnToFeedForwardPreProcessor.class,
            FeedForwardToCnnPreProcessor.class, RnnToFeedForwardPreProcessor.class, FeedForwardToRnnPreProcessor.class,
            CnnToRnnPreProcessor.class, RnnToCnnPreProcessor.class,
            org.deeplearning4j.nn.conf.preprocessor.Cnn3DToFeedForwardPreProcessor.class,
            org.deeplearning4j.nn.conf.preprocessor.FeedForwardToCnn3DPreProcessor.class);

    private static final Set<Class<?>> UNIT_LAYERS = Set.of(DropoutLayer.class, ZeroPaddingLayer.class,
            ZeroPadding1DLayer.class, Cropping1D.class, Cropping2D.class, Upsampling1D.class, Upsampling2D.class,
            RepeatVector.class, MaskLayer.class);

    private static final Set<Class<?>> UNIT_VERTICES = Set.of(SubsetVertex.class, StackVertex.class,
            UnstackVertex.class, ReshapeVertex.class, ShiftVertex.class, PoolHelperVertex.class,
            DuplicateToTimeSeriesVertex.class, LastTimeStepVertex.class, ReverseTimeSeriesVertex.class);

    private Lipschitz() {
    }

    /** The layer inside DL4J's frozen wrappers. */
    static Layer unwrapFrozen(Layer l) {
        Layer cur = l;
        while (true) {
            if (cur instanceof FrozenLayerWithBackprop) {
                cur = ((FrozenLayerWithBackprop) cur).getUnderlying();
            } else if (cur instanceof FrozenLayer) {
                cur = ((FrozenLayer) cur).getLayer();
            } else {
                return cur;
            }
        }
    }

    /** Constant of a preprocessor (1 for DL4J's reshaping ones); NaN if unknown. */
    static double of(InputPreProcessor p) {
        if (p == null || UNIT_PREPROCESSORS.contains(p.getClass())) {
            return 1.0;
        }
        if (p instanceof ComposableInputPreProcessor) {
            double l = 1.0;
            for (InputPreProcessor q : ((ComposableInputPreProcessor) p).getInputPreProcessors()) {
                l *= of(q);
            }
            return l;
        }
        return Double.NaN;
    }

    /** The pre-activation map and activation of a layer at inference, given its parameters. */
    static LayerMap of(Layer layer, Map<String, INDArray> params) {
        Layer l = unwrapFrozen(layer);
        Class<?> c = l.getClass();
        if (c == DenseLayer.class) {
            if (((DenseLayer) l).hasLayerNorm()) {
                return LayerMap.unknown("DenseLayer with layer normalization");
            }
            return LayerMap.of(maxColumnAbsSum(params.get("W")), ((DenseLayer) l).getActivationFn());
        }
        if (c == OutputLayer.class || c == RnnOutputLayer.class || c == CenterLossOutputLayer.class) {
            return LayerMap.of(maxColumnAbsSum(params.get("W")),
                    ((org.deeplearning4j.nn.conf.layers.BaseLayer) l).getActivationFn());
        }
        if (c == ConvolutionLayer.class || c == Convolution1DLayer.class) {
            INDArray w = params.get("W");
            long out = ((ConvolutionLayer) l).getNOut();
            if (w == null || w.size(0) != out) {
                return LayerMap.unknown(c.getSimpleName() + " with weights of shape other than [nOut, nIn, kH, kW]");
            }
            INDArray abs = Transforms.abs(w.castTo(DataType.DOUBLE), true).reshape(out, w.length() / out);
            return LayerMap.of(abs.sum(1).maxNumber().doubleValue(), ((ConvolutionLayer) l).getActivationFn());
        }
        if (c == BatchNormalization.class) {
            return batchNorm((BatchNormalization) l, params);
        }
        if (c == SubsamplingLayer.class || c == Subsampling1DLayer.class) {
            SubsamplingLayer s = (SubsamplingLayer) l;
            int[] k = s.getKernelSize();
            long size = 1;
            for (int v : k) {
                size *= v;
            }
            return pooling(s.getPoolingType(), size, s.getPnorm(), c.getSimpleName());
        }
        if (c == GlobalPoolingLayer.class) {
            PoolingType t = ((GlobalPoolingLayer) l).getPoolingType();
            return t == PoolingType.MAX || t == PoolingType.AVG ? LayerMap.of(1.0, null)
                    : LayerMap.unknown("GlobalPoolingLayer " + t + " (depends on the input size)");
        }
        if (c == ActivationLayer.class) {
            return LayerMap.of(1.0, ((ActivationLayer) l).getActivationFn());
        }
        if (c == LossLayer.class || c == RnnLossLayer.class || c == CnnLossLayer.class) {
            return LayerMap.of(1.0, ((org.deeplearning4j.nn.conf.layers.BaseLayer) l).getActivationFn());
        }
        if (UNIT_LAYERS.contains(c)) {
            return LayerMap.of(1.0, null);
        }
        return LayerMap.unknown(c.getSimpleName());
    }

    private static LayerMap pooling(PoolingType t, long size, int pnorm, String what) {
        switch (t) {
            case MAX:
            case AVG:
                return LayerMap.of(1.0, null);
            case SUM:
                return LayerMap.of(size, null);
            case PNORM:
                return LayerMap.of(Math.pow(size, 1.0 / pnorm), null);
            default:
                return LayerMap.unknown(what + " " + t);
        }
    }

    private static LayerMap batchNorm(BatchNormalization bn, Map<String, INDArray> params) {
        INDArray std;
        if (bn.isUseLogStd()) {
            std = Transforms.exp(params.get("log10stdev").castTo(DataType.DOUBLE).mul(Math.log(10)), false);
        } else {
            std = Transforms.sqrt(params.get("var").castTo(DataType.DOUBLE).add(bn.getEps()), false);
        }
        INDArray gamma = bn.isLockGammaBeta() ? std.like().assign(Math.abs(bn.getGamma()))
                : Transforms.abs(params.get("gamma").castTo(DataType.DOUBLE), true);
        // DL4J's batch normalization never applies its configured activation (see NetworkSurgery.activationOf)
        return LayerMap.of(gamma.div(std).maxNumber().doubleValue(), null);
    }

    /** Largest Σ_i |W_ij| over the columns j of W [nIn, nOut]: the max-norm operator norm of x ↦ x W. */
    static double maxColumnAbsSum(INDArray w) {
        if (w == null) {
            return Double.NaN;
        }
        return Transforms.abs(w.castTo(DataType.DOUBLE), true).sum(0).maxNumber().doubleValue();
    }

    /**
     * How a vertex combines its inputs' deviation bounds: the bound of its output, or NaN if unknown.
     *
     * @param v      the vertex configuration
     * @param inputs the bounds of its inputs (in input order)
     */
    static double vertex(GraphVertex v, List<Double> inputs) {
        double max = 0;
        double sum = 0;
        for (double d : inputs) {
            max = Math.max(max, d);
            sum += d;
            if (Double.isNaN(d)) {
                return Double.NaN;
            }
        }
        if (max == 0) {
            return 0;
        }
        if (v instanceof MergeVertex || UNIT_VERTICES.contains(v.getClass())) {
            return max;
        }
        if (v instanceof ElementWiseVertex) {
            switch (((ElementWiseVertex) v).getOp()) {
                case Add:
                case Subtract:
                    return sum;
                case Average:
                    return sum / inputs.size();
                case Max:
                    return max;
                default:
                    return Double.NaN;
            }
        }
        if (v instanceof ScaleVertex) {
            return Math.abs(((ScaleVertex) v).getScaleFactor()) * max;
        }
        if (v instanceof PreprocessorVertex) {
            return of(((PreprocessorVertex) v).getPreProcessor()) * max;
        }
        if (v instanceof FrozenVertex) {
            return vertex(((FrozenVertex) v).getUnderlying(), inputs);
        }
        return Double.NaN;
    }

    /** Largest |R'(x)| over a 4001-point grid of [lo, hi] (both ends included). */
    static double rational(RationalFunction r, double lo, double hi) {
        int n = 4001;
        double max = 0;
        for (int i = 0; i < n; i++) {
            double x = lo + (hi - lo) * i / (n - 1);
            max = Math.max(max, Math.abs(r.derivative(x)));
        }
        return max;
    }
}
