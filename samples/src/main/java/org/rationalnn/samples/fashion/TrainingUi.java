package org.rationalnn.samples.fashion;

import org.deeplearning4j.optimize.api.TrainingListener;

/**
 * Attaches DL4J's training UI (deeplearning4j-ui: http://localhost:PORT/train) to a training run.
 *
 * <p>The UI is large (Vert.x, Freemarker, ...), so it is not a dependency of the default build: it is added by the
 * Maven profile {@code ui} ({@code mvn -Pui ...}), and this class reaches it by reflection. Without the profile
 * {@link #attach(int)} fails with a message saying so.
 */
public final class TrainingUi {
    private static final String SERVER = "org.deeplearning4j.ui.api.UIServer";
    private static final String STORAGE = "org.deeplearning4j.core.storage.StatsStorage";
    private static final String ROUTER = "org.deeplearning4j.core.storage.StatsStorageRouter";
    private static final String MEMORY_STORAGE = "org.deeplearning4j.ui.model.storage.InMemoryStatsStorage";
    private static final String STATS_LISTENER = "org.deeplearning4j.ui.model.stats.StatsListener";

    private TrainingUi() {
    }

    /** Whether deeplearning4j-ui is on the class path. */
    public static boolean available() {
        try {
            Class.forName(SERVER);
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    /**
     * Starts the UI server on {@code port} (once per JVM) with in-memory storage and returns a listener that feeds
     * it; add the listener to every network that should appear in the UI.
     *
     * @throws IllegalStateException if deeplearning4j-ui is not on the class path, or the server fails to start
     */
    public static TrainingListener attach(int port) {
        if (!available()) {
            throw new IllegalStateException("--ui needs deeplearning4j-ui on the class path; run with the Maven "
                    + "profile 'ui', e.g. mvn -B -q -Pui -pl samples -am compile exec:java "
                    + "-Dexec.mainClass=org.rationalnn.samples.FashionMnistSample -Dexec.args=\"--ui\"");
        }
        try {
            System.setProperty("org.deeplearning4j.ui.port", Integer.toString(port));
            Class<?> server = Class.forName(SERVER);
            Object ui = server.getMethod("getInstance").invoke(null);
            Object storage = Class.forName(MEMORY_STORAGE).getConstructor().newInstance();
            server.getMethod("attach", Class.forName(STORAGE)).invoke(ui, storage);
            return (TrainingListener) Class.forName(STATS_LISTENER).getConstructor(Class.forName(ROUTER))
                    .newInstance(storage);
        } catch (ReflectiveOperationException | RuntimeException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new IllegalStateException("cannot start DL4J's training UI on port " + port + ": " + cause, cause);
        }
    }
}
