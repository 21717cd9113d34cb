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
    private final String backend;
    private final boolean cuda;
    private final int devices;
    private final String deviceDescription;
    private final String dataType;
    private final String kernel;
    private final int cpuThreads;
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

    /** Reads the state of the running ND4J backend (initialises ND4J if needed). */
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

    /** The ND4J backend class, e.g. {@code CpuBackend} or {@code JCublasBackend}. */
    public String backend() {
        return backend;
    }

    /** Whether the backend is CUDA. */
    public boolean isCuda() {
        return cuda;
    }

    /** Number of compute devices ND4J sees. */
    public int devices() {
        return devices;
    }

    /** Name of the rational kernel in use. */
    public String kernel() {
        return kernel;
    }

    /** The report as ordered key-value pairs. */
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

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("dl4j-rational backend report");
        asMap().forEach((k, v) -> sb.append("\n  ").append(k).append(": ").append(v));
        return sb.toString();
    }
}
