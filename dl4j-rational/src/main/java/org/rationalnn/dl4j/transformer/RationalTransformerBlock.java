package org.rationalnn.dl4j.transformer;

import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.samediff.SDLayerParams;
import org.deeplearning4j.nn.conf.layers.samediff.SameDiffLayer;
import org.deeplearning4j.nn.conf.preprocessor.FeedForwardToRnnPreProcessor;
import org.deeplearning4j.nn.weights.IWeightInit;
import org.deeplearning4j.nn.weights.WeightInit;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.autodiff.samediff.SDIndex;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
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
import org.rationalnn.dl4j.rational.RationalFit;
import org.rationalnn.dl4j.rational.RationalFunction;
import org.rationalnn.dl4j.rational.RationalSpec;
import org.rationalnn.dl4j.rational.RationalVersion;
import org.rationalnn.dl4j.rational.Sharing;
import org.rationalnn.dl4j.rational.TargetFunction;
import org.rationalnn.dl4j.samediff.RationalSameDiff;
import org.rationalnn.dl4j.transformer.impl.RationalTransformerBlockImpl;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
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

    public static final String WQ = "Wq", BQ = "bq", WK = "Wk", BK = "bk", WV = "Wv", BV = "bv", WO = "Wo", BO = "bo";
    public static final String LN1_GAIN = "ln1Gain", LN1_BIAS = "ln1Bias", LN2_GAIN = "ln2Gain", LN2_BIAS = "ln2Bias";
    public static final String W1 = "W1", B1 = "b1", W2 = "W2", B2 = "b2", WG = "Wg", BG = "bg", WU = "Wu", BU = "bu";
    public static final String NUMERATOR = RationalLayer.NUMERATOR_KEY, DENOMINATOR = RationalLayer.DENOMINATOR_KEY;
    public static final String R1_NUMERATOR = "r1Numerator", R1_DENOMINATOR = "r1Denominator";
    public static final String R2_NUMERATOR = "r2Numerator", R2_DENOMINATOR = "r2Denominator";
    public static final String ATTN_NUMERATOR = "attnNumerator", ATTN_DENOMINATOR = "attnDenominator";

    /** LayerNorm epsilon. */
    public static final double LN_EPSILON = 1e-5;
    /** Added to scores of masked keys in SOFTMAX attention. */
    public static final double MASK_PENALTY = 1e9;
    /** Added to the normaliser of RATIONAL attention. */
    public static final double RATIONAL_ATTENTION_EPSILON = 1e-9;
    /** Interval on which the attention rational is fitted to exp(z/2). */
    public static final double ATTENTION_FIT_LOWER = -8.0, ATTENTION_FIT_UPPER = 0.0;

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
    private IUpdater coefficientUpdater;
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

    /** The default spec: (5,4), version B, SiLU initialisation, LAYER sharing. */
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

    private String where() {
        return "RationalTransformerBlock '" + layerName + "': ";
    }

    /** The hidden width H of the FFN (4 dModel unless set). */
    public long hiddenWidth() {
        return hidden > 0 ? hidden : 4 * dModel;
    }

    /** Head size d_h = dModel / heads. */
    public long headSize() {
        return dModel / heads;
    }

    /** Spec of the KAT R1 (identity init) or R2 (GELU_TANH init) rationals: the block's spec with another init. */
    RationalSpec katSpec(TargetFunction init) {
        return spec.toBuilder().init(init).build();
    }

    // ---------------------------------------------------------------- parameters

    @Override
    public void defineParameters(SDLayerParams params) {
        if (dModel < 1) {
            throw new IllegalStateException(where() + "dModel is unknown; set it with .dModel(...) or give the network "
                    + "an input type (setInputType / setInputTypes)");
        }
        params.clear();
        for (Map.Entry<String, long[]> e : parameterShapes().entrySet()) {
            if (e.getKey().startsWith("W")) {
                params.addWeightParam(e.getKey(), e.getValue());
            } else {
                // biases, LayerNorm parameters and coefficients; the initializer reports coefficients as neither
                params.addBiasParam(e.getKey(), e.getValue());
            }
        }
    }

    /** Matrices are weights, biases and LayerNorm parameters biases, coefficients neither ({@link RationalLayer}). */
    @Override
    public ParamInitializer initializer() {
        return CoefficientParamInitializer.INSTANCE;
    }

    @Override
    public List<RationalSlot> rationalSlots() {
        List<RationalSlot> out = new ArrayList<>();
        long hid = hiddenWidth();
        switch (feedForward) {
            case RATIONAL_GLU:
                out.add(slot("rational", NUMERATOR, DENOMINATOR, hid));
                break;
            case RATIONAL:
                out.add(slot("r1", R1_NUMERATOR, R1_DENOMINATOR, dModel));
                out.add(slot("r2", R2_NUMERATOR, R2_DENOMINATOR, hid));
                break;
            default:
                break;
        }
        if (attention == Attention.RATIONAL) {
            out.add(new RationalSlot("attention", ATTN_NUMERATOR, ATTN_DENOMINATOR, RationalVersion.B,
                    attentionNumeratorDegree, attentionDenominatorDegree, 1, 1));
        }
        return out;
    }

    private RationalSlot slot(String name, String num, String den, long channels) {
        return new RationalSlot(name, num, den, spec.getVersion(), spec.getNumeratorDegree(),
                spec.getDenominatorDegree(), spec.numSets(channels), channels);
    }

    /** The parameter keys and shapes, in the order of the flattened parameter vector. */
    public Map<String, long[]> parameterShapes() {
        long d = dModel;
        long hid = hiddenWidth();
        Map<String, long[]> m = new LinkedHashMap<>();
        for (String[] wb : new String[][]{{WQ, BQ}, {WK, BK}, {WV, BV}, {WO, BO}}) {
            m.put(wb[0], new long[]{d, d});
            m.put(wb[1], new long[]{1, d});
        }
        if (normalization != Normalization.NONE) {
            for (String k : new String[]{LN1_GAIN, LN1_BIAS, LN2_GAIN, LN2_BIAS}) {
                m.put(k, new long[]{1, d});
            }
        }
        switch (feedForward) {
            case GELU:
                m.put(W1, new long[]{d, hid});
                m.put(B1, new long[]{1, hid});
                break;
            case RATIONAL:
                m.put(R1_NUMERATOR, new long[]{spec.numSets(d), spec.numeratorLength()});
                m.put(R1_DENOMINATOR, new long[]{spec.numSets(d), spec.denominatorLength()});
                m.put(W1, new long[]{d, hid});
                m.put(B1, new long[]{1, hid});
                m.put(R2_NUMERATOR, new long[]{spec.numSets(hid), spec.numeratorLength()});
                m.put(R2_DENOMINATOR, new long[]{spec.numSets(hid), spec.denominatorLength()});
                break;
            default:
                m.put(WG, new long[]{d, hid});
                m.put(BG, new long[]{1, hid});
                m.put(WU, new long[]{d, hid});
                m.put(BU, new long[]{1, hid});
                if (feedForward == FeedForward.RATIONAL_GLU) {
                    m.put(NUMERATOR, new long[]{spec.numSets(hid), spec.numeratorLength()});
                    m.put(DENOMINATOR, new long[]{spec.numSets(hid), spec.denominatorLength()});
                }
        }
        m.put(W2, new long[]{hid, d});
        m.put(B2, new long[]{1, d});
        if (attention == Attention.RATIONAL) {
            m.put(ATTN_NUMERATOR, new long[]{1, attentionNumeratorDegree + 1});
            m.put(ATTN_DENOMINATOR, new long[]{1, attentionDenominatorDegree});
        }
        return m;
    }

    @Override
    public void initializeParameters(Map<String, INDArray> params) {
        IWeightInit wi = (weightInit == null ? WeightInit.XAVIER : weightInit).getWeightInitFunction();
        for (Map.Entry<String, INDArray> e : params.entrySet()) {
            String k = e.getKey();
            INDArray p = e.getValue();
            if (k.startsWith("W")) {
                wi.init(p.size(0), p.size(1), p.shape(), 'c', p);
            } else if (k.equals(LN1_GAIN) || k.equals(LN2_GAIN)) {
                p.assign(1.0);
            } else if (k.startsWith("b") || k.endsWith("Bias")) {
                p.assign(0.0);
            }
        }
        switch (feedForward) {
            case RATIONAL_GLU:
                fillRational(params, NUMERATOR, DENOMINATOR, spec.initialFunction());
                break;
            case RATIONAL:
                fillRational(params, R1_NUMERATOR, R1_DENOMINATOR, katSpec(TargetFunction.IDENTITY).initialFunction());
                fillRational(params, R2_NUMERATOR, R2_DENOMINATOR,
                        katSpec(TargetFunction.GELU_TANH).initialFunction());
                break;
            default:
                break;
        }
        if (attention == Attention.RATIONAL) {
            fillRational(params, ATTN_NUMERATOR, ATTN_DENOMINATOR, attentionInit());
        }
    }

    /** The initial attention rational R_a: the fit of exp(z/2) on [-8, 0] (version B), so R_a² ≈ exp. */
    public RationalFunction attentionInit() {
        return RationalFit.fit(z -> Math.exp(z / 2), RationalVersion.B, attentionNumeratorDegree,
                attentionDenominatorDegree, ATTENTION_FIT_LOWER, ATTENTION_FIT_UPPER).function();
    }

    private static void fillRational(Map<String, INDArray> params, String num, String den, RationalFunction f) {
        LayerPlumbing.fillRational(params, num, den, f);
    }

    // ---------------------------------------------------------------- SameDiff definition

    /** The block without masks or dropout (DL4J's interface; the runtime calls {@link #define}). */
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
        /** [mb*T, d]: inverted-dropout multipliers of the attention branch and of the FFN branch. */
        public SDVariable residualDropout1, residualDropout2;
    }

    /**
     * The block's output (see the class Javadoc for the formula).
     *
     * @param input  [mb, d, T] (NCW) or [mb, T, d] (NWC), dynamic mb and T
     * @param params variables for every key of {@link #parameterShapes()}
     * @param in     optional mask and dropout inputs
     */
    public SDVariable define(SameDiff sd, SDVariable input, Map<String, SDVariable> params, Inputs in) {
        SDVariable x3 = rnnDataFormat == RNNFormat.NCW ? sd.permute(input, 0, 2, 1) : input;    // [mb, T, d]
        SDVariable shape3 = sd.shape(x3);
        SDVariable x = sd.reshape(x3, -1, dModel);                                               // [mb*T, d]
        SDVariable y;
        switch (normalization) {
            case PRE: {
                SDVariable u = x.add(drop(attention(sd, layerNorm(sd, x, params, LN1_GAIN, LN1_BIAS), shape3,
                        params, in), in.residualDropout1));
                y = u.add(drop(feedForward(sd, layerNorm(sd, u, params, LN2_GAIN, LN2_BIAS), params),
                        in.residualDropout2));
                break;
            }
            case POST: {
                SDVariable u = layerNorm(sd, x.add(drop(attention(sd, x, shape3, params, in), in.residualDropout1)),
                        params, LN1_GAIN, LN1_BIAS);
                y = layerNorm(sd, u.add(drop(feedForward(sd, u, params), in.residualDropout2)), params, LN2_GAIN,
                        LN2_BIAS);
                break;
            }
            default: {
                SDVariable u = x.add(drop(attention(sd, x, shape3, params, in), in.residualDropout1));
                y = u.add(drop(feedForward(sd, u, params), in.residualDropout2));
            }
        }
        SDVariable y3 = sd.reshape(y, shape3);                                                   // [mb, T, d]
        if (in.outputMask != null) {
            y3 = y3.mul(in.outputMask);
        }
        return rnnDataFormat == RNNFormat.NCW ? sd.permute(y3, 0, 2, 1) : y3;
    }

    private static SDVariable drop(SDVariable x, SDVariable multipliers) {
        return multipliers == null ? x : x.mul(multipliers);
    }

    private static SDVariable linear(SDVariable x, Map<String, SDVariable> p, String w, String b) {
        return x.mmul(p.get(w)).add(p.get(b));
    }

    private static SDVariable layerNorm(SameDiff sd, SDVariable x, Map<String, SDVariable> p, String gain,
                                        String bias) {
        SDVariable c = x.sub(x.mean(true, 1));
        SDVariable var = c.mul(c).mean(true, 1);
        return c.div(sd.math.sqrt(var.add(LN_EPSILON))).mul(p.get(gain)).add(p.get(bias));
    }

    /** Multi-head self-attention on x [mb*T, d]; shape3 = [mb, T, d]. */
    private SDVariable attention(SameDiff sd, SDVariable x, SDVariable shape3, Map<String, SDVariable> p, Inputs in) {
        long dh = headSize();
        SDVariable mbT = shape3.get(SDIndex.interval(0, 2));
        SDVariable mb = shape3.get(SDIndex.interval(0, 1));
        SDVariable t = shape3.get(SDIndex.interval(1, 2));
        SDVariable split = sd.concat(0, mbT, sd.constant(Nd4j.createFromArray((long) heads, dh)));  // [mb, T, h, dh]
        SDVariable headsShape = sd.concat(0, sd.constant(Nd4j.createFromArray(-1L)), t,
                sd.constant(Nd4j.createFromArray(dh)));                                               // [mb*h, T, dh]
        SDVariable q = toHeads(sd, linear(x, p, WQ, BQ), split, headsShape);
        SDVariable k = toHeads(sd, linear(x, p, WK, BK), split, headsShape);
        SDVariable v = toHeads(sd, linear(x, p, WV, BV), split, headsShape);
        SDVariable s = sd.mmul(q, k, false, true, false).mul(1.0 / Math.sqrt(dh));            // [mb*h, T, T]
        SDVariable m = in.attentionMask;
        if (m != null) {
            s = s.add(m.sub(1.0).mul(MASK_PENALTY));
        }
        SDVariable a;
        if (attention == Attention.SOFTMAX) {
            // shifted by the row max: ND4J 1.0.0-M2.1's float64 softmax returns NaN for rows whose scores are all
            // below about -745 (a query whose every visible key is padding); the shift changes neither a nor its
            // gradient
            a = sd.nn.softmax(s.sub(s.max(true, 2)), 2);
        } else {
            SDVariable z = s.sub(s.max(true, 2));
            if (m != null) {
                z = z.mul(m);
            }
            SDVariable r = RationalSameDiff.apply(sd, z, p.get(ATTN_NUMERATOR), p.get(ATTN_DENOMINATOR),
                    RationalVersion.B, attentionNumeratorDegree, attentionDenominatorDegree, 1, 1, 3, true);
            SDVariable phi = r.mul(r);
            if (m != null) {
                phi = phi.mul(m);
            }
            a = phi.div(phi.sum(true, 2).add(RATIONAL_ATTENTION_EPSILON));
        }
        a = drop(a, in.attentionDropout);
        SDVariable ctx = sd.mmul(a, v);                                                          // [mb*h, T, dh]
        SDVariable back = sd.concat(0, mb, sd.constant(Nd4j.createFromArray((long) heads)), t,
                sd.constant(Nd4j.createFromArray(dh)));                                          // [mb, h, T, dh]
        SDVariable merged = sd.reshape(sd.permute(sd.reshape(ctx, back), 0, 2, 1, 3), -1, dModel);
        return linear(merged, p, WO, BO);
    }

    private static SDVariable toHeads(SameDiff sd, SDVariable x, SDVariable split, SDVariable headsShape) {
        return sd.reshape(sd.permute(sd.reshape(x, split), 0, 2, 1, 3), headsShape);
    }

    /** The feed-forward part on z [N, d] → [N, d]. */
    private SDVariable feedForward(SameDiff sd, SDVariable z, Map<String, SDVariable> p) {
        long hid = hiddenWidth();
        SDVariable h;
        switch (feedForward) {
            case GELU:
                h = gelu(sd, linear(z, p, W1, B1));
                break;
            case SWIGLU: {
                SDVariable g = linear(z, p, WG, BG);
                h = g.mul(sd.nn.sigmoid(g)).mul(linear(z, p, WU, BU));
                break;
            }
            case GEGLU:
                h = gelu(sd, linear(z, p, WG, BG)).mul(linear(z, p, WU, BU));
                break;
            case RATIONAL_GLU:
                h = RationalSameDiff.apply(sd, linear(z, p, WG, BG), p.get(NUMERATOR), p.get(DENOMINATOR), spec, hid,
                        2, true).mul(linear(z, p, WU, BU));
                break;
            case RATIONAL: {
                SDVariable r1 = RationalSameDiff.apply(sd, z, p.get(R1_NUMERATOR), p.get(R1_DENOMINATOR), spec, dModel,
                        2, true);
                h = RationalSameDiff.apply(sd, linear(r1, p, W1, B1), p.get(R2_NUMERATOR), p.get(R2_DENOMINATOR),
                        spec, hid, 2, true);
                break;
            }
            default:
                throw new IllegalStateException(where() + "unknown feed-forward kind " + feedForward);
        }
        return linear(h, p, W2, B2);
    }

    /** gelu(x) = 0.5 x (1 + tanh(sqrt(2/π)(x + 0.044715 x³))). */
    private static SDVariable gelu(SameDiff sd, SDVariable x) {
        SDVariable inner = x.add(x.mul(x).mul(x).mul(0.044715)).mul(Math.sqrt(2 / Math.PI));
        return x.mul(sd.math.tanh(inner).add(1.0)).mul(0.5);
    }

    // ---------------------------------------------------------------- DL4J plumbing

    @Override
    public org.deeplearning4j.nn.api.Layer instantiate(NeuralNetConfiguration conf,
                                                       Collection<TrainingListener> trainingListeners,
                                                       int layerIndex, INDArray layerParamsView,
                                                       boolean initializeParams, DataType networkDataType) {
        validate();
        RationalTransformerBlockImpl ret = new RationalTransformerBlockImpl(conf, networkDataType);
        ret.setListeners(trainingListeners);
        ret.setIndex(layerIndex);
        ret.setParamsViewArray(layerParamsView);
        Map<String, INDArray> paramTable = initializer().init(conf, layerParamsView, initializeParams);
        ret.setParamTable(paramTable);
        ret.setConf(conf);
        return ret;
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
        InputType.InputTypeRecurrent r = checkInputType(inputType);
        return InputType.recurrent(dModel, r.getTimeSeriesLength(), r.getFormat());
    }

    @Override
    public void setNIn(InputType inputType, boolean override) {
        InputType.InputTypeRecurrent r = checkInputType(inputType);
        rnnDataFormat = r.getFormat();
        if (dModel <= 0 || override) {
            if (dModel != r.getSize()) {
                setLayerParams(null);
            }
            dModel = r.getSize();
            validate();
        }
    }

    /**
     * Feed-forward input (e.g. from a {@code DenseLayer} on sequences) is reshaped back to sequences, in the
     * time-distributed format the FF type carries (else this layer's format).
     */
    @Override
    public InputPreProcessor getPreProcessorForInputType(InputType inputType) {
        InputType.InputTypeRecurrent r = checkInputType(inputType);
        return inputType.getType() == InputType.Type.FF ? new FeedForwardToRnnPreProcessor(r.getFormat()) : null;
    }

    /**
     * The input type as a recurrent type (FF input counts as recurrent input of unknown length, in its
     * time-distributed format when it has one).
     */
    private InputType.InputTypeRecurrent checkInputType(InputType inputType) {
        InputType.InputTypeRecurrent r;
        if (inputType != null && inputType.getType() == InputType.Type.RNN) {
            r = (InputType.InputTypeRecurrent) inputType;
        } else if (inputType != null && inputType.getType() == InputType.Type.FF) {
            InputType.InputTypeFeedForward ff = (InputType.InputTypeFeedForward) inputType;
            RNNFormat format = ff.getTimeDistributedFormat() instanceof RNNFormat
                    ? (RNNFormat) ff.getTimeDistributedFormat() : rnnDataFormat;
            r = (InputType.InputTypeRecurrent) InputType.recurrent(ff.getSize(), format);
        } else {
            throw new IllegalArgumentException(where() + "input type must be RNN ([mb, dModel, T] NCW or "
                    + "[mb, T, dModel] NWC) or FF (per time step, reshaped by a preprocessor), got " + inputType);
        }
        if (dModel > 0 && r.getSize() != dModel) {
            throw new IllegalArgumentException(where() + "input size must equal dModel = " + dModel + ", got "
                    + r.getSize());
        }
        return r;
    }

    /** Matrices: the layer's regularization; biases and LayerNorm: its bias regularization; coefficients: theirs. */
    @Override
    public List<Regularization> getRegularizationByParam(String paramName) {
        List<Regularization> r;
        if (isCoefficientKey(paramName)) {
            r = coefficientRegularizationOrEmpty();
        } else if (paramName.startsWith("W")) {
            r = regularization;
        } else {
            r = regularizationBias;
        }
        return r == null ? Collections.emptyList() : r;
    }

    /** Coefficients: their own updater, else the layer's; matrices: the layer's; biases: the bias updater, else. */
    @Override
    public IUpdater getUpdaterByParam(String paramName) {
        if (isCoefficientKey(paramName)) {
            return coefficientUpdaterOr(updater);
        }
        if (paramName.startsWith("W") || biasUpdater == null) {
            return updater;
        }
        return biasUpdater;
    }

    @Override
    public LayerMemoryReport getMemoryReport(InputType inputType) {
        return LayerPlumbing.parameterOnlyReport(layerName, RationalTransformerBlock.class, inputType,
                getOutputType(-1, inputType), initializer().numParams(this), this, updater);
    }

    /** The coefficients' own updater (null: the layer's updater). */
    @Override
    public IUpdater getCoefficientUpdater() {
        return coefficientUpdater;
    }

    public void setCoefficientUpdater(IUpdater coefficientUpdater) {
        this.coefficientUpdater = coefficientUpdater;
    }

    /** Regularization of the coefficients (only what was set with the coefficient words). */
    @Override
    public List<Regularization> getCoefficientRegularization() {
        return coefficientRegularization;
    }

    public void setCoefficientRegularization(List<Regularization> coefficientRegularization) {
        this.coefficientRegularization = coefficientRegularization;
    }

    /** The parameter shapes, always derived from the configuration (never read from or written to JSON). */
    @Override
    @JsonIgnore
    public SDLayerParams getLayerParams() {
        return super.getLayerParams();
    }

    @Override
    @JsonIgnore
    public void setLayerParams(SDLayerParams layerParams) {
        super.setLayerParams(layerParams);
    }

    @Override
    public RationalTransformerBlock clone() {
        RationalTransformerBlock c = (RationalTransformerBlock) super.clone();
        c.coefficientRegularization = coefficientRegularization == null ? new ArrayList<>()
                : new ArrayList<>(coefficientRegularization);
        c.coefficientUpdater = coefficientUpdater == null ? null : coefficientUpdater.clone();
        return c;
    }

    // ---------------------------------------------------------------- getters and setters (JSON)

    public long getDModel() {
        return dModel;
    }

    public void setDModel(long dModel) {
        if (this.dModel != dModel) {
            setLayerParams(null);
        }
        this.dModel = dModel;
    }

    public int getHeads() {
        return heads;
    }

    public void setHeads(int heads) {
        this.heads = heads;
    }

    /** Hidden width as configured (0 = 4 dModel); see {@link #hiddenWidth()}. */
    public long getHidden() {
        return hidden;
    }

    public void setHidden(long hidden) {
        if (this.hidden != hidden) {
            setLayerParams(null);
        }
        this.hidden = hidden;
    }

    public Normalization getNormalization() {
        return normalization;
    }

    public void setNormalization(Normalization normalization) {
        this.normalization = normalization;
        setLayerParams(null);
    }

    public FeedForward getFeedForward() {
        return feedForward;
    }

    public void setFeedForward(FeedForward feedForward) {
        this.feedForward = feedForward;
        setLayerParams(null);
    }

    public Attention getAttention() {
        return attention;
    }

    public void setAttention(Attention attention) {
        this.attention = attention;
        setLayerParams(null);
    }

    public boolean isCausal() {
        return causal;
    }

    public void setCausal(boolean causal) {
        this.causal = causal;
    }

    public double getAttentionDropout() {
        return attentionDropout;
    }

    public void setAttentionDropout(double attentionDropout) {
        this.attentionDropout = attentionDropout;
    }

    public double getResidualDropout() {
        return residualDropout;
    }

    public void setResidualDropout(double residualDropout) {
        this.residualDropout = residualDropout;
    }

    public RationalSpec getSpec() {
        return spec;
    }

    public void setSpec(RationalSpec spec) {
        this.spec = spec;
        setLayerParams(null);
    }

    public int getAttentionNumeratorDegree() {
        return attentionNumeratorDegree;
    }

    public void setAttentionNumeratorDegree(int attentionNumeratorDegree) {
        this.attentionNumeratorDegree = attentionNumeratorDegree;
        setLayerParams(null);
    }

    public int getAttentionDenominatorDegree() {
        return attentionDenominatorDegree;
    }

    public void setAttentionDenominatorDegree(int attentionDenominatorDegree) {
        this.attentionDenominatorDegree = attentionDenominatorDegree;
        setLayerParams(null);
    }

    public RNNFormat getRnnDataFormat() {
        return rnnDataFormat;
    }

    public void setRnnDataFormat(RNNFormat rnnDataFormat) {
        this.rnnDataFormat = rnnDataFormat;
    }

    /** How the runtime executes the block (default {@link Execution#NATIVE}). */
    public Execution getExecution() {
        return execution;
    }

    public void setExecution(Execution execution) {
        this.execution = execution;
    }

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
                && execution == l.execution
                && Objects.equals(layerName, l.layerName) && Objects.equals(iDropout, l.iDropout)
                && Objects.equals(constraints, l.constraints) && Objects.equals(regularization, l.regularization)
                && Objects.equals(regularizationBias, l.regularizationBias) && Objects.equals(updater, l.updater)
                && Objects.equals(biasUpdater, l.biasUpdater) && gradientNormalization == l.gradientNormalization
                && Double.compare(gradientNormalizationThreshold, l.gradientNormalizationThreshold) == 0
                && weightInit == l.weightInit && Objects.equals(paramWeightInit, l.paramWeightInit)
                && Objects.equals(coefficientUpdater, l.coefficientUpdater)
                && Objects.equals(coefficientRegularization, l.coefficientRegularization);
    }

    @Override
    public int hashCode() {
        return Objects.hash(dModel, heads, hidden, normalization, feedForward, attention, causal, attentionDropout,
                residualDropout, spec, attentionNumeratorDegree, attentionDenominatorDegree, rnnDataFormat, execution,
                layerName, updater, weightInit);
    }

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
     * {@code weightInit} (default Xavier), {@code dropOut} (DL4J's input dropout), constraints.
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

        /**
         * Model width d ≥ 1 (optional: leave it unset to take it from the network's RNN input type).
         *
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

        @Override
        public CoefficientOptions coefficientOptions() {
            return coefficients;
        }

        /** Number of attention heads h (default 1; must divide dModel). */
        public Builder heads(int heads) {
            this.heads = heads;
            return this;
        }

        /** Hidden width H of the feed-forward part (default 4 dModel). */
        public Builder hidden(long hidden) {
            this.hidden = hidden;
            return this;
        }

        /** Where the LayerNorms sit (default PRE). */
        public Builder normalization(Normalization normalization) {
            this.normalization = normalization;
            return this;
        }

        /** Feed-forward kind (default RATIONAL_GLU). */
        public Builder feedForward(FeedForward feedForward) {
            this.feedForward = feedForward;
            return this;
        }

        /** Attention nonlinearity (default SOFTMAX). */
        public Builder attention(Attention attention) {
            this.attention = attention;
            return this;
        }

        /** Causal masking: query t attends to keys s ≤ t only (default false). */
        public Builder causal(boolean causal) {
            this.causal = causal;
            return this;
        }

        /** Probability of dropping an attention weight in training (default 0; not DL4J's retain probability). */
        public Builder attentionDropout(double p) {
            this.attentionDropout = p;
            return this;
        }

        /** Probability of dropping a residual-branch activation in training (default 0). */
        public Builder residualDropout(double p) {
            this.residualDropout = p;
            return this;
        }

        /**
         * The rational of RATIONAL_GLU (and, with the init replaced by identity / GELU, of RATIONAL's R1 / R2):
         * degrees, version (D only without noise), initialisation, sharing over the channels.
         */
        public Builder spec(RationalSpec spec) {
            this.spec = Objects.requireNonNull(spec, "spec");
            return this;
        }

        /** Degrees (m, n) of the attention rational R_a (default (3, 4)); used with {@code Attention.RATIONAL}. */
        public Builder attentionDegrees(int m, int n) {
            this.attentionNumeratorDegree = m;
            this.attentionDenominatorDegree = n;
            return this;
        }

        /** Layout of the input (default NCW; set automatically from an RNN input type). */
        public Builder dataFormat(RNNFormat format) {
            this.rnnDataFormat = Objects.requireNonNull(format, "format");
            return this;
        }

        /**
         * How the runtime executes the block: {@link Execution#NATIVE} (default) or {@link Execution#SAMEDIFF}; same
         * function and gradients, NATIVE is faster.
         */
        public Builder execution(Execution execution) {
            this.execution = Objects.requireNonNull(execution, "execution");
            return this;
        }

        @Override
        @SuppressWarnings("unchecked")
        public RationalTransformerBlock build() {
            return new RationalTransformerBlock(this);
        }
    }
}
