package org.rationalnn.benchmarks;

import org.nd4j.linalg.factory.Nd4j;
import org.rationalnn.dl4j.transformer.RationalTransformerBlock;
import org.rationalnn.dl4j.util.BackendReport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;

/** What the plain-loop benchmark runners share: the environment line, the result table, the load. */
final class Bench {

    private Bench() {
    }

    /** CPU model, cores, Java, ND4J threads, the rational kernel, date and the 1-minute load. */
    static String environment() {
        return String.format(Locale.ROOT, "%s | %d cores | Java %s | ND4J threads %d | %s | %s%n%s",
                cpuModel(), Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"),
                Nd4j.getEnvironment().maxThreads(), BackendReport.current(), ZonedDateTime.now(), loadLine());
    }

    static String cpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .findFirst().map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse("unknown CPU");
        } catch (IOException | RuntimeException e) {
            return "unknown CPU";
        }
    }

    /** The content of /proc/loadavg (1, 5, 15 minutes), or "load unknown". */
    static String loadLine() {
        try {
            return "load " + Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (IOException | RuntimeException e) {
            return "load unknown";
        }
    }

    /** Median, minimum and ratios of the medians and minima to {@code reference}. */
    static String table(Map<String, double[]> times, String reference) {
        double refMedian = median(times.get(reference));
        double refMin = min(times.get(reference));
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%n%-28s %10s %10s %10s %10s%n", "network",
                "median ms", "min ms", "x med", "x min"));
        for (Map.Entry<String, double[]> e : times.entrySet()) {
            double med = median(e.getValue());
            double mn = min(e.getValue());
            sb.append(String.format(Locale.ROOT, "%-28s %10.2f %10.2f %10.3f %10.3f%n", e.getKey(), med, mn,
                    med / refMedian, mn / refMin));
        }
        sb.append("(ratios to ").append(reference).append(')');
        return sb.toString();
    }

    static double median(double[] t) {
        double[] s = t.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : 0.5 * (s[s.length / 2 - 1] + s[s.length / 2]);
    }

    static double min(double[] t) {
        return Arrays.stream(t).min().orElse(Double.NaN);
    }

    /** Limits ND4J's own op threads (not BLAS's) to {@code threads} (0: leave ND4J's default). */
    static void nd4jThreads(int threads) {
        if (threads < 0) {
            throw new IllegalArgumentException("--nd4j-threads must be >= 0, got " + threads);
        }
        if (threads > 0) {
            Nd4j.getEnvironment().setMaxThreads(threads);
            Nd4j.getEnvironment().setMaxMasterThreads(threads);
        }
    }

    /** Sets the block's execution by name (native or samediff). */
    static void execution(RationalTransformerBlock.Builder b, String execution) {
        switch (execution.trim().toLowerCase(Locale.ROOT)) {
            case "native":
                b.execution(RationalTransformerBlock.Execution.NATIVE);
                break;
            case "samediff":
                b.execution(RationalTransformerBlock.Execution.SAMEDIFF);
                break;
            default:
                throw new IllegalArgumentException("execution must be native or samediff, got '" + execution + "'");
        }
    }
}
