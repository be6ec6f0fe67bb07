/**
 * Logging that a remote party cannot turn into a flood: {@link io.exproto.logging.RateLimitedLogger}
 * writes at most one line per period for each place that logs what a device, a handler or a
 * network peer can cause (refusals, handler failures, malformed requests), and counts the rest.
 */
package io.exproto.logging;
