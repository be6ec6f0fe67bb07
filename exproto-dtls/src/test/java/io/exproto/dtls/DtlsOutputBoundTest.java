package io.exproto.dtls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.exproto.adapter.Adapter;
import io.exproto.adapter.Result;
import io.exproto.adapter.ResultCode;
import io.exproto.dtls.internal.DtlsConnection;
import io.exproto.transport.ListenerCounters;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.scandium.config.DtlsConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The bound on what the DTLS listener hands Scandium for one connection, over real DTLS: the
 * listener's socket is held up (a {@link StallingConnector}) so records pile up in Scandium, as
 * behind a network that does not keep up. Sends past {@link DtlsConnection#SEND_QUEUE_LIMIT}, and
 * records Scandium turns down, are refused (not SUCCESS) and counted; every record's reservation
 * is released once it is sent or has failed.
 */
@Timeout(90)
class DtlsOutputBoundTest extends EchoGatewayTestSupport {

  private static final byte[] SECRET = "correct horse battery staple".getBytes(StandardCharsets.UTF_8);
  private static final int RECORD = 1000;

  private final List<DtlsTestClient> clients = new ArrayList<>();
  private final List<StallingConnector> connectors = new ArrayList<>();
  private Adapter adapter;
  private String conn;

  @AfterEach
  void releaseAndCloseClients() {
    connectors.forEach(StallingConnector::release);
    clients.forEach(DtlsTestClient::close);
  }

  @Test
  void sendsOverTheBacklogLimitAreRefusedAndCountedUntilTheRecordsAreSent() throws Exception {
    StallingConnector connector = startConnected(configuration -> {});

    connector.stall();
    // The backlog takes records while it is at or under the limit: it ends one record over it.
    int taken = DtlsConnection.SEND_QUEUE_LIMIT / RECORD + 1;
    for (int i = 0; i < taken; i++) {
      Result result = send(RECORD);
      assertThat(result.code()).as("send %d of %d: %s", i, taken, result)
          .isEqualTo(ResultCode.SUCCESS);
    }
    assertThat(listener.sendBacklog()).isEqualTo((long) taken * RECORD);
    for (int i = 0; i < 3; i++) {
      Result refused = send(RECORD);
      assertThat(refused.code()).as(refused.toString()).isEqualTo(ResultCode.UNKNOWN);
      assertThat(refused.message()).isEqualTo("bytes: not sent: the connection's send backlog is"
          + " over 1048576 bytes (the network is not keeping up)");
    }
    assertThat(droppedWrites()).isEqualTo(3);
    assertThat(listener.sendBacklog()).as("a refused send reserves nothing")
        .isEqualTo((long) taken * RECORD);
    assertThat(connector.sendCalls()).as("refused sends never reach Scandium").isEqualTo(1 + taken);

    connector.release();
    await().until(() -> connector.settled() == connector.sendCalls());
    assertThat(listener.sendBacklog()).as("released once sent").isZero();
    assertThat(droppedWrites()).as("records sent are not dropped").isEqualTo(3);
    assertTaken(send(RECORD));
    assertThat(handler().closed()).as("refusals keep the connection").isEmpty();
  }

  @Test
  void recordsScandiumTurnsDownOrFailsAreCountedAndReleased() throws Exception {
    // Scandium's own queue of records waiting to go out, shared by all peers: 4 here.
    StallingConnector connector = startConnected(configuration ->
        configuration.set(DtlsConfig.DTLS_OUTBOUND_MESSAGE_BUFFER_SIZE, 4));

    Result tooLarge = send(16385);
    assertThat(tooLarge.code()).as(tooLarge.toString()).isEqualTo(ResultCode.UNKNOWN);
    assertThat(tooLarge.message()).startsWith("bytes: not sent: the DTLS connector did not take"
        + " the record").contains("16384");
    assertThat(droppedWrites()).isEqualTo(1);
    assertThat(listener.sendBacklog()).isZero();

    connector.stall();
    int taken = 0;
    Result overflow = null;
    while (overflow == null && taken < 100) {
      Result result = send(RECORD);
      if (result.code() == ResultCode.SUCCESS) {
        taken++;
      } else {
        overflow = result;
      }
    }
    assertThat(overflow).as("Scandium's queue of 4 overflows").isNotNull();
    assertThat(overflow.code()).isEqualTo(ResultCode.UNKNOWN);
    assertThat(overflow.message()).startsWith("bytes: not sent: the DTLS connector did not take"
        + " the record").contains("overflow");
    assertThat(taken).isBetween(1, 6);
    assertThat(droppedWrites()).isEqualTo(2);
    assertThat(listener.sendBacklog()).as("only the records Scandium took")
        .isEqualTo((long) taken * RECORD);

    connector.release();
    await().until(() -> connector.settled() == connector.sendCalls());
    assertThat(listener.sendBacklog()).isZero();
    assertThat(droppedWrites()).isEqualTo(2);
    assertTaken(send(RECORD));
    await().until(() -> connector.settled() == connector.sendCalls());

    // Taken, then failed by the socket: on Scandium's thread, even if before the write returned.
    connector.failDatagrams(true);
    assertTaken(send(RECORD));
    await().until(() -> connector.settled() == connector.sendCalls());
    assertThat(droppedWrites()).as("a record that failed after it was taken").isEqualTo(3);
    assertThat(listener.sendBacklog()).as("released once failed").isZero();
    connector.failDatagrams(false);
    assertTaken(send(RECORD));
    await().until(() -> connector.settled() == connector.sendCalls());
    assertThat(droppedWrites()).isEqualTo(3);
    assertThat(handler().closed()).as("failures keep the connection").isEmpty();
  }

  /** Starts the gateway on a stalling connector and connects one device, which is echoed. */
  private StallingConnector startConnected(Consumer<Configuration> scandiumSettings)
      throws Exception {
    startGateway(DtlsListener.builder().psk("sensor-1", SECRET).connectorFactory(config -> {
      scandiumSettings.accept(config.getConfiguration());
      StallingConnector connector = new StallingConnector(config);
      connectors.add(connector);
      return connector;
    }));
    DtlsTestClient device = DtlsTestClient.psk(listener.localAddress(), "sensor-1", SECRET);
    clients.add(device);
    assertThat(device.echo("hello")).isEqualTo("hello");
    StallingConnector connector = connectors.get(0);
    await().until(() -> connector.settled() == 1);
    assertThat(listener.sendBacklog()).isZero();
    adapter = handler().adapter();
    conn = handler().created().get(0).conn();
    return connector;
  }

  private Result send(int size) throws Exception {
    return adapter.send(conn, new byte[size]).toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static void assertTaken(Result result) {
    assertThat(result.code()).as(result.toString()).isEqualTo(ResultCode.SUCCESS);
  }

  private long droppedWrites() {
    return gateway.metrics().get(ListenerCounters.name(listener.name(), DtlsListener.DROPPED_WRITES));
  }
}
