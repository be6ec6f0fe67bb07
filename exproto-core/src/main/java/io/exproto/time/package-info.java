/**
 * Time as the gateway sees it: the injectable {@link io.exproto.time.Scheduler} behind keepalive,
 * idle, expiry and handler deadlines, so timer logic is tested without sleeping.
 */
package io.exproto.time;
