package org.rationalnn.samples.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A table of strings that renders as an aligned console table, a Markdown table or CSV. Cells are formatted by
 * the caller, so all three renderings show the same numbers.
 */
public final class TextTable {
    /** A cell that reads as a number: digits (and thousands commas) with optional sign, exponent, "x", "%", "± ...",
     * "(...)", "> " or "< ". */
    private static final Pattern NUMBER = Pattern.compile("[<>\\s]*[-+]?[0-9.,]+(e[-+]?[0-9]+)?[x%]?"
            + "( ± [0-9.]+)?( \\([0-9]+\\))?|-|diverged");
    private final List<String> header;
    private final List<List<String>> rows = new ArrayList<>();

    public TextTable(String... header) {
        this(Arrays.asList(header));
    }

    public TextTable(List<String> header) {
        this.header = List.copyOf(header);
    }

    /** Adds a row; it must have as many cells as the header. */
    public TextTable row(Object... cells) {
        return row(Arrays.stream(cells).map(String::valueOf).toList());
    }

    public TextTable row(List<String> cells) {
        if (cells.size() != header.size()) {
            throw new IllegalArgumentException("row has " + cells.size() + " cells, header has " + header.size());
        }
        rows.add(List.copyOf(cells));
        return this;
    }

    public int size() {
        return rows.size();
    }

    /** Aligned plain text: first column left-aligned, the others right-aligned. */
    public String console() {
        int[] w = widths();
        StringBuilder sb = new StringBuilder();
        appendAligned(sb, header, w);
        int total = Arrays.stream(w).sum() + 2 * (w.length - 1);
        sb.append("-".repeat(total)).append('\n');
        for (List<String> r : rows) {
            appendAligned(sb, r, w);
        }
        return sb.toString();
    }

    /** A GitHub-flavoured Markdown table; columns of numbers are right-aligned, "|" inside cells escaped. */
    public String markdown() {
        StringBuilder sb = new StringBuilder();
        sb.append("| ").append(String.join(" | ", escape(header))).append(" |\n|");
        for (int i = 0; i < header.size(); i++) {
            final int col = i;
            boolean numeric = !rows.isEmpty() && rows.stream().allMatch(r -> NUMBER.matcher(r.get(col)).matches());
            sb.append(numeric ? "---:|" : "---|");
        }
        sb.append('\n');
        for (List<String> r : rows) {
            sb.append("| ").append(String.join(" | ", escape(r))).append(" |\n");
        }
        return sb.toString();
    }

    private static List<String> escape(List<String> cells) {
        return cells.stream().map(c -> c.replace("|", "\\|")).toList();
    }

    /** CSV (RFC 4180 quoting where needed). */
    public String csv() {
        StringBuilder sb = new StringBuilder();
        sb.append(csvLine(header));
        for (List<String> r : rows) {
            sb.append(csvLine(r));
        }
        return sb.toString();
    }

    /** Writes {@link #csv()} to {@code file}. */
    public void writeCsv(Path file) {
        write(file, csv());
    }

    /** Writes text as UTF-8, creating parent folders. */
    public static void write(Path file, String text) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Files.writeString(file, text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    private int[] widths() {
        int[] w = new int[header.size()];
        for (int i = 0; i < w.length; i++) {
            w[i] = header.get(i).length();
            for (List<String> r : rows) {
                w[i] = Math.max(w[i], r.get(i).length());
            }
        }
        return w;
    }

    private static void appendAligned(StringBuilder sb, List<String> cells, int[] w) {
        for (int i = 0; i < cells.size(); i++) {
            String c = cells.get(i);
            String pad = " ".repeat(w[i] - c.length());
            sb.append(i == 0 ? c + pad : pad + c);
            sb.append(i + 1 < cells.size() ? "  " : "\n");
        }
    }

    private static String csvLine(List<String> cells) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < cells.size(); i++) {
            String c = cells.get(i);
            if (c.contains(",") || c.contains("\"") || c.contains("\n")) {
                c = '"' + c.replace("\"", "\"\"") + '"';
            }
            sb.append(i > 0 ? "," : "").append(c);
        }
        return sb.append('\n').toString();
    }
}
