package org.rationalnn.samples.expressivity;

import org.nd4j.linalg.activations.Activation;
import org.rationalnn.samples.harness.Cli;

/** The activations the trained part of the expressivity study compares; {@code RATIONAL} is the trainable one. */
public enum Act {
    RATIONAL("rational", null),
    RELU("relu", Activation.RELU),
    LEAKY_RELU("leakyrelu", Activation.LEAKYRELU),
    TANH("tanh", Activation.TANH),
    GELU("gelu", Activation.GELU),
    SILU("silu", Activation.SWISH),
    ELU("elu", Activation.ELU);

    private final String id;
    private final Activation dl4j;

    Act(String id, Activation dl4j) {
        this.id = id;
        this.dl4j = dl4j;
    }

    /** Command-line name. */
    public String id() {
        return id;
    }

    /** DL4J's activation (null for {@code RATIONAL}). */
    public Activation dl4j() {
        return dl4j;
    }

    /** The activation with command-line name {@code id}. */
    public static Act of(String id) {
        return Cli.choose(values(), Act::id, "activation", id);
    }
}
