package org.rationalnn.samples.harness;

import org.slf4j.Logger;

import java.util.Locale;

/**
 * Progress of a fixed number of work items, reported as one log line per finished item with the percentage
 * done and an estimate of the time left. Thread-safe. Log lines (rather than a redrawn bar) read well both in a
 * terminal and in CI logs.
 */
public final class Progress {
    private final Logger log;
    private final String what;
    private final int total;
    private final long start = System.nanoTime();
    private int done;

    /**
     * @param log   where lines go
     * @param what  a name for the work ("networks", "epochs")
     * @param total number of items
     */
    public Progress(Logger log, String what, int total) {
        this.log = log;
        this.what = what;
        this.total = total;
    }

    /** Marks one item finished and logs {@code message} with the progress. */
    public synchronized void step(String message) {
        done++;
        double elapsed = (System.nanoTime() - start) / 1e9;
        double left = done < total ? elapsed / done * (total - done) : 0;
        int width = Integer.toString(total).length();
        String bar = bar(done, total, 20);
        log.info(String.format(Locale.ROOT, "%s %" + width + "d/%d %s %3.0f%% | %s | %s elapsed, ~%s left", bar,
                done, total, what, 100.0 * done / total, message, duration(elapsed), duration(left)));
    }

    /** Items finished so far. */
    public synchronized int done() {
        return done;
    }

    static String bar(int done, int total, int width) {
        int filled = total == 0 ? width : (int) Math.round((double) width * done / total);
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < width; i++) {
            sb.append(i < filled ? '#' : '.');
        }
        return sb.append(']').toString();
    }

    /** "1h02m", "3m05s" or "12.3s". */
    public static String duration(double seconds) {
        if (seconds >= 3600) {
            long m = Math.round(seconds / 60);
            return String.format(Locale.ROOT, "%dh%02dm", m / 60, m % 60);
        }
        if (seconds >= 60) {
            long s = Math.round(seconds);
            return String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
        }
        return String.format(Locale.ROOT, "%.1fs", seconds);
    }
}
