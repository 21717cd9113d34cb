package org.rationalnn.dl4j.transformer.impl;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.rationalnn.dl4j.kernel.CpuParallel;
import org.rationalnn.dl4j.transformer.RationalTransformerBlock;

import java.nio.FloatBuffer;
import java.util.Arrays;

/**
 * Fused float32 CPU loops for the element-wise and row-wise parts of the native block, on the JDK's Vector API
 * ({@code jdk.incubator.vector}; its tanh and exp are SVML's on x86-64): each function is one pass over its arrays
 * where the ND4J composition in {@link BlockMath} takes several ops. Same formulas and argument meanings as the
 * {@link BlockMath} functions that call them; loaded only when the module is present. Arrays must be float32,
 * C-ordered and contiguous ({@link BlockMath#fused} checks); rows are split across the rational kernels' threads,
 * column sums are accumulated per thread in double precision and summed in a fixed order (deterministic).
 */
final class VectorBlockOps {

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    private static final int CHUNK = 4096;
    /** Below this many elements a loop runs on the calling thread. */
    private static final long MIN_PARALLEL = 1 << 15;
    private static final float C = (float) BlockMath.GELU_C;
    private static final float CK = (float) (BlockMath.GELU_C * BlockMath.GELU_K);
    private static final float CK3 = 3 * CK;
    private static final float LN_EPS = (float) RationalTransformerBlock.LN_EPSILON;
    private static final float RAT_EPS = (float) RationalTransformerBlock.RATIONAL_ATTENTION_EPSILON;

    private VectorBlockOps() {
    }

    /** The float buffer of an array and its offset. */
    private static final class Buf {
        final FloatBuffer b;
        final int off;

        Buf(INDArray a) {
            this.b = a.data().asNioFloat();
            this.off = (int) a.offset();
        }

        void get(long i, float[] dst, int len) {
            b.get(off + (int) i, dst, 0, len);
        }

        void put(long i, float[] src, int len) {
            b.put(off + (int) i, src, 0, len);
        }
    }

    /** An element-wise body over chunks [i, i + len). */
    private interface Chunk {
        void run(long i, int len, float[][] scratch);
    }

    private static void elementwise(long n, int arrays, Chunk body) {
        CpuParallel.forRange(n, n, MIN_PARALLEL, (from, to, acc) -> {
            float[][] scratch = new float[arrays][CHUNK];
            for (long i = from; i < to; i += CHUNK) {
                body.run(i, (int) Math.min(CHUNK, to - i), scratch);
            }
        }, 0, null);
    }

    // ---------------------------------------------------------------- GELU, SiLU and the GLU products

    private static FloatVector geluTanh(FloatVector x) {
        return x.mul(x.mul(x).fma(CK, C)).lanewise(VectorOperators.TANH);
    }

    private static float geluTanh(float x) {
        return (float) Math.tanh(x * (C + CK * x * x));
    }

    /** out = gelu(a). */
    static void gelu(INDArray a, INDArray out) {
        Buf in = new Buf(a);
        Buf o = new Buf(out);
        elementwise(a.length(), 2, (i, len, s) -> {
            float[] x = s[0];
            float[] y = s[1];
            in.get(i, x, len);
            int k = 0;
            for (; k <= len - L; k += L) {
                FloatVector v = FloatVector.fromArray(S, x, k);
                geluTanh(v).add(1f).mul(v).mul(0.5f).intoArray(y, k);
            }
            for (; k < len; k++) {
                y[k] = 0.5f * x[k] * (1 + geluTanh(x[k]));
            }
            o.put(i, y, len);
        });
    }

    private static FloatVector geluDerivative(FloatVector x) {
        return geluDerivative(x, geluTanh(x));
    }

    /** gelu'(x) given t = {@link #geluTanh}(x). */
    private static FloatVector geluDerivative(FloatVector x, FloatVector t) {
        // 0.5 (1 + t) + 0.5 x (1 - t²) sqrt(2/π)(1 + 3k x²)
        FloatVector inner = x.mul(x).fma(CK3, C);
        FloatVector oneMinusT2 = t.mul(t).neg().add(1f);
        return x.mul(0.5f).mul(oneMinusT2).mul(inner).add(t.add(1f).mul(0.5f));
    }

    private static float geluDerivative(float x) {
        float t = geluTanh(x);
        return 0.5f * x * (1 - t * t) * (C + CK3 * x * x) + 0.5f * (1 + t);
    }

    /** grad *= gelu'(a). */
    static void geluBackwardInPlace(INDArray a, INDArray grad) {
        Buf in = new Buf(a);
        Buf g = new Buf(grad);
        elementwise(a.length(), 2, (i, len, s) -> {
            float[] x = s[0];
            float[] d = s[1];
            in.get(i, x, len);
            g.get(i, d, len);
            int k = 0;
            for (; k <= len - L; k += L) {
                geluDerivative(FloatVector.fromArray(S, x, k)).mul(FloatVector.fromArray(S, d, k)).intoArray(d, k);
            }
            for (; k < len; k++) {
                d[k] *= geluDerivative(x[k]);
            }
            g.put(i, d, len);
        });
    }

    private static float sigmoid(float x) {
        return (float) (1 / (1 + Math.exp(-x)));
    }

    /**
     * GLU forward: h = φ(g) ⊙ up in one pass (φ = silu or gelu); φ(g) itself is not stored (the backward pass
     * recomputes it from g).
     *
     * @param kind 0 silu, 1 gelu
     */
    static void gluForward(int kind, INDArray g, INDArray up, INDArray h) {
        Buf gb = new Buf(g);
        Buf ub = new Buf(up);
        Buf hb = new Buf(h);
        elementwise(g.length(), 2, (i, len, s) -> {
            float[] x = s[0];
            float[] u = s[1];
            gb.get(i, x, len);
            ub.get(i, u, len);
            int k = 0;
            for (; k <= len - L; k += L) {
                FloatVector v = FloatVector.fromArray(S, x, k);
                FloatVector f = kind == 0 ? v.div(v.neg().lanewise(VectorOperators.EXP).add(1f))
                        : geluTanh(v).add(1f).mul(v).mul(0.5f);
                f.mul(FloatVector.fromArray(S, u, k)).intoArray(u, k);
            }
            for (; k < len; k++) {
                u[k] *= kind == 0 ? x[k] * sigmoid(x[k]) : 0.5f * x[k] * (1 + geluTanh(x[k]));
            }
            hb.put(i, u, len);
        });
    }

    /**
     * GLU backward for dL/dh {@code dh}, one pass: dUp = dh ⊙ φ(g), dPre = dh ⊙ up ⊙ φ'(g), with φ(g) and φ'(g)
     * computed from g (kind 0 silu, 1 gelu).
     */
    static void gluBackward(int kind, INDArray g, INDArray up, INDArray dh, INDArray dUp, INDArray dPre) {
        Buf gb = new Buf(g);
        Buf ub = new Buf(up);
        Buf hb = new Buf(dh);
        Buf dub = new Buf(dUp);
        Buf dpb = new Buf(dPre);
        elementwise(g.length(), 3, (i, len, s) -> {
            float[] x = s[0];
            float[] u = s[1];
            float[] d = s[2];
            gb.get(i, x, len);
            ub.get(i, u, len);
            hb.get(i, d, len);
            int k = 0;
            for (; k <= len - L; k += L) {
                FloatVector v = FloatVector.fromArray(S, x, k);
                FloatVector dv = FloatVector.fromArray(S, d, k);
                FloatVector f;
                FloatVector df;
                if (kind == 0) {
                    FloatVector sg = FloatVector.broadcast(S, 1f).div(v.neg().lanewise(VectorOperators.EXP).add(1f));
                    f = v.mul(sg);
                    // silu' = σ (1 + x (1 - σ))
                    df = sg.mul(v.mul(sg.neg().add(1f)).add(1f));
                } else {
                    FloatVector t = geluTanh(v);
                    f = t.add(1f).mul(v).mul(0.5f);
                    df = geluDerivative(v, t);
                }
                dv.mul(FloatVector.fromArray(S, u, k)).mul(df).intoArray(u, k);
                dv.mul(f).intoArray(x, k);
            }
            for (; k < len; k++) {
                float f;
                float df;
                if (kind == 0) {
                    float sg = sigmoid(x[k]);
                    f = x[k] * sg;
                    df = sg * (1 + x[k] * (1 - sg));
                } else {
                    f = 0.5f * x[k] * (1 + geluTanh(x[k]));
                    df = geluDerivative(x[k]);
                }
                u[k] = d[k] * u[k] * df;
                x[k] = d[k] * f;
            }
            dub.put(i, x, len);
            dpb.put(i, u, len);
        });
    }

    // ---------------------------------------------------------------- row-wise: softmax and rational attention

    /** A body over rows [from, to) of length {@code len}. */
    private interface Rows {
        void run(long from, long to, double[] acc);
    }

    private static void rows(long rows, long len, Rows body, int accLen, double[] total) {
        CpuParallel.forRange(rows, rows * len, MIN_PARALLEL, body::run, accLen, total);
    }

    /** Row {@code r} of the [B·T rows] score layout → row of the [mb or 1, 1, T, T] mask. */
    private static long maskRow(long r, long t, int heads, long maskExamples) {
        if (maskExamples == 1) {
            return r % t;
        }
        long bh = r / t;
        return (bh / heads) * t + r % t;
    }

    private static float sum(float[] x, int n) {
        int k = 0;
        FloatVector acc = FloatVector.zero(S);
        for (; k <= n - L; k += L) {
            acc = acc.add(FloatVector.fromArray(S, x, k));
        }
        float s = acc.reduceLanes(VectorOperators.ADD);
        for (; k < n; k++) {
            s += x[k];
        }
        return s;
    }

    private static float dot(float[] x, float[] y, int n) {
        int k = 0;
        FloatVector acc = FloatVector.zero(S);
        for (; k <= n - L; k += L) {
            acc = FloatVector.fromArray(S, x, k).fma(FloatVector.fromArray(S, y, k), acc);
        }
        float s = acc.reduceLanes(VectorOperators.ADD);
        for (; k < n; k++) {
            s += x[k] * y[k];
        }
        return s;
    }

    /** x = x * scale + pen (pen may be null). */
    private static void scaleAdd(float[] x, float scale, float[] pen, int n) {
        int k = 0;
        for (; k <= n - L; k += L) {
            FloatVector v = FloatVector.fromArray(S, x, k).mul(scale);
            if (pen != null) {
                v = v.add(FloatVector.fromArray(S, pen, k));
            }
            v.intoArray(x, k);
        }
        for (; k < n; k++) {
            x[k] = x[k] * scale + (pen == null ? 0f : pen[k]);
        }
    }

    /** a = softmax over the keys of (s · scale + penalty); s [B, T, T] is not modified. */
    static void softmax(INDArray s, double scale, INDArray penalty, int heads, INDArray a) {
        int t = (int) s.size(2);
        Buf sb = new Buf(s);
        Buf ab = new Buf(a);
        Buf pb = penalty == null ? null : new Buf(penalty);
        long maskExamples = penalty == null ? 1 : penalty.size(0);
        float sc = (float) scale;
        rows(s.size(0) * s.size(1), t, (from, to, acc) -> {
            float[] x = new float[t];
            float[] p = penalty == null ? null : new float[t];
            for (long r = from; r < to; r++) {
                sb.get(r * t, x, t);
                if (p != null) {
                    pb.get(maskRow(r, t, heads, maskExamples) * t, p, t);
                }
                scaleAdd(x, sc, p, t);
                float max = Float.NEGATIVE_INFINITY;
                for (int k = 0; k < t; k++) {
                    max = Math.max(max, x[k]);
                }
                int k = 0;
                FloatVector acc2 = FloatVector.zero(S);
                for (; k <= t - L; k += L) {
                    FloatVector e = FloatVector.fromArray(S, x, k).sub(max).lanewise(VectorOperators.EXP);
                    e.intoArray(x, k);
                    acc2 = acc2.add(e);
                }
                float total = acc2.reduceLanes(VectorOperators.ADD);
                for (; k < t; k++) {
                    x[k] = (float) Math.exp(x[k] - max);
                    total += x[k];
                }
                float inv = 1f / total;
                for (k = 0; k <= t - L; k += L) {
                    FloatVector.fromArray(S, x, k).mul(inv).intoArray(x, k);
                }
                for (; k < t; k++) {
                    x[k] *= inv;
                }
                ab.put(r * t, x, t);
            }
        }, 0, null);
    }

    /** dA := scale · a ⊙ (dA − Σ_keys dA ⊙ a), in place. */
    static void softmaxBackwardInPlace(INDArray a, INDArray dA, double scale) {
        int t = (int) a.size(2);
        Buf ab = new Buf(a);
        Buf db = new Buf(dA);
        float sc = (float) scale;
        rows(a.size(0) * a.size(1), t, (from, to, acc) -> {
            float[] x = new float[t];
            float[] d = new float[t];
            for (long r = from; r < to; r++) {
                ab.get(r * t, x, t);
                db.get(r * t, d, t);
                float dotp = dot(x, d, t);
                int k = 0;
                for (; k <= t - L; k += L) {
                    FloatVector.fromArray(S, d, k).sub(dotp).mul(FloatVector.fromArray(S, x, k)).mul(sc)
                            .intoArray(d, k);
                }
                for (; k < t; k++) {
                    d[k] = (d[k] - dotp) * x[k] * sc;
                }
                db.put(r * t, d, t);
            }
        }, 0, null);
    }

    /**
     * Rational attention, step 1: z = (s' − max_keys s') ⊙ M with s' = s · scale + penalty; the index of the first
     * maximum of each row goes to {@code argmax} [B, T, 1].
     */
    static void rationalShift(INDArray s, double scale, INDArray penalty, INDArray mask, int heads, INDArray z,
                              INDArray argmax) {
        int t = (int) s.size(2);
        Buf sb = new Buf(s);
        Buf zb = new Buf(z);
        Buf ib = new Buf(argmax);
        Buf pb = penalty == null ? null : new Buf(penalty);
        Buf mb = mask == null ? null : new Buf(mask);
        long maskExamples = penalty == null ? 1 : penalty.size(0);
        float sc = (float) scale;
        rows(s.size(0) * s.size(1), t, (from, to, acc) -> {
            float[] x = new float[t];
            float[] p = penalty == null ? null : new float[t];
            float[] m = mask == null ? null : new float[t];
            float[] idx = new float[1];
            for (long r = from; r < to; r++) {
                sb.get(r * t, x, t);
                if (p != null) {
                    long mr = maskRow(r, t, heads, maskExamples) * t;
                    pb.get(mr, p, t);
                    mb.get(mr, m, t);
                }
                scaleAdd(x, sc, p, t);
                int best = 0;
                for (int k = 1; k < t; k++) {
                    if (x[k] > x[best]) {
                        best = k;
                    }
                }
                float max = x[best];
                for (int k = 0; k < t; k++) {
                    x[k] = m == null ? x[k] - max : (x[k] - max) * m[k];
                }
                zb.put(r * t, x, t);
                idx[0] = best;
                ib.put(r, idx, 1);
            }
        }, 0, null);
    }

    /** Rational attention, step 2: φ = r² ⊙ M, normaliser = Σ_keys φ + ε [B, T, 1], a = φ / normaliser. */
    static void rationalNormalize(INDArray r, INDArray mask, KeyExtents extents, int heads, INDArray normaliser,
                                  INDArray a) {
        int t = (int) r.size(2);
        Buf rb = new Buf(r);
        Buf ab = new Buf(a);
        Buf nb = new Buf(normaliser);
        Buf mb = mask == null ? null : new Buf(mask);
        long maskExamples = mask == null ? 1 : mask.size(0);
        rows(r.size(0) * r.size(1), t, (from, to, acc) -> {
            float[] x = new float[t];
            float[] m = mask == null ? null : new float[t];
            float[] nrm = new float[1];
            for (long row = from; row < to; row++) {
                // keys from the row's end on are masked: their weight is 0
                int n = KeyExtents.endOfRow(extents, row, t, heads);
                rb.get(row * t, x, n);
                if (m != null) {
                    mb.get(maskRow(row, t, heads, maskExamples) * t, m, n);
                }
                for (int k = 0; k < n; k++) {
                    x[k] = m == null ? x[k] * x[k] : x[k] * x[k] * m[k];
                }
                float total = sum(x, n) + RAT_EPS;
                for (int k = 0; k < n; k++) {
                    x[k] /= total;
                }
                Arrays.fill(x, n, t, 0f);
                ab.put(row * t, x, t);
                nrm[0] = total;
                nb.put(row, nrm, 1);
            }
        }, 0, null);
    }

    /** Rational attention backward, step 2: dA := 2 r ⊙ M ⊙ (dA − Σ_keys dA ⊙ a) / normaliser, in place. */
    static void rationalNormalizeBackwardInPlace(INDArray dA, INDArray a, INDArray normaliser, INDArray r,
                                                 INDArray mask, KeyExtents extents, int heads) {
        int t = (int) a.size(2);
        Buf db = new Buf(dA);
        Buf ab = new Buf(a);
        Buf nb = new Buf(normaliser);
        Buf rb = new Buf(r);
        Buf mb = mask == null ? null : new Buf(mask);
        long maskExamples = mask == null ? 1 : mask.size(0);
        rows(a.size(0) * a.size(1), t, (from, to, acc) -> {
            float[] d = new float[t];
            float[] x = new float[t];
            float[] rr = new float[t];
            float[] m = mask == null ? null : new float[t];
            float[] nrm = new float[1];
            for (long row = from; row < to; row++) {
                int n = KeyExtents.endOfRow(extents, row, t, heads);
                db.get(row * t, d, n);
                ab.get(row * t, x, n);
                rb.get(row * t, rr, n);
                nb.get(row, nrm, 1);
                if (m != null) {
                    mb.get(maskRow(row, t, heads, maskExamples) * t, m, n);
                }
                float dotp = dot(d, x, n);
                float f = 2f / nrm[0];
                for (int k = 0; k < n; k++) {
                    float v = (d[k] - dotp) * f * rr[k];
                    d[k] = m == null ? v : v * m[k];
                }
                Arrays.fill(d, n, t, 0f);
                db.put(row * t, d, t);
            }
        }, 0, null);
    }

    /** Rational attention backward, step 1: dz := scale · (dz ⊙ M − e_argmax Σ_keys dz ⊙ M), in place. */
    static void rationalShiftBackwardInPlace(INDArray dz, INDArray mask, KeyExtents extents, INDArray argmax,
                                             int heads, double scale) {
        int t = (int) dz.size(2);
        Buf db = new Buf(dz);
        Buf ib = new Buf(argmax);
        Buf mb = mask == null ? null : new Buf(mask);
        long maskExamples = mask == null ? 1 : mask.size(0);
        float sc = (float) scale;
        rows(dz.size(0) * dz.size(1), t, (from, to, acc) -> {
            float[] d = new float[t];
            float[] m = mask == null ? null : new float[t];
            float[] idx = new float[1];
            for (long row = from; row < to; row++) {
                int n = KeyExtents.endOfRow(extents, row, t, heads);
                db.get(row * t, d, n);
                ib.get(row, idx, 1);
                if (m != null) {
                    mb.get(maskRow(row, t, heads, maskExamples) * t, m, n);
                    for (int k = 0; k < n; k++) {
                        d[k] *= m[k];
                    }
                }
                float total = sum(d, n);
                d[(int) idx[0]] -= total;
                for (int k = 0; k < n; k++) {
                    d[k] *= sc;
                }
                Arrays.fill(d, n, t, 0f);
                db.put(row * t, d, t);
            }
        }, 0, null);
    }

    // ---------------------------------------------------------------- column sums

    /** Σ_rows x [N, c] → c sums (float partial sums per 64 rows, then double per thread, fixed order). */
    static double[] columnSums(INDArray x) {
        int c = (int) x.size(1);
        Buf xb = new Buf(x);
        double[] total = new double[c];
        rows(x.size(0), c, (from, to, acc) -> {
            float[] v = new float[c];
            float[] part = new float[c];
            for (long r = from; r < to; r++) {
                xb.get(r * c, v, c);
                int k = 0;
                for (; k <= c - L; k += L) {
                    FloatVector.fromArray(S, v, k).add(FloatVector.fromArray(S, part, k)).intoArray(part, k);
                }
                for (; k < c; k++) {
                    part[k] += v[k];
                }
                if ((r - from) % 64 == 63 || r == to - 1) {
                    for (k = 0; k < c; k++) {
                        acc[k] += part[k];
                        part[k] = 0;
                    }
                }
            }
        }, c, total);
        return total;
    }

    // ---------------------------------------------------------------- layouts

    /**
     * Per example, the transpose of an [a, b] matrix: [mb, a, b] → [mb, b, a] (NCW [mb, d, T] to rows [mb·T, d] and
     * back). {@code in} may be any C-contiguous array of that many elements; {@code out} too.
     */
    static void transposeExamples(INDArray in, long mb, int a, int b, INDArray out) {
        Buf ib = new Buf(in);
        Buf ob = new Buf(out);
        int size = a * b;
        CpuParallel.forRange(mb, mb * size, MIN_PARALLEL, (from, to, acc) -> {
            float[] x = new float[size];
            float[] y = new float[size];
            for (long e = from; e < to; e++) {
                ib.get(e * size, x, size);
                for (int i = 0; i < a; i++) {
                    for (int j = 0; j < b; j++) {
                        y[j * a + i] = x[i * b + j];
                    }
                }
                ob.put(e * size, y, size);
            }
        }, 0, null);
    }

    // ---------------------------------------------------------------- LayerNorm

    /** out = LN(x) ⊙ g + b by rows; x̂ [N, d] and rstd [N, 1] for the backward pass. */
    static void layerNorm(INDArray x, INDArray gain, INDArray bias, INDArray xhat, INDArray rstd, INDArray out) {
        int d = (int) x.size(1);
        float[] g = gain.toFloatVector();
        float[] b = bias.toFloatVector();
        Buf xb = new Buf(x);
        Buf hb = new Buf(xhat);
        Buf rb = new Buf(rstd);
        Buf ob = new Buf(out);
        rows(x.size(0), d, (from, to, acc) -> {
            float[] v = new float[d];
            float[] y = new float[d];
            float[] rs = new float[1];
            for (long r = from; r < to; r++) {
                xb.get(r * d, v, d);
                float mean = sum(v, d) / d;
                for (int k = 0; k < d; k++) {
                    v[k] -= mean;
                }
                float inv = (float) (1 / Math.sqrt(dot(v, v, d) / d + LN_EPS));
                int k = 0;
                for (; k <= d - L; k += L) {
                    FloatVector h = FloatVector.fromArray(S, v, k).mul(inv);
                    h.intoArray(v, k);
                    h.fma(FloatVector.fromArray(S, g, k), FloatVector.fromArray(S, b, k)).intoArray(y, k);
                }
                for (; k < d; k++) {
                    v[k] *= inv;
                    y[k] = v[k] * g[k] + b[k];
                }
                hb.put(r * d, v, d);
                ob.put(r * d, y, d);
                rs[0] = inv;
                rb.put(r, rs, 1);
            }
        }, 0, null);
    }

    /**
     * LayerNorm backward by rows: dx = rstd ⊙ (d x̂ − mean(d x̂) − x̂ ⊙ mean(d x̂ ⊙ x̂)), d x̂ = dy ⊙ g, into
     * {@code dx}; dg = Σ_rows dy ⊙ x̂ and db = Σ_rows dy into their views.
     */
    static void layerNormBackward(INDArray xhat, INDArray rstd, INDArray gain, INDArray dy, INDArray dGain,
                                  INDArray dBias, INDArray dx) {
        int d = (int) xhat.size(1);
        float[] g = gain.toFloatVector();
        Buf hb = new Buf(xhat);
        Buf rb = new Buf(rstd);
        Buf yb = new Buf(dy);
        Buf xb = new Buf(dx);
        double[] total = new double[2 * d];
        rows(xhat.size(0), d, (from, to, acc) -> {
            float[] h = new float[d];
            float[] e = new float[d];
            float[] dh = new float[d];
            float[] rs = new float[1];
            float[] sg = new float[d];
            float[] sb = new float[d];
            for (long r = from; r < to; r++) {
                hb.get(r * d, h, d);
                yb.get(r * d, e, d);
                rb.get(r, rs, 1);
                int k = 0;
                for (; k <= d - L; k += L) {
                    FloatVector ev = FloatVector.fromArray(S, e, k);
                    FloatVector hv = FloatVector.fromArray(S, h, k);
                    ev.fma(hv, FloatVector.fromArray(S, sg, k)).intoArray(sg, k);
                    ev.add(FloatVector.fromArray(S, sb, k)).intoArray(sb, k);
                    ev.mul(FloatVector.fromArray(S, g, k)).intoArray(dh, k);
                }
                for (; k < d; k++) {
                    sg[k] += e[k] * h[k];
                    sb[k] += e[k];
                    dh[k] = e[k] * g[k];
                }
                float m1 = sum(dh, d) / d;
                float m2 = dot(dh, h, d) / d;
                float inv = rs[0];
                for (k = 0; k < d; k++) {
                    dh[k] = (dh[k] - m1 - h[k] * m2) * inv;
                }
                xb.put(r * d, dh, d);
                if ((r - from) % 64 == 63 || r == to - 1) {
                    // flush the float partial sums into the double accumulator now and then
                    for (k = 0; k < d; k++) {
                        acc[k] += sg[k];
                        acc[d + k] += sb[k];
                        sg[k] = 0;
                        sb[k] = 0;
                    }
                }
            }
        }, 2 * d, total);
        float[] dg = new float[d];
        float[] db = new float[d];
        for (int k = 0; k < d; k++) {
            dg[k] = (float) total[k];
            db[k] = (float) total[d + k];
        }
        dGain.assign(Nd4j.createFromArray(dg).reshape(dGain.shape()));
        dBias.assign(Nd4j.createFromArray(db).reshape(dBias.shape()));
    }
}
