/**
 * Test support for people who write handlers: an {@link io.exproto.testing.InProcessListener}
 * whose devices a test drives by hand, and a {@link io.exproto.testing.ManualScheduler} whose
 * time moves only when told, so protocol handlers are unit-tested against the real engine with no
 * sockets and no sleeping.
 */
package io.exproto.testing;
