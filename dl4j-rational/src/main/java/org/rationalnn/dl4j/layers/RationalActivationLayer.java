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
 * <p><b>Parameters.</b> {@code numerator} [S, m+1] and {@code denominator} [S, n] ([S, n+1] for version C),
 * S = 1 (LAYER sharing), c (CHANNEL) or g (GROUP), each set initialised from the {@link RationalSpec}'s initial
 * function (its fit, or its explicit coefficients); see {@link RationalParamInitializer}. CHANNEL and GROUP
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

    /** The rational: type, version, initialisation, sharing (JSON field {@code spec}). */
    private RationalSpec spec = RationalSpec.defaults();
    /** Channel count c; 0 until set by the builder or the input type (JSON field {@code nIn}). */
    private long nIn;
    /** Layout of rank-3 input, NCW or NWC (JSON field {@code rnnDataFormat}). */
    private RNNFormat rnnDataFormat = RNNFormat.NCW;
    /** Layout of rank-4 input, NCHW or NHWC (JSON field {@code cnn2dDataFormat}). */
    private CNN2DFormat cnn2dDataFormat = CNN2DFormat.NCHW;
    /** The coefficients' own updater, null for the layer's (JSON field {@code coefficientUpdater}). */
    private IUpdater coefficientUpdater;
    /** Regularization of the coefficients, empty for none (JSON field {@code coefficientRegularization}). */
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

    /** This layer has no weights: options that act on weights or biases only would be silently ignored; reject them. */
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

    /**
     * Number of coefficient sets S for the configured channel count.
     *
     * @return 1 for LAYER sharing, c for CHANNEL, the group count g for GROUP
     * @throws IllegalStateException    for CHANNEL or GROUP sharing while the channel count is unknown (nIn = 0)
     * @throws IllegalArgumentException if the channel count does not fit the sharing (g not dividing c)
     */
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

    /**
     * Creates the runtime layer ({@link RationalActivationLayerImpl}) over {@code layerParamsView}, after validating
     * this configuration again (JSON deserialization bypasses the builder).
     *
     * @param conf              the network's configuration of this layer
     * @param trainingListeners listeners of the network
     * @param layerIndex        index of the layer in the network
     * @param layerParamsView   this layer's view of the network's flattened parameters, length
     *                          {@code S·(m+1+n')} (n' the denominator length)
     * @param initializeParams  whether to write the initial coefficients into the view (false when loading)
     * @param networkDataType   the network's data type
     * @return the runtime layer
     * @throws IllegalArgumentException for an invalid configuration
     * @throws IllegalStateException    if the view's length does not match, or CHANNEL/GROUP sharing lacks nIn
     */
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

    /**
     * The parameter initializer of this layer type.
     *
     * @return {@link RationalParamInitializer#getInstance()}
     */
    @Override
    public ParamInitializer initializer() {
        return RationalParamInitializer.getInstance();
    }

    /**
     * The output type, which is the input type (element-wise layer).
     *
     * @param layerIndex index of the layer (unused)
     * @param inputType  FF, RNN, CNN or CNNFlat
     * @return {@code inputType} itself
     * @throws IllegalStateException    if {@code inputType} is null
     * @throws IllegalArgumentException for any other input type, naming it
     */
    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
        return checkInputType(inputType);
    }

    private InputType checkInputType(InputType inputType) {
        LayerPlumbing.elementWiseChannels(inputType, "layer '" + layerName + "': ");
        return inputType;
    }

    /**
     * Takes the channel count from the input type (if not set yet, or if {@code override}) and always takes the RNN
     * or CNN data format from an RNN or CNN input type.
     *
     * @param inputType FF, RNN, CNN or CNNFlat
     * @param override  whether to replace a channel count that is already set
     * @throws IllegalStateException    if {@code inputType} is null
     * @throws IllegalArgumentException for any other input type, naming it
     */
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

    /**
     * No preprocessor: the layer takes every supported input as it is.
     *
     * @param inputType the input type (unused)
     * @return null
     */
    @Override
    public InputPreProcessor getPreProcessorForInputType(InputType inputType) {
        return null;
    }

    /**
     * No parameter of this layer is a pretraining parameter.
     *
     * @param paramName a parameter key (unused)
     * @return false
     */
    @Override
    public boolean isPretrainParam(String paramName) {
        return false;
    }

    /**
     * The coefficients' regularization only; the network's global l1/l2/weight decay apply to weights.
     *
     * @param paramName a parameter key (both keys are coefficients)
     * @return {@link #coefficientRegularizationOrEmpty()}, never null
     */
    @Override
    public List<Regularization> getRegularizationByParam(String paramName) {
        return coefficientRegularizationOrEmpty();
    }

    /**
     * The coefficients' updater if set, else this layer's (its own or the network's).
     *
     * @param paramName a parameter key (both keys are coefficients)
     * @return the updater of the coefficients
     */
    @Override
    public IUpdater getUpdaterByParam(String paramName) {
        return coefficientUpdaterOr(getIUpdater());
    }

    /**
     * The layer's single rational, named {@code "rational"}, with keys {@value RationalLayer#NUMERATOR_KEY} and
     * {@value RationalLayer#DENOMINATOR_KEY}.
     *
     * @return one slot over max(nIn, 1) channels
     * @throws IllegalStateException for CHANNEL or GROUP sharing while the channel count is unknown
     */
    @Override
    public List<RationalSlot> rationalSlots() {
        return List.of(new RationalSlot("rational", NUMERATOR_KEY, DENOMINATOR_KEY, spec.getVersion(),
                spec.getNumeratorDegree(), spec.getDenominatorDegree(), numSets(), Math.max(nIn, 1)));
    }

    /**
     * DL4J's memory report: the coefficients and the updater state of the layer's updater, no working memory.
     *
     * @param inputType the input type (FF, RNN, CNN or CNNFlat)
     * @return the report
     */
    @Override
    public LayerMemoryReport getMemoryReport(InputType inputType) {
        return LayerPlumbing.parameterOnlyReport(layerName, RationalActivationLayer.class, inputType,
                getOutputType(-1, inputType), initializer().numParams(this), this, getIUpdater());
    }

    /**
     * A copy of this configuration, with its own coefficient regularization list and updater copy (the spec is
     * immutable and shared).
     *
     * @return the copy
     */
    @Override
    public RationalActivationLayer clone() {
        RationalActivationLayer c = (RationalActivationLayer) super.clone();
        c.coefficientRegularization = coefficientRegularization == null ? new ArrayList<>()
                : new ArrayList<>(coefficientRegularization);
        c.coefficientUpdater = coefficientUpdater == null ? null : coefficientUpdater.clone();
        return c;
    }

    /**
     * The rational: degrees, version, initialisation and sharing. Default: {@link RationalSpec#defaults()}.
     *
     * @return the spec (immutable)
     */
    public RationalSpec getSpec() {
        return spec;
    }

    /**
     * Sets the rational (for JSON; use {@link Builder#spec(RationalSpec)}). Not validated here: {@link #validate()}
     * runs when the layer is instantiated.
     *
     * @param spec the new spec
     */
    public void setSpec(RationalSpec spec) {
        this.spec = spec;
    }

    /**
     * Channel count c (0 until known).
     *
     * @return c ≥ 0; 0 means "from the input type"
     */
    public long getNIn() {
        return nIn;
    }

    /**
     * Sets the channel count (for JSON; use {@link Builder#nIn(long)}). Not validated here.
     *
     * @param nIn c ≥ 0 (0: from the input type)
     */
    public void setNIn(long nIn) {
        this.nIn = nIn;
    }

    /**
     * Layout of rank-3 (recurrent) input. Default NCW; taken from an RNN input type.
     *
     * @return NCW ([mb, c, T]) or NWC ([mb, T, c])
     */
    public RNNFormat getRnnDataFormat() {
        return rnnDataFormat;
    }

    /**
     * Sets the layout of rank-3 input (for JSON; use {@link Builder#dataFormat(RNNFormat)}).
     *
     * @param rnnDataFormat NCW or NWC
     */
    public void setRnnDataFormat(RNNFormat rnnDataFormat) {
        this.rnnDataFormat = rnnDataFormat;
    }

    /**
     * Layout of rank-4 (convolutional) input. Default NCHW; taken from a CNN input type.
     *
     * @return NCHW ([mb, c, h, w]) or NHWC ([mb, h, w, c])
     */
    public CNN2DFormat getCnn2dDataFormat() {
        return cnn2dDataFormat;
    }

    /**
     * Sets the layout of rank-4 input (for JSON; use {@link Builder#dataFormat(CNN2DFormat)}).
     *
     * @param cnn2dDataFormat NCHW or NHWC
     */
    public void setCnn2dDataFormat(CNN2DFormat cnn2dDataFormat) {
        this.cnn2dDataFormat = cnn2dDataFormat;
    }

    /**
     * The coefficients' own updater. Default: null.
     *
     * @return the updater, or null when the coefficients use the layer's updater (its own, else the network's)
     */
    @Override
    public IUpdater getCoefficientUpdater() {
        return coefficientUpdater;
    }

    /**
     * Sets the coefficients' own updater (for JSON; use the builder word {@code coefficientUpdater}).
     *
     * @param coefficientUpdater the updater, or null for the layer's
     */
    public void setCoefficientUpdater(IUpdater coefficientUpdater) {
        this.coefficientUpdater = coefficientUpdater;
    }

    /**
     * Regularization applied to the coefficients (only what was set with the coefficient words). Default: empty.
     *
     * @return the list held by this configuration (not a copy)
     */
    @Override
    public List<Regularization> getCoefficientRegularization() {
        return coefficientRegularization;
    }

    /**
     * Sets the coefficients' regularization (for JSON; use the builder words {@code coefficientRegularization},
     * {@code coefficientL1/L2/WeightDecay}).
     *
     * @param coefficientRegularization the regularizations (null or empty: none); held, not copied
     */
    public void setCoefficientRegularization(List<Regularization> coefficientRegularization) {
        this.coefficientRegularization = coefficientRegularization;
    }

    /**
     * Equal if DL4J's {@code BaseLayer} fields (name, updaters, dropout, constraints, ...) and every field of this
     * class (spec, nIn, data formats, coefficient updater and regularization) are equal.
     *
     * @param o another object
     * @return true for an equal configuration
     */
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

    /**
     * A hash over the fields {@link #equals} compares.
     *
     * @return the hash code
     */
    @Override
    public int hashCode() {
        return Objects.hash(super.hashCode(), spec, nIn, rnnDataFormat, cnn2dDataFormat, coefficientUpdater,
                coefficientRegularization);
    }

    /**
     * A description for logs and configuration summaries.
     *
     * @return the name, spec, nIn, data formats and coefficient training options
     */
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

        /** A builder with the defaults of {@link RationalActivationLayer}. */
        public Builder() {
            // The activation of BaseLayer is meaningless here; identity keeps toString and JSON honest.
            this.activationFn = new ActivationIdentity();
        }

        /**
         * The rational function: degrees, version, initialisation and sharing. Default:
         * {@link RationalSpec#defaults()} ((5,4), version B, LeakyReLU init on [-3, 3], LAYER sharing).
         *
         * @param spec the spec (already validated by its own builder)
         * @return this builder
         * @throws NullPointerException if {@code spec} is null
         */
        public Builder spec(RationalSpec spec) {
            this.spec = Objects.requireNonNull(spec, "spec");
            return this;
        }

        /**
         * Channel count (needed for CHANNEL/GROUP sharing when no input type is given). Default 0: taken from the
         * network's input type. When set, every input must have exactly this many channels.
         *
         * @param channels c ≥ 0 (0: from the input type)
         * @return this builder
         */
        public Builder nIn(long channels) {
            this.nIn = channels;
            return this;
        }

        /**
         * Layout of recurrent input (default NCW; set automatically from an RNN input type).
         *
         * @param format NCW ([mb, c, T]) or NWC ([mb, T, c])
         * @return this builder
         * @throws NullPointerException if {@code format} is null
         */
        public Builder dataFormat(RNNFormat format) {
            this.rnnDataFormat = Objects.requireNonNull(format, "format");
            return this;
        }

        /**
         * Layout of convolutional input (default NCHW; set automatically from a CNN input type).
         *
         * @param format NCHW ([mb, c, h, w]) or NHWC ([mb, h, w, c])
         * @return this builder
         * @throws NullPointerException if {@code format} is null
         */
        public Builder dataFormat(CNN2DFormat format) {
            this.cnn2dDataFormat = Objects.requireNonNull(format, "format");
            return this;
        }

        /**
         * The coefficient options behind the coefficient words.
         *
         * @return this builder's options
         */
        @Override
        public CoefficientOptions coefficientOptions() {
            return coefficients;
        }

        /**
         * Builds and validates the configuration.
         *
         * @return the layer configuration
         * @throws IllegalArgumentException for an invalid setting (naming the value and its range), a negative nIn,
         *                                  a channel count that does not fit the sharing, or a weight-only option
         *                                  (l1/l2/weight decay, weight or bias constraints, weight noise)
         */
        @Override
        @SuppressWarnings("unchecked")
        public RationalActivationLayer build() {
            return new RationalActivationLayer(this);
        }
    }
}
