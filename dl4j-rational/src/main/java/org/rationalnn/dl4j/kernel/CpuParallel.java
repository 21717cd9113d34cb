package org.rationalnn.dl4j.kernel;

/**
 * The rational kernels' CPU worker threads, lent to other fused JVM loops of the library (the transformer block's
 * element-wise and row-wise kernels): [0, n) split into one contiguous range per thread, each range with its own
 * accumulator, summed in range order afterwards, so results are deterministic for a given thread count
 * ({@value JvmRationalKernel#THREADS_PROPERTY}, default: available processors).
 */
public final class CpuParallel {

    /** Work on the index range [from, to), adding its partial sums (if any) into {@code acc}. */
    @FunctionalInterface
    public interface Range {
        void run(long from, long to, double[] acc);
    }

    private CpuParallel() {
    }

    /** Number of threads a split runs on. */
    public static int threads() {
        return JvmRationalKernel.INSTANCE.threads();
    }

    /**
     * Runs {@code body} over [0, n), split across the threads if {@code work} (the elements touched) is at least
     * {@code minWork}, else on the calling thread. With {@code accLen > 0} every range gets a zeroed accumulator
     * of that length; they are summed into {@code total} in range order.
     */
    public static void forRange(long n, long work, long minWork, Range body, int accLen, double[] total) {
        JvmRationalKernel.INSTANCE.parallel(n, work >= minWork, body::run, accLen, total);
    }
}
