package org.rationalnn.dl4j.layers;

import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.memory.LayerMemoryReport;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.regularization.Regularization;
import org.rationalnn.dl4j.common.CoefficientOptions;
import org.rationalnn.dl4j.common.LayerPlumbing;
import org.rationalnn.dl4j.common.RationalLayer;
import org.rationalnn.dl4j.common.RationalSlot;
import org.rationalnn.dl4j.layers.impl.RationalActivationLayerImpl;
import org.rationalnn.dl4j.rational.RationalSpec;
import org.rationalnn.dl4j.rational.Sharing;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A trainable rational activation layer, R(x) = P(x)/Q(x) applied element-wise with learned coefficients
 * (Padé Activation Units, arXiv:1907.06732; rational networks, arXiv:2004.01902; expressivity,
 * arXiv:2602.12390). Works in {@code MultiLayerNetwork} and {@code ComputationGraph}.
 *
 * <p><b>Shapes.</b> Input and output have the same shape and type: feed-forward [mb, c], recurrent
 * NCW [mb, c, T] or NWC [mb, T, c], convolutional NCHW [mb, c, h, w] or NHWC [mb, h, w, c]. The formats come
 * from {@code setInputType(...)} or from {@link Builder#dataFormat(RNNFormat)} /
 * {@link Builder#dataFormat(CNN2DFormat)} (defaults NCW and NCHW). Masks pass through unchanged.
 *
 * <p><b>Parameters.</b> {@code numerator} [S, m+1] and {@code denominator} [S, n], S = 1 (LAYER sharing),
 * c (CHANNEL) or g (GROUP), each set initialised from the {@link RationalSpec}'s fit. CHANNEL and GROUP
 * sharing need the channel count c: from the input type, or {@link Builder#nIn(long)}.
 *
 * <p><b>Training</b> follows the contract of {@link RationalLayer} (the same words in all four rational layer types):
 * {@code .coefficientUpdater(...)} gives the coefficients their own updater (default: this layer's
 * {@code .updater(...)}, else the network's; the paper arXiv:2602.12390 uses half the learning rate);
 * {@code .coefficientRegularization(...)} / {@code .coefficientL1/L2/WeightDecay(...)} regularize them (default
 * none). The network's global l1/l2/weight decay apply to weights only, and this layer has none, so they never touch
 * the coefficients; the layer's own {@code .l1/.l2/.weightDecay}, {@code .constrainWeights/.constrainBias} and
 * {@code .weightNoise} would have nothing to act on and are rejected with a message (0.1.0 applied the layer's own
 * l1/l2 to the coefficients; saved models keep what they were saved with). {@code .constrainAllParameters(...)}
 * constrains the coefficients. Version D multiplies the numerator coefficients by fresh U[1-s, 1+s] noise on each
 * training forward pass and uses the clean coefficients at inference.
 *
 * <p>Defaults: the default {@link RationalSpec} ((5,4), version B, LeakyReLU init, LAYER sharing).
 */
public class RationalActivationLayer extends BaseLayer implements RationalLayer {
    private static final long serialVersionUID = 1L;

    private RationalSpec spec = RationalSpec.defaults();
    private long nIn;
    private RNNFormat rnnDataFormat = RNNFormat.NCW;
    private CNN2DFormat cnn2dDataFormat = CNN2DFormat.NCHW;
    private IUpdater coefficientUpdater;
    private List<Regularization> coefficientRegularization = new ArrayList<>();

    /** For JSON deserialization only; use {@link Builder}. */
    public RationalActivationLayer() {
    }

    private RationalActivationLayer(Builder b) {
        super(b);
        this.spec = b.spec;
        this.nIn = b.nIn;
        this.rnnDataFormat = b.rnnDataFormat;
        this.cnn2dDataFormat = b.cnn2dDataFormat;
        rejectWeightOptions(b);
        this.coefficientUpdater = b.coefficients.updater();
        this.coefficientRegularization = b.coefficients.regularization();
        initializeConstraints(b);
        validate();
    }

    /** This layer has no weights: options that act on weights or biases only would be silently ignored. */
    private void rejectWeightOptions(Builder b) {
        String where = "layer '" + b.getLayerName() + "' (RationalActivationLayer): ";
        if (nonEmpty(b.getRegularization()) || nonEmpty(b.getRegularizationBias())) {
            throw new IllegalArgumentException(where + ".l1/.l2/.weightDecay (and their Bias variants) act on weights "
                    + "and biases, and this layer has neither; regularize the coefficients with "
                    + ".coefficientRegularization(...) or .coefficientL1/.coefficientL2/.coefficientWeightDecay, got "
                    + b.getRegularization() + " / " + b.getRegularizationBias());
        }
        if (nonEmpty(b.getWeightConstraints()) || nonEmpty(b.getBiasConstraints())) {
            throw new IllegalArgumentException(where + "weight and bias constraints have nothing to act on (the "
                    + "coefficients are neither); use .constrainAllParameters(...) to constrain the coefficients");
        }
        if (b.getWeightNoise() != null) {
            throw new IllegalArgumentException(where + "weight noise / DropConnect acts on weights and this layer has "
                    + "none, got " + b.getWeightNoise());
        }
    }

    private static boolean nonEmpty(List<?> list) {
        return list != null && !list.isEmpty();
    }

    /**
     * Checks the configuration (called by the builder and when the layer is instantiated, since JSON
     * deserialization bypasses the builder).
     *
     * @throws IllegalArgumentException naming the offending value and the accepted range
     */
    public void validate() {
        if (spec == null) {
            throw new IllegalArgumentException("layer '" + layerName + "': spec must not be null");
        }
        spec.validate();
        if (nIn < 0) {
            throw new IllegalArgumentException("layer '" + layerName + "': nIn must be in [0, " + Long.MAX_VALUE
                    + "] (0 = from the input type), got " + nIn);
        }
        if (nIn > 0) {
            spec.numSets(nIn);
        }
    }

    /** Number of coefficient sets S for the configured channel count. */
    public int numSets() {
        if (spec.getSharing() == Sharing.LAYER) {
            return 1;
        }
        if (nIn <= 0) {
            throw new IllegalStateException("layer '" + layerName + "': " + spec.getSharing() + " sharing needs the "
                    + "channel count; set it with .nIn(channels) or give the network an input type "
                    + "(setInputType / setInputTypes)");
        }
        return spec.numSets(nIn);
    }

    @Override
    public org.deeplearning4j.nn.api.Layer instantiate(NeuralNetConfiguration conf,
                                                       Collection<TrainingListener> trainingListeners,
                                                       int layerIndex, INDArray layerParamsView,
                                                       boolean initializeParams, DataType networkDataType) {
        validate();
        RationalActivationLayerImpl ret = new RationalActivationLayerImpl(conf, networkDataType);
        ret.setListeners(trainingListeners);
        ret.setIndex(layerIndex);
        ret.setParamsViewArray(layerParamsView);
        Map<String, INDArray> paramTable = initializer().init(conf, layerParamsView, initializeParams);
        ret.setParamTable(paramTable);
        ret.setConf(conf);
        return ret;
    }

    @Override
    public ParamInitializer initializer() {
        return RationalParamInitializer.getInstance();
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
        return checkInputType(inputType);
    }

    private InputType checkInputType(InputType inputType) {
        LayerPlumbing.elementWiseChannels(inputType, "layer '" + layerName + "': ");
        return inputType;
    }

    @Override
    public void setNIn(InputType inputType, boolean override) {
        long channels = LayerPlumbing.elementWiseChannels(inputType, "layer '" + layerName + "': ");
        if (inputType.getType() == InputType.Type.RNN) {
            rnnDataFormat = ((InputType.InputTypeRecurrent) inputType).getFormat();
        } else if (inputType.getType() == InputType.Type.CNN) {
            cnn2dDataFormat = ((InputType.InputTypeConvolutional) inputType).getFormat();
        }
        if (nIn <= 0 || override) {
            nIn = channels;
        }
    }

    @Override
    public InputPreProcessor getPreProcessorForInputType(InputType inputType) {
        return null;
    }

    @Override
    public boolean isPretrainParam(String paramName) {
        return false;
    }

    /** The coefficients' regularization only; the network's global l1/l2/weight decay apply to weights. */
    @Override
    public List<Regularization> getRegularizationByParam(String paramName) {
        return coefficientRegularizationOrEmpty();
    }

    /** The coefficients' updater if set, else this layer's (its own or the network's). */
    @Override
    public IUpdater getUpdaterByParam(String paramName) {
        return coefficientUpdaterOr(getIUpdater());
    }

    @Override
    public List<RationalSlot> rationalSlots() {
        return List.of(new RationalSlot("rational", NUMERATOR_KEY, DENOMINATOR_KEY, spec.getVersion(),
                spec.getNumeratorDegree(), spec.getDenominatorDegree(), numSets(), Math.max(nIn, 1)));
    }

    @Override
    public LayerMemoryReport getMemoryReport(InputType inputType) {
        return LayerPlumbing.parameterOnlyReport(layerName, RationalActivationLayer.class, inputType,
                getOutputType(-1, inputType), initializer().numParams(this), getIUpdater());
    }

    @Override
    public RationalActivationLayer clone() {
        RationalActivationLayer c = (RationalActivationLayer) super.clone();
        c.coefficientRegularization = coefficientRegularization == null ? new ArrayList<>()
                : new ArrayList<>(coefficientRegularization);
        c.coefficientUpdater = coefficientUpdater == null ? null : coefficientUpdater.clone();
        return c;
    }

    public RationalSpec getSpec() {
        return spec;
    }

    public void setSpec(RationalSpec spec) {
        this.spec = spec;
    }

    /** Channel count c (0 until known). */
    public long getNIn() {
        return nIn;
    }

    public void setNIn(long nIn) {
        this.nIn = nIn;
    }

    public RNNFormat getRnnDataFormat() {
        return rnnDataFormat;
    }

    public void setRnnDataFormat(RNNFormat rnnDataFormat) {
        this.rnnDataFormat = rnnDataFormat;
    }

    public CNN2DFormat getCnn2dDataFormat() {
        return cnn2dDataFormat;
    }

    public void setCnn2dDataFormat(CNN2DFormat cnn2dDataFormat) {
        this.cnn2dDataFormat = cnn2dDataFormat;
    }

    /** The coefficients' own updater (null: the layer's updater). */
    @Override
    public IUpdater getCoefficientUpdater() {
        return coefficientUpdater;
    }

    public void setCoefficientUpdater(IUpdater coefficientUpdater) {
        this.coefficientUpdater = coefficientUpdater;
    }

    /** Regularization applied to the coefficients (only what was set with the coefficient words). */
    @Override
    public List<Regularization> getCoefficientRegularization() {
        return coefficientRegularization;
    }

    public void setCoefficientRegularization(List<Regularization> coefficientRegularization) {
        this.coefficientRegularization = coefficientRegularization;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof RationalActivationLayer) || !super.equals(o)) {
            return false;
        }
        RationalActivationLayer l = (RationalActivationLayer) o;
        return nIn == l.nIn && Objects.equals(spec, l.spec) && rnnDataFormat == l.rnnDataFormat
                && cnn2dDataFormat == l.cnn2dDataFormat && Objects.equals(coefficientUpdater, l.coefficientUpdater)
                && Objects.equals(coefficientRegularization, l.coefficientRegularization);
    }

    @Override
    public int hashCode() {
        return Objects.hash(super.hashCode(), spec, nIn, rnnDataFormat, cnn2dDataFormat, coefficientUpdater,
                coefficientRegularization);
    }

    @Override
    public String toString() {
        return "RationalActivationLayer(name=" + layerName + ", spec=" + spec + ", nIn=" + nIn + ", rnnFormat="
                + rnnDataFormat + ", cnnFormat=" + cnn2dDataFormat + ", coefficientUpdater=" + coefficientUpdater
                + ", coefficientRegularization=" + coefficientRegularization + ")";
    }

    /**
     * Builder for {@link RationalActivationLayer}: {@code spec}, {@code nIn}, {@code dataFormat}, the coefficient
     * words of {@link RationalLayer} ({@code coefficientUpdater}, {@code coefficientRegularization},
     * {@code coefficientL1/L2/WeightDecay}), and DL4J's {@code name}, {@code updater}, {@code dropOut},
     * {@code constrainAllParameters}, {@code gradientNormalization}.
     */
    public static class Builder extends BaseLayer.Builder<Builder> implements CoefficientOptions.Words<Builder> {
        private RationalSpec spec = RationalSpec.defaults();
        private long nIn;
        private RNNFormat rnnDataFormat = RNNFormat.NCW;
        private CNN2DFormat cnn2dDataFormat = CNN2DFormat.NCHW;
        private final CoefficientOptions coefficients = new CoefficientOptions();

        public Builder() {
            // The activation of BaseLayer is meaningless here; identity keeps toString and JSON honest.
            this.activationFn = new ActivationIdentity();
        }

        /** The rational function: degrees, version, initialisation and sharing. */
        public Builder spec(RationalSpec spec) {
            this.spec = Objects.requireNonNull(spec, "spec");
            return this;
        }

        /** Channel count (needed for CHANNEL/GROUP sharing when no input type is given). */
        public Builder nIn(long channels) {
            this.nIn = channels;
            return this;
        }

        /** Layout of recurrent input (default NCW; set automatically from an RNN input type). */
        public Builder dataFormat(RNNFormat format) {
            this.rnnDataFormat = Objects.requireNonNull(format, "format");
            return this;
        }

        /** Layout of convolutional input (default NCHW; set automatically from a CNN input type). */
        public Builder dataFormat(CNN2DFormat format) {
            this.cnn2dDataFormat = Objects.requireNonNull(format, "format");
            return this;
        }

        @Override
        public CoefficientOptions coefficientOptions() {
            return coefficients;
        }

        @Override
        @SuppressWarnings("unchecked")
        public RationalActivationLayer build() {
            return new RationalActivationLayer(this);
        }
    }
}
