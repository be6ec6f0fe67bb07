package io.exproto.grpc.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.exproto.testing.InProcessDevice;
import io.exproto.testing.InProcessListener;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** The end-to-end check of an echoing handler: several devices at once, each served in order. */
public final class InterleavedEcho {

  private InterleavedEcho() {}

  /**
   * Connects devices, sends each its own numbered chunks, interleaved across the devices, and
   * waits until every device got exactly its own chunks back, in order.
   *
   * @param listener where the devices connect
   * @param devices how many devices
   * @param chunks how many chunks each sends
   * @param wait how long each device may take
   * @return the connected devices, still connected
   */
  public static List<InProcessDevice> run(InProcessListener listener, int devices, int chunks, Duration wait) {
    List<InProcessDevice> connected = new ArrayList<>();
    List<StringBuilder> expected = new ArrayList<>();
    for (int d = 0; d < devices; d++) {
      connected.add(listener.connect());
      expected.add(new StringBuilder());
    }
    for (int c = 0; c < chunks; c++) {
      for (int d = 0; d < devices; d++) {
        String chunk = "d" + d + "-" + c + ";";
        connected.get(d).send(chunk);
        expected.get(d).append(chunk);
      }
    }
    for (int d = 0; d < devices; d++) {
      InProcessDevice device = connected.get(d);
      String want = expected.get(d).toString();
      await().atMost(wait).until(() -> device.receivedText().length() >= want.length());
      assertThat(device.receivedText()).isEqualTo(want);
    }
    return connected;
  }
}
