package org.rationalnn.dl4j.util;

import org.nd4j.linalg.api.environment.Nd4jEnvironment;
import org.nd4j.linalg.factory.Nd4j;
import org.rationalnn.dl4j.kernel.CudaCompatibility;
import org.rationalnn.dl4j.kernel.RationalKernels;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * What the library runs on: the ND4J backend (CPU or CUDA), its devices, the default data types and which
 * rational kernel is active. Samples print it at start; users can log it to check a deployment.
 *
 * <pre>{@code
 * log.info("{}", BackendReport.current());
 * }</pre>
 */
public final class BackendReport {
    /** Simple name of the ND4J backend class. */
    private final String backend;
    /** Whether the backend is CUDA. */
    private final boolean cuda;
    /** Number of devices ND4J sees. */
    private final int devices;
    /** CUDA device information, or architecture, cores and BLAS vendor on the CPU. */
    private final String deviceDescription;
    /** ND4J's default data type and default floating-point type, in words. */
    private final String dataType;
    /** Name of the active rational kernel, or why none is available. */
    private final String kernel;
    /** Number of cores ND4J reports. */
    private final int cpuThreads;
    /** The CUDA compatibility problem, or null when there is none. */
    private final String warning;

    private BackendReport(String backend, boolean cuda, int devices, String deviceDescription, String dataType,
                          String kernel, int cpuThreads, String warning) {
        this.backend = backend;
        this.cuda = cuda;
        this.devices = devices;
        this.deviceDescription = deviceDescription;
        this.dataType = dataType;
        this.kernel = kernel;
        this.cpuThreads = cpuThreads;
        this.warning = warning;
    }

    /**
     * Reads the state of the running ND4J backend (initialises ND4J if needed). Device details that cannot be read
     * are replaced by a note, and a kernel that cannot be selected is reported as "unavailable (reason)", so the
     * report can be logged before the library is known to work.
     *
     * @return a snapshot of the backend, devices, data types, active kernel and any CUDA compatibility warning
     */
    public static BackendReport current() {
        String backendClass = Nd4j.getBackend().getClass().getSimpleName();
        boolean cuda = backendClass.toLowerCase(Locale.ROOT).contains("cuda")
                || backendClass.toLowerCase(Locale.ROOT).contains("jcublas");
        int devices = 1;
        String description = System.getProperty("os.arch") + ", " + Runtime.getRuntime().availableProcessors()
                + " cores";
        try {
            devices = Nd4j.getAffinityManager().getNumberOfDevices();
            Properties env = Nd4j.getExecutioner().getEnvironmentInformation();
            Object list = env.get("cuda.devicesInformation");
            if (cuda && list != null) {
                description = String.valueOf(list);
            } else if (env.get("blas.vendor") != null) {
                description += ", BLAS " + env.get("blas.vendor");
            }
        } catch (RuntimeException e) {
            description += " (details unavailable: " + e.getMessage() + ")";
        }
        int threads = Nd4jEnvironment.getEnvironment().getNumCores();
        return new BackendReport(backendClass, cuda, devices, description,
                Nd4j.dataType() + " (floating point default " + Nd4j.defaultFloatingPointType() + ")",
                kernelName(), threads,
                CudaCompatibility.problem().orElse(null));
    }

    private static String kernelName() {
        try {
            return RationalKernels.active().name();
        } catch (IllegalStateException e) {
            return "unavailable (" + e.getMessage() + ")";
        }
    }

    /**
     * The ND4J backend class.
     *
     * @return its simple name, e.g. {@code CpuBackend} or {@code JCublasBackend}
     */
    public String backend() {
        return backend;
    }

    /**
     * Whether the backend is CUDA.
     *
     * @return true if the backend class name contains "cuda" or "jcublas" (any case)
     */
    public boolean isCuda() {
        return cuda;
    }

    /**
     * Number of compute devices ND4J sees.
     *
     * @return the device count of ND4J's affinity manager (the GPUs on CUDA, normally 1 on the CPU; 1 if it cannot
     *         be read)
     */
    public int devices() {
        return devices;
    }

    /**
     * Name of the rational kernel in use.
     *
     * @return the name of {@link RationalKernels#active()}, or "unavailable (reason)" if no kernel can be selected
     */
    public String kernel() {
        return kernel;
    }

    /**
     * The report as ordered key-value pairs.
     *
     * @return a new map with the keys "backend", "devices", "data type", "rational kernel", "cpu threads" and, only
     *         when there is a CUDA compatibility problem (see
     *         {@link org.rationalnn.dl4j.kernel.CudaCompatibility#problem()}), "WARNING", in this order
     */
    public Map<String, String> asMap() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("backend", backend + (cuda ? " (CUDA)" : " (CPU)"));
        m.put("devices", devices + ": " + deviceDescription);
        m.put("data type", dataType);
        m.put("rational kernel", kernel);
        m.put("cpu threads", Integer.toString(cpuThreads));
        if (warning != null) {
            m.put("WARNING", warning);
        }
        return m;
    }

    /**
     * The report as text for a log: a title line, then one indented "key: value" line per entry of {@link #asMap()}.
     *
     * @return the multi-line report
     */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("dl4j-rational backend report");
        asMap().forEach((k, v) -> sb.append("\n  ").append(k).append(": ").append(v));
        return sb.toString();
    }
}
