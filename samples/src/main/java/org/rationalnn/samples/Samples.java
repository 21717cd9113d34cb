package org.rationalnn.samples;

import picocli.CommandLine;

/** Shared command-line handling of the samples. */
final class Samples {

    private Samples() {
    }

    /**
     * Parses {@code args} into {@code options} (a picocli {@code @Command} object). Prints usage and returns
     * null for {@code --help}/{@code --version}; prints the error and usage and exits with status 2 on bad input.
     */
    static <T> T parse(T options, String[] args) {
        CommandLine cl = new CommandLine(options);
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
}
