/**
 * Runtime of the native rational layer: moves arrays between DL4J workspaces and parameter views and calls the
 * active kernel. Not for direct use.
 */
package org.rationalnn.dl4j.layers.impl;
