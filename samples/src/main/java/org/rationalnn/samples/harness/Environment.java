package org.rationalnn.samples.harness;

import org.nd4j.linalg.factory.Nd4j;

import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;

/** The process-wide settings the samples need: native memory bounds, native thread counts, CPU time. */
public final class Environment {
    /** Off-heap memory ND4J may use, unless set on the command line. */
    public static final String MAX_BYTES = "org.bytedeco.javacpp.maxbytes";
    /** Memory of the whole process (heap included) beyond which JavaCPP collects garbage, then fails. */
    public static final String MAX_PHYSICAL_BYTES = "org.bytedeco.javacpp.maxphysicalbytes";

    private Environment() {
    }

    /**
     * Bounds ND4J's off-heap memory (JavaCPP) to 2 GiB and the whole process to 6 GiB, unless the user set
     * {@value #MAX_BYTES} / {@value #MAX_PHYSICAL_BYTES}. JavaCPP frees off-heap arrays only when their Java
     * objects are collected, and its default limits scale with the heap limit (a quarter of the RAM by default):
     * a training run then grows to many GiB of garbage (10 GiB seen on a 24 GiB machine) before anything is
     * freed. At the limit JavaCPP runs the garbage collector, which costs nothing measurable here (the samples'
     * default runs peak at about 4.3 GiB resident when run inside Maven's JVM). Effective only before ND4J is
     * first used, so {@link Cli#main} does it first.
     */
    public static void boundNativeMemory() {
        if (System.getProperty(MAX_BYTES) == null) {
            System.setProperty(MAX_BYTES, "2G");
        }
        if (System.getProperty(MAX_PHYSICAL_BYTES) == null) {
            System.setProperty(MAX_PHYSICAL_BYTES, "6G");
        }
    }

    /** CPU seconds used by this process so far (all threads; NaN where the JVM cannot tell). */
    public static double cpuSeconds() {
        OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
            return sun.getProcessCpuTime() / 1e9;
        }
        return Double.NaN;
    }

    /** The 1-minute load average of the machine (NaN where unknown): reports state how busy the machine was. */
    public static double loadAverage() {
        double l = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        return l < 0 ? Double.NaN : l;
    }

    /**
     * ND4J's native thread counts (OpenMP and BLAS). Tiny networks train best several at once with one native
     * thread each: several busy OpenMP teams on 2 cores mostly spin-wait for each other.
     */
    public record NativeThreads(int omp, int master, int blas) {
        /** Sets all three to {@code n}; returns the previous values for {@link #restore()}. */
        public static NativeThreads set(int n) {
            NativeThreads old = new NativeThreads(Nd4j.getEnvironment().maxThreads(),
                    Nd4j.getEnvironment().maxMasterThreads(), Nd4j.factory().blas().getMaxThreads());
            Nd4j.getEnvironment().setMaxThreads(n);
            Nd4j.getEnvironment().setMaxMasterThreads(n);
            Nd4j.factory().blas().setMaxThreads(n);
            return old;
        }

        public void restore() {
            Nd4j.getEnvironment().setMaxThreads(omp);
            Nd4j.getEnvironment().setMaxMasterThreads(master);
            Nd4j.factory().blas().setMaxThreads(blas);
        }
    }
}
