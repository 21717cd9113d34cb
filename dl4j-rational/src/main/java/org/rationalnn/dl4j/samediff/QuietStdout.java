package org.rationalnn.dl4j.samediff;

import org.nd4j.autodiff.samediff.SameDiff;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.PrintStream;

/**
 * Creates SameDiff gradient functions without the "Added differentiated op ..." lines that
 * {@code SameDiff.createGradFunction} in DL4J 1.0.0-M2.1 prints to {@code System.out} for every op (it has no
 * logging switch). While the gradient function is built, {@code System.out} is replaced by a filter that drops
 * exactly those lines written by the building thread and passes everything else through unchanged; the original
 * stream is restored afterwards.
 */
final class QuietStdout {

    /** Start of the lines that SameDiff prints while differentiating. */
    static final String SAMEDIFF_PREFIX = "Added differentiated op";

    private static final Logger log = LoggerFactory.getLogger(QuietStdout.class);
    private static final Object LOCK = new Object();

    private QuietStdout() {
    }

    /** {@code sameDiff.createGradFunction(variablesRequiringGradients)} with SameDiff's stdout lines dropped. */
    static void createGradFunction(SameDiff sameDiff, String... variablesRequiringGradients) {
        synchronized (LOCK) {
            PrintStream original = System.out;
            Filter filter = new Filter(original, Thread.currentThread());
            System.setOut(filter);
            try {
                sameDiff.createGradFunction(variablesRequiringGradients);
            } finally {
                filter.flush();
                if (System.out == filter) {
                    System.setOut(original);
                }
                log.debug("created SameDiff gradient function; suppressed {} '{} ...' stdout lines",
                        filter.suppressed, SAMEDIFF_PREFIX);
            }
        }
    }

    /** Passes everything to the target except SameDiff's differentiation lines from the owner thread. */
    static final class Filter extends PrintStream {
        private final Thread owner;
        int suppressed;

        Filter(PrintStream target, Thread owner) {
            super(target, true);
            this.owner = owner;
        }

        /** Drops the line if it is one of SameDiff's differentiation lines from the owner thread, else prints it. */
        @Override
        public void println(String x) {
            if (Thread.currentThread() == owner && x != null && x.startsWith(SAMEDIFF_PREFIX)) {
                suppressed++;
                return;
            }
            super.println(x);
        }
    }
}
