package org.rationalnn.dl4j.rational;

import org.hipparchus.special.Erf;

/**
 * Functions a rational activation can be initialised from: every fixed activation that
 * arXiv:2602.12390 compares against, plus IDENTITY and ABS.
 *
 * <p>Some functions take one parameter ({@link #hasParameter()}): the negative slope of LEAKY_RELU
 * (default 0.01) and alpha of ELU and CELU (default 1.0). {@link #apply(double)} uses the default,
 * {@link #apply(double, double)} an explicit value; {@code Double.NaN} means "the default".
 * Two GELUs, named: {@link #GELU} is the exact x·Φ(x) (erf form, PyTorch's default), {@link #GELU_TANH} the tanh
 * approximation (PyTorch's {@code approximate="tanh"}, GPT-2; what {@code RationalTransformerBlock}'s GELU/GEGLU
 * baselines compute, and so what its KAT-style R2 starts from). DL4J's own {@code Activation.GELU} is a third form,
 * see {@link #GELU_TANH}.
 */
public enum TargetFunction {
    /** f(x) = x. */
    IDENTITY {
        @Override
        double eval(double x, double p) {
            return x;
        }
    },
    /** max(0, x). */
    RELU {
        @Override
        double eval(double x, double p) {
            return x > 0 ? x : 0.0;
        }
    },
    /** x for x ≥ 0, slope·x otherwise; parameter: slope (default 0.01). */
    LEAKY_RELU(0.01) {
        @Override
        double eval(double x, double slope) {
            return x >= 0 ? x : slope * x;
        }
    },
    /** x for x &gt; 0, alpha·(e^x − 1) otherwise; parameter: alpha (default 1). */
    ELU(1.0) {
        @Override
        double eval(double x, double alpha) {
            return x > 0 ? x : alpha * Math.expm1(x);
        }
    },
    /** Scaled ELU with the self-normalising constants of Klambauer et al. (2017). */
    SELU {
        @Override
        double eval(double x, double p) {
            return SELU_SCALE * (x > 0 ? x : SELU_ALPHA * Math.expm1(x));
        }
    },
    /** max(0, x) + min(0, alpha·(e^(x/alpha) − 1)); parameter: alpha (default 1). */
    CELU(1.0) {
        @Override
        double eval(double x, double alpha) {
            return x > 0 ? x : alpha * Math.expm1(x / alpha);
        }
    },
    /** 1 / (1 + e^(−x)). */
    SIGMOID {
        @Override
        double eval(double x, double p) {
            return sigmoid(x);
        }
    },
    /** log(sigmoid(x)) = −softplus(−x). */
    LOG_SIGMOID {
        @Override
        double eval(double x, double p) {
            return -softplus(-x);
        }
    },
    /** SiLU / Swish: x·sigmoid(x). */
    SILU {
        @Override
        double eval(double x, double p) {
            return x * sigmoid(x);
        }
    },
    /** x·tanh(softplus(x)). */
    MISH {
        @Override
        double eval(double x, double p) {
            return x * Math.tanh(softplus(x));
        }
    },
    /** log(1 + e^x). */
    SOFTPLUS {
        @Override
        double eval(double x, double p) {
            return softplus(x);
        }
    },
    /** tanh(x). */
    TANH {
        @Override
        double eval(double x, double p) {
            return Math.tanh(x);
        }
    },
    /** Exact GELU: x·Φ(x) = x/2 · (1 + erf(x/√2)). */
    GELU {
        @Override
        double eval(double x, double p) {
            return 0.5 * x * (1.0 + Erf.erf(x / Math.sqrt(2.0)));
        }
    },
    /** |x|. */
    ABS {
        @Override
        double eval(double x, double p) {
            return Math.abs(x);
        }
    },
    /**
     * The tanh approximation of GELU: x/2 · (1 + tanh(√(2/π)·(x + 0.044715 x³))); differs from {@link #GELU} by at
     * most about 5e-4. (DL4J M2.1's {@code Activation.GELU} is neither: it computes x·σ(1.702 x).)
     */
    GELU_TANH {
        @Override
        double eval(double x, double p) {
            return 0.5 * x * (1.0 + Math.tanh(Math.sqrt(2.0 / Math.PI) * (x + 0.044715 * x * x * x)));
        }
    };

    static final double SELU_ALPHA = 1.6732632423543772848170429916717;
    static final double SELU_SCALE = 1.0507009873554804934193349852946;

    private final double defaultParameter;

    TargetFunction() {
        this(Double.NaN);
    }

    TargetFunction(double defaultParameter) {
        this.defaultParameter = defaultParameter;
    }

    abstract double eval(double x, double parameter);

    /**
     * Whether this function takes a parameter.
     *
     * @return true for LEAKY_RELU (slope), ELU and CELU (alpha); false for the others
     */
    public boolean hasParameter() {
        return !Double.isNaN(defaultParameter);
    }

    /**
     * The default parameter.
     *
     * @return 0.01 for LEAKY_RELU, 1.0 for ELU and CELU, NaN for functions without a parameter
     */
    public double defaultParameter() {
        return defaultParameter;
    }

    /**
     * Evaluates the function with its default parameter.
     *
     * @param x the argument
     * @return f(x)
     */
    public double apply(double x) {
        return eval(x, defaultParameter);
    }

    /**
     * f(x) with an explicit parameter; NaN selects the default. Functions without a parameter ignore it.
     *
     * @param x the argument
     * @param parameter the parameter, or NaN for the default
     * @return f(x)
     * @throws IllegalArgumentException if the parameter is infinite, or not positive for ELU/CELU alpha
     */
    public double apply(double x, double parameter) {
        return eval(x, resolveParameter(parameter));
    }

    /**
     * The parameter that will be used: the default for NaN, else the given value after validation.
     *
     * @param parameter a value, or NaN for the default
     * @return the default (NaN for functions without a parameter, whatever is given) or the given value
     * @throws IllegalArgumentException for an infinite value, or for a non-positive ELU/CELU alpha
     */
    public double resolveParameter(double parameter) {
        if (!hasParameter() || Double.isNaN(parameter)) {
            return defaultParameter;
        }
        if (Double.isInfinite(parameter)) {
            throw new IllegalArgumentException(name() + " parameter must be finite, got " + parameter);
        }
        if ((this == ELU || this == CELU) && parameter <= 0) {
            throw new IllegalArgumentException(name() + " alpha must be in (0, inf), got " + parameter);
        }
        return parameter;
    }

    static double sigmoid(double x) {
        if (x >= 0) {
            return 1.0 / (1.0 + Math.exp(-x));
        }
        double e = Math.exp(x);
        return e / (1.0 + e);
    }

    static double softplus(double x) {
        return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
    }
}
