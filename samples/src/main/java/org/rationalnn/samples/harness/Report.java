package org.rationalnn.samples.harness;

import org.rationalnn.dl4j.util.BackendReport;

import java.util.List;
import java.util.Locale;

/**
 * A Markdown report under construction ({@code report.md}): headings, paragraphs, tables, images (only those the
 * run wrote), the settings that reproduce the run and the machine it ran on.
 */
public final class Report {
    private final Session session;
    private final StringBuilder md = new StringBuilder();

    Report(Session session, String title) {
        this.session = session;
        md.append("# ").append(title).append("\n\n");
    }

    /** A level-2 heading. */
    public Report section(String title) {
        md.append("## ").append(title).append("\n\n");
        return this;
    }

    /** A level-3 heading. */
    public Report subsection(String title) {
        md.append("### ").append(title).append("\n\n");
        return this;
    }

    /** A paragraph. */
    public Report text(String paragraph) {
        md.append(paragraph.strip()).append("\n\n");
        return this;
    }

    /** A bullet list. */
    public Report bullets(List<String> items) {
        for (String i : items) {
            md.append("- ").append(i).append('\n');
        }
        md.append('\n');
        return this;
    }

    /** A table. */
    public Report table(TextTable table) {
        md.append(table.markdown()).append('\n');
        return this;
    }

    /** An image, if the run wrote {@code file} (plots may be off). */
    public Report image(String file, String alt) {
        if (session == null || session.wrote(file)) {
            md.append("![").append(alt).append("](").append(file).append(")\n\n");
        }
        return this;
    }

    /** A fenced code block holding {@code text} as it is (generated text may end in blanks). */
    public Report code(String text) {
        md.append("```\n").append(text).append("\n```\n\n");
        return this;
    }

    /** "Settings: `--a 1 --b 2`" from the options object ({@link Cli#settings}). */
    public Report settings(Object options) {
        md.append("Settings: `").append(Cli.settings(options)).append("`  \n");
        return this;
    }

    /**
     * The run time, CPU time, machine load, processors and ND4J backend (from {@link Session#info()} at the time
     * of the call).
     */
    public Report machine() {
        Session.RunInfo info = session.info();
        md.append(String.format(Locale.ROOT, "Run time %s (CPU time %s) on %d processors, load average %.1f at the "
                        + "start and %.1f at the end.  %nBackend: %s%n%n", Fmt.duration(info.seconds()),
                Fmt.duration(info.cpuSeconds()), Runtime.getRuntime().availableProcessors(), info.loadStart(),
                info.loadEnd(), BackendReport.current().asMap()));
        return this;
    }

    /** "Files: `a.csv`, `b.png`." listing what the run wrote (report.md excepted). */
    public Report files() {
        List<String> f = session.files().stream().filter(x -> !x.equals("report.md")).map(x -> "`" + x + "`")
                .toList();
        if (!f.isEmpty()) {
            md.append("Files: ").append(String.join(", ", f)).append(".\n");
        }
        return this;
    }

    /** Raw Markdown. */
    public Report raw(String markdown) {
        md.append(markdown);
        return this;
    }

    /** The Markdown so far. */
    public String markdown() {
        return md.toString();
    }
}
