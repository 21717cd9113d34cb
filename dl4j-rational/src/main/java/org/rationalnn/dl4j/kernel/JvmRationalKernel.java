package org.rationalnn.dl4j.kernel;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.rationalnn.dl4j.rational.RationalVersion;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Fused CPU kernel in plain Java: one pass over memory for the forward (P, Q and P/Q per element) and one
 * for the backward (input gradient and every coefficient gradient together). It reads and writes ND4J's
 * native buffers directly (float32 and float64), computes in double precision, and splits large arrays
 * across threads, each with its own coefficient-gradient accumulators that are summed in a fixed order
 * afterwards: no atomics, and results are deterministic for a given thread count.
 *
 * <p>Built from the switches of {@link RationalVersion}, like every other kernel. Arrays must be C-ordered
 * and contiguous (as {@link SetView} produces them); other data types are rejected (the dispatcher sends
 * them to {@link NdOpsRationalKernel}).
 *
 * <p>Threads: {@value #THREADS_PROPERTY} (default: available processors); arrays smaller than
 * {@value #PARALLEL_THRESHOLD} elements run on the calling thread.
 */
public final class JvmRationalKernel implements RationalKernel {

    /** System property: number of worker threads (default: available processors). */
    public static final String THREADS_PROPERTY = "org.rationalnn.kernel.threads";
    /** Arrays with fewer elements run on the calling thread. */
    public static final int PARALLEL_THRESHOLD = 1 << 16;
    private static final int CHUNK = 2048;

    /** The single instance; its worker pool (daemon threads) is sized once from {@value #THREADS_PROPERTY}. */
    public static final JvmRationalKernel INSTANCE = new JvmRationalKernel();

    private final int threads;
    private final ExecutorService pool;

    private JvmRationalKernel() {
        int t = Integer.getInteger(THREADS_PROPERTY, Runtime.getRuntime().availableProcessors());
        this.threads = Math.max(1, t);
        this.pool = threads > 1 ? Executors.newFixedThreadPool(threads - 1, r -> {
            Thread th = new Thread(r, "rational-kernel");
            th.setDaemon(true);
            return th;
        }) : null;
    }

    /**
     * Whether this kernel handles arrays of a data type.
     *
     * @param dt the data type
     * @return true for float32 and float64
     */
    public static boolean supports(DataType dt) {
        return dt == DataType.FLOAT || dt == DataType.DOUBLE;
    }

    @Override
    public String name() {
        return "jvm-fused";
    }

    /**
     * Number of threads used for arrays of at least {@value #PARALLEL_THRESHOLD} elements.
     *
     * @return the calling thread plus the pool's workers, ≥ 1
     */
    public int threads() {
        return threads;
    }

    @Override
    public void forward(RationalVersion v, INDArray x, INDArray numerator, INDArray denominator, INDArray out) {
        Coefficients c = new Coefficients(v, numerator, denominator);
        Access in = Access.of(x);
        Access o = Access.of(out);
        long n = x.length();
        long inner = x.size(2);
        int sets = (int) x.size(1);
        parallel(n, (from, to, acc) -> {
            double[] xs = new double[CHUNK];
            double[] ys = new double[CHUNK];
            for (long start = from; start < to; start += CHUNK) {
                int len = (int) Math.min(CHUNK, to - start);
                in.read(start, xs, len);
                int k = 0;
                while (k < len) {
                    long e = start + k;
                    int s = (int) ((e / inner) % sets);
                    int run = (int) Math.min(len - k, inner - e % inner);
                    c.forward(s, xs, ys, k, run);
                    k += run;
                }
                o.write(start, ys, len);
            }
        }, 0, null);
    }

    @Override
    public void backward(RationalVersion v, INDArray x, INDArray numerator, INDArray denominator, INDArray eps,
                         INDArray dx, INDArray dNumerator, INDArray dDenominator) {
        Coefficients c = new Coefficients(v, numerator, denominator);
        Access in = Access.of(x);
        Access ep = Access.of(eps);
        Access d = Access.of(dx);
        long n = x.length();
        long inner = x.size(2);
        int sets = (int) x.size(1);
        int accLen = sets * (c.m1 + c.n);
        double[] total = new double[accLen];
        parallel(n, (from, to, acc) -> {
            double[] xs = new double[CHUNK];
            double[] es = new double[CHUNK];
            double[] ds = new double[CHUNK];
            for (long start = from; start < to; start += CHUNK) {
                int len = (int) Math.min(CHUNK, to - start);
                in.read(start, xs, len);
                ep.read(start, es, len);
                int k = 0;
                while (k < len) {
                    long e = start + k;
                    int s = (int) ((e / inner) % sets);
                    int run = (int) Math.min(len - k, inner - e % inner);
                    c.backward(s, xs, es, ds, k, run, acc, s * c.m1, sets * c.m1 + s * c.n);
                    k += run;
                }
                d.write(start, ds, len);
            }
        }, accLen, total);
        // the sign of b_j (version A) is constant per set: applied once here
        for (int s = 0; s < sets; s++) {
            for (int j = 0; j < c.n; j++) {
                total[sets * c.m1 + s * c.n + j] *= c.denominatorSign(s, j);
            }
        }
        writeMatrix(dNumerator, total, 0, sets, c.m1);
        writeMatrix(dDenominator, total, sets * c.m1, sets, c.n);
    }

    /**
     * A [rows, cols] matrix as a row-major Java array. C-ordered contiguous float/double arrays (parameter and
     * gradient views) are read in one bulk copy from the native buffer, without allocating ND4J memory; anything
     * else through a C-ordered copy. ({@code INDArray.toDoubleMatrix()} costs milliseconds for a few hundred rows.)
     */
    static double[] flatten(INDArray matrix) {
        int len = (int) matrix.length();
        INDArray src = SetView.contiguous(matrix);
        int off = (int) src.offset();
        double[] out = new double[len];
        if (src.dataType() == DataType.DOUBLE) {
            src.data().asNioDouble().get(off, out, 0, len);
        } else if (src.dataType() == DataType.FLOAT) {
            float[] f = new float[len];
            src.data().asNioFloat().get(off, f, 0, len);
            for (int i = 0; i < len; i++) {
                out[i] = f[i];
            }
        } else {
            double[] all = src.castTo(DataType.DOUBLE).dup('c').data().asDouble();
            System.arraycopy(all, 0, out, 0, len);
        }
        return out;
    }

    /** Writes {@code values[off ..]} row-major into a [rows, cols] matrix (one bulk copy when contiguous). */
    static void writeMatrix(INDArray target, double[] values, int off, int rows, int cols) {
        int len = rows * cols;
        boolean bulk = SetView.contiguous(target) == target
                && (target.dataType() == DataType.DOUBLE || target.dataType() == DataType.FLOAT);
        if (!bulk) {
            for (int r = 0; r < rows; r++) {
                for (int col = 0; col < cols; col++) {
                    target.putScalar(r, col, values[off + r * cols + col]);
                }
            }
            return;
        }
        int at = (int) target.offset();
        if (target.dataType() == DataType.DOUBLE) {
            target.data().asNioDouble().put(at, values, off, len);
        } else {
            float[] f = new float[len];
            for (int i = 0; i < len; i++) {
                f[i] = (float) values[off + i];
            }
            target.data().asNioFloat().put(at, f, 0, len);
        }
    }

    interface Body {
        void run(long from, long to, double[] acc);
    }

    /**
     * Runs {@code body} over [0, n) split into one contiguous range per thread (one range below
     * {@link #PARALLEL_THRESHOLD}); each range gets its own accumulator of {@code accLen} doubles, summed into
     * {@code total} in range order afterwards (deterministic for a given thread count).
     */
    void parallel(long n, Body body, int accLen, double[] total) {
        parallel(n, n >= PARALLEL_THRESHOLD, body, accLen, total);
    }

    /** {@link #parallel(long, Body, int, double[])} with the decision to split made by the caller. */
    void parallel(long n, boolean split, Body body, int accLen, double[] total) {
        int parts = !split || pool == null || n < 2 ? 1 : (int) Math.min(threads, n);
        double[][] partial = new double[parts][];
        for (int p = 0; p < parts; p++) {
            partial[p] = accLen == 0 ? null : new double[accLen];
        }
        long step = (n + parts - 1) / parts;
        List<Future<?>> futures = new ArrayList<>();
        for (int p = 1; p < parts; p++) {
            long from = p * step;
            long to = Math.min(n, from + step);
            double[] a = partial[p];
            if (from < to) {
                futures.add(pool.submit(() -> body.run(from, to, a)));
            }
        }
        body.run(0, Math.min(n, step), partial[0]);
        for (Future<?> f : futures) {
            try {
                f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("rational kernel interrupted", e);
            } catch (ExecutionException e) {
                throw new IllegalStateException("rational kernel failed", e.getCause());
            }
        }
        if (accLen > 0) {
            for (double[] a : partial) {
                for (int i = 0; i < accLen; i++) {
                    total[i] += a[i];
                }
            }
        }
    }

    /** Coefficients of every set as double arrays, with the version's switches (also the SIMD kernel's tails). */
    static final class Coefficients {
        final int m1;
        final int n;
        final double[] a;
        final double[] c;      // |b| for version A, b otherwise
        final double[] bSign;  // sign(b) for version A
        final int firstPower;
        final double offset;
        final boolean absInput;
        final boolean absOfSum;

        Coefficients(RationalVersion v, INDArray numerator, INDArray denominator) {
            this.m1 = (int) numerator.size(1);
            this.n = (int) denominator.size(1);
            this.a = flatten(numerator);
            double[] b = flatten(denominator);
            this.c = b.clone();
            this.bSign = new double[b.length];
            for (int i = 0; i < b.length; i++) {
                bSign[i] = v.absCoefficients() ? RationalVersion.sign(b[i]) : 1.0;
                if (v.absCoefficients()) {
                    c[i] = Math.abs(b[i]);
                }
            }
            this.firstPower = v.firstPower();
            this.offset = v.offset();
            this.absInput = v.absInput();
            this.absOfSum = v.absOfSum();
        }

        double denominatorSign(int s, int j) {
            return bSign[s * n + j];
        }

        void forward(int s, double[] xs, double[] ys, int off, int len) {
            for (int k = off; k < off + len; k++) {
                ys[k] = forwardOne(s, xs[k]);
            }
        }

        void backward(int s, double[] xs, double[] es, double[] ds, int off, int len, double[] acc, int accA,
                      int accB) {
            for (int k = off; k < off + len; k++) {
                ds[k] = backwardOne(s, xs[k], es[k], acc, accA, accB);
            }
        }

        /** R_s(x). */
        double forwardOne(int s, double x) {
            int ao = s * m1;
            int co = s * n;
            double p = a[ao + m1 - 1];
            for (int i = m1 - 2; i >= 0; i--) {
                p = p * x + a[ao + i];
            }
            double y = absInput ? Math.abs(x) : x;
            double t = c[co + n - 1];
            for (int j = n - 2; j >= 0; j--) {
                t = t * y + c[co + j];
            }
            if (firstPower == 1) {
                t *= y;
            }
            return p / (offset + (absOfSum ? Math.abs(t) : t));
        }

        /**
         * One element of the backward pass: returns dL/dx and adds eps·dR/da_i to {@code acc[accA + i]} and
         * eps·dR/db_j, without the factor sign(b_j) of version A (applied once per set by the caller), to
         * {@code acc[accB + j]}.
         */
        double backwardOne(int s, double x, double eps, double[] acc, int accA, int accB) {
            int ao = s * m1;
            int co = s * n;
            // P and P'
            double p = a[ao + m1 - 1];
            double dp = 0;
            for (int i = m1 - 2; i >= 0; i--) {
                dp = dp * x + p;
                p = p * x + a[ao + i];
            }
            // inner sum T over y (Σ_j c_j y^j, times y when firstPower = 1) and dT/dy
            double y = absInput ? Math.abs(x) : x;
            double t = c[co + n - 1];
            double dt = 0;
            for (int j = n - 2; j >= 0; j--) {
                dt = dt * y + t;
                t = t * y + c[co + j];
            }
            if (firstPower == 1) {
                dt = dt * y + t;
                t *= y;
            }
            double outer = absOfSum ? RationalVersion.sign(t) : 1.0;
            double q = offset + (absOfSum ? Math.abs(t) : t);
            double invQ = 1.0 / q;
            double r = p * invQ;
            double g = eps * invQ;
            double pw = g;
            for (int i = 0; i < m1; i++) {
                acc[accA + i] += pw;
                pw *= x;
            }
            double gb = -g * r * outer;
            pw = firstPower == 1 ? gb * y : gb;
            for (int j = 0; j < n; j++) {
                acc[accB + j] += pw;
                pw *= y;
            }
            double dQdx = outer * dt * (absInput ? RationalVersion.sign(x) : 1.0);
            return g * (dp - r * dQdx);
        }
    }

    /** Bulk access to a contiguous float or double native buffer, converting to and from double. */
    private abstract static class Access {
        static Access of(INDArray arr) {
            long offset = arr.offset();
            if (arr.dataType() == DataType.DOUBLE) {
                DoubleBuffer b = arr.data().asNioDouble();
                return new Access() {
                    @Override
                    void read(long start, double[] dst, int len) {
                        b.get((int) (offset + start), dst, 0, len);
                    }

                    @Override
                    void write(long start, double[] src, int len) {
                        b.put((int) (offset + start), src, 0, len);
                    }
                };
            }
            if (arr.dataType() == DataType.FLOAT) {
                FloatBuffer b = arr.data().asNioFloat();
                return new Access() {
                    private final ThreadLocal<float[]> scratch = ThreadLocal.withInitial(() -> new float[CHUNK]);

                    @Override
                    void read(long start, double[] dst, int len) {
                        float[] f = scratch.get();
                        b.get((int) (offset + start), f, 0, len);
                        for (int i = 0; i < len; i++) {
                            dst[i] = f[i];
                        }
                    }

                    @Override
                    void write(long start, double[] src, int len) {
                        float[] f = scratch.get();
                        for (int i = 0; i < len; i++) {
                            f[i] = (float) src[i];
                        }
                        b.put((int) (offset + start), f, 0, len);
                    }
                };
            }
            throw new IllegalArgumentException("the JVM rational kernel supports FLOAT and DOUBLE, got "
                    + arr.dataType());
        }

        abstract void read(long start, double[] dst, int len);

        abstract void write(long start, double[] src, int len);
    }
}
