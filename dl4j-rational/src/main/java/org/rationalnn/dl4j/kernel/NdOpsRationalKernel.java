package org.rationalnn.dl4j.kernel;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Broadcast;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.rationalnn.dl4j.rational.RationalVersion;

/**
 * Backend-agnostic kernel composed of ND4J element-wise, broadcast and reduction ops. It runs on any
 * ND4J backend (CPU or CUDA) but makes many passes over memory; it is the reference for accelerated
 * kernels and the default on non-CPU backends.
 *
 * <p>Built from the switches of {@link RationalVersion}: with y = |x| (A) or x, c_j = |b_j| (A) or b_j,
 * T = Σ c_j y^(j+p), Q = offset + |T| (B, C, D) or T (A, N); d|u|/du = {@link RationalVersion#sign(double)}
 * (+1 at 0).
 */
public final class NdOpsRationalKernel implements RationalKernel {

    /** The single (stateless) instance. */
    public static final NdOpsRationalKernel INSTANCE = new NdOpsRationalKernel();

    private NdOpsRationalKernel() {
    }

    @Override
    public String name() {
        return "nd4j-ops";
    }

    @Override
    public void forward(RationalVersion v, INDArray x, INDArray numerator, INDArray denominator, INDArray out) {
        INDArray p = horner(x, numerator);
        INDArray q = denominatorParts(v, x, denominator).q;
        out.assign(p.divi(q));
    }

    @Override
    public void backward(RationalVersion v, INDArray x, INDArray numerator, INDArray denominator, INDArray eps,
                         INDArray dx, INDArray dNumerator, INDArray dDenominator) {
        int numLen = (int) numerator.size(1);
        int denLen = (int) denominator.size(1);
        INDArray p = horner(x, numerator);
        Parts d = denominatorParts(v, x, denominator);
        INDArray g = eps.div(d.q);               // eps / Q
        INDArray r = p.divi(d.q);                // R (reuses p)

        // dA_i = Σ eps x^i / Q
        INDArray pw = g.dup();
        for (int i = 0; i < numLen; i++) {
            if (i > 0) {
                pw.muli(x);
            }
            dNumerator.getColumn(i).assign(pw.sum(0, 2));
        }

        // dB_j = -Σ eps R/Q · outer · y^(j+p) · dc_j
        INDArray gr = g.mul(r);
        if (d.outerSign != null) {
            gr.muli(d.outerSign);
        }
        gr.negi();
        INDArray signB = v.absCoefficients() ? subgradientSign(denominator) : null;
        pw = v.firstPower() == 0 ? gr : gr.mul(d.y);
        for (int j = 0; j < denLen; j++) {
            if (j > 0) {
                pw.muli(d.y);
            }
            INDArray col = dDenominator.getColumn(j);
            col.assign(pw.sum(0, 2));
            if (signB != null) {
                col.muli(signB.getColumn(j));
            }
        }

        // dx = eps (P' - R Q') / Q, Q' = outer · dT/dy · dy/dx
        INDArray pPrime = hornerDerivative(x, numerator);
        INDArray qPrime = innerDerivative(v, d.y, denominator);
        if (d.outerSign != null) {
            qPrime.muli(d.outerSign);
        }
        if (v.absInput()) {
            qPrime.muli(subgradientSign(x));
        }
        dx.assign(pPrime.subi(r.muli(qPrime)).muli(g));
    }

    /** Σ_i coef[:, i] x^i along the set axis (axis 1), by Horner's rule. */
    static INDArray horner(INDArray x, INDArray coef) {
        int len = (int) coef.size(1);
        INDArray acc = x.ulike().assign(0);
        for (int i = len - 1; i >= 0; i--) {
            if (i < len - 1) {
                acc.muli(x);
            }
            Broadcast.add(acc, coefColumn(coef, i), acc, 1);
        }
        return acc;
    }

    /** d/dx Σ_i coef[:, i] x^i. */
    private static INDArray hornerDerivative(INDArray x, INDArray coef) {
        int len = (int) coef.size(1);
        INDArray acc = x.ulike().assign(0);
        for (int i = len - 1; i >= 1; i--) {
            if (i < len - 1) {
                acc.muli(x);
            }
            Broadcast.add(acc, coefColumn(coef, i).muli(i), acc, 1);
        }
        return acc;
    }

    /** dT/dy = Σ_j (j+p) c_j y^(j+p-1). */
    private static INDArray innerDerivative(RationalVersion v, INDArray y, INDArray den) {
        int n = (int) den.size(1);
        int p = v.firstPower();
        INDArray acc = y.ulike().assign(0);
        boolean started = false;
        for (int j = n - 1; j >= 0; j--) {
            int k = j + p;
            if (k == 0) {
                continue;
            }
            if (started) {
                acc.muli(y);
            }
            INDArray c = coefColumn(den, j);
            if (v.absCoefficients()) {
                Transforms.abs(c, false);
            }
            Broadcast.add(acc, c.muli(k), acc, 1);
            started = true;
        }
        return acc;
    }

    private static Parts denominatorParts(RationalVersion v, INDArray x, INDArray den) {
        INDArray y = v.absInput() ? Transforms.abs(x, true) : x;
        INDArray c = v.absCoefficients() ? Transforms.abs(den, true) : den;
        INDArray t = horner(y, c);
        if (v.firstPower() == 1) {
            t.muli(y);
        }
        Parts parts = new Parts();
        parts.y = y;
        if (v.absOfSum()) {
            parts.outerSign = subgradientSign(t);
            parts.q = Transforms.abs(t, false).addi(v.offset());
        } else {
            parts.q = t.addi(v.offset());
        }
        return parts;
    }

    /**
     * d|u|/du element-wise with the library's convention {@link RationalVersion#sign(double)}: +1 for u &ge; 0,
     * -1 for u &lt; 0 (ND4J's sign gives 0 at 0): s + (1 - s²) with s = sign(u).
     */
    static INDArray subgradientSign(INDArray u) {
        INDArray s = Transforms.sign(u, true);
        return s.addi(s.mul(s).rsubi(1.0));
    }

    private static INDArray coefColumn(INDArray coef, int i) {
        return coef.getColumn(i).dup();
    }

    private static final class Parts {
        INDArray y;
        INDArray q;
        INDArray outerSign;
    }
}
