package io.exproto.examples.reference;

import io.exproto.adapter.ClientInfo;
import io.exproto.adapter.Result;
import io.exproto.grpc.proto.ConnInfo;
import io.exproto.grpc.proto.Message;
import io.exproto.grpc.proto.TimerType;
import io.exproto.grpc.sdk.AdapterClient;
import io.exproto.grpc.sdk.HandlerService;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A handler service for a small line protocol, in the spirit of the frame protocol of EMQX's
 * ExProto test handler. Each device line is one command, answered with one line:
 *
 * <pre>
 * CONNECT clientid username password  -> CONNACK code      (Authenticate)
 * SUB topic qos                       -> SUBACK code       (Subscribe)
 * UNSUB topic                         -> UNSUBACK code     (Unsubscribe)
 * PUB topic payload                   -> PUBACK code       (Publish, qos 0)
 * KEEPALIVE seconds                   -> KAACK code        (StartTimer)
 * CLOSE                               -> (Close)
 * delivered message                   -> MSG topic payload
 * </pre>
 *
 * Every callback is recorded per connection ("created", "timeout", "closed:reason").
 */
final class LineProtocolHandler extends HandlerService {

  private final AdapterClient adapter;
  private final Map<String, StringBuilder> partial = new ConcurrentHashMap<>();
  final Map<String, List<String>> events = new ConcurrentHashMap<>();

  LineProtocolHandler(AdapterClient adapter) {
    this.adapter = adapter;
  }

  private void record(String conn, String event) {
    events.computeIfAbsent(conn, c -> new CopyOnWriteArrayList<>()).add(event);
  }

  /** The events of the only connection that saw {@code event}, or of any connection when null. */
  List<String> eventsOfConnectionWith(String event) {
    return events.values().stream().filter(list -> list.contains(event)).findFirst().orElse(List.of());
  }

  @Override
  protected void onSocketCreated(String conn, ConnInfo info) {
    record(conn, "created");
  }

  @Override
  protected void onReceivedBytes(String conn, byte[] bytes) {
    StringBuilder buffer = partial.computeIfAbsent(conn, c -> new StringBuilder());
    buffer.append(new String(bytes, StandardCharsets.UTF_8));
    int newline;
    while ((newline = buffer.indexOf("\n")) >= 0) {
      String line = buffer.substring(0, newline).trim();
      buffer.delete(0, newline + 1);
      if (!line.isEmpty()) {
        command(conn, line.split(" ", 4));
      }
    }
  }

  private void command(String conn, String[] words) {
    switch (words[0]) {
      case "CONNECT" -> reply(conn, "CONNACK", adapter.authenticate(conn,
          new ClientInfo("line", "1", words[1], words.length > 2 ? words[2] : ""), words.length > 3 ? words[3] : ""));
      case "SUB" -> reply(conn, "SUBACK", adapter.subscribe(conn, words[1], Integer.parseInt(words[2])));
      case "UNSUB" -> reply(conn, "UNSUBACK", adapter.unsubscribe(conn, words[1]));
      case "PUB" -> reply(conn, "PUBACK", adapter.publish(conn, words[1], 0,
          (words.length > 2 ? words[2] : "").getBytes(StandardCharsets.UTF_8)));
      case "KEEPALIVE" -> reply(conn, "KAACK", adapter.startTimer(conn, Long.parseLong(words[1])));
      case "CLOSE" -> adapter.close(conn);
      default -> adapter.send(conn, ("ERROR unknown command " + words[0] + "\n").getBytes(StandardCharsets.UTF_8));
    }
  }

  private void reply(String conn, String ack, Result result) {
    adapter.send(conn, (ack + " " + result.code() + "\n").getBytes(StandardCharsets.UTF_8));
  }

  @Override
  protected void onTimerTimeout(String conn, TimerType type) {
    record(conn, "timeout");
  }

  @Override
  protected void onReceivedMessages(String conn, List<Message> messages) {
    for (Message m : messages) {
      adapter.send(conn, ("MSG " + m.getTopic() + " " + m.getPayload().toStringUtf8() + "\n")
          .getBytes(StandardCharsets.UTF_8));
    }
  }

  @Override
  protected void onSocketClosed(String conn, String reason) {
    partial.remove(conn);
    record(conn, "closed:" + reason);
  }
}
