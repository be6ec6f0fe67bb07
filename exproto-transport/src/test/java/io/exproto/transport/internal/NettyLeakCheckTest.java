package io.exproto.transport.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.buffer.ByteBufAllocator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Proves the leak check is not vacuous: a buffer dropped without release is reported. */
@ExtendWith(NettyLeakCheck.class)
class NettyLeakCheckTest {

  @Test
  void reportsABufferDroppedWithoutRelease() {
    leakOneBuffer();
    List<String> leaks = new ArrayList<>();
    await().atMost(Duration.ofSeconds(10)).until(() -> {
      NettyLeakCheck.provokeReports();
      leaks.addAll(NettyLeakCheck.takeLeaks());
      return !leaks.isEmpty();
    });
    assertThat(leaks.get(0)).startsWith("LEAK: ByteBuf");
  }

  private static void leakOneBuffer() {
    ByteBufAllocator.DEFAULT.directBuffer(64).writeLong(42);
  }
}
