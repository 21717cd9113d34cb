package org.rationalnn.dl4j.kernel;

import org.nd4j.linalg.factory.Nd4j;

import java.security.CodeSource;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Detects the one GPU set-up known not to work: ND4J's CUDA 11.6 build from Maven Central (1.0.0-M2.1) carries
 * machine code for compute capabilities up to 8.6 and no PTX, so on Hopper (9.0) and newer GPUs its kernels fail
 * to launch with a cryptic error. This class turns that into a clear message.
 */
public final class CudaCompatibility {

    private CudaCompatibility() {
    }

    /**
     * A description of the problem if the active backend is a CUDA 11 build and a visible GPU has compute
     * capability 9.0 or newer; empty otherwise (including on CPU backends).
     *
     * @return the problem, naming the GPU and the remedy, or empty
     */
    public static Optional<String> problem() {
        String backendClass = Nd4j.getBackend().getClass().getName().toLowerCase(Locale.ROOT);
        if (!backendClass.contains("jcublas") && !backendClass.contains("cuda")) {
            return Optional.empty();
        }
        String location = backendLocation();
        if (!location.contains("cuda-11")) {
            return Optional.empty();
        }
        Object devices = Nd4j.getExecutioner().getEnvironmentInformation().get("cuda.devicesInformation");
        if (!(devices instanceof List)) {
            return Optional.empty();
        }
        for (Object d : (List<?>) devices) {
            if (d instanceof Map) {
                Map<?, ?> dev = (Map<?, ?>) d;
                int major = toInt(dev.get("cuda.deviceMajor"));
                int minor = toInt(dev.get("cuda.deviceMinor"));
                if (major >= 9) {
                    return Optional.of("GPU '" + dev.get("cuda.deviceName") + "' has compute capability " + major
                            + "." + minor + ", but the ND4J CUDA 11.6 build on Maven Central (" + location
                            + ") supports compute capabilities up to 8.6 only (no PTX), so its kernels cannot run "
                            + "there. Use a CUDA 12 build of ND4J (Maven profile -Pcuda,cuda12, DL4J snapshots) or "
                            + "the CPU backend; see README section 'CUDA'.");
                }
            }
        }
        return Optional.empty();
    }

    /**
     * @throws IllegalStateException with the message of {@link #problem()} if there is one
     */
    public static void check() {
        Optional<String> p = problem();
        if (p.isPresent()) {
            throw new IllegalStateException(p.get());
        }
    }

    private static String backendLocation() {
        try {
            CodeSource cs = Nd4j.getBackend().getClass().getProtectionDomain().getCodeSource();
            return cs == null ? "" : cs.getLocation().toString();
        } catch (SecurityException e) {
            return "";
        }
    }

    private static int toInt(Object o) {
        if (o instanceof Number) {
            return ((Number) o).intValue();
        }
        try {
            return o == null ? -1 : Integer.parseInt(o.toString().trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
