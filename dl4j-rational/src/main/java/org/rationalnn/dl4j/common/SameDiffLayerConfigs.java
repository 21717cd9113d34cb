package org.rationalnn.dl4j.common;

import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.samediff.SameDiffLayer;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.regularization.Regularization;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What the configurations of the SameDiff rational layers ({@link org.rationalnn.dl4j.samediff.RationalDense},
 * {@link org.rationalnn.dl4j.transformer.RationalTransformerBlock}) do the same way, written once: wiring a new
 * runtime to its parameters, the updater and regularization of a parameter by its role, the comparison and hash of
 * the configuration they inherit from DL4J together with the coefficient options of {@link RationalLayer}, and the
 * copies a {@code clone()} needs.
 */
public final class SameDiffLayerConfigs {

    private SameDiffLayerConfigs() {
    }

    /** The role of a parameter of a SameDiff rational layer, which decides its updater and regularization. */
    public enum Role {
        /** A weight matrix: the layer's updater and regularization (its own or the network's). */
        WEIGHT,
        /** A bias or LayerNorm parameter: the bias updater (else the layer's) and the bias regularization. */
        BIAS,
        /** Rational coefficients: the coefficient updater (else the layer's) and only the coefficient regularization. */
        COEFFICIENTS
    }

    /**
     * Finishes a runtime built by a configuration's {@code instantiate}: sets its listeners, index, parameter view,
     * parameter table (from {@code initializer}, writing the initial values when asked) and configuration, in the
     * order DL4J's own layers do.
     *
     * @param runtime           the new runtime layer
     * @param conf              the network's configuration of this layer
     * @param trainingListeners listeners of the network
     * @param layerIndex        index of the layer in the network
     * @param layerParamsView   this layer's view of the network's flattened parameters
     * @param initializeParams  whether to write the initial values into the view (false when loading)
     * @param initializer       the layer's parameter initializer
     * @param <R>               the runtime's type
     * @return {@code runtime}, wired
     */
    public static <R extends SameDiffLayerRuntime> R wire(R runtime, NeuralNetConfiguration conf,
                                                          Collection<TrainingListener> trainingListeners,
                                                          int layerIndex, INDArray layerParamsView,
                                                          boolean initializeParams, ParamInitializer initializer) {
        runtime.setListeners(trainingListeners);
        runtime.setIndex(layerIndex);
        runtime.setParamsViewArray(layerParamsView);
        Map<String, INDArray> paramTable = initializer.init(conf, layerParamsView, initializeParams);
        runtime.setParamTable(paramTable);
        runtime.setConf(conf);
        return runtime;
    }

    /**
     * The regularization of a parameter with this role.
     *
     * @param layer the layer configuration
     * @param role  the parameter's role, or null for a key the layer does not know
     * @param <L>   a SameDiff layer configuration that holds rational coefficients
     * @return WEIGHT: the layer's regularization; BIAS: its bias regularization; COEFFICIENTS: the coefficient
     *         regularization; never null (empty for none and for a null role)
     */
    public static <L extends SameDiffLayer & RationalLayer> List<Regularization> regularization(L layer, Role role) {
        List<Regularization> r;
        if (role == null) {
            r = null;
        } else if (role == Role.COEFFICIENTS) {
            r = layer.coefficientRegularizationOrEmpty();
        } else if (role == Role.WEIGHT) {
            r = layer.getRegularization();
        } else {
            r = layer.getRegularizationBias();
        }
        return r == null ? Collections.emptyList() : r;
    }

    /**
     * The updater of a parameter with this role.
     *
     * @param layer the layer configuration
     * @param role  the parameter's role
     * @param <L>   a SameDiff layer configuration that holds rational coefficients
     * @return WEIGHT: the layer's updater; BIAS: its bias updater, else the layer's; COEFFICIENTS: the coefficient
     *         updater, else the layer's (null only where the chosen updaters are unset)
     * @throws NullPointerException if {@code role} is null
     */
    public static <L extends SameDiffLayer & RationalLayer> IUpdater updater(L layer, Role role) {
        switch (Objects.requireNonNull(role, "role")) {
            case COEFFICIENTS:
                return layer.coefficientUpdaterOr(layer.getUpdater());
            case BIAS:
                return layer.getBiasUpdater() != null ? layer.getBiasUpdater() : layer.getUpdater();
            default:
                return layer.getUpdater();
        }
    }

    /**
     * Whether two configurations agree on everything they inherit from DL4J (name, input dropout, constraints,
     * regularization and bias regularization, updater and bias updater, gradient normalization and its threshold,
     * weight init and per-parameter weight init) and on the coefficient options of {@link RationalLayer} (the
     * coefficients' own updater and regularization). The caller compares its own fields.
     *
     * @param a   a configuration
     * @param b   another configuration of the same class
     * @param <L> a SameDiff layer configuration that holds rational coefficients
     * @return true if all of these are equal
     */
    public static <L extends SameDiffLayer & RationalLayer> boolean sameInheritedAndCoefficientOptions(L a, L b) {
        return Objects.equals(a.getLayerName(), b.getLayerName()) && Objects.equals(a.getIDropout(), b.getIDropout())
                && Objects.equals(a.getConstraints(), b.getConstraints())
                && Objects.equals(a.getRegularization(), b.getRegularization())
                && Objects.equals(a.getRegularizationBias(), b.getRegularizationBias())
                && Objects.equals(a.getUpdater(), b.getUpdater())
                && Objects.equals(a.getBiasUpdater(), b.getBiasUpdater())
                && a.getGradientNormalization() == b.getGradientNormalization()
                && Double.compare(a.getGradientNormalizationThreshold(), b.getGradientNormalizationThreshold()) == 0
                && a.getWeightInit() == b.getWeightInit()
                && Objects.equals(a.getParamWeightInit(), b.getParamWeightInit())
                && Objects.equals(a.getCoefficientUpdater(), b.getCoefficientUpdater())
                && Objects.equals(a.getCoefficientRegularization(), b.getCoefficientRegularization());
    }

    /**
     * A hash of what {@link #sameInheritedAndCoefficientOptions} compares, except the input dropout and the
     * constraints (DL4J's dropout and constraint classes do not all define a hash of their values).
     *
     * @param layer a configuration
     * @param <L>   a SameDiff layer configuration that holds rational coefficients
     * @return the hash code, equal for configurations that the comparison finds equal
     */
    public static <L extends SameDiffLayer & RationalLayer> int inheritedAndCoefficientOptionsHash(L layer) {
        return Objects.hash(layer.getLayerName(), layer.getRegularization(), layer.getRegularizationBias(),
                layer.getUpdater(), layer.getBiasUpdater(), layer.getGradientNormalization(),
                layer.getGradientNormalizationThreshold(), layer.getWeightInit(), layer.getParamWeightInit(),
                layer.getCoefficientUpdater(), layer.getCoefficientRegularization());
    }

    /**
     * A copy of a coefficient regularization list for a cloned configuration.
     *
     * @param regularization the list, or null
     * @return a new mutable list with the same entries (empty for null)
     */
    public static List<Regularization> copyOf(List<Regularization> regularization) {
        return regularization == null ? new ArrayList<>() : new ArrayList<>(regularization);
    }

    /**
     * A copy of a coefficient updater for a cloned configuration.
     *
     * @param updater the updater, or null
     * @return {@code updater.clone()}, or null for null
     */
    public static IUpdater copyOf(IUpdater updater) {
        return updater == null ? null : updater.clone();
    }
}
