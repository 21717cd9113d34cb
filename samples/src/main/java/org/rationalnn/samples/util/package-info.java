/**
 * Helpers shared by the samples: XChart plots written headless as PNG, tables rendered for the console,
 * Markdown and CSV, and progress lines with time estimates.
 */
package org.rationalnn.samples.util;
