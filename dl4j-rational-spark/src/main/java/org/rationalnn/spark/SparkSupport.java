package org.rationalnn.spark;

import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * Spark set-up for DL4J's Spark integration with rational layers: the Java version guard and a local-mode
 * context that works on Java 17 (with the JVM flags listed in the module's pom and the README).
 */
public final class SparkSupport {

    /** Newest Java feature release Spark 3.1 runs on. */
    public static final int MAX_JAVA = 17;

    private SparkSupport() {
    }

    /**
     * @throws IllegalStateException on Java 21 and newer, where Spark 3.1 cannot start (a {@code DirectByteBuffer}
     *                               constructor it uses was removed); no JVM flag fixes it
     */
    public static void checkJavaVersion() {
        checkJavaVersion(Runtime.version().feature());
    }

    /** The check of {@link #checkJavaVersion()} for a given Java feature release. */
    static void checkJavaVersion(int feature) {
        if (feature > MAX_JAVA) {
            throw new IllegalStateException("Spark 3.1 (used by DL4J's Spark module 1.0.0-M2) supports Java up to "
                    + MAX_JAVA + ", got Java " + feature + ": it cannot start on Java 21+ (a DirectByteBuffer "
                    + "constructor it needs is gone). Run with a Java 17 JDK (set JAVA_HOME).");
        }
    }

    /**
     * A Spark context for {@code master} ({@code local[2]}, {@code spark://host:7077}, ...). In local mode the
     * driver binds to the loopback interface and the web UI is off.
     */
    public static JavaSparkContext context(String master, String appName) {
        checkJavaVersion();
        SparkConf conf = new SparkConf().setMaster(master).setAppName(appName);
        if (master.startsWith("local")) {
            conf.set("spark.driver.host", "127.0.0.1").set("spark.driver.bindAddress", "127.0.0.1")
                    .set("spark.ui.enabled", "false");
        }
        return new JavaSparkContext(conf);
    }
}
