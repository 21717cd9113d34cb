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
        /**
         * Processes one range.
         *
         * @param from first index, inclusive
         * @param to last index, exclusive
         * @param acc this range's zeroed accumulator of the requested length, or null when none was requested
         */
        void run(long from, long to, double[] acc);
    }

    private CpuParallel() {
    }

    /**
     * Number of threads a split runs on.
     *
     * @return the value of {@value JvmRationalKernel#THREADS_PROPERTY} when the kernel class was loaded, default
     *         the available processors; at least 1
     */
    public static int threads() {
        return JvmRationalKernel.INSTANCE.threads();
    }

    /**
     * Runs {@code body} over [0, n), split across the threads if {@code work} (the elements touched) is at least
     * {@code minWork}, else on the calling thread. With {@code accLen > 0} every range gets a zeroed accumulator
     * of that length; they are summed into {@code total} in range order.
     *
     * @param n number of indices
     * @param work number of elements the loop touches (decides whether splitting pays)
     * @param minWork smallest {@code work} that is split across threads
     * @param body the loop body, called once per range
     * @param accLen accumulator length per range; 0 for none
     * @param total the summed accumulators are added to its first {@code accLen} entries; may be null when
     *              {@code accLen} is 0
     * @throws IllegalStateException if a worker thread fails (its exception is the cause) or is interrupted
     */
    public static void forRange(long n, long work, long minWork, Range body, int accLen, double[] total) {
        JvmRationalKernel.INSTANCE.parallel(n, work >= minWork, body::run, accLen, total);
    }
}
