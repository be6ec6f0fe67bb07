/**
 * Where published messages go and deliveries come from: the host-supplied
 * {@link io.exproto.broker.Broker} SPI, the default {@link io.exproto.broker.InMemoryBroker}, and
 * the MQTT topic rules ({@link io.exproto.broker.Topics}) shared by brokers and the gateway.
 */
package io.exproto.broker;
