/**
 * The small harness the samples share, so that each sample keeps only its science: the command line
 * ({@link org.rationalnn.samples.harness.Cli}: picocli parsing, the settings line that reproduces a run), one run's
 * output folder, clocks, files and report ({@link org.rationalnn.samples.harness.Session},
 * {@link org.rationalnn.samples.harness.Report}), tables rendered for the console, Markdown and CSV
 * ({@link org.rationalnn.samples.harness.TextTable}), XChart plots written headless as PNG with readable ticks
 * ({@link org.rationalnn.samples.harness.Plots}), number formats ({@link org.rationalnn.samples.harness.Fmt}),
 * progress lines with time estimates ({@link org.rationalnn.samples.harness.Progress}), learning-rate schedules
 * and process settings ({@link org.rationalnn.samples.harness.Schedules},
 * {@link org.rationalnn.samples.harness.Environment}).
 */
package org.rationalnn.samples.harness;
