package org.rationalnn.dl4j.samediff;

import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.samediff.SDLayerParams;
import org.deeplearning4j.nn.conf.layers.samediff.SameDiffLayer;
import org.deeplearning4j.nn.conf.memory.LayerMemoryReport;
import org.deeplearning4j.nn.weights.IWeightInit;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.regularization.Regularization;
import org.nd4j.shade.jackson.annotation.JsonIgnore;
import org.rationalnn.dl4j.common.CoefficientOptions;
import org.rationalnn.dl4j.common.CoefficientParamInitializer;
import org.rationalnn.dl4j.common.LayerPlumbing;
import org.rationalnn.dl4j.common.RationalLayer;
import org.rationalnn.dl4j.common.RationalSlot;
import org.rationalnn.dl4j.common.SameDiffLayerConfigs;
import org.rationalnn.dl4j.rational.RationalSpec;
import org.rationalnn.dl4j.rational.Sharing;
import org.rationalnn.dl4j.samediff.impl.RationalDenseImpl;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A dense layer with a trainable rational activation, written in SameDiff: y = R(x W + b), with
 * R(z) = P(z)/Q(z) as defined by {@link org.rationalnn.dl4j.rational.RationalVersion} (Padé Activation Units,
 * arXiv:1907.06732; rational networks, arXiv:2004.01902; expressivity, arXiv:2602.12390). Works in
 * {@code MultiLayerNetwork} and {@code ComputationGraph} and computes exactly what {@code DenseLayer} (identity
 * activation) followed by {@link org.rationalnn.dl4j.layers.RationalActivationLayer} computes, with the same
 * parameters in the same order.
 *
 * <p><b>Shapes.</b> Input feed-forward [mb, nIn] → output [mb, nOut]; recurrent NCW [mb, nIn, T] → [mb, nOut, T] or
 * NWC [mb, T, nIn] → [mb, T, nOut] (the format comes from the input type or {@link Builder#dataFormat(RNNFormat)},
 * default NCW; T may differ between minibatches). Convolutional input types get DL4J's usual CNN → feed-forward
 * preprocessor. Masks pass through unchanged (the layer is applied per time step).
 *
 * <p><b>Parameters</b> (in this order in the flattened parameter vector): {@value #WEIGHT_KEY} [nIn, nOut],
 * {@value #BIAS_KEY} [1, nOut] (unless {@code hasBias(false)}), {@value #NUMERATOR_KEY} [S, m+1] and
 * {@value #DENOMINATOR_KEY} [S, n] ([S, n+1] for version C), with S = 1 (LAYER sharing), nOut (CHANNEL) or g (GROUP
 * over contiguous output channels). W is stored in 'f' order like {@code DenseLayer}'s, so the flattened parameters
 * of {@code DenseLayer} + {@code RationalActivationLayer} can be copied into this layer as they are. W starts from
 * the weight init (builder, else the network's, else Xavier), b from the bias init (builder, else the network's,
 * else 0), every coefficient set from the {@link RationalSpec}'s initial function.
 *
 * <p><b>Training</b> follows the contract of {@link RationalLayer} (the same words in all four rational layer types):
 * the layer's l1/l2/weight decay (own or the network's) apply to W, their Bias variants to b, as in
 * {@code DenseLayer}; they never touch the coefficients, which take only {@code .coefficientRegularization(...)} /
 * {@code .coefficientL1/L2/WeightDecay(...)}. {@code .coefficientUpdater(IUpdater)} gives the coefficients their own
 * updater (arXiv:2602.12390 uses half the learning rate); default: the layer's updater. Weight and bias constraints
 * reach W and b only; the coefficients are neither weights nor biases.
 * Dropout (layer or network) applies to the input as in {@code DenseLayer}. Version D multiplies the numerator
 * coefficients by fresh U[1-s, 1+s] noise on each training forward pass and is exact (= B) at inference.
 *
 * <p><b>Execution</b> ({@link Builder#execution(Execution)}). {@link Execution#FUSED} (default): the affine map
 * x W + b (with the reshapes of recurrent input) runs as a SameDiff graph and R runs through the library's fused
 * kernel ({@link org.rationalnn.dl4j.kernel.RationalKernels}: forward and backward with every coefficient gradient
 * in one pass each on the CPU; the ND4J-ops kernel on other backends). {@link Execution#SAMEDIFF}: the whole layer,
 * R included ({@link RationalSameDiff}), is one SameDiff graph, as {@link #defineLayer} defines it. Both compute the
 * same function with the same parameters and exact gradients; SAMEDIFF runs about 90 SameDiff ops per layer and
 * training step, FUSED about 10, which makes FUSED 2-3x faster at typical sizes (see the project's
 * {@code docs/benchmarks.md}). The setting is part of the configuration (JSON); models saved without it load as
 * FUSED.
 *
 * <p><b>Gradients.</b> The runtime ({@link RationalDenseImpl}) returns exact gradients on DL4J 1.0.0-M2.1, whose
 * SameDiff layer runtime doubles them (see {@link SameDiffGradientScale}), and keeps SameDiff's stdout lines off the
 * console.
 *
 * <p>Defaults: the default {@link RationalSpec} ((5,4), version B, LeakyReLU init, LAYER sharing), bias on, NCW,
 * FUSED execution.
 */
public class RationalDense extends SameDiffLayer implements RationalLayer {
    private static final long serialVersionUID = 1L;

    /** Key of the weights W [nIn, nOut]. */
    public static final String WEIGHT_KEY = "W";
    /** Key of the bias b [1, nOut]. */
    public static final String BIAS_KEY = "b";
    /** Key of the numerator coefficients a_0..a_m, [S, m+1]. */
    public static final String NUMERATOR_KEY = RationalLayer.NUMERATOR_KEY;
    /** Key of the denominator coefficients, [S, n] ([S, n+1] for version C). */
    public static final String DENOMINATOR_KEY = RationalLayer.DENOMINATOR_KEY;

    /**
     * How the runtime executes the layer (same function and gradients either way). Persisted in the configuration's
     * JSON by name.
     */
    public enum Execution {
        /** x W + b as a SameDiff graph, R through the fused rational kernel (default; fastest). */
        FUSED,
        /** The whole layer, R included, as one SameDiff graph ({@link RationalSameDiff}). */
        SAMEDIFF
    }

    /** Input size; 0 until set by the builder or the input type (JSON field {@code nIn}). */
    private long nIn;
    /** Output size, the channels of the rational (JSON field {@code nOut}). */
    private long nOut;
    /** The rational: type, version, initialisation, sharing over the nOut channels (JSON field {@code spec}). */
    private RationalSpec spec = RationalSpec.defaults();
    /** Whether the layer has the bias b (JSON field {@code hasBias}). */
    private boolean hasBias = true;
    /** Initial value of b; NaN until resolved from the network's configuration (JSON field {@code biasInit}). */
    private double biasInit = Double.NaN;
    /** Layout of rank-3 input and output, NCW or NWC (JSON field {@code rnnDataFormat}). */
    private RNNFormat rnnDataFormat = RNNFormat.NCW;
    /** The coefficients' own updater, null for the layer's (JSON field {@code coefficientUpdater}). */
    private IUpdater coefficientUpdater;
    /** Regularization of the coefficients, empty for none (JSON field {@code coefficientRegularization}). */
    private List<Regularization> coefficientRegularization = new ArrayList<>();
    /** FUSED or SAMEDIFF execution; FUSED when absent from older JSON (JSON field {@code execution}). */
    private Execution execution = Execution.FUSED;

    /** For JSON deserialization only; use {@link Builder}. */
    public RationalDense() {
    }

    private RationalDense(Builder b) {
        super(b);
        this.nIn = b.nIn;
        this.nOut = b.nOut;
        this.spec = b.spec;
        this.hasBias = b.hasBias;
        this.biasInit = b.biasInit;
        this.rnnDataFormat = b.rnnDataFormat;
        this.coefficientUpdater = b.coefficients.updater();
        this.coefficientRegularization = b.coefficients.regularization();
        this.execution = b.execution;
        validate();
        initializeConstraints(b);
    }

    /**
     * Checks the configuration (called by the builder and when the layer is instantiated, since JSON
     * deserialization bypasses the builder).
     *
     * @throws IllegalArgumentException naming the offending value and the accepted range
     */
    public void validate() {
        if (spec == null) {
            throw new IllegalArgumentException(where() + "spec must not be null");
        }
        spec.validate();
        if (nOut < 1) {
            throw new IllegalArgumentException(where() + "nOut must be in [1, " + Integer.MAX_VALUE + "], got " + nOut);
        }
        if (nIn < 0) {
            throw new IllegalArgumentException(where() + "nIn must be in [0, " + Integer.MAX_VALUE
                    + "] (0 = from the input type), got " + nIn);
        }
        if (rnnDataFormat == null) {
            throw new IllegalArgumentException(where() + "RNN data format must be one of "
                    + Arrays.toString(RNNFormat.values()) + ", got null");
        }
        if (execution == null) {
            throw new IllegalArgumentException(where() + "execution must be one of "
                    + Arrays.toString(Execution.values()) + ", got null");
        }
        if (spec.getSharing() == Sharing.GROUP && nOut % spec.getGroups() != 0) {
            throw new IllegalArgumentException(where() + "GROUP sharing needs nOut to be a multiple of the group count "
                    + spec.getGroups() + ", got nOut = " + nOut);
        }
    }

    /**
     * Prefix of error messages, naming the layer.
     *
     * @return e.g. {@code "RationalDense layer '<name>': "}
     */
    String where() {
        return "RationalDense layer '" + layerName + "': ";
    }

    /**
     * Number of coefficient sets S over the nOut output channels.
     *
     * @return 1 for LAYER sharing, nOut for CHANNEL, the group count g for GROUP
     * @throws IllegalArgumentException if nOut does not fit the sharing (CHANNEL: nOut not in [1, 2^31 - 1]; GROUP:
     *                                  g not dividing nOut)
     */
    public int numSets() {
        return spec.numSets(nOut);
    }

    // ---------------------------------------------------------------- SameDiff definition

    /**
     * Registers the parameters, in this order: {@value #WEIGHT_KEY} [nIn, nOut], {@value #BIAS_KEY} [1, nOut] (with a
     * bias), {@value #NUMERATOR_KEY} [S, m+1] and {@value #DENOMINATOR_KEY} [S, n'] (n' = n, or n + 1 for version C).
     * The coefficients are registered as biases (the only other kind {@code SDLayerParams} knows);
     * {@link CoefficientParamInitializer} reports their true role.
     *
     * @param params DL4J's parameter table to fill (cleared first)
     * @throws IllegalStateException if nIn is still unknown
     */
    @Override
    public void defineParameters(SDLayerParams params) {
        new RationalDenseParameters(this).register(params);
    }

    /**
     * Writes the initial values into the parameter views: W from the weight init (per-parameter, else the layer's,
     * else the network's, else Xavier; fan-in nIn, fan-out nOut, 'f' order), b = the bias init (0 when unresolved),
     * every coefficient set = the spec's initial function.
     *
     * @param params the parameter views, by key
     * @throws IllegalArgumentException if the spec is invalid
     */
    @Override
    public void initializeParameters(Map<String, INDArray> params) {
        new RationalDenseParameters(this).initialize(params);
    }

    /**
     * The layer's output for an input of rank 2 (feed-forward), or rank 3 (recurrent, in this layer's RNN format),
     * without version D's noise (the inference form). DL4J's own SameDiff runtime would call this; this layer's
     * runtime ({@link RationalDenseImpl}) builds its graphs with {@link #define} or {@link #defineAffine} instead.
     *
     * @param sameDiff   the graph to add the layer to
     * @param layerInput the input variable (rank 2 if its shape is unknown)
     * @param paramTable variables for every parameter key
     * @param mask       ignored (masks pass through)
     * @return y = R(x W + b), [mb, nOut] or the RNN layout with nOut channels
     */
    @Override
    public SDVariable defineLayer(SameDiff sameDiff, SDVariable layerInput, Map<String, SDVariable> paramTable,
                                  SDVariable mask) {
        long[] shape = layerInput.getShape();
        return define(sameDiff, layerInput, shape == null ? 2 : shape.length, paramTable, null);
    }

    /**
     * The layer's output y = R(x W + b).
     *
     * @param sd             the graph to add the layer to
     * @param input          [mb, nIn] (rank 2) or the layer's RNN format (rank 3), dynamic batch and time sizes
     * @param rank           rank of {@code input}, 2 or 3
     * @param params         variables for the keys of this layer's parameters
     * @param numeratorNoise version D's noise [S, m+1] multiplying the numerator, or null for none
     * @return y, [mb, nOut] (rank 2) or [mb, nOut, T] / [mb, T, nOut] (rank 3, the layer's RNN format)
     * @throws IllegalArgumentException if {@code rank} is not 2 or 3, or the spec or sharing is invalid
     */
    public SDVariable define(SameDiff sd, SDVariable input, int rank, Map<String, SDVariable> params,
                             SDVariable numeratorNoise) {
        return new RationalDenseGraph(this).define(sd, input, rank, params, numeratorNoise);
    }

    /**
     * The layer's pre-activation z = x W + b in the layout of its output (what {@link Execution#FUSED} runs as a
     * SameDiff graph before applying R with the fused kernel).
     *
     * @param sd     the graph to add the affine map to
     * @param input  [mb, nIn] (rank 2) or the layer's RNN format (rank 3), dynamic batch and time sizes
     * @param rank   rank of {@code input}, 2 or 3
     * @param params variables for {@value #WEIGHT_KEY} and (with a bias) {@value #BIAS_KEY}
     * @return z, [mb, nOut] (rank 2) or [mb, nOut, T] / [mb, T, nOut] (rank 3, the layer's RNN format)
     * @throws IllegalArgumentException if {@code rank} is not 2 or 3
     */
    public SDVariable defineAffine(SameDiff sd, SDVariable input, int rank, Map<String, SDVariable> params) {
        return new RationalDenseGraph(this).defineAffine(sd, input, rank, params);
    }

    // ---------------------------------------------------------------- DL4J plumbing

    /**
     * Creates the runtime layer ({@link RationalDenseImpl}) over {@code layerParamsView}, after validating this
     * configuration again (JSON deserialization bypasses the builder).
     *
     * @param conf              the network's configuration of this layer
     * @param trainingListeners listeners of the network
     * @param layerIndex        index of the layer in the network
     * @param layerParamsView   this layer's view of the network's flattened parameters
     * @param initializeParams  whether to write the initial values into the view (false when loading)
     * @param networkDataType   the network's data type
     * @return the runtime layer
     * @throws IllegalArgumentException for an invalid configuration
     * @throws IllegalStateException    if nIn is still unknown
     */
    @Override
    public org.deeplearning4j.nn.api.Layer instantiate(NeuralNetConfiguration conf,
                                                       Collection<TrainingListener> trainingListeners,
                                                       int layerIndex, INDArray layerParamsView,
                                                       boolean initializeParams, DataType networkDataType) {
        validate();
        return SameDiffLayerConfigs.wire(new RationalDenseImpl(conf, networkDataType), conf, trainingListeners,
                layerIndex, layerParamsView, initializeParams, initializer());
    }

    /**
     * W is laid out like {@code DenseLayer}'s ('f' order), so flattened parameter vectors are interchangeable.
     *
     * @param param a parameter key
     * @return 'f' for {@value #WEIGHT_KEY}, 'c' for every other parameter
     */
    @Override
    public char paramReshapeOrder(String param) {
        return WEIGHT_KEY.equals(param) ? 'f' : 'c';
    }

    /**
     * W is a weight, b a bias, the coefficients neither ({@link RationalLayer}'s contract).
     *
     * @return {@link CoefficientParamInitializer#INSTANCE}
     */
    @Override
    public ParamInitializer initializer() {
        return CoefficientParamInitializer.INSTANCE;
    }

    /**
     * Takes the network's weight init for W (unless the builder set one) and the network's bias init (unless the
     * builder set one); the updater, regularization and the rest are applied by DL4J's {@code SameDiffLayer}.
     *
     * @param globalConfig the network's configuration builder
     */
    @Override
    public void applyGlobalConfigToLayer(NeuralNetConfiguration.Builder globalConfig) {
        if (weightInit == null && (paramWeightInit == null || paramWeightInit.get(WEIGHT_KEY) == null)
                && globalConfig.getWeightInitFn() != null) {
            Map<String, IWeightInit> m = paramWeightInit == null ? new HashMap<>() : new HashMap<>(paramWeightInit);
            m.put(WEIGHT_KEY, globalConfig.getWeightInitFn());
            paramWeightInit = m;
        }
        if (Double.isNaN(biasInit)) {
            biasInit = globalConfig.getBiasInit();
        }
    }

    /**
     * The output type: recurrent with nOut channels (same time length and format) for an RNN input, else
     * feed-forward nOut.
     *
     * @param layerIndex index of the layer (unused)
     * @param inputType  FF, RNN, CNN, CNNFlat or CNN3D
     * @return {@code InputType.recurrent(nOut, T, format)} or {@code InputType.feedForward(nOut)}
     * @throws IllegalStateException    if {@code inputType} is null
     * @throws IllegalArgumentException for any other input type, naming it
     */
    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
        return new RationalDenseInputTypes(this).outputType(inputType);
    }

    /**
     * Takes nIn (if not set yet, or if {@code override}) from an FF, RNN or CNNFlat input type, and the RNN format
     * from an RNN input type. CNN and CNN3D input types are left alone: they arrive through the preprocessor of
     * {@link #getPreProcessorForInputType}, as feed-forward.
     *
     * @param inputType FF, RNN, CNN, CNNFlat or CNN3D
     * @param override  whether to replace an nIn that is already set
     * @throws IllegalStateException    if {@code inputType} is null
     * @throws IllegalArgumentException for any other input type, naming it
     */
    @Override
    public void setNIn(InputType inputType, boolean override) {
        new RationalDenseInputTypes(this).takeSize(inputType, override);
    }

    /**
     * DL4J's usual preprocessor for convolutional input: CNN → feed-forward or CNN3D → feed-forward; none otherwise.
     *
     * @param inputType FF, RNN, CNN, CNNFlat or CNN3D
     * @return a {@code CnnToFeedForwardPreProcessor}, a {@code Cnn3DToFeedForwardPreProcessor}, or null
     * @throws IllegalStateException    if {@code inputType} is null
     * @throws IllegalArgumentException for any other input type, naming it
     */
    @Override
    public InputPreProcessor getPreProcessorForInputType(InputType inputType) {
        return new RationalDenseInputTypes(this).preProcessor(inputType);
    }

    /**
     * W: the layer's regularization; b: its bias regularization; coefficients: only the coefficient regularization.
     *
     * @param paramName a parameter key
     * @return the regularizations of that parameter, never null (empty for an unknown key)
     */
    @Override
    public List<Regularization> getRegularizationByParam(String paramName) {
        return SameDiffLayerConfigs.regularization(this, RationalDenseParameters.role(paramName));
    }

    /**
     * W: the layer's updater; b: its bias updater, else the layer's; coefficients: the coefficient updater, else the
     * layer's.
     *
     * @param paramName {@value #WEIGHT_KEY}, {@value #BIAS_KEY}, {@value #NUMERATOR_KEY} or {@value #DENOMINATOR_KEY}
     * @return the updater of that parameter
     * @throws IllegalArgumentException for any other key, naming it and the accepted ones
     */
    @Override
    public IUpdater getUpdaterByParam(String paramName) {
        SameDiffLayerConfigs.Role role = RationalDenseParameters.role(paramName);
        if (role == null) {
            throw new IllegalArgumentException(where() + "unknown parameter key '" + paramName + "', expected one of "
                    + List.of(WEIGHT_KEY, BIAS_KEY, NUMERATOR_KEY, DENOMINATOR_KEY));
        }
        return SameDiffLayerConfigs.updater(this, role);
    }

    /**
     * The layer's single rational, named {@code "rational"}, over the nOut output channels.
     *
     * @return one slot with keys {@value #NUMERATOR_KEY} and {@value #DENOMINATOR_KEY}
     * @throws IllegalArgumentException if nOut does not fit the sharing
     */
    @Override
    public List<RationalSlot> rationalSlots() {
        return List.of(new RationalSlot("rational", NUMERATOR_KEY, DENOMINATOR_KEY, spec.getVersion(),
                spec.getNumeratorDegree(), spec.getDenominatorDegree(), numSets(), nOut));
    }

    /**
     * DL4J's memory report: the parameters and the updater state of the layer's updater, no working memory.
     *
     * @param inputType the input type
     * @return the report
     */
    @Override
    public LayerMemoryReport getMemoryReport(InputType inputType) {
        return LayerPlumbing.parameterOnlyReport(layerName, RationalDense.class, inputType,
                getOutputType(-1, inputType), initializer().numParams(this), this, updater);
    }

    /**
     * The parameter shapes, always derived from the configuration (never read from or written to JSON).
     *
     * @return DL4J's parameter table of this layer (built by {@link #defineParameters} when first needed)
     */
    @Override
    @JsonIgnore
    public SDLayerParams getLayerParams() {
        return super.getLayerParams();
    }

    /**
     * Replaces the cached parameter shapes; null makes them be derived again (used when a size changes). Never read
     * from JSON.
     *
     * @param layerParams the parameter table, or null
     */
    @Override
    @JsonIgnore
    public void setLayerParams(SDLayerParams layerParams) {
        super.setLayerParams(layerParams);
    }

    /**
     * A copy of this configuration, with its own coefficient regularization list, updater copy and per-parameter
     * weight-init map (the spec is immutable and shared).
     *
     * @return the copy
     */
    @Override
    public RationalDense clone() {
        RationalDense c = (RationalDense) super.clone();
        c.coefficientRegularization = SameDiffLayerConfigs.copyOf(coefficientRegularization);
        c.coefficientUpdater = SameDiffLayerConfigs.copyOf(coefficientUpdater);
        c.paramWeightInit = paramWeightInit == null ? null : new HashMap<>(paramWeightInit);
        return c;
    }

    // ---------------------------------------------------------------- getters and setters (JSON)

    /**
     * Input size nIn (0 until known).
     *
     * @return nIn ≥ 0; 0 means "from the input type"
     */
    public long getNIn() {
        return nIn;
    }

    /**
     * Sets the input size (for JSON; use {@link Builder#nIn(long)}); a changed value drops the cached parameter
     * shapes. Not validated here.
     *
     * @param nIn the input size (0: from the input type)
     */
    public void setNIn(long nIn) {
        if (this.nIn != nIn) {
            setLayerParams(null);
        }
        this.nIn = nIn;
    }

    /**
     * Output size nOut (the channels of the rational).
     *
     * @return nOut ≥ 1 for a valid layer
     */
    public long getNOut() {
        return nOut;
    }

    /**
     * Sets the output size (for JSON; use {@link Builder#nOut(long)}); a changed value drops the cached parameter
     * shapes. Not validated here.
     *
     * @param nOut the output size
     */
    public void setNOut(long nOut) {
        if (this.nOut != nOut) {
            setLayerParams(null);
        }
        this.nOut = nOut;
    }

    /**
     * The rational: degrees, version, initialisation and sharing over the nOut channels. Default:
     * {@link RationalSpec#defaults()}.
     *
     * @return the spec (immutable)
     */
    public RationalSpec getSpec() {
        return spec;
    }

    /**
     * Sets the rational (for JSON; use {@link Builder#spec(RationalSpec)}) and drops the cached parameter shapes. Not
     * validated here: {@link #validate()} runs when the layer is instantiated.
     *
     * @param spec the new spec
     */
    public void setSpec(RationalSpec spec) {
        this.spec = spec;
        setLayerParams(null);
    }

    /**
     * Whether the layer has the bias b. Default true.
     *
     * @return true with a bias
     */
    public boolean isHasBias() {
        return hasBias;
    }

    /**
     * Sets whether the layer has a bias (for JSON; use {@link Builder#hasBias(boolean)}); a change drops the cached
     * parameter shapes.
     *
     * @param hasBias true for a bias
     */
    public void setHasBias(boolean hasBias) {
        if (this.hasBias != hasBias) {
            setLayerParams(null);
        }
        this.hasBias = hasBias;
    }

    /**
     * Initial bias value (NaN until resolved from the network's configuration).
     *
     * @return the value every entry of b starts from, or NaN (then 0 is used)
     */
    public double getBiasInit() {
        return biasInit;
    }

    /**
     * Sets the initial bias value (for JSON; use {@link Builder#biasInit(double)}).
     *
     * @param biasInit the value, or NaN for the network's bias init
     */
    public void setBiasInit(double biasInit) {
        this.biasInit = biasInit;
    }

    /**
     * Layout of rank-3 (recurrent) input and output. Default NCW; taken from an RNN input type.
     *
     * @return NCW ([mb, nIn, T] → [mb, nOut, T]) or NWC ([mb, T, nIn] → [mb, T, nOut])
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
     * Updater of the coefficients. Default: null.
     *
     * @return the updater, or null when the coefficients use the layer's updater
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
     * How the runtime executes the layer (default {@link Execution#FUSED}).
     *
     * @return FUSED or SAMEDIFF
     */
    public Execution getExecution() {
        return execution;
    }

    /**
     * Sets the execution (for JSON; use {@link Builder#execution(Execution)}). Takes effect when the runtime builds
     * its graph.
     *
     * @param execution FUSED or SAMEDIFF
     */
    public void setExecution(Execution execution) {
        this.execution = execution;
    }

    /**
     * Equal if every field of this class (sizes, spec, bias, bias init, RNN format, coefficient updater and
     * regularization, execution) and the inherited configuration (name, dropout, constraints, regularization,
     * updaters, gradient normalization, weight init) are equal.
     *
     * @param o another object
     * @return true for an equal configuration
     */
    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof RationalDense)) {
            return false;
        }
        RationalDense l = (RationalDense) o;
        return nIn == l.nIn && nOut == l.nOut && hasBias == l.hasBias
                && Double.compare(biasInit, l.biasInit) == 0 && Objects.equals(spec, l.spec)
                && rnnDataFormat == l.rnnDataFormat && execution == l.execution
                && SameDiffLayerConfigs.sameInheritedAndCoefficientOptions(this, l);
    }

    /**
     * A hash over the fields {@link #equals} compares, except input dropout and constraints.
     *
     * @return the hash code
     */
    @Override
    public int hashCode() {
        return Objects.hash(nIn, nOut, hasBias, biasInit, spec, rnnDataFormat, execution,
                SameDiffLayerConfigs.inheritedAndCoefficientOptionsHash(this));
    }

    /**
     * A description for logs and configuration summaries.
     *
     * @return the name, sizes, spec, bias, RNN format and execution
     */
    @Override
    public String toString() {
        return "RationalDense(name=" + layerName + ", nIn=" + nIn + ", nOut=" + nOut + ", spec=" + spec + ", hasBias="
                + hasBias + ", rnnFormat=" + rnnDataFormat + ", execution=" + execution + ")";
    }

    /**
     * Builder for {@link RationalDense}. Inherited options: {@code name}, {@code updater}, {@code biasUpdater},
     * {@code l1/l2/weightDecay} (W) and their {@code Bias} variants (b), {@code weightInit}, {@code dropOut},
     * constraints (W, b; {@code constrainAllParameters} also the coefficients); the coefficient words of
     * {@link RationalLayer} ({@code coefficientUpdater}, {@code coefficientRegularization},
     * {@code coefficientL1/L2/WeightDecay}).
     */
    public static class Builder extends SameDiffLayer.Builder<Builder> implements CoefficientOptions.Words<Builder> {
        private long nIn;
        private long nOut;
        private RationalSpec spec = RationalSpec.defaults();
        private boolean hasBias = true;
        private double biasInit = Double.NaN;
        private RNNFormat rnnDataFormat = RNNFormat.NCW;
        private final CoefficientOptions coefficients = new CoefficientOptions();
        private Execution execution = Execution.FUSED;

        /** A builder with the defaults of {@link RationalDense}; nOut must be set. */
        public Builder() {
            // null: take the network's weight init (DenseLayer behaviour), else Xavier
            this.weightInit = null;
        }

        /**
         * Input size (optional when the network has an input type). Default 0: from the input type.
         *
         * @param nIn the input size, ≥ 0 (0: from the input type)
         * @return this builder
         */
        public Builder nIn(long nIn) {
            this.nIn = nIn;
            return this;
        }

        /**
         * Output size (required; no default).
         *
         * @param nOut the output size, ≥ 1 (a multiple of the group count for GROUP sharing); checked by
         *             {@link #build()}
         * @return this builder
         */
        public Builder nOut(long nOut) {
            this.nOut = nOut;
            return this;
        }

        /**
         * The rational function: degrees, version, initialisation and sharing over the nOut channels. Default:
         * {@link RationalSpec#defaults()} ((5,4), version B, LeakyReLU init on [-3, 3], LAYER sharing).
         *
         * @param spec the spec
         * @return this builder
         * @throws NullPointerException if {@code spec} is null
         */
        public Builder spec(RationalSpec spec) {
            this.spec = Objects.requireNonNull(spec, "spec");
            return this;
        }

        /**
         * Whether the layer has a bias b (default true).
         *
         * @param hasBias false for y = R(x W)
         * @return this builder
         */
        public Builder hasBias(boolean hasBias) {
            this.hasBias = hasBias;
            return this;
        }

        /**
         * Initial bias value (default: the network's bias init, 0 unless set).
         *
         * @param biasInit the value every entry of b starts from; NaN: the network's bias init
         * @return this builder
         */
        public Builder biasInit(double biasInit) {
            this.biasInit = biasInit;
            return this;
        }

        /**
         * Weight initialisation of W (default: the network's, else Xavier), stored as the per-parameter init of
         * {@value #WEIGHT_KEY}.
         *
         * @param weightInit the initialisation, e.g. {@code new WeightInitXavier()}
         * @return this builder
         */
        public Builder weightInit(IWeightInit weightInit) {
            return weightInit(WEIGHT_KEY, weightInit);
        }

        /**
         * Layout of recurrent input (default NCW; set automatically from an RNN input type).
         *
         * @param format NCW ([mb, nIn, T] → [mb, nOut, T]) or NWC ([mb, T, nIn] → [mb, T, nOut])
         * @return this builder
         * @throws NullPointerException if {@code format} is null
         */
        public Builder dataFormat(RNNFormat format) {
            this.rnnDataFormat = Objects.requireNonNull(format, "format");
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
         * How the runtime executes the layer: {@link Execution#FUSED} (default) or {@link Execution#SAMEDIFF}; same
         * function and gradients, FUSED is faster.
         *
         * @param execution FUSED or SAMEDIFF
         * @return this builder
         * @throws NullPointerException if {@code execution} is null
         */
        public Builder execution(Execution execution) {
            this.execution = Objects.requireNonNull(execution, "execution");
            return this;
        }

        /**
         * Builds and validates the configuration.
         *
         * @return the layer configuration
         * @throws IllegalArgumentException for an invalid setting, naming the value and its range (nOut missing or
         *                                  &lt; 1, negative nIn, nOut not a multiple of the group count, invalid spec)
         */
        @Override
        @SuppressWarnings("unchecked")
        public RationalDense build() {
            return new RationalDense(this);
        }
    }
}
