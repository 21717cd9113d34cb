package org.rationalnn.samples.harness;

import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * The command line of a sample: picocli options in, {@code run(options)} out. Every sample's {@code main} is
 * {@code Cli.main(args, new Options(), Sample::run)}.
 */
public final class Cli {
    private Cli() {
    }

    /**
     * Bounds ND4J's native memory ({@link Environment#boundNativeMemory()}), parses {@code args} into
     * {@code options} and runs them. {@code --help}/{@code --version} print and return; bad input prints the error
     * and the usage and exits with status 2, as does an {@link IllegalArgumentException} thrown by the run (an
     * invalid option value; its message names it); a {@link UserError} prints its message and exits with status 1.
     */
    public static <O> void main(String[] args, O options, Consumer<O> run) {
        Environment.boundNativeMemory();
        O parsed = parseWithPreset(options, args);
        if (parsed == null) {
            return;
        }
        try {
            run.accept(parsed);
        } catch (UserError e) {
            System.err.println(e.getMessage());
            System.exit(1);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
        }
    }

    /**
     * Parses {@code args} into {@code options} (a picocli {@code @Command} object). Prints usage and returns
     * null for {@code --help}/{@code --version}; prints the error and usage and exits with status 2 on bad input.
     */
    public static <T> T parse(T options, String[] args) {
        return parse(new CommandLine(options), options, args);
    }

    /**
     * {@link #parse} and then, for options with a {@link Preset}, {@link Preset#applyPreset} with the options named
     * on the command line (what {@link #main} runs).
     */
    public static <T> T parseWithPreset(T options, String[] args) {
        CommandLine cl = new CommandLine(options);
        T parsed = parse(cl, options, args);
        if (parsed instanceof Preset preset) {
            preset.applyPreset(cl.getParseResult().matchedOptions().stream().map(OptionSpec::longestName)
                    .collect(Collectors.toSet()));
        }
        return parsed;
    }

    private static <T> T parse(CommandLine cl, T options, String[] args) {
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

    /**
     * The command line that reproduces {@code options}: every option with its current value, in declaration
     * order ({@code --name value}; lists joined by commas; boolean flags only when set; unset values left out).
     * Reports quote it, so a run can be repeated exactly.
     */
    public static String settings(Object options) {
        CommandLine cl = new CommandLine(options);
        List<String> parts = new ArrayList<>();
        for (OptionSpec o : cl.getCommandSpec().options()) {
            if (o.usageHelp() || o.versionHelp()) {
                continue;
            }
            Object v = o.getValue();
            String name = o.longestName();
            if (v == null) {
                continue;
            }
            if (v instanceof Boolean b) {
                if (b) {
                    parts.add(name);
                }
                continue;
            }
            String text;
            if (v instanceof Collection<?> c) {
                if (c.isEmpty()) {
                    continue;
                }
                text = c.stream().map(String::valueOf).collect(Collectors.joining(","));
            } else if (v instanceof Map<?, ?> m) {
                text = m.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                        .collect(Collectors.joining(","));
            } else {
                text = String.valueOf(v);
            }
            parts.add(name + " " + text);
        }
        return String.join(" ", parts);
    }

    /**
     * Options with a preset (such as {@code --full}): after parsing, {@link #main} calls {@link #applyPreset} with
     * the options given on the command line, which the preset must leave as they are.
     */
    public interface Preset {
        /** Applies the preset if it was asked for, to every option not named in {@code explicit}. */
        void applyPreset(java.util.Set<String> explicit);
    }

    /**
     * The value whose command-line name ({@code id.apply(value)}) is {@code given}, ignoring case and blanks.
     *
     * @throws IllegalArgumentException "unknown {what} '{given}', expected one of [...]"
     */
    public static <T> T choose(T[] values, java.util.function.Function<T, String> id, String what, String given) {
        for (T v : values) {
            if (id.apply(v).equalsIgnoreCase(given.trim())) {
                return v;
            }
        }
        throw new IllegalArgumentException("unknown " + what + " '" + given + "', expected one of "
                + java.util.Arrays.stream(values).map(id).toList());
    }

    /** A problem the user can fix (missing data, say); {@link #main} prints its message and exits with 1. */
    public static class UserError extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public UserError(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
