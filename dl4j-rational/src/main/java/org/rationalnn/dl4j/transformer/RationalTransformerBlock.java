package org.rationalnn.dl4j.transformer;

import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.samediff.SDLayerParams;
import org.deeplearning4j.nn.conf.layers.samediff.SameDiffLayer;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.regularization.Regularization;
import org.nd4j.shade.jackson.annotation.JsonIgnore;
import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.memory.LayerMemoryReport;
import org.rationalnn.dl4j.common.CoefficientOptions;
import org.rationalnn.dl4j.common.CoefficientParamInitializer;
import org.rationalnn.dl4j.common.LayerPlumbing;
import org.rationalnn.dl4j.common.RationalLayer;
import org.rationalnn.dl4j.common.RationalSlot;
import org.rationalnn.dl4j.common.SameDiffLayerConfigs;
import org.rationalnn.dl4j.rational.RationalFunction;
import org.rationalnn.dl4j.rational.RationalSpec;
import org.rationalnn.dl4j.rational.Sharing;
import org.rationalnn.dl4j.rational.TargetFunction;
import org.rationalnn.dl4j.transformer.impl.RationalTransformerBlockImpl;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A transformer-style block (multi-head self-attention + feed-forward, with residuals) whose feed-forward part is
 * gated by a trainable rational function R(x) = P(x)/Q(x) (Padé Activation Units arXiv:1907.06732, rational
 * networks arXiv:2004.01902, KAT arXiv:2409.10594, arXiv:2602.12390). A SameDiff layer usable in
 * {@code MultiLayerNetwork} and {@code ComputationGraph}; its runtime ({@link RationalTransformerBlockImpl}) returns
 * exact gradients on DL4J 1.0.0-M2.1 (see {@link org.rationalnn.dl4j.samediff.ExternalErrorsGraph}).
 *
 * <p><b>Shapes.</b> Input and output [mb, d, T] (recurrent NCW, default) or [mb, T, d] (NWC; the format comes from
 * the input type or {@link Builder#dataFormat(RNNFormat)}), d = dModel. T may differ between minibatches. An optional
 * padding mask [mb, T] (1 = real step, 0 = padding; DL4J's feature mask) removes padded keys from attention and sets
 * the output at padded steps to 0; it is passed on unchanged. With {@code causal(true)} query t attends to keys
 * s &le; t only.
 *
 * <p><b>Formula</b> (per time step, x ∈ R^d, H = hidden width, h heads of size d_h = d/h):
 * <pre>
 *   PRE  (default): u = x + D1(Attn(LN1(x))),      y = u + D2(FFN(LN2(u)))
 *   POST:           u = LN1(x + D1(Attn(x))),      y = LN2(u + D2(FFN(u)))
 *   NONE:           u = x + D1(Attn(x)),           y = u + D2(FFN(u))
 *   LN(z) = (z - mean(z)) / sqrt(var(z) + 1e-5) ⊙ g + b    (over the d features; var is the biased variance)
 *   Attn(z): q = z Wq + bq, k = z Wk + bk, v = z Wv + bv, split into h heads;
 *            s_ij = q_i·k_j / sqrt(d_h) (masked keys: s_ij - 1e9 for SOFTMAX);
 *            a_ij = softmax_j(s_ij) (SOFTMAX), or for RATIONAL with z_ij = (s_ij - max_j s_ij) ⊙ M_ij:
 *            a_ij = M_ij φ(z_ij) / (Σ_j M_ij φ(z_ij) + 1e-9),  φ(z) = R_a(z)², R_a initialised to the best
 *            rational fit of exp(z/2) on [-8, 0], so φ ≈ exp on [-8, 0] and φ ≥ 0 by construction;
 *            out_i = concat_heads(Σ_j D_a(a_ij) v_j) Wo + bo
 *   FFN kinds:  GELU:         gelu(z W1 + b1) W2 + b2
 *               SWIGLU:       (silu(z Wg + bg) ⊙ (z Wu + bu)) W2 + b2
 *               GEGLU:        (gelu(z Wg + bg) ⊙ (z Wu + bu)) W2 + b2
 *               RATIONAL_GLU: (R(z Wg + bg) ⊙ (z Wu + bu)) W2 + b2          (default)
 *               RATIONAL:     R2(R1(z) W1 + b1) W2 + b2   (KAT; R1 starts as identity, R2 as gelu below)
 *   gelu(x) = 0.5 x (1 + tanh(sqrt(2/π)(x + 0.044715 x³))) (TargetFunction.GELU_TANH),  silu(x) = x σ(x)
 * </pre>
 * D1, D2 (residual dropout) and D_a (attention dropout) are inverted dropout in training only; the layer's own
 * {@code dropOut} (DL4J's) applies to its input as usual.
 *
 * <p><b>Parameters</b> (W* are [in, out] matrices, b* and LayerNorm vectors are [1, size]): {@code Wq, bq, Wk, bk,
 * Wv, bv, Wo, bo} [d, d]; with PRE/POST {@code ln1Gain, ln1Bias, ln2Gain, ln2Bias} [1, d]; FFN GELU {@code W1 [d, H],
 * b1, W2 [H, d], b2}; GLU kinds {@code Wg, Wu [d, H], bg, bu, W2 [H, d], b2} plus for RATIONAL_GLU
 * {@code numerator [S, m+1], denominator [S, n]} (S from the spec's sharing over H channels); RATIONAL
 * {@code r1Numerator, r1Denominator} (S over d channels), {@code W1, b1}, {@code r2Numerator, r2Denominator} (S over
 * H), {@code W2, b2}; RATIONAL attention {@code attnNumerator [1, m_a+1], attnDenominator [1, n_a]}. Matrices start
 * from the layer's weight init (default Xavier), biases at 0, LayerNorm gains at 1, coefficients from the spec.
 *
 * <p><b>Training</b> follows the contract of {@link RationalLayer} (the same words in all four rational layer types):
 * the layer's l1/l2/weight decay (own or the network's) apply to the matrices, its bias regularization to biases and
 * LayerNorm parameters, and nothing of either to the rational coefficients, which take only
 * {@code .coefficientRegularization(...)} / {@code .coefficientL1/L2/WeightDecay(...)} (default none).
 * {@code .coefficientUpdater(...)} gives every rational's coefficients their own updater (default: the layer's).
 * Weight and bias constraints reach matrices and biases only: the coefficients are neither weights nor biases.
 *
 * <p><b>Execution</b> ({@link Builder#execution(Execution)}). {@link Execution#NATIVE} (default): a hand-written
 * forward pass that keeps what the backward pass needs and a hand-written backward pass, over ND4J's BLAS-backed
 * matrix products (2-D [mb·T, d] products for the projections and the FFN, batched products per head for attention)
 * and the library's fused rational kernels ({@link org.rationalnn.dl4j.kernel.RationalKernels}) for every rational
 * (RATIONAL_GLU's gate, KAT's R1 and R2, the attention rational R_a). {@link Execution#SAMEDIFF}: the block as one
 * SameDiff graph ({@link #define}), whose gradient function recomputes the forward pass op by op. Both compute the
 * same function with the same parameters, masks and dropout multipliers and return exact gradients; NATIVE is
 * several times faster (see the project's {@code docs/benchmarks.md}). The setting is part of the configuration
 * (JSON); models saved without it (release 0.1.0) load as NATIVE.
 *
 * <p><b>Defaults.</b> heads 1, hidden width 4d, PRE norm, RATIONAL_GLU, SOFTMAX attention, not causal, no dropout,
 * spec (5,4) version B initialised to SiLU on the spec's default interval, attention rational degrees (3,4) version B,
 * NATIVE execution.
 */
public class RationalTransformerBlock extends SameDiffLayer implements RationalLayer {
    private static final long serialVersionUID = 1L;

    /** Where the LayerNorms sit. */
    public enum Normalization {
        /** LayerNorm before attention and before the FFN (inside the residual branch). */
        PRE,
        /** LayerNorm after each residual addition. */
        POST,
        /** No normalization. */
        NONE
    }

    /** Feed-forward part of the block. */
    public enum FeedForward {
        /** (R(z Wg + bg) ⊙ (z Wu + bu)) W2 + b2. */
        RATIONAL_GLU,
        /** KAT style R2(R1(z) W1 + b1) W2 + b2, R1 initialised to identity and R2 to GELU. */
        RATIONAL,
        /** Plain 2-layer FFN with GELU. */
        GELU,
        /** (silu(z Wg + bg) ⊙ (z Wu + bu)) W2 + b2. */
        SWIGLU,
        /** (gelu(z Wg + bg) ⊙ (z Wu + bu)) W2 + b2. */
        GEGLU
    }

    /** How the runtime executes the block (same function and gradients either way). */
    public enum Execution {
        /** Hand-written forward and backward passes over ND4J ops and the fused rational kernels (default). */
        NATIVE,
        /** The whole block as one SameDiff graph ({@link #define}). */
        SAMEDIFF
    }

    /** Normalised nonlinearity of attention scores. */
    public enum Attention {
        /** softmax over the keys. */
        SOFTMAX,
        /** exp inside softmax replaced by φ = R_a², a trainable rational squared (see the class Javadoc). */
        RATIONAL
    }

    /** Parameter keys of the attention projections: matrices Wq, Wk, Wv, Wo [d, d] and biases bq, bk, bv, bo [1, d]. */
    public static final String WQ = "Wq", BQ = "bq", WK = "Wk", BK = "bk", WV = "Wv", BV = "bv", WO = "Wo", BO = "bo";
    /** Parameter keys of the LayerNorm gains and biases, [1, d] each (PRE and POST normalization only). */
    public static final String LN1_GAIN = "ln1Gain", LN1_BIAS = "ln1Bias", LN2_GAIN = "ln2Gain", LN2_BIAS = "ln2Bias";
    /**
     * Parameter keys of the feed-forward matrices and biases: W1 [d, H] and b1 [1, H] (GELU, RATIONAL), Wg, Wu
     * [d, H] and bg, bu [1, H] (the GLU kinds), W2 [H, d] and b2 [1, d] (every kind).
     */
    public static final String W1 = "W1", B1 = "b1", W2 = "W2", B2 = "b2", WG = "Wg", BG = "bg", WU = "Wu", BU = "bu";
    /** Parameter keys of RATIONAL_GLU's coefficients, [S, m+1] and [S, n'] with S sets over the H channels. */
    public static final String NUMERATOR = RationalLayer.NUMERATOR_KEY, DENOMINATOR = RationalLayer.DENOMINATOR_KEY;
    /** Parameter keys of KAT's R1 coefficients (RATIONAL feed-forward), S sets over the d channels. */
    public static final String R1_NUMERATOR = "r1Numerator", R1_DENOMINATOR = "r1Denominator";
    /** Parameter keys of KAT's R2 coefficients (RATIONAL feed-forward), S sets over the H channels. */
    public static final String R2_NUMERATOR = "r2Numerator", R2_DENOMINATOR = "r2Denominator";
    /** Parameter keys of the attention rational's coefficients, [1, m_a+1] and [1, n_a] (RATIONAL attention). */
    public static final String ATTN_NUMERATOR = "attnNumerator", ATTN_DENOMINATOR = "attnDenominator";

    /** LayerNorm epsilon. */
    public static final double LN_EPSILON = 1e-5;
    /**
     * Subtracted from the scores of masked keys in SOFTMAX attention. A query that sees no key at all (a padded
     * position under left padding, or an all-padded example) gets weights that depend on the precision: the softmax
     * of its unmasked scores in float64, nearly uniform in float32 (the penalty swamps the scores); its output
     * position is masked itself, so nothing downstream reads it.
     */
    public static final double MASK_PENALTY = 1e9;
    /** Added to the normaliser of RATIONAL attention. */
    public static final double RATIONAL_ATTENTION_EPSILON = 1e-9;
    /** Lower end of the interval on which the attention rational is fitted to exp(z/2). */
    public static final double ATTENTION_FIT_LOWER = -8.0;
    /** Upper end of the interval on which the attention rational is fitted to exp(z/2). */
    public static final double ATTENTION_FIT_UPPER = 0.0;

    /** Model width d (input and output feature size); set by the builder or from the input type. */
    private long dModel;
    /** Number of attention heads h; must divide d. */
    private int heads = 1;
    /** Feed-forward hidden width H as configured; 0 means 4d (see hiddenWidth()). */
    private long hidden;
    /** Where the layer norms sit (pre-norm by default). */
    private Normalization normalization = Normalization.PRE;
    /** The feed-forward kind (rational-gated GLU by default). */
    private FeedForward feedForward = FeedForward.RATIONAL_GLU;
    /** Softmax or rational attention weights. */
    private Attention attention = Attention.SOFTMAX;
    /** Whether position t attends only to positions up to t. */
    private boolean causal;
    /** Dropout probability on the attention weights (0 = none). */
    private double attentionDropout;
    /** Dropout probability on each residual branch before it is added (0 = none). */
    private double residualDropout;
    /** Rational used by the RATIONAL and RATIONAL_GLU feed-forward kinds. */
    private RationalSpec spec = defaultSpec();
    /** Numerator degree of the rational attention weight function. */
    private int attentionNumeratorDegree = 3;
    /** Denominator degree of the rational attention weight function. */
    private int attentionDenominatorDegree = 4;
    /** Layout of the sequence input and output (NCW or NWC). */
    private RNNFormat rnnDataFormat = RNNFormat.NCW;
    /** Which runtime computes the block (native by default, or SameDiff). */
    private Execution execution = Execution.NATIVE;
    /** The coefficients' own updater; null means the layer's updater. */
    private IUpdater coefficientUpdater;
    /** Regularization applied to the coefficients only (none by default). */
    private List<Regularization> coefficientRegularization = new ArrayList<>();

    /** For JSON deserialization only; use {@link Builder}. */
    public RationalTransformerBlock() {
    }

    private RationalTransformerBlock(Builder b) {
        super(b);
        this.dModel = b.dModel;
        this.heads = b.heads;
        this.hidden = b.hidden;
        this.normalization = b.normalization;
        this.feedForward = b.feedForward;
        this.attention = b.attention;
        this.causal = b.causal;
        this.attentionDropout = b.attentionDropout;
        this.residualDropout = b.residualDropout;
        this.spec = b.spec;
        this.attentionNumeratorDegree = b.attentionNumeratorDegree;
        this.attentionDenominatorDegree = b.attentionDenominatorDegree;
        this.rnnDataFormat = b.rnnDataFormat;
        this.execution = b.execution;
        this.coefficientUpdater = b.coefficients.updater();
        this.coefficientRegularization = b.coefficients.regularization();
        validate();
        initializeConstraints(b);
    }

    /**
     * The block's default spec.
     *
     * @return (5,4), version B, SiLU initialisation on the spec's default interval, LAYER sharing
     */
    public static RationalSpec defaultSpec() {
        return RationalSpec.builder().init(TargetFunction.SILU).build();
    }

    /**
     * Checks the configuration (called by the builder and when the layer is instantiated, since JSON
     * deserialization bypasses the builder). dModel 0 means "from the input type".
     *
     * @throws IllegalArgumentException naming the offending value and the accepted range
     */
    public void validate() {
        if (dModel < 0) {
            throw new IllegalArgumentException(where() + "dModel must be in [1, " + Integer.MAX_VALUE
                    + "] (0 = from the input type), got " + dModel);
        }
        if (heads < 1) {
            throw new IllegalArgumentException(where() + "heads must be in [1, " + Integer.MAX_VALUE + "], got "
                    + heads);
        }
        if (dModel > 0 && dModel % heads != 0) {
            throw new IllegalArgumentException(where() + "dModel must be divisible by heads, got dModel = " + dModel
                    + " and heads = " + heads);
        }
        if (hidden < 0) {
            throw new IllegalArgumentException(where() + "hidden width must be in [1, " + Integer.MAX_VALUE
                    + "] (0 = 4 dModel), got " + hidden);
        }
        requireNonNull(normalization, "normalization", Normalization.values());
        requireNonNull(feedForward, "feedForward", FeedForward.values());
        requireNonNull(attention, "attention", Attention.values());
        requireNonNull(rnnDataFormat, "RNN data format", RNNFormat.values());
        requireNonNull(execution, "execution", Execution.values());
        checkDropout("attention dropout", attentionDropout);
        checkDropout("residual dropout", residualDropout);
        if (spec == null) {
            throw new IllegalArgumentException(where() + "spec must not be null");
        }
        spec.validate();
        if (feedForward == FeedForward.RATIONAL && spec.getNumeratorDegree() < 1) {
            throw new IllegalArgumentException(where() + "the KAT-style RATIONAL feed-forward needs numerator degree "
                    + "m in [1, " + RationalSpec.MAX_NUMERATOR_DEGREE + "] (its R1 starts as the identity x, which a "
                    + "constant numerator cannot represent), got " + spec.getNumeratorDegree());
        }
        if (spec.getVersion().hasTrainingNoise() && spec.getNoise() > 0) {
            throw new IllegalArgumentException(where() + "version D's training noise is not supported by this block; "
                    + "spec noise must be 0, got " + spec.getNoise());
        }
        if (spec.getSharing() == Sharing.GROUP && dModel > 0) {
            long[] channels = feedForward == FeedForward.RATIONAL ? new long[]{dModel, hiddenWidth()}
                    : new long[]{hiddenWidth()};
            for (long c : channels) {
                if (c % spec.getGroups() != 0) {
                    throw new IllegalArgumentException(where() + "GROUP sharing needs the rational's channel count "
                            + c + " to be a multiple of the group count, got " + spec.getGroups() + " groups");
                }
            }
        }
        RationalSpec.checkDegrees(attentionNumeratorDegree, attentionDenominatorDegree);
    }

    private void checkDropout(String what, double p) {
        if (!(p >= 0 && p < 1)) {
            throw new IllegalArgumentException(where() + what + " (drop probability) must be in [0, 1), got " + p);
        }
    }

    private void requireNonNull(Object v, String what, Object[] accepted) {
        if (v == null) {
            throw new IllegalArgumentException(where() + what + " must be one of " + Arrays.toString(accepted)
                    + ", got null");
        }
    }

    /**
     * Prefix of error messages, naming the block.
     *
     * @return e.g. {@code "RationalTransformerBlock '<name>': "}
     */
    String where() {
        return "RationalTransformerBlock '" + layerName + "': ";
    }

    /**
     * The hidden width H of the feed-forward part.
     *
     * @return the configured hidden width, or 4 dModel when it is 0
     */
    public long hiddenWidth() {
        return hidden > 0 ? hidden : 4 * dModel;
    }

    /**
     * The head size.
     *
     * @return d_h = dModel / heads
     */
    public long headSize() {
        return dModel / heads;
    }

    // ---------------------------------------------------------------- parameters

    /**
     * Registers the parameters of {@link #parameterShapes()} in that order: matrices as weights, biases, LayerNorm
     * parameters and coefficients as biases (the only other kind {@code SDLayerParams} knows; {@link #initializer()}
     * reports the coefficients' true role).
     *
     * @param params DL4J's parameter table to fill (cleared first)
     * @throws IllegalStateException if dModel is still unknown
     */
    @Override
    public void defineParameters(SDLayerParams params) {
        new BlockParameters(this).register(params);
    }

    /**
     * Matrices are weights, biases and LayerNorm parameters biases, coefficients neither ({@link RationalLayer}).
     *
     * @return {@link CoefficientParamInitializer#INSTANCE}
     */
    @Override
    public ParamInitializer initializer() {
        return CoefficientParamInitializer.INSTANCE;
    }

    /**
     * The rationals the block's options use: "rational" (RATIONAL_GLU, S over H channels), "r1" (S over d) and "r2"
     * (S over H) for the RATIONAL feed-forward, "attention" (one set of version B) for RATIONAL attention.
     *
     * @return the slots, in this order (empty for the GELU, SWIGLU and GEGLU feed-forwards with SOFTMAX attention)
     * @throws IllegalArgumentException if a channel count does not fit the spec's sharing
     */
    @Override
    public List<RationalSlot> rationalSlots() {
        return new BlockParameters(this).slots();
    }

    /**
     * The parameter keys and shapes, in the order of the flattened parameter vector (listed in the class Javadoc).
     *
     * @return a new ordered map from key to shape ([in, out] for matrices, [1, size] for biases and LayerNorm
     *         parameters, [S, m+1] and [S, n'] for coefficients)
     * @throws IllegalArgumentException if a channel count does not fit the spec's sharing
     */
    public Map<String, long[]> parameterShapes() {
        return new BlockParameters(this).shapes();
    }

    /**
     * Writes the initial values: matrices from the weight init (default Xavier), biases 0, LayerNorm gains 1,
     * RATIONAL_GLU's coefficients from the spec, KAT's R1 as the identity and R2 as GELU (tanh form), the attention
     * rational from {@link #attentionInit()}.
     *
     * @param params the parameter views, by key
     * @throws IllegalArgumentException if a spec is invalid
     */
    @Override
    public void initializeParameters(Map<String, INDArray> params) {
        new BlockParameters(this).initialize(params);
    }

    /**
     * The initial attention rational R_a: the fit of exp(z/2) on [{@value #ATTENTION_FIT_LOWER},
     * {@value #ATTENTION_FIT_UPPER}] (version B, the attention degrees), so R_a² ≈ exp there.
     *
     * @return the fitted function
     */
    public RationalFunction attentionInit() {
        return new BlockParameters(this).attentionInit();
    }

    // ---------------------------------------------------------------- SameDiff definition

    /**
     * The block without masks or dropout (DL4J's interface; the runtime calls {@link #define}).
     *
     * @param sameDiff   the graph to add the block to
     * @param layerInput [mb, d, T] (NCW) or [mb, T, d] (NWC)
     * @param paramTable variables for every key of {@link #parameterShapes()}
     * @param mask       ignored (the runtime passes masks through {@link Inputs})
     * @return the output, the input's shape and layout
     */
    @Override
    public SDVariable defineLayer(SameDiff sameDiff, SDVariable layerInput, Map<String, SDVariable> paramTable,
                                  SDVariable mask) {
        return define(sameDiff, layerInput, paramTable, new Inputs());
    }

    /** Optional placeholder inputs of {@link #define}; null fields are left out of the graph. */
    public static final class Inputs {
        /** [mb*h, T, T]: 1 where query i may attend to key j, else 0 (padding and causal masks). */
        public SDVariable attentionMask;
        /** [mb, T, 1]: the padding mask, multiplied into the output. */
        public SDVariable outputMask;
        /** [mb*h, T, T]: inverted-dropout multipliers of the attention weights. */
        public SDVariable attentionDropout;
        /** [mb*T, d]: inverted-dropout multipliers of the attention branch. */
        public SDVariable residualDropout1;
        /** [mb*T, d]: inverted-dropout multipliers of the FFN branch. */
        public SDVariable residualDropout2;

        /** No masks and no dropout; set the fields that the graph should take as inputs. */
        public Inputs() {
        }
    }

    /**
     * The block's output (see the class Javadoc for the formula).
     *
     * @param sd     the graph to add the block to
     * @param input  [mb, d, T] (NCW) or [mb, T, d] (NWC), dynamic mb and T
     * @param params variables for every key of {@link #parameterShapes()}
     * @param in     optional mask and dropout inputs
     * @return the output, the input's shape and layout (0 at padded steps when {@code in.outputMask} is set)
     */
    public SDVariable define(SameDiff sd, SDVariable input, Map<String, SDVariable> params, Inputs in) {
        return new BlockGraph(this).define(sd, input, params, in);
    }

    // ---------------------------------------------------------------- DL4J plumbing

    /**
     * Creates the runtime layer ({@link RationalTransformerBlockImpl}) over {@code layerParamsView}, after validating
     * this configuration again (JSON deserialization bypasses the builder).
     *
     * @param conf              the network's configuration of this layer
     * @param trainingListeners listeners of the network
     * @param layerIndex        index of the layer in the network
     * @param layerParamsView   this layer's view of the network's flattened parameters
     * @param initializeParams  whether to write the initial values into the view (false when loading)
     * @param networkDataType   the network's data type
     * @return the runtime layer
     * @throws IllegalArgumentException for an invalid configuration
     * @throws IllegalStateException    if dModel is still unknown
     */
    @Override
    public org.deeplearning4j.nn.api.Layer instantiate(NeuralNetConfiguration conf,
                                                       Collection<TrainingListener> trainingListeners,
                                                       int layerIndex, INDArray layerParamsView,
                                                       boolean initializeParams, DataType networkDataType) {
        validate();
        return SameDiffLayerConfigs.wire(new RationalTransformerBlockImpl(conf, networkDataType), conf,
                trainingListeners, layerIndex, layerParamsView, initializeParams, initializer());
    }

    /**
     * The output type: recurrent with dModel channels, the input's time length and format.
     *
     * @param layerIndex index of the layer (unused)
     * @param inputType  RNN, or FF (one row per time step)
     * @return {@code InputType.recurrent(dModel, T, format)}
     * @throws IllegalArgumentException for another input type, or an input size that differs from a known dModel
     */
    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
        return new BlockInputTypes(this).outputType(inputType);
    }

    /**
     * Takes the RNN format, and dModel (if not set yet, or if {@code override}), from an RNN or FF input type, then
     * validates the block again when dModel was taken.
     *
     * @param inputType RNN, or FF (one row per time step)
     * @param override  whether to replace a dModel that is already set
     * @throws IllegalArgumentException for another input type, an input size that differs from a known dModel
     *                                  (without override), or a dModel the other settings do not accept
     */
    @Override
    public void setNIn(InputType inputType, boolean override) {
        new BlockInputTypes(this).takeSize(inputType, override);
    }

    /**
     * Feed-forward input (e.g. from a {@code DenseLayer} on sequences) is reshaped back to sequences, in the
     * time-distributed format the FF type carries (else this layer's format).
     *
     * @param inputType RNN, or FF (one row per time step)
     * @return a {@code FeedForwardToRnnPreProcessor} for FF input, null for RNN input
     * @throws IllegalArgumentException for another input type, or an input size that differs from a known dModel
     */
    @Override
    public InputPreProcessor getPreProcessorForInputType(InputType inputType) {
        return new BlockInputTypes(this).preProcessor(inputType);
    }

    /**
     * Matrices: the layer's regularization; biases and LayerNorm parameters: its bias regularization; coefficients:
     * only the coefficient regularization.
     *
     * @param paramName a parameter key of the block
     * @return the regularizations of that parameter, never null
     */
    @Override
    public List<Regularization> getRegularizationByParam(String paramName) {
        return SameDiffLayerConfigs.regularization(this, new BlockParameters(this).role(paramName));
    }

    /**
     * Coefficients: their own updater, else the layer's; matrices: the layer's; biases and LayerNorm parameters: the
     * bias updater, else the layer's.
     *
     * @param paramName a parameter key of the block
     * @return the updater of that parameter
     */
    @Override
    public IUpdater getUpdaterByParam(String paramName) {
        return SameDiffLayerConfigs.updater(this, new BlockParameters(this).role(paramName));
    }

    /**
     * DL4J's memory report: the parameters and the updater state (the coefficients' updater for the coefficients),
     * no working memory.
     *
     * @param inputType the input type (RNN, or FF per time step)
     * @return the report
     * @throws IllegalArgumentException for another input type, or an input size that differs from a known dModel
     */
    @Override
    public LayerMemoryReport getMemoryReport(InputType inputType) {
        return LayerPlumbing.parameterOnlyReport(layerName, RationalTransformerBlock.class, inputType,
                getOutputType(-1, inputType), initializer().numParams(this), this, updater);
    }

    /**
     * The coefficients' own updater, of every rational of the block. Default: null.
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
     * Regularization of the coefficients (only what was set with the coefficient words). Default: empty.
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
     * The parameter shapes, always derived from the configuration (never read from or written to JSON).
     *
     * @return DL4J's parameter table of this block (built by {@link #defineParameters} when first needed)
     */
    @Override
    @JsonIgnore
    public SDLayerParams getLayerParams() {
        return super.getLayerParams();
    }

    /**
     * Replaces the cached parameter shapes; null makes them be derived again (used when a size or an option
     * changes). Never read from JSON.
     *
     * @param layerParams the parameter table, or null
     */
    @Override
    @JsonIgnore
    public void setLayerParams(SDLayerParams layerParams) {
        super.setLayerParams(layerParams);
    }

    /**
     * A copy of this configuration, with its own coefficient regularization list and updater copy (the spec is
     * immutable and shared).
     *
     * @return the copy
     */
    @Override
    public RationalTransformerBlock clone() {
        RationalTransformerBlock c = (RationalTransformerBlock) super.clone();
        c.coefficientRegularization = SameDiffLayerConfigs.copyOf(coefficientRegularization);
        c.coefficientUpdater = SameDiffLayerConfigs.copyOf(coefficientUpdater);
        return c;
    }

    // ---------------------------------------------------------------- getters and setters (JSON)

    /**
     * Model width d (0 until known).
     *
     * @return d ≥ 0; 0 means "from the input type"
     */
    public long getDModel() {
        return dModel;
    }

    /**
     * Sets the model width (for JSON; use {@link Builder#dModel(long)}); a changed value drops the cached parameter
     * shapes. Not validated here.
     *
     * @param dModel the width d (0: from the input type)
     */
    public void setDModel(long dModel) {
        if (this.dModel != dModel) {
            setLayerParams(null);
        }
        this.dModel = dModel;
    }

    /**
     * Number of attention heads h. Default 1.
     *
     * @return h ≥ 1 for a valid block (a divisor of dModel)
     */
    public int getHeads() {
        return heads;
    }

    /**
     * Sets the number of attention heads (for JSON; use {@link Builder#heads(int)}). Not validated here.
     *
     * @param heads h
     */
    public void setHeads(int heads) {
        this.heads = heads;
    }

    /**
     * Hidden width as configured; see {@link #hiddenWidth()} for the width used.
     *
     * @return H ≥ 1, or 0 for the default 4 dModel
     */
    public long getHidden() {
        return hidden;
    }

    /**
     * Sets the hidden width (for JSON; use {@link Builder#hidden(long)}); a changed value drops the cached parameter
     * shapes. Not validated here.
     *
     * @param hidden H, or 0 for 4 dModel
     */
    public void setHidden(long hidden) {
        if (this.hidden != hidden) {
            setLayerParams(null);
        }
        this.hidden = hidden;
    }

    /**
     * Where the LayerNorms sit. Default {@link Normalization#PRE}.
     *
     * @return PRE, POST or NONE
     */
    public Normalization getNormalization() {
        return normalization;
    }

    /**
     * Sets where the LayerNorms sit (for JSON; use {@link Builder#normalization(Normalization)}) and drops the cached
     * parameter shapes.
     *
     * @param normalization PRE, POST or NONE
     */
    public void setNormalization(Normalization normalization) {
        this.normalization = normalization;
        setLayerParams(null);
    }

    /**
     * The feed-forward kind. Default {@link FeedForward#RATIONAL_GLU}.
     *
     * @return the kind
     */
    public FeedForward getFeedForward() {
        return feedForward;
    }

    /**
     * Sets the feed-forward kind (for JSON; use {@link Builder#feedForward(FeedForward)}) and drops the cached
     * parameter shapes.
     *
     * @param feedForward the kind
     */
    public void setFeedForward(FeedForward feedForward) {
        this.feedForward = feedForward;
        setLayerParams(null);
    }

    /**
     * The attention nonlinearity. Default {@link Attention#SOFTMAX}.
     *
     * @return SOFTMAX or RATIONAL
     */
    public Attention getAttention() {
        return attention;
    }

    /**
     * Sets the attention nonlinearity (for JSON; use {@link Builder#attention(Attention)}) and drops the cached
     * parameter shapes.
     *
     * @param attention SOFTMAX or RATIONAL
     */
    public void setAttention(Attention attention) {
        this.attention = attention;
        setLayerParams(null);
    }

    /**
     * Whether query t attends to keys s ≤ t only. Default false.
     *
     * @return true for causal attention
     */
    public boolean isCausal() {
        return causal;
    }

    /**
     * Sets causal masking (for JSON; use {@link Builder#causal(boolean)}).
     *
     * @param causal true for causal attention
     */
    public void setCausal(boolean causal) {
        this.causal = causal;
    }

    /**
     * Probability of dropping an attention weight in training. Default 0.
     *
     * @return p in [0, 1) for a valid block
     */
    public double getAttentionDropout() {
        return attentionDropout;
    }

    /**
     * Sets the attention dropout (for JSON; use {@link Builder#attentionDropout(double)}). Not validated here.
     *
     * @param attentionDropout the drop probability p
     */
    public void setAttentionDropout(double attentionDropout) {
        this.attentionDropout = attentionDropout;
    }

    /**
     * Probability of dropping a residual-branch activation in training. Default 0.
     *
     * @return p in [0, 1) for a valid block
     */
    public double getResidualDropout() {
        return residualDropout;
    }

    /**
     * Sets the residual dropout (for JSON; use {@link Builder#residualDropout(double)}). Not validated here.
     *
     * @param residualDropout the drop probability p
     */
    public void setResidualDropout(double residualDropout) {
        this.residualDropout = residualDropout;
    }

    /**
     * The rational of RATIONAL_GLU, and with another initial function of KAT's R1 and R2. Default
     * {@link #defaultSpec()}.
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
     * Numerator degree m_a of the attention rational R_a. Default 3.
     *
     * @return m_a
     */
    public int getAttentionNumeratorDegree() {
        return attentionNumeratorDegree;
    }

    /**
     * Sets the attention rational's numerator degree (for JSON; use {@link Builder#attentionDegrees(int, int)}) and
     * drops the cached parameter shapes. Not validated here.
     *
     * @param attentionNumeratorDegree m_a
     */
    public void setAttentionNumeratorDegree(int attentionNumeratorDegree) {
        this.attentionNumeratorDegree = attentionNumeratorDegree;
        setLayerParams(null);
    }

    /**
     * Denominator degree n_a of the attention rational R_a. Default 4.
     *
     * @return n_a
     */
    public int getAttentionDenominatorDegree() {
        return attentionDenominatorDegree;
    }

    /**
     * Sets the attention rational's denominator degree (for JSON; use {@link Builder#attentionDegrees(int, int)})
     * and drops the cached parameter shapes. Not validated here.
     *
     * @param attentionDenominatorDegree n_a
     */
    public void setAttentionDenominatorDegree(int attentionDenominatorDegree) {
        this.attentionDenominatorDegree = attentionDenominatorDegree;
        setLayerParams(null);
    }

    /**
     * Layout of the input and output. Default NCW; taken from an RNN input type.
     *
     * @return NCW ([mb, d, T]) or NWC ([mb, T, d])
     */
    public RNNFormat getRnnDataFormat() {
        return rnnDataFormat;
    }

    /**
     * Sets the layout of the input and output (for JSON; use {@link Builder#dataFormat(RNNFormat)}).
     *
     * @param rnnDataFormat NCW or NWC
     */
    public void setRnnDataFormat(RNNFormat rnnDataFormat) {
        this.rnnDataFormat = rnnDataFormat;
    }

    /**
     * How the runtime executes the block. Default {@link Execution#NATIVE}.
     *
     * @return NATIVE or SAMEDIFF
     */
    public Execution getExecution() {
        return execution;
    }

    /**
     * Sets the execution (for JSON; use {@link Builder#execution(Execution)}). Takes effect when the runtime is
     * created.
     *
     * @param execution NATIVE or SAMEDIFF
     */
    public void setExecution(Execution execution) {
        this.execution = execution;
    }

    /**
     * Equal if every field of this class (sizes, heads, options, dropouts, spec, attention degrees, RNN format,
     * execution, coefficient updater and regularization) and the inherited configuration (name, dropout, constraints,
     * regularization, updaters, gradient normalization, weight init) are equal.
     *
     * @param o another object
     * @return true for an equal configuration
     */
    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof RationalTransformerBlock)) {
            return false;
        }
        RationalTransformerBlock l = (RationalTransformerBlock) o;
        return dModel == l.dModel && heads == l.heads && hidden == l.hidden && normalization == l.normalization
                && feedForward == l.feedForward && attention == l.attention && causal == l.causal
                && Double.compare(attentionDropout, l.attentionDropout) == 0
                && Double.compare(residualDropout, l.residualDropout) == 0 && Objects.equals(spec, l.spec)
                && attentionNumeratorDegree == l.attentionNumeratorDegree
                && attentionDenominatorDegree == l.attentionDenominatorDegree && rnnDataFormat == l.rnnDataFormat
                && execution == l.execution && SameDiffLayerConfigs.sameInheritedAndCoefficientOptions(this, l);
    }

    /**
     * A hash over the fields {@link #equals} compares, except input dropout and constraints.
     *
     * @return the hash code
     */
    @Override
    public int hashCode() {
        return Objects.hash(dModel, heads, hidden, normalization, feedForward, attention, causal, attentionDropout,
                residualDropout, spec, attentionNumeratorDegree, attentionDenominatorDegree, rnnDataFormat, execution,
                SameDiffLayerConfigs.inheritedAndCoefficientOptionsHash(this));
    }

    /**
     * A description for logs and configuration summaries.
     *
     * @return the name, sizes, options, spec, format and execution
     */
    @Override
    public String toString() {
        return "RationalTransformerBlock(name=" + layerName + ", dModel=" + dModel + ", heads=" + heads + ", hidden="
                + hiddenWidth() + ", norm=" + normalization + ", ffn=" + feedForward + ", attention=" + attention
                + ", causal=" + causal + ", spec=" + spec + ", format=" + rnnDataFormat + ", execution=" + execution
                + ")";
    }

    /**
     * Builder for {@link RationalTransformerBlock}. Inherited options: {@code name}, {@code updater},
     * {@code biasUpdater}, {@code l1/l2/weightDecay} (matrices) and their {@code Bias} variants (biases, LayerNorm),
     * {@code weightInit} (default Xavier), {@code dropOut} (DL4J's input dropout), constraints; the coefficient words
     * of {@link RationalLayer} ({@code coefficientUpdater}, {@code coefficientRegularization},
     * {@code coefficientL1/L2/WeightDecay}).
     */
    public static class Builder extends SameDiffLayer.Builder<Builder> implements CoefficientOptions.Words<Builder> {
        private long dModel;
        private int heads = 1;
        private long hidden;
        private Normalization normalization = Normalization.PRE;
        private FeedForward feedForward = FeedForward.RATIONAL_GLU;
        private Attention attention = Attention.SOFTMAX;
        private boolean causal;
        private double attentionDropout;
        private double residualDropout;
        private RationalSpec spec = defaultSpec();
        private int attentionNumeratorDegree = 3;
        private int attentionDenominatorDegree = 4;
        private RNNFormat rnnDataFormat = RNNFormat.NCW;
        private Execution execution = Execution.NATIVE;
        private final CoefficientOptions coefficients = new CoefficientOptions();

        /** A builder with the defaults of {@link RationalTransformerBlock}; dModel may come from the input type. */
        public Builder() {
        }

        /**
         * Model width d (optional: leave it unset to take it from the network's RNN input type).
         *
         * @param dModel d ≥ 1 (a multiple of the head count)
         * @return this builder
         * @throws IllegalArgumentException for d &lt; 1
         */
        public Builder dModel(long dModel) {
            if (dModel < 1) {
                throw new IllegalArgumentException("RationalTransformerBlock: dModel must be in [1, "
                        + Integer.MAX_VALUE + "] (leave it unset to take it from the input type), got " + dModel);
            }
            this.dModel = dModel;
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
         * Number of attention heads h (default 1).
         *
         * @param heads h ≥ 1, a divisor of dModel; checked by {@link #build()}
         * @return this builder
         */
        public Builder heads(int heads) {
            this.heads = heads;
            return this;
        }

        /**
         * Hidden width H of the feed-forward part (default 4 dModel).
         *
         * @param hidden H ≥ 1, or 0 for 4 dModel; checked by {@link #build()}
         * @return this builder
         */
        public Builder hidden(long hidden) {
            this.hidden = hidden;
            return this;
        }

        /**
         * Where the LayerNorms sit (default PRE).
         *
         * @param normalization PRE, POST or NONE; null is rejected by {@link #build()}
         * @return this builder
         */
        public Builder normalization(Normalization normalization) {
            this.normalization = normalization;
            return this;
        }

        /**
         * Feed-forward kind (default RATIONAL_GLU).
         *
         * @param feedForward the kind; null is rejected by {@link #build()}
         * @return this builder
         */
        public Builder feedForward(FeedForward feedForward) {
            this.feedForward = feedForward;
            return this;
        }

        /**
         * Attention nonlinearity (default SOFTMAX).
         *
         * @param attention SOFTMAX or RATIONAL; null is rejected by {@link #build()}
         * @return this builder
         */
        public Builder attention(Attention attention) {
            this.attention = attention;
            return this;
        }

        /**
         * Causal masking: query t attends to keys s ≤ t only (default false).
         *
         * @param causal true for causal attention
         * @return this builder
         */
        public Builder causal(boolean causal) {
            this.causal = causal;
            return this;
        }

        /**
         * Probability of dropping an attention weight in training (default 0; not DL4J's retain probability).
         *
         * @param p the drop probability, in [0, 1); checked by {@link #build()}
         * @return this builder
         */
        public Builder attentionDropout(double p) {
            this.attentionDropout = p;
            return this;
        }

        /**
         * Probability of dropping a residual-branch activation in training (default 0).
         *
         * @param p the drop probability, in [0, 1); checked by {@link #build()}
         * @return this builder
         */
        public Builder residualDropout(double p) {
            this.residualDropout = p;
            return this;
        }

        /**
         * The rational of RATIONAL_GLU (and, with the init replaced by identity / GELU, of RATIONAL's R1 / R2):
         * degrees, version (D only without noise), initialisation, sharing over the channels. Default
         * {@link #defaultSpec()}.
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
         * Degrees of the attention rational R_a (default (3, 4)); used with {@code Attention.RATIONAL}.
         *
         * @param m numerator degree m_a; checked by {@link #build()}
         * @param n denominator degree n_a; checked by {@link #build()}
         * @return this builder
         */
        public Builder attentionDegrees(int m, int n) {
            this.attentionNumeratorDegree = m;
            this.attentionDenominatorDegree = n;
            return this;
        }

        /**
         * Layout of the input (default NCW; set automatically from an RNN input type).
         *
         * @param format NCW ([mb, d, T]) or NWC ([mb, T, d])
         * @return this builder
         * @throws NullPointerException if {@code format} is null
         */
        public Builder dataFormat(RNNFormat format) {
            this.rnnDataFormat = Objects.requireNonNull(format, "format");
            return this;
        }

        /**
         * How the runtime executes the block: {@link Execution#NATIVE} (default) or {@link Execution#SAMEDIFF}; same
         * function and gradients, NATIVE is faster.
         *
         * @param execution NATIVE or SAMEDIFF
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
         * @return the block configuration
         * @throws IllegalArgumentException for an invalid setting, naming the value and its range (heads not dividing
         *                                  dModel, negative hidden width, a dropout outside [0, 1), a null option,
         *                                  an invalid spec or attention degrees, version D with noise, GROUP sharing
         *                                  whose group count does not divide a rational's channel count)
         */
        @Override
        @SuppressWarnings("unchecked")
        public RationalTransformerBlock build() {
            return new RationalTransformerBlock(this);
        }
    }
}
