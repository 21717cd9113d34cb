package org.rationalnn.samples.harness;

import org.knowm.xchart.XYChart;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;
import org.rationalnn.dl4j.util.BackendReport;
import org.slf4j.Logger;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * One run of a sample: its output folder, its clocks, the files it wrote, and the report. The samples' common
 * beginning ({@link #start}: headless plots, float32 defaults, the backend and output folder logged) and end
 * ({@link #finish}: console table, {@code report.md}, the time taken) live here, so a sample's {@code run} holds
 * only its science.
 */
public final class Session {
    private final Logger log;
    private final String name;
    private final Path output;
    private final boolean plots;
    private final long start = System.nanoTime();
    private final double cpuStart = Environment.cpuSeconds();
    private final double loadStart = Environment.loadAverage();
    private final Set<String> written = new LinkedHashSet<>();

    private Session(Logger log, String name, Path output, boolean plots) {
        this.log = log;
        this.name = name;
        this.output = output;
        this.plots = plots;
    }

    /**
     * Starts a run: plots headless, ND4J's default data types float32, the backend and the output folder logged.
     *
     * @param log   the sample's logger
     * @param name  the sample's short name; the default output folder is {@code samples/target/<name>}
     * @param out   the output folder given by the user, or null for the default
     * @param plots whether PNG plots are written ({@code --no-plots} turns them off)
     */
    public static Session start(Logger log, String name, Path out, boolean plots) {
        Plots.headless();
        Nd4j.setDefaultDataTypes(DataType.FLOAT, DataType.FLOAT);
        log.info("{}", BackendReport.current());
        Path output = out != null ? out : defaultOutput(name);
        log.info("output folder: {}", output.toAbsolutePath());
        return new Session(log, name, output, plots);
    }

    /**
     * The default output folder of a sample: {@code samples/target/<name>} when run from the project root (as
     * {@code mvn -pl samples exec:java} does), else {@code target/<name>} below the working directory.
     */
    public static Path defaultOutput(String name) {
        Path here = Paths.get("").toAbsolutePath();
        if (Files.isRegularFile(here.resolve("samples").resolve("pom.xml"))) {
            return here.resolve("samples").resolve("target").resolve(name);
        }
        return here.resolve("target").resolve(name);
    }

    public Path output() {
        return output;
    }

    /** Whether PNG plots are written. */
    public boolean plots() {
        return plots;
    }

    /** Wall-clock seconds since {@link #start}. */
    public double seconds() {
        return (System.nanoTime() - start) / 1e9;
    }

    /** CPU seconds of the process since {@link #start}. */
    public double cpuSeconds() {
        return Environment.cpuSeconds() - cpuStart;
    }

    /** The machine's load average when the run started. */
    public double loadAtStart() {
        return loadStart;
    }

    /** Writes {@code table} as CSV to {@code file} in the output folder. */
    public void csv(String file, TextTable table) {
        table.writeCsv(output.resolve(file));
        written.add(file);
    }

    /** Writes text to {@code file} in the output folder. */
    public void text(String file, String content) {
        TextTable.write(output.resolve(file), content);
        written.add(file);
    }

    /** Writes the chart as {@code file} (PNG) unless plots are off; returns whether it did. */
    public boolean plot(String file, XYChart chart) {
        if (!plots || chart == null) {
            return false;
        }
        Plots.save(chart, output.resolve(file));
        written.add(file);
        return true;
    }

    /** Writes the charts into one PNG, {@code columns} per row, unless plots are off or there are none. */
    public boolean plotGrid(String file, List<XYChart> charts, int columns) {
        if (!plots || charts.isEmpty()) {
            return false;
        }
        Plots.saveGrid(charts, columns, output.resolve(file));
        written.add(file);
        return true;
    }

    /** Whether this run wrote {@code file}. */
    public boolean wrote(String file) {
        return written.contains(file);
    }

    /** The files written so far, in order. */
    public List<String> files() {
        return List.copyOf(written);
    }

    /** A new report that knows which images this run wrote. */
    public Report report(String title) {
        return new Report(this, title);
    }

    /**
     * Ends the run: prints {@code console} to standard output, writes {@code report.md}, logs the time taken and
     * returns it.
     */
    public RunInfo finish(Report report, String console) {
        if (console != null && !console.isEmpty()) {
            System.out.println(console);
        }
        RunInfo info = info();
        text("report.md", report.markdown());
        log.info("{} done in {} ({} CPU time); report: {}", name, Fmt.duration(info.seconds()),
                Fmt.duration(info.cpuSeconds()), output.resolve("report.md").toAbsolutePath());
        return info;
    }

    /** The run's output folder, wall-clock and CPU seconds so far and load averages. */
    public RunInfo info() {
        return new RunInfo(output, seconds(), cpuSeconds(), loadStart, Environment.loadAverage());
    }

    /**
     * What a run took.
     *
     * @param output     the output folder
     * @param seconds    wall-clock seconds
     * @param cpuSeconds CPU seconds of the process
     * @param loadStart  the machine's 1-minute load average at the start
     * @param loadEnd    and at the end
     */
    public record RunInfo(Path output, double seconds, double cpuSeconds, double loadStart, double loadEnd) {
    }
}
