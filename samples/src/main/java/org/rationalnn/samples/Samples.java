package org.rationalnn.samples;

import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.linalg.schedule.MapSchedule;
import org.nd4j.linalg.schedule.ScheduleType;
import picocli.CommandLine;

import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.HashMap;
import java.util.Map;

/** Shared command-line handling of the samples. */
final class Samples {

    private Samples() {
    }

    /**
     * Parses {@code args} into {@code options} (a picocli {@code @Command} object). Prints usage and returns
     * null for {@code --help}/{@code --version}; prints the error and usage and exits with status 2 on bad input.
     */
    static <T> T parse(T options, String[] args) {
        CommandLine cl = new CommandLine(options);
        try {
            cl.parseArgs(args);
        } catch (CommandLine.ParameterException e) {
            System.err.println(e.getMessage());
            cl.usage(System.err);
            System.exit(2);
        }
        if (cl.isUsageHelpRequested()) {
            cl.usage(System.out);
            return null;
        }
        if (cl.isVersionHelpRequested()) {
            cl.printVersionHelp(System.out);
            return null;
        }
        return options;
    }

    /** Off-heap memory ND4J may use, unless set on the command line. */
    static final String MAX_BYTES = "org.bytedeco.javacpp.maxbytes";
    /** Memory of the whole process (heap included) beyond which JavaCPP collects garbage, then fails. */
    static final String MAX_PHYSICAL_BYTES = "org.bytedeco.javacpp.maxphysicalbytes";

    /**
     * Bounds ND4J's off-heap memory (JavaCPP) to 2 GiB and the whole process to 6 GiB, unless the user set
     * {@value #MAX_BYTES} / {@value #MAX_PHYSICAL_BYTES}. JavaCPP frees off-heap arrays only when their Java
     * objects are collected, and its default limits scale with the heap limit (a quarter of the RAM by default):
     * a training run then grows to many GiB of garbage (10 GiB seen on a 24 GiB machine) before anything is
     * freed. At the limit JavaCPP runs the garbage collector, which costs nothing measurable here (the samples'
     * default runs peak at about 4.3 GiB resident when run inside Maven's JVM). Effective only
     * before ND4J is first used, so it is the first thing the samples' {@code main} methods do.
     */
    static void boundNativeMemory() {
        if (System.getProperty(MAX_BYTES) == null) {
            System.setProperty(MAX_BYTES, "2G");
        }
        if (System.getProperty(MAX_PHYSICAL_BYTES) == null) {
            System.setProperty(MAX_PHYSICAL_BYTES, "6G");
        }
    }

    /**
     * A learning rate that falls linearly from {@code learningRate} to {@code endFraction × learningRate} over
     * {@code iterations}, in at most 100 constant pieces. It is DL4J's {@code MapSchedule}, so configurations using
     * it serialize; DL4J M2.1's {@code PolySchedule} grows instead of decaying.
     */
    static ISchedule linearDecay(double learningRate, long iterations, double endFraction) {
        Map<Integer, Double> values = new HashMap<>();
        int pieces = (int) Math.max(1, Math.min(100, iterations));
        for (int k = 0; k < pieces; k++) {
            values.put((int) (k * iterations / pieces), learningRate * (1.0 - (1.0 - endFraction) * k / pieces));
        }
        return new MapSchedule(ScheduleType.ITERATION, values);
    }

    /** CPU seconds used by this process so far (all threads; NaN where the JVM cannot tell). */
    static double cpuSeconds() {
        OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.OperatingSystemMXBean) {
            return ((com.sun.management.OperatingSystemMXBean) os).getProcessCpuTime() / 1e9;
        }
        return Double.NaN;
    }

    /**
     * The default output folder of a sample: {@code samples/target/<name>} when run from the project root (as
     * {@code mvn -pl samples exec:java} does), else {@code target/<name>} below the working directory.
     */
    static Path defaultOutput(String name) {
        Path here = Paths.get("").toAbsolutePath();
        if (Files.isRegularFile(here.resolve("samples").resolve("pom.xml"))) {
            return here.resolve("samples").resolve("target").resolve(name);
        }
        return here.resolve("target").resolve(name);
    }
}
