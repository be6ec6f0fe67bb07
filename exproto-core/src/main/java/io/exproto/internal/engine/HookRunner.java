package io.exproto.internal.engine;

import io.exproto.adapter.ClientInfo;
import io.exproto.broker.Message;
import io.exproto.hooks.ClientContext;
import io.exproto.hooks.GatewayHooks;
import io.exproto.listener.ConnectionInfo;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Calls the host's hooks in order; a hook that throws is logged and skipped. */
final class HookRunner {

  private static final Logger log = LoggerFactory.getLogger(HookRunner.class);

  private final List<GatewayHooks> hooks;

  HookRunner(List<GatewayHooks> hooks) {
    this.hooks = List.copyOf(hooks);
  }

  boolean isEmpty() {
    return hooks.isEmpty();
  }

  private void each(String event, Consumer<GatewayHooks> call) {
    for (GatewayHooks hook : hooks) {
      try {
        call.accept(hook);
      } catch (RuntimeException e) {
        log.warn("Hook {} failed on {}; skipped", hook, event, e);
      }
    }
  }

  void connected(ClientContext client) {
    each("connected", h -> h.onConnected(client));
  }

  void disconnected(ClientContext client, String reason) {
    each("disconnected", h -> h.onDisconnected(client, reason));
  }

  void authenticationFailed(ConnectionInfo connection, ClientInfo client, String reason) {
    each("authentication failed", h -> h.onAuthenticationFailed(connection, client, reason));
  }

  void subscribed(ClientContext client, String filter, int qos) {
    each("subscribed", h -> h.onSubscribed(client, filter, qos));
  }

  void unsubscribed(ClientContext client, String filter) {
    each("unsubscribed", h -> h.onUnsubscribed(client, filter));
  }

  /** Runs onPublish through every hook; null when one dropped the message. */
  Message publish(ClientContext publisher, Message message) {
    Message current = message;
    for (GatewayHooks hook : hooks) {
      try {
        current = hook.onPublish(publisher, current);
      } catch (RuntimeException e) {
        log.warn("Hook {} failed on publish to {}; skipped", hook, current.topic(), e);
      }
      if (current == null) {
        return null;
      }
    }
    return current;
  }

  /** Runs onDeliver through every hook; null when one dropped the message. */
  Message deliver(ClientContext subscriber, Message message) {
    Message current = message;
    for (GatewayHooks hook : hooks) {
      try {
        current = hook.onDeliver(subscriber, current);
      } catch (RuntimeException e) {
        log.warn("Hook {} failed on delivery to {}; skipped", hook, subscriber.conn(), e);
      }
      if (current == null) {
        return null;
      }
    }
    return current;
  }
}
