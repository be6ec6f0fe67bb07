package io.exproto.transport.internal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.exproto.gateway.GatewayMetrics;
import io.exproto.listener.CertificateInfo;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import javax.net.ssl.SSLHandshakeException;
import javax.security.auth.x500.X500Principal;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(NettyLeakCheck.class)
class TlsHandshakeHandlerTest {

  private static final String COUNTER = "ssl:test.refused.tls_handshake";

  private final GatewayMetrics metrics = new GatewayMetrics();
  private final LifecycleRecorder behind = new LifecycleRecorder();
  private EmbeddedChannel channel;

  @BeforeEach
  void setUp() {
    channel = new EmbeddedChannel(
        new TlsHandshakeHandler("ssl:test", metrics, TlsHandshakeHandler.newFailureLog()), behind);
  }

  @AfterEach
  void tearDown() {
    channel.finishAndReleaseAll();
  }

  @Test
  void holdsTheConnectionBackUntilTheHandshakeSucceeds() {
    assertThat(behind.active).as("active before the handshake").isZero();

    channel.pipeline().fireUserEventTriggered(SslHandshakeCompletionEvent.SUCCESS);

    assertThat(behind.active).isEqualTo(1);
    ByteBuf data = ByteBufAllocator.DEFAULT.directBuffer();
    data.writeCharSequence("after", UTF_8);
    channel.writeInbound(data);
    assertThat(behind.bytes.toString(UTF_8)).isEqualTo("after");
    assertThat(channel.attr(ChannelAttributes.PEER_CERTIFICATE).get())
        .as("no SslHandler, no certificate").isNull();
  }

  @Test
  void aFailedHandshakeClosesAndCountsOnce() {
    SSLHandshakeException failure = new SSLHandshakeException("Empty client certificate chain");

    channel.pipeline().fireExceptionCaught(failure);
    channel.pipeline().fireUserEventTriggered(new SslHandshakeCompletionEvent(failure));
    channel.runPendingTasks();

    assertThat(channel.isOpen()).isFalse();
    assertThat(behind.active).isZero();
    assertThat(behind.inactive).isZero();
    assertThat(behind.failures).isEmpty();
    assertThat(metrics.get(COUNTER)).isEqualTo(1);
  }

  @Test
  void aCompletionAfterSuccessIsIgnored() {
    channel.pipeline().fireUserEventTriggered(SslHandshakeCompletionEvent.SUCCESS);
    channel.pipeline().fireUserEventTriggered(new SslHandshakeCompletionEvent(new SSLHandshakeException("late")));

    assertThat(channel.isOpen()).isTrue();
    assertThat(behind.active).isEqualTo(1);
    assertThat(metrics.get(COUNTER)).isZero();
  }

  @Test
  void extractsTheCommonNameAndTheRfc2253Name() {
    CertificateInfo info = TlsHandshakeHandler.subject(
        new X500Principal("CN=device-1, OU=Sensors, O=Acme\\, Inc., C=DE"));

    assertThat(info.cn()).isEqualTo("device-1");
    assertThat(info.dn()).isEqualTo("CN=device-1,OU=Sensors,O=Acme\\, Inc.,C=DE");
  }

  @Test
  void aSubjectWithoutCommonNameHasAnEmptyCn() {
    CertificateInfo info = TlsHandshakeHandler.subject(new X500Principal("O=Acme, C=DE"));

    assertThat(info.cn()).isEmpty();
    assertThat(info.dn()).isEqualTo("O=Acme,C=DE");
  }

  @Test
  void theMostSpecificCommonNameWins() {
    CertificateInfo info = TlsHandshakeHandler.subject(new X500Principal("CN=leaf, CN=group, O=Acme"));

    assertThat(info.cn()).isEqualTo("leaf");
  }

  @Test
  void failureDescriptionsCarryNoDeviceBytes() {
    String hex = "68656c6c6f";
    String described = TlsHandshakeHandler.describe(new io.netty.handler.codec.DecoderException(
        new io.netty.handler.ssl.NotSslRecordException("not an SSL/TLS record: " + hex)));

    assertThat(described).doesNotContain(hex).contains("not TLS");
    assertThat(TlsHandshakeHandler.describe(new SSLHandshakeException("Empty client certificate chain")))
        .contains("Empty client certificate chain");
    assertThat(TlsHandshakeHandler.describe(new IllegalStateException("secret " + hex)))
        .isEqualTo("IllegalStateException");
  }
}
